"""The control plane end to end in dev mode: real cairn-controlplane, real cairn-agent processes
playing three hosts, real cairn-server / redis-server nodes, reached with redis-cli."""

import os
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import (  # noqa: E402
    ApiError, ControlPlaneProcess, port_is_listening, running_control_plane)
from cairn_testlib import REDIS_CLI, wait_until  # noqa: E402


@pytest.fixture(scope="module")
def cp():
    yield from running_control_plane(hosts=3)


def redis_cli(port, *args, extra=()):
    out = subprocess.run([REDIS_CLI, "-p", str(port), *extra, *args], capture_output=True,
                         text=True, timeout=10)
    return out.stdout.strip() + out.stderr.strip()


def create(cp, name, replicas, **fields):
    body = {"name": name, "replicas_per_shard": replicas, **fields}
    op = cp.rest.post("/v1/clusters", body)
    assert op["state"] in ("OPERATION_STATE_PENDING", "OPERATION_STATE_RUNNING")
    return op


def delete_and_wait(cp, name):
    op = cp.rest.call("DELETE", f"/v1/clusters/{name}")
    done = cp.rest.wait_operation(op["id"])
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    with pytest.raises(ApiError) as e:
        cp.rest.get(f"/v1/clusters/{name}")
    assert e.value.status == 404


def node_ports(cluster):
    return [n["port"] for n in cluster["nodes"]]


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_create_write_read_replicas_delete(cp, engine):
    name = f"shop-{engine}"
    started = time.monotonic()
    op = create(cp, name, 2, engine=engine)
    done = cp.rest.wait_operation(op["id"], timeout_s=30)
    elapsed = time.monotonic() - started
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    assert done["progress_percent"] == 100
    assert elapsed < 10, f"create took {elapsed:.1f}s"
    cluster = cp.rest.get(f"/v1/clusters/{name}")
    assert cluster["status"] == "CLUSTER_STATUS_AVAILABLE"
    assert cluster["observed_generation"] == cluster["generation"]
    nodes = cluster["nodes"]
    assert len(nodes) == 3
    assert len({n["host_id"] for n in nodes}) == 3
    assert len({n["zone"] for n in nodes}) == 3
    assert all(n["status"] == "NODE_STATUS_AVAILABLE" for n in nodes), nodes
    primary = cluster["endpoints"]["primary"]["port"]
    assert [n["role"] for n in nodes].count("NODE_ROLE_PRIMARY") == 1
    assert redis_cli(primary, "set", "k", "v") == "OK"
    for n in nodes:
        wait_until(lambda: redis_cli(n["port"], "get", "k") == "v", 10,
                   what=f"k on {n['id']}")
    replica = next(n for n in nodes if n["role"] == "NODE_ROLE_REPLICA")
    assert "READONLY" in redis_cli(replica["port"], "set", "k", "x")
    delete_and_wait(cp, name)
    for port in node_ports(cluster):
        wait_until(lambda: not port_is_listening(port), 10, what=f"port {port} freed")


def test_bad_input_is_refused_and_changes_nothing(cp):
    before = cp.rest.get("/v1/clusters")
    cases = [
        ({"name": "Bad_Name", "replicas_per_shard": 1}, 400, "cluster.name"),
        ({"name": "x" * 41, "replicas_per_shard": 1}, 400, "cluster.name"),
        ({"name": "six", "replicas_per_shard": 6}, 400, "cluster.replicas_per_shard"),
        ({"name": "big", "node_type": "cache.huge"}, 400, "cluster.node_type"),
        ({"name": "two", "shard_count": 2}, 400, "cluster.shard_count"),
        ({"name": "eng", "engine": "memcached"}, 400, "cluster.engine"),
        ({"name": "unk", "replicas": 1}, 400, None),
    ]
    for body, status, field in cases:
        with pytest.raises(ApiError) as e:
            cp.rest.post("/v1/clusters", body)
        assert e.value.status == status, body
        assert e.value.body["code"] == "INVALID_ARGUMENT"
        if field:
            assert e.value.body["details"] == [{"field": field}], e.value.body
    with pytest.raises(ApiError) as e:
        cp.rest.call("POST", "/v1/clusters", raw_body=b'{"name": ')
    assert e.value.status == 400 and "invalid JSON" in e.value.body["message"]
    for token in ("", "tok-nope.nope", cp.token + "x"):
        with pytest.raises(ApiError) as e:
            cp.rest.get("/v1/clusters", token=token if token else "")
        assert e.value.status == 401
        assert e.value.body["code"] == "UNAUTHENTICATED"
    with pytest.raises(ApiError) as e:
        cp.rest.get("/v1/clusters/nope")
    assert e.value.status == 404
    assert cp.rest.get("/v1/clusters") == before


def test_cluster_bigger_than_free_memory_fails_with_capacity_unavailable(cp):
    op = create(cp, "huge", 0, node_type="cache.xlarge")
    done = cp.rest.wait_operation(op["id"])
    assert done["state"] == "OPERATION_STATE_FAILED"
    assert done["error"]["reason"] == "CapacityUnavailable"
    cluster = cp.rest.get("/v1/clusters/huge")
    assert cluster["status"] == "CLUSTER_STATUS_CREATE_FAILED"
    assert cluster["nodes"] == []
    events = cp.rest.get("/v1/events?cluster=huge")["events"]
    assert "CapacityUnavailable" in [e["type"] for e in events]
    delete_and_wait(cp, "huge")


def test_create_is_idempotent_with_request_id(cp):
    body = {"cluster": {"name": "idem", "replicas_per_shard": 0, "engine": "redis"},
            "request_id": "req-123"}
    first = cp.rest.post("/v1/clusters", body)
    again = cp.rest.post("/v1/clusters", body)
    assert first["id"] == again["id"]
    with pytest.raises(ApiError) as e:
        cp.rest.post("/v1/clusters", {"name": "idem", "engine": "redis"})
    assert e.value.status == 409
    assert cp.rest.wait_operation(first["id"])["state"] == "OPERATION_STATE_SUCCEEDED"
    delete_and_wait(cp, "idem")


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_scale_replicas_in_place_keeps_data_and_writes(cp, engine):
    name = f"scale-{engine}"
    op = create(cp, name, 2, engine=engine)
    assert cp.rest.wait_operation(op["id"])["state"] == "OPERATION_STATE_SUCCEEDED"
    primary = cp.rest.get(f"/v1/clusters/{name}")["endpoints"]["primary"]["port"]
    for i in range(100):
        assert redis_cli(primary, "set", f"key:{i}", str(i)) == "OK"
    failures = []
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            reply = redis_cli(primary, "set", "live", str(n))
            if reply != "OK":
                failures.append(reply)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for replicas in (4, 1):
            op = cp.rest.call("PATCH", f"/v1/clusters/{name}",
                              body={"replicas_per_shard": replicas})
            done = cp.rest.wait_operation(op["id"], timeout_s=60)
            assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
            cluster = cp.rest.get(f"/v1/clusters/{name}")
            assert len(cluster["nodes"]) == 1 + replicas
            assert cluster["replicas_per_shard"] == replicas
            for n in cluster["nodes"]:
                wait_until(lambda: redis_cli(n["port"], "get", "key:99") == "99", 10,
                           what=f"data on {n['id']}")
    finally:
        stop.set()
        thread.join()
    assert failures == []
    delete_and_wait(cp, name)


def test_hosts_catalog_and_cordon(cp):
    hosts = cp.rest.get("/v1/hosts")["hosts"]
    assert [h["id"] for h in hosts] == ["host-a", "host-b", "host-c"]
    assert [h["zone"] for h in hosts] == ["a", "b", "c"]
    assert all(h["memory_capacity_bytes"] == str(4096 << 20) for h in hosts)
    versions = cp.rest.get("/v1/engineVersions")["engine_versions"]
    assert {v["engine"] for v in versions} == {"cairn", "redis"}
    types = cp.rest.get("/v1/nodeTypes")["node_types"]
    assert [t["name"] for t in types] == ["cache.small", "cache.medium", "cache.large",
                                          "cache.xlarge"]
    assert cp.rest.post("/v1/hosts/host-c:cordon")["status"] == "HOST_STATUS_CORDONED"
    try:
        op = create(cp, "cordoned", 2, engine="redis")
        done = cp.rest.wait_operation(op["id"])
        assert done["state"] == "OPERATION_STATE_SUCCEEDED"
        cluster = cp.rest.get("/v1/clusters/cordoned")
        assert "host-c" not in {n["host_id"] for n in cluster["nodes"]}
        delete_and_wait(cp, "cordoned")
    finally:
        assert cp.rest.post("/v1/hosts/host-c:uncordon")["status"] == "HOST_STATUS_READY"


def test_tokens_create_and_revoke(cp):
    token = cp.rest.post("/v1/tokens", {"description": "ci"})
    secret = token["secret"]
    assert secret.startswith(token["id"] + ".")
    assert cp.rest.get("/v1/clusters", token=secret) is not None
    listed = cp.rest.get("/v1/tokens")["tokens"]
    assert token["id"] in [t["id"] for t in listed]
    assert all(t["secret"] == "" for t in listed)
    cp.rest.call("DELETE", f"/v1/tokens/{token['id']}")
    with pytest.raises(ApiError) as e:
        cp.rest.get("/v1/clusters", token=secret)
    assert e.value.status == 401


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_tls_and_auth_token(cp, tmp_path, engine):
    token = "s3cret-token-for-tests"
    op = create(cp, "secure", 1, engine=engine, tls=True, auth_token=token)
    done = cp.rest.wait_operation(op["id"], timeout_s=30)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    cluster = cp.rest.get("/v1/clusters/secure")
    assert cluster["auth_token"] == "", "auth_token is write-only"
    assert cluster["tls"] is True
    ca = tmp_path / "ca.crt"
    with open(os.path.join(cp.data_dir, "ca", "ca.crt")) as f:
        ca.write_text(f.read())
    primary = cluster["endpoints"]["primary"]["port"]
    tls = ("--tls", "--cacert", str(ca))
    assert redis_cli(primary, "set", "k", "v", extra=tls + ("-a", token, "--no-auth-warning")) \
        == "OK"
    replica = next(n for n in cluster["nodes"] if n["role"] == "NODE_ROLE_REPLICA")
    wait_until(lambda: redis_cli(replica["port"], "get", "k",
                                 extra=tls + ("-a", token, "--no-auth-warning")) == "v", 10,
               what="k on the TLS replica")
    assert "NOAUTH" in redis_cli(primary, "get", "k", extra=tls)
    plain = redis_cli(primary, "-a", token, "--no-auth-warning", "ping")
    assert plain != "PONG", "plaintext must be refused on a TLS node"
    delete_and_wait(cp, "secure")


def test_control_plane_killed_mid_create_finishes_after_restart():
    plane = ControlPlaneProcess(hosts=3)
    try:
        plane.start()
        op = create(plane, "resume", 2, engine="redis")
        plane.kill()
        plane.start()
        done = plane.rest.wait_operation(op["id"], timeout_s=30)
        assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
        cluster = plane.rest.get("/v1/clusters/resume")
        assert len(cluster["nodes"]) == 3
        assert len({n["port"] for n in cluster["nodes"]}) == 3
        delete_and_wait(plane, "resume")
        assert plane.stop() == 0
    except BaseException:
        print(plane.describe())
        raise
    finally:
        plane.cleanup()


def test_api_over_tls(tmp_path):
    """--tls-cert/--tls-key: REST is HTTPS and gRPC is TLS; both verify against the cert."""
    import json
    import re
    import ssl
    import urllib.request

    from cairn_fleet import bin_path
    from cairn_testlib import HOST, free_port

    cert, key = tmp_path / "api.crt", tmp_path / "api.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=cairn",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    http, grpc = f"{HOST}:{free_port()}", f"{HOST}:{free_port()}"
    log = tmp_path / "cp.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([bin_path("cairn-controlplane"), "--data-dir",
                                 str(tmp_path / "data"), "--http-addr", http, "--grpc-addr", grpc,
                                 "--agent-addr", f"{HOST}:0", "--discovery-addr", f"{HOST}:0",
                                 "--tls-cert", str(cert),
                                 "--tls-key", str(key)], stdout=out, stderr=subprocess.STDOUT)
    try:
        token = wait_until(lambda: re.search(r"Admin token \(shown once, stored hashed\): (\S+)",
                                             log.read_text()), 30, what="admin token").group(1)
        wait_until(lambda: (tmp_path / "data" / "controlplane.json").exists(), 30,
                   what="controlplane.json")
        context = ssl.create_default_context(cafile=str(cert))
        request = urllib.request.Request(f"https://{http}/v1/nodeTypes",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, context=context, timeout=10) as reply:
            assert len(json.loads(reply.read())["node_types"]) == 4
        env = dict(os.environ, CAIRN_ADDR=grpc, CAIRN_TOKEN=token)
        ok = subprocess.run([bin_path("cairnctl"), "--ca-file", str(cert), "node-types"],
                            capture_output=True, text=True, env=env, timeout=30)
        assert ok.returncode == 0, ok.stderr
        assert "cache.small" in ok.stdout
        plain = subprocess.run([bin_path("cairnctl"), "node-types", "--timeout", "3s"],
                               capture_output=True, text=True, env=env, timeout=30)
        assert plain.returncode != 0, "a plaintext client must not get through"
    finally:
        proc.terminate()
        assert proc.wait(30) == 0


def test_node_port_taken_by_another_process_is_placed_again(cp):
    import socket
    # Occupy the first port of every host's range: the lowest port the scheduler would pick.
    blockers = []
    for i in range(3):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is fine
        s.bind(("0.0.0.0", cp.node_port_base + 100 * i))
        s.listen(1)
        blockers.append(s)
    try:
        op = create(cp, "busy", 1, engine="redis")
        done = cp.rest.wait_operation(op["id"], timeout_s=30)
        assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
        cluster = cp.rest.get("/v1/clusters/busy")
        taken = {cp.node_port_base + 100 * i for i in range(3)}
        assert not taken & set(node_ports(cluster))
        primary = cluster["endpoints"]["primary"]["port"]
        assert redis_cli(primary, "set", "k", "v") == "OK"
        events = [e["type"] for e in cp.rest.get("/v1/events?cluster=busy")["events"]]
        assert "NodePortInUse" in events
        delete_and_wait(cp, "busy")
    finally:
        for s in blockers:
            s.close()
