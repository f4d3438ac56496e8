"""cairnctl against a real cairn-controlplane.

Two control planes per module, each on port 0 with a temp data dir: `api_cp` without agents (the
API surface: exit codes, tokens, failing operations, catalog, config) and `fleet_cp` in dev mode,
whose agents play three hosts and run real nodes (clusters, hosts). Every test drives the real cairnctl binary as a user would and
checks exit codes, stdout (table, JSON, YAML) and stderr; clusters are checked with real
redis-cli writes and reads.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import types

import pytest
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import ControlPlaneProcess  # noqa: E402
from cairn_testlib import (  # noqa: E402
    REDIS_CLI, HarnessError, _die_with_parent, _tail, require_binary, wait_until)

START_TIMEOUT = 60.0
CLI_TIMEOUT = 120.0


def bin_path(name):
    bin_dir = os.environ.get("CAIRN_BIN_DIR")
    if not bin_dir:
        raise HarnessError("set CAIRN_BIN_DIR (the build's bin folder)")
    path = os.path.abspath(os.path.join(bin_dir, name))
    require_binary(path)
    return path


class ControlPlane:
    """cairn-controlplane without agents on 127.0.0.1 port 0 (every listener), with its own data
    dir. Its first start prints the admin token once."""

    def __init__(self, extra_args=()):
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="cairnctl-it-")
        self.data_dir = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "controlplane.log")
        self.proc = None
        self.grpc_addr = None
        self.http_addr = None
        self.token = None

    def start(self):
        argv = [bin_path("cairn-controlplane"), "--data-dir", self.data_dir,
                "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0",
                "--agent-addr", "127.0.0.1:0", "--discovery-addr", "127.0.0.1:0",
                *self.extra_args]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir,
                                         preexec_fn=_die_with_parent)
        info = wait_until(self._read_info, timeout=START_TIMEOUT,
                          what="controlplane.json with grpc_addr\n" + self.describe())
        self.grpc_addr = info["grpc_addr"]
        self.http_addr = info.get("http_addr")
        self.token = wait_until(self._read_token, timeout=START_TIMEOUT, what="admin-token")

    def _read_info(self):
        if self.proc.poll() is not None:
            raise HarnessError("cairn-controlplane exited early\n" + self.describe())
        try:
            with open(os.path.join(self.data_dir, "controlplane.json")) as f:
                info = json.load(f)
        except (OSError, ValueError):
            return None  # not written yet, or half written
        return info if info.get("grpc_addr") else None

    def _read_token(self):
        match = re.search(r"Admin token \(shown once[^)]*\): (\S+)", _tail(self.log_path))
        return match.group(1) if match else None

    def describe(self):
        code = None if self.proc is None else self.proc.poll()
        return f"cairn-controlplane exit={code}; log tail:\n{_tail(self.log_path)}"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = None if self.proc is None else self.proc.returncode
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


def cairnctl(cp, *args, token=None, env=None, timeout=CLI_TIMEOUT):
    """Runs cairnctl with CAIRN_ADDR/CAIRN_TOKEN of `cp` (token=None: the admin token; token="":
    none) and a HOME without a config file. Returns the CompletedProcess (text mode)."""
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cp.dir}
    if cp.grpc_addr:
        full_env["CAIRN_ADDR"] = cp.grpc_addr
    token = cp.token if token is None else token
    if token:
        full_env["CAIRN_TOKEN"] = token
    full_env.update(env or {})
    return subprocess.run([bin_path("cairnctl"), *args], env=full_env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def ok(result):
    assert result.returncode == 0, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def as_json(result):
    return json.loads(ok(result).stdout)


@pytest.fixture(scope="module")
def api_cp():
    plane = ControlPlane()
    try:
        plane.start()
        yield plane
    finally:
        plane.stop()


@pytest.fixture(scope="module")
def fleet_cp():
    """Dev mode: three agents play host-a/b/c in zones a/b/c and run real cairn-server nodes."""
    plane = ControlPlaneProcess(hosts=3)
    home = tempfile.mkdtemp(prefix="cairnctl-it-home-")
    try:
        plane.start(timeout=START_TIMEOUT)
        yield types.SimpleNamespace(grpc_addr=plane.addrs["grpc_addr"], token=plane.token,
                                    dir=home, process=plane)
    finally:
        try:
            plane.stop()
        finally:
            plane.cleanup()
            shutil.rmtree(home, ignore_errors=True)


def redis_cli(port, *args):
    return subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *args],
                          capture_output=True, text=True, timeout=10).stdout.strip()


# ---------------------------------------------------------------------------------------------
# Exit codes


def test_usage_errors_exit_2(api_cp):
    for args in (["cluster", "create", "x"], ["cluster", "frob"], ["-o", "xml", "cluster", "list"],
                 ["events", "list", "--since", "yesterday"], ["cluster", "update", "x"]):
        result = cairnctl(api_cp, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr
        assert result.stdout == ""


def test_missing_resources_exit_3(api_cp):
    for args in (["cluster", "get", "no-such-cluster"], ["cluster", "delete", "no-such-cluster"],
                 ["cluster", "nodes", "no-such-cluster"], ["op", "get", "op-doesnotexist"],
                 ["host", "get", "host-zz"]):
        result = cairnctl(api_cp, *args)
        assert result.returncode == 3, (args, result.returncode, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr


def test_missing_or_wrong_token_exits_4_and_is_never_printed(api_cp):
    wrong = "tok-00000000.not-the-secret"
    for token in ("", wrong):
        result = cairnctl(api_cp, "cluster", "list", token=token)
        assert result.returncode == 4, (token, result.returncode, result.stderr)
        assert result.stderr.startswith("error: ")
        assert "not-the-secret" not in result.stderr + result.stdout
    # The flag wins over the environment.
    result = cairnctl(api_cp, "--token", wrong, "cluster", "list")
    assert result.returncode == 4, result.stderr


def test_invalid_cluster_exits_1_naming_the_field(api_cp):
    result = cairnctl(api_cp, "cluster", "create", "bad", "--replicas", "6")
    assert result.returncode == 1, result.stderr
    assert "replicas_per_shard" in result.stderr, result.stderr
    result = cairnctl(api_cp, "cluster", "create", "Bad_Name", "--replicas", "1")
    assert result.returncode == 1, result.stderr
    assert "name" in result.stderr, result.stderr
    assert "bad" not in [c["name"] for c in
                         as_json(cairnctl(api_cp, "cluster", "list", "-o", "json"))["clusters"]]


def test_unreachable_control_plane_exits_1(api_cp):
    result = cairnctl(api_cp, "--addr", "127.0.0.1:1", "--timeout", "5s", "cluster", "list")
    assert result.returncode == 1
    assert "cannot reach the control plane at 127.0.0.1:1" in result.stderr


def test_failed_operation_exits_1_with_code_reason_and_message(api_cp):
    # No agents, so no host can take a node: the create's operation fails with a reason.
    result = cairnctl(api_cp, "cluster", "create", "nowhere", "--replicas", "0", "--wait")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "operation op-" in result.stderr and "... FAILED" in result.stderr, result.stderr
    error_line = result.stderr.strip().splitlines()[-1]
    assert re.match(r"error: operation op-\S+ failed: \S+ CapacityUnavailable: .+", error_line), (
        result.stderr)
    assert result.stdout == ""


def test_request_id_and_op_wait_on_a_failing_operation(api_cp):
    op = as_json(cairnctl(api_cp, "cluster", "create", "later", "--replicas", "0",
                          "--request-id", "req-later-1", "-o", "json"))
    assert op["id"].startswith("op-") and op["type"] == "CreateCluster"
    assert op["resource"] == "clusters/later"
    again = as_json(cairnctl(api_cp, "cluster", "create", "later", "--replicas", "0",
                             "--request-id", "req-later-1", "-o", "json"))
    assert again["id"] == op["id"], "the same request id returns the first operation"
    waited = cairnctl(api_cp, "op", "wait", op["id"], "-o", "json")
    assert waited.returncode == 1, waited.stderr
    final = json.loads(waited.stdout)
    assert final["state"] == "OPERATION_STATE_FAILED"
    assert final["error"]["reason"] == "CapacityUnavailable"
    assert "CapacityUnavailable" in waited.stderr
    got = ok(cairnctl(api_cp, "op", "get", op["id"])).stdout
    assert re.search(r"^State:\s+FAILED$", got, re.M), got
    as_yaml = yaml.safe_load(ok(cairnctl(api_cp, "op", "get", op["id"], "-o", "yaml")).stdout)
    assert as_yaml == as_json(cairnctl(api_cp, "op", "get", op["id"], "-o", "json"))
    listed = as_json(cairnctl(api_cp, "op", "list", "--resource", "clusters/later", "-o", "json"))
    assert op["id"] in [o["id"] for o in listed["operations"]]


# ---------------------------------------------------------------------------------------------
# Clusters


def test_cluster_lifecycle_with_wait(fleet_cp):
    result = ok(cairnctl(fleet_cp, "cluster", "create", "shop", "--replicas", "2",
                         "--engine", "redis", "--description", "cart cache", "--wait"))
    assert "operation op-" in result.stderr
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    assert "Status:" in result.stdout and "AVAILABLE" in result.stdout, result.stdout

    cluster = as_json(cairnctl(fleet_cp, "cluster", "get", "shop", "-o", "json"))
    assert cluster["status"] == "CLUSTER_STATUS_AVAILABLE"
    assert cluster["replicas_per_shard"] == 2
    assert cluster["description"] == "cart cache"
    assert cluster["auth_token"] == ""
    nodes = cluster["nodes"]
    assert len(nodes) == 3
    assert len({n["host_id"] for n in nodes}) == 3
    assert len({n["zone"] for n in nodes}) == 3

    # YAML is the same document.
    as_yaml = yaml.safe_load(ok(cairnctl(fleet_cp, "cluster", "get", "shop", "-o", "yaml")).stdout)
    assert as_yaml == cluster

    listed = as_json(cairnctl(fleet_cp, "cluster", "list", "-o", "json"))["clusters"]
    assert "shop" in [c["name"] for c in listed]
    table = ok(cairnctl(fleet_cp, "cluster", "list")).stdout.splitlines()
    assert table[0].split()[:2] == ["NAME", "STATUS"]
    assert any(line.split()[:2] == ["shop", "AVAILABLE"] for line in table[1:]), table

    node_rows = ok(cairnctl(fleet_cp, "cluster", "nodes", "shop")).stdout.splitlines()[1:]
    assert sorted(row.split()[1] for row in node_rows) == ["primary", "replica", "replica"]

    # The endpoint the API gives serves real Redis traffic.
    primary = cluster["endpoints"]["primary"]
    assert redis_cli(primary["port"], "set", "k", "v") == "OK"
    assert redis_cli(primary["port"], "get", "k") == "v"

    ops = as_json(cairnctl(fleet_cp, "op", "list", "--resource", "clusters/shop", "-o", "json"))
    assert "CreateCluster" in [o["type"] for o in ops["operations"]]
    events = as_json(cairnctl(fleet_cp, "events", "list", "--cluster", "shop", "--since", "1h",
                              "-o", "json"))
    assert events["events"], "creating a cluster records events"

    result = ok(cairnctl(fleet_cp, "cluster", "delete", "shop", "--wait"))
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    assert cairnctl(fleet_cp, "cluster", "get", "shop").returncode == 3


def test_update_replicas_with_wait_changes_only_replicas(fleet_cp):
    ok(cairnctl(fleet_cp, "cluster", "create", "scale", "--replicas", "0", "--engine", "redis",
                "--description", "keep me", "--wait"))
    result = ok(cairnctl(fleet_cp, "cluster", "update", "scale", "--replicas", "1", "--wait", "-o",
                         "json"))
    cluster = json.loads(result.stdout)
    assert cluster["replicas_per_shard"] == 1
    assert cluster["description"] == "keep me"
    assert len(cluster["nodes"]) == 2
    ok(cairnctl(fleet_cp, "cluster", "delete", "scale", "--wait"))


def test_without_wait_prints_the_operation_and_op_wait_follows_it(fleet_cp):
    op = as_json(cairnctl(fleet_cp, "cluster", "create", "later", "--replicas", "0",
                          "--request-id", "req-later-1", "-o", "json"))
    assert op["id"].startswith("op-") and op["type"] == "CreateCluster"
    # The same request id returns the same operation.
    again = as_json(cairnctl(fleet_cp, "cluster", "create", "later", "--replicas", "0",
                             "--request-id", "req-later-1", "-o", "json"))
    assert again["id"] == op["id"]
    result = ok(cairnctl(fleet_cp, "op", "wait", op["id"]))
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    assert "SUCCEEDED" in result.stdout
    done = as_json(cairnctl(fleet_cp, "op", "get", op["id"], "-o", "json"))
    assert done["state"] == "OPERATION_STATE_SUCCEEDED"
    assert done["progress_percent"] == 100
    ok(cairnctl(fleet_cp, "cluster", "delete", "later", "--wait"))


def test_failed_operation_exits_1_with_its_reason(fleet_cp):
    result = cairnctl(fleet_cp, "cluster", "create", "huge", "--replicas", "5", "--node-type",
                      "cache.xlarge", "--wait")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CapacityUnavailable" in result.stderr, result.stderr
    assert "error: " in result.stderr


# ---------------------------------------------------------------------------------------------
# Hosts, catalog, tokens, config


def test_hosts_cordon_and_uncordon(fleet_cp):
    hosts = as_json(cairnctl(fleet_cp, "host", "list", "-o", "json"))["hosts"]
    assert {h["id"] for h in hosts} >= {"host-a", "host-b", "host-c"}
    cordoned = as_json(cairnctl(fleet_cp, "host", "cordon", "host-a", "-o", "json"))
    assert cordoned["status"] == "HOST_STATUS_CORDONED"
    assert "CORDONED" in ok(cairnctl(fleet_cp, "host", "get", "host-a")).stdout
    uncordoned = as_json(cairnctl(fleet_cp, "host", "uncordon", "host-a", "-o", "json"))
    assert uncordoned["status"] == "HOST_STATUS_READY"
    join = as_json(cairnctl(fleet_cp, "host", "join-token", "--ttl", "1h", "-o", "json"))
    assert join["token"] and join["expires_at"]
    versions = as_json(cairnctl(fleet_cp, "engine-versions", "-o", "json"))["engine_versions"]
    cairn = [v for v in versions if v["engine"] == "cairn"]
    assert cairn and set(cairn[0]["host_ids"]) >= {"host-a", "host-b", "host-c"}, versions


def test_catalog(api_cp):
    types = as_json(cairnctl(api_cp, "node-types", "-o", "json"))["node_types"]
    assert {"name": "cache.small", "memory_bytes": str(256 << 20)} in types
    rows = [line.split() for line in ok(cairnctl(api_cp, "node-types")).stdout.splitlines()]
    assert rows[0] == ["NAME", "MEMORY"] and ["cache.small", "256", "MiB"] in rows[1:], rows
    # No agents, so no engines reported: an empty list, not an error.
    assert ok(cairnctl(api_cp, "engine-versions")).stdout.split() == ["ENGINE", "VERSION", "HOSTS"]


def test_token_create_use_and_revoke(api_cp):
    token = as_json(cairnctl(api_cp, "token", "create", "--description", "ci pipeline", "-o", "json"))
    assert token["secret"] and token["id"]
    ok(cairnctl(api_cp, "cluster", "list", token=token["secret"]))
    listed = ok(cairnctl(api_cp, "token", "list", "-o", "json"))
    assert token["id"] in listed.stdout and token["secret"] not in listed.stdout
    ok(cairnctl(api_cp, "token", "revoke", token["id"]))
    result = cairnctl(api_cp, "cluster", "list", token=token["secret"])
    assert result.returncode == 4, result.stderr
    assert cairnctl(api_cp, "token", "revoke", "tok-doesnotexist").returncode == 3


def test_config_file_supplies_address_and_token_below_env_and_flags(api_cp):
    config = os.path.join(api_cp.dir, "cairnctl.yaml")
    with open(config, "w") as f:
        f.write(f"addr: {api_cp.grpc_addr}\ntoken: {api_cp.token}\n")
    no_env = {"CAIRN_CONFIG": config}
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": api_cp.dir, **no_env}
    run = lambda *args, extra=None: subprocess.run(  # noqa: E731
        [bin_path("cairnctl"), *args], env={**base, **(extra or {})}, capture_output=True,
        text=True, timeout=CLI_TIMEOUT)
    ok(run("cluster", "list"))
    assert run("cluster", "list", extra={"CAIRN_TOKEN": "tok-0.wrong"}).returncode == 4
    assert run("--token", "tok-0.wrong", "cluster", "list").returncode == 4
    assert run("--addr", "127.0.0.1:1", "--timeout", "5s", "cluster", "list").returncode == 1
    with open(config, "w") as f:
        f.write("adress: nowhere\n")
    result = run("cluster", "list")
    assert result.returncode == 2 and "unknown key 'adress'" in result.stderr


def make_tls_files(directory):
    """A CA and a server certificate for 127.0.0.1 signed by it (openssl CLI); returns paths."""
    paths = {name: os.path.join(directory, name)
             for name in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem", "ext")}
    with open(paths["ext"], "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    steps = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
         "-keyout", paths["ca.key"], "-out", paths["ca.pem"]],
        ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", paths["server.key"], "-out", paths["server.csr"]],
        ["x509", "-req", "-in", paths["server.csr"], "-CA", paths["ca.pem"], "-CAkey",
         paths["ca.key"], "-CAcreateserial", "-days", "1", "-extfile", paths["ext"],
         "-out", paths["server.pem"]],
    ]
    for step in steps:
        subprocess.run(["openssl", *step], check=True, capture_output=True, timeout=60)
    return paths


def test_tls_api_needs_the_ca_file(tmp_path):
    tls = make_tls_files(str(tmp_path))
    plane = ControlPlane(["--tls-cert", tls["server.pem"], "--tls-key", tls["server.key"]])
    try:
        plane.start()
        listed = cairnctl(plane, "--ca-file", tls["ca.pem"], "cluster", "list", "-o", "json")
        assert as_json(listed) == {"clusters": []}
        from_env = cairnctl(plane, "node-types", env={"CAIRN_CA_FILE": tls["ca.pem"]})
        assert ok(from_env).stdout.startswith("NAME")
        # Plaintext against a TLS port, and TLS verified against the wrong CA, both fail.
        plain = cairnctl(plane, "--timeout", "5s", "cluster", "list")
        assert plain.returncode == 1 and plain.stderr.startswith("error: "), plain.stderr
        other_dir = os.path.join(str(tmp_path), "other")
        os.mkdir(other_dir)
        other_ca = make_tls_files(other_dir)["ca.pem"]
        wrong_ca = cairnctl(plane, "--timeout", "5s", "--ca-file", other_ca, "cluster", "list")
        assert wrong_ca.returncode == 1, wrong_ca.stderr
    finally:
        plane.stop()
