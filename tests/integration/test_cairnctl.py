"""cairnctl against a real cairn-controlplane in dev mode (its agents play three hosts).

One control plane per module, on port 0 with a temp data dir; every test drives the real
cairnctl binary as a user would and checks exit codes, stdout (table, JSON, YAML) and stderr.
Clusters are checked with real redis-cli writes and reads.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

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
    """cairn-controlplane --dev on 127.0.0.1 port 0, with its own data dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cairnctl-it-")
        self.data_dir = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "controlplane.log")
        self.proc = None
        self.grpc_addr = None
        self.http_addr = None
        self.token = None

    def start(self):
        argv = [bin_path("cairn-controlplane"), "--dev", "--data-dir", self.data_dir,
                "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"]
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
        try:
            with open(os.path.join(self.data_dir, "admin-token")) as f:
                return f.read().strip()
        except OSError:
            return None

    def wait_for_hosts(self, count):
        """Polls `host list` until `count` hosts are READY (the dev agents joined)."""
        def ready():
            result = cairnctl(self, "host", "list", "-o", "json")
            if result.returncode != 0:
                return None
            hosts = json.loads(result.stdout).get("hosts", [])
            ready = [h for h in hosts if h["status"] == "HOST_STATUS_READY"]
            return ready if len(ready) >= count else None
        return wait_until(ready, timeout=START_TIMEOUT, what=f"{count} READY hosts")

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
def cp():
    plane = ControlPlane()
    try:
        plane.start()
        plane.wait_for_hosts(3)
        yield plane
    finally:
        plane.stop()


def redis_cli(port, *args):
    return subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *args],
                          capture_output=True, text=True, timeout=10).stdout.strip()


# ---------------------------------------------------------------------------------------------
# Exit codes


def test_usage_errors_exit_2(cp):
    for args in (["cluster", "create", "x"], ["cluster", "frob"], ["-o", "xml", "cluster", "list"],
                 ["events", "list", "--since", "yesterday"], ["cluster", "update", "x"]):
        result = cairnctl(cp, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr
        assert result.stdout == ""


def test_missing_resources_exit_3(cp):
    for args in (["cluster", "get", "no-such-cluster"], ["cluster", "delete", "no-such-cluster"],
                 ["cluster", "nodes", "no-such-cluster"], ["op", "get", "op-doesnotexist"],
                 ["host", "get", "host-zz"]):
        result = cairnctl(cp, *args)
        assert result.returncode == 3, (args, result.returncode, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr


def test_missing_or_wrong_token_exits_4_and_is_never_printed(cp):
    wrong = "tok-00000000.not-the-secret"
    for token in ("", wrong):
        result = cairnctl(cp, "cluster", "list", token=token)
        assert result.returncode == 4, (token, result.returncode, result.stderr)
        assert result.stderr.startswith("error: ")
        assert "not-the-secret" not in result.stderr + result.stdout
    # The flag wins over the environment.
    result = cairnctl(cp, "--token", wrong, "cluster", "list")
    assert result.returncode == 4, result.stderr


def test_invalid_cluster_exits_1_naming_the_field(cp):
    result = cairnctl(cp, "cluster", "create", "bad", "--replicas", "6")
    assert result.returncode == 1, result.stderr
    assert "replicas_per_shard" in result.stderr, result.stderr
    result = cairnctl(cp, "cluster", "create", "Bad_Name", "--replicas", "1")
    assert result.returncode == 1, result.stderr
    assert "name" in result.stderr, result.stderr
    assert "bad" not in [c["name"] for c in
                         as_json(cairnctl(cp, "cluster", "list", "-o", "json"))["clusters"]]


def test_unreachable_control_plane_exits_1(cp):
    result = cairnctl(cp, "--addr", "127.0.0.1:1", "--timeout", "5s", "cluster", "list")
    assert result.returncode == 1
    assert "cannot reach the control plane at 127.0.0.1:1" in result.stderr


# ---------------------------------------------------------------------------------------------
# Clusters


def test_cluster_lifecycle_with_wait(cp):
    result = ok(cairnctl(cp, "cluster", "create", "shop", "--replicas", "2",
                         "--description", "cart cache", "--wait"))
    assert "operation op-" in result.stderr
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    assert "Status:" in result.stdout and "AVAILABLE" in result.stdout, result.stdout

    cluster = as_json(cairnctl(cp, "cluster", "get", "shop", "-o", "json"))
    assert cluster["status"] == "CLUSTER_STATUS_AVAILABLE"
    assert cluster["replicas_per_shard"] == 2
    assert cluster["description"] == "cart cache"
    assert cluster["auth_token"] == ""
    nodes = cluster["nodes"]
    assert len(nodes) == 3
    assert len({n["host_id"] for n in nodes}) == 3
    assert len({n["zone"] for n in nodes}) == 3

    # YAML is the same document.
    as_yaml = yaml.safe_load(ok(cairnctl(cp, "cluster", "get", "shop", "-o", "yaml")).stdout)
    assert as_yaml == cluster

    listed = as_json(cairnctl(cp, "cluster", "list", "-o", "json"))["clusters"]
    assert "shop" in [c["name"] for c in listed]
    table = ok(cairnctl(cp, "cluster", "list")).stdout.splitlines()
    assert table[0].split()[:2] == ["NAME", "STATUS"]
    assert any(line.split()[:2] == ["shop", "AVAILABLE"] for line in table[1:]), table

    node_rows = ok(cairnctl(cp, "cluster", "nodes", "shop")).stdout.splitlines()[1:]
    assert sorted(row.split()[1] for row in node_rows) == ["primary", "replica", "replica"]

    # The endpoint the API gives serves real Redis traffic.
    primary = cluster["endpoints"]["primary"]
    assert redis_cli(primary["port"], "set", "k", "v") == "OK"
    assert redis_cli(primary["port"], "get", "k") == "v"

    ops = as_json(cairnctl(cp, "op", "list", "--resource", "clusters/shop", "-o", "json"))
    assert "CreateCluster" in [o["type"] for o in ops["operations"]]
    events = as_json(cairnctl(cp, "events", "list", "--cluster", "shop", "--since", "1h",
                              "-o", "json"))
    assert events["events"], "creating a cluster records events"

    result = ok(cairnctl(cp, "cluster", "delete", "shop", "--wait"))
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    assert cairnctl(cp, "cluster", "get", "shop").returncode == 3


def test_update_replicas_with_wait_changes_only_replicas(cp):
    ok(cairnctl(cp, "cluster", "create", "scale", "--replicas", "0", "--description", "keep me",
                "--wait"))
    result = ok(cairnctl(cp, "cluster", "update", "scale", "--replicas", "1", "--wait", "-o",
                         "json"))
    cluster = json.loads(result.stdout)
    assert cluster["replicas_per_shard"] == 1
    assert cluster["description"] == "keep me"
    assert len(cluster["nodes"]) == 2
    ok(cairnctl(cp, "cluster", "delete", "scale", "--wait"))


def test_without_wait_prints_the_operation_and_op_wait_follows_it(cp):
    op = as_json(cairnctl(cp, "cluster", "create", "later", "--replicas", "0",
                          "--request-id", "req-later-1", "-o", "json"))
    assert op["id"].startswith("op-") and op["type"] == "CreateCluster"
    # The same request id returns the same operation.
    again = as_json(cairnctl(cp, "cluster", "create", "later", "--replicas", "0",
                             "--request-id", "req-later-1", "-o", "json"))
    assert again["id"] == op["id"]
    result = ok(cairnctl(cp, "op", "wait", op["id"]))
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    assert "SUCCEEDED" in result.stdout
    done = as_json(cairnctl(cp, "op", "get", op["id"], "-o", "json"))
    assert done["state"] == "OPERATION_STATE_SUCCEEDED"
    assert done["progress_percent"] == 100
    ok(cairnctl(cp, "cluster", "delete", "later", "--wait"))


def test_failed_operation_exits_1_with_its_reason(cp):
    result = cairnctl(cp, "cluster", "create", "huge", "--replicas", "5", "--node-type",
                      "cache.xlarge", "--wait")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CapacityUnavailable" in result.stderr, result.stderr
    assert "error: " in result.stderr


# ---------------------------------------------------------------------------------------------
# Hosts, catalog, tokens, config


def test_hosts_cordon_and_uncordon(cp):
    hosts = as_json(cairnctl(cp, "host", "list", "-o", "json"))["hosts"]
    assert {h["id"] for h in hosts} >= {"host-a", "host-b", "host-c"}
    cordoned = as_json(cairnctl(cp, "host", "cordon", "host-a", "-o", "json"))
    assert cordoned["status"] == "HOST_STATUS_CORDONED"
    assert "CORDONED" in ok(cairnctl(cp, "host", "get", "host-a")).stdout
    uncordoned = as_json(cairnctl(cp, "host", "uncordon", "host-a", "-o", "json"))
    assert uncordoned["status"] == "HOST_STATUS_READY"
    join = as_json(cairnctl(cp, "host", "join-token", "--ttl", "1h", "-o", "json"))
    assert join["token"] and join["expires_at"]


def test_catalog(cp):
    types = as_json(cairnctl(cp, "node-types", "-o", "json"))["node_types"]
    assert {"name": "cache.small", "memory_bytes": str(256 << 20)} in types
    assert "cache.small  256 MiB" in ok(cairnctl(cp, "node-types")).stdout
    versions = as_json(cairnctl(cp, "engine-versions", "-o", "json"))["engine_versions"]
    assert "cairn" in [v["engine"] for v in versions]


def test_token_create_use_and_revoke(cp):
    token = as_json(cairnctl(cp, "token", "create", "--description", "ci pipeline", "-o", "json"))
    assert token["secret"] and token["id"]
    ok(cairnctl(cp, "cluster", "list", token=token["secret"]))
    listed = ok(cairnctl(cp, "token", "list", "-o", "json"))
    assert token["id"] in listed.stdout and token["secret"] not in listed.stdout
    ok(cairnctl(cp, "token", "revoke", token["id"]))
    result = cairnctl(cp, "cluster", "list", token=token["secret"])
    assert result.returncode == 4, result.stderr
    assert cairnctl(cp, "token", "revoke", "tok-doesnotexist").returncode == 3


def test_config_file_supplies_address_and_token_below_env_and_flags(cp):
    config = os.path.join(cp.dir, "cairnctl.yaml")
    with open(config, "w") as f:
        f.write(f"addr: {cp.grpc_addr}\ntoken: {cp.token}\n")
    no_env = {"CAIRN_CONFIG": config}
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cp.dir, **no_env}
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
