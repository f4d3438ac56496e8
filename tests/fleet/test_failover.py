"""Failover and discovery with real processes in dev mode: the primary's process is killed, a
replica is promoted, and clients that discover the primary through the Sentinel-compatible
endpoint (redis-py's redis.sentinel) follow on their own."""

import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from redis.sentinel import Sentinel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import bin_path, running_control_plane  # noqa: E402
from cairn_testlib import REDIS_CLI, wait_until  # noqa: E402


@pytest.fixture(scope="module")
def cp():
    yield from running_control_plane(hosts=3)


def cli(port, *args):
    out = subprocess.run([REDIS_CLI, "-p", str(port), *args], capture_output=True, text=True,
                         timeout=10)
    return (out.stdout + out.stderr).strip()


def create(cp, name, replicas=2, **fields):
    op = cp.rest.post("/v1/clusters", {"name": name, "replicas_per_shard": replicas, **fields})
    done = cp.rest.wait_operation(op["id"], timeout_s=60)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    return cp.rest.get(f"/v1/clusters/{name}")


def primary_of(cp, name):
    return cp.rest.get(f"/v1/clusters/{name}")["endpoints"]["primary"]


def pid_of(port):
    info = cli(port, "info", "server")
    return int(next(l for l in info.splitlines() if l.startswith("process_id:")).split(":")[1])


def wait_available(cp, name, timeout=30):
    def ready():
        c = cp.rest.get(f"/v1/clusters/{name}")
        ok = c["status"] == "CLUSTER_STATUS_AVAILABLE" and all(
            n["status"] == "NODE_STATUS_AVAILABLE" for n in c["nodes"])
        return c if ok else None
    return wait_until(ready, timeout, what=f"{name} AVAILABLE")


def sentinel_master(cp, name):
    sentinel = Sentinel([cp.discovery], socket_timeout=0.5)
    return sentinel, sentinel.master_for(name, socket_timeout=0.5, retry_on_timeout=False)


def write_until_ok(master, key, value, timeout=20):
    """Retries SET through the Sentinel-discovered primary; returns seconds until it worked."""
    started = time.monotonic()
    while True:
        try:
            if master.set(key, value):
                return time.monotonic() - started
        except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError,
                redis.ResponseError):
            pass
        if time.monotonic() - started > timeout:
            raise AssertionError(f"no successful write within {timeout}s")
        time.sleep(0.02)


def test_discovery_endpoint_speaks_sentinel(cp):
    cluster = create(cp, "disc")
    host, port = cp.discovery
    primary = cluster["endpoints"]["primary"]
    assert cluster["endpoints"]["discovery"]["port"] == port
    out = subprocess.run([REDIS_CLI, "-h", host, "-p", str(port), "SENTINEL",
                          "get-master-addr-by-name", "disc"], capture_output=True, text=True)
    assert out.stdout.split() == [primary["address"], str(primary["port"])]
    sentinel = Sentinel([cp.discovery], socket_timeout=1)
    assert sentinel.discover_master("disc") == (primary["address"], primary["port"])
    assert len(sentinel.discover_slaves("disc")) == 2
    assert cli(port, "ping") == "PONG"
    assert "disc" in cli(port, "role")
    assert subprocess.run([REDIS_CLI, "-p", str(port), "SENTINEL", "get-master-addr-by-name",
                           "nope"], capture_output=True, text=True).stdout.strip() == ""


def test_killed_primary_is_replaced_and_clients_follow(cp):
    cluster = create(cp, "fo")
    old = cluster["endpoints"]["primary"]
    _, master = sentinel_master(cp, "fo")
    for i in range(100):
        master.set(f"before:{i}", i)
    cli(old["port"], "wait", "2", "2000")
    killed_at = time.monotonic()
    os.kill(pid_of(old["port"]), signal.SIGKILL)
    elapsed = write_until_ok(master, "after", "1")
    print(f"failover: kill -> first successful write {elapsed:.2f}s")
    assert time.monotonic() - killed_at < 15
    new = primary_of(cp, "fo")
    assert new["port"] != old["port"]
    assert master.get("before:99") == b"99"
    # The old primary comes back as a replica of the new one and gets its data.
    wait_until(lambda: "role:slave" in cli(old["port"], "info", "replication"), 20,
               what="old primary back as a replica")
    wait_until(lambda: cli(old["port"], "get", "after") == "1", 20, what="old primary synced")
    events = [e["type"] for e in cp.rest.get("/v1/events?cluster=fo")["events"]]
    assert "FailoverStarted" in events
    wait_available(cp, "fo")
    events = [e["type"] for e in cp.rest.get("/v1/events?cluster=fo")["events"]]
    assert "FailoverCompleted" in events
    ops = cp.rest.get("/v1/operations?resource=clusters/fo")["operations"]
    assert ops[0]["type"] == "FailoverShard" and ops[0]["state"] == "OPERATION_STATE_SUCCEEDED"


def test_manual_failover_loses_no_writes(cp):
    create(cp, "manual", engine="redis")
    old = primary_of(cp, "manual")
    _, master = sentinel_master(cp, "manual")
    acked = []
    op = None
    for i in range(2000):
        try:
            if master.set(f"k:{i}", i):
                acked.append(i)
        except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError):
            pass
        if i == 200:
            op = cp.rest.post("/v1/clusters/manual:failover", {})
    done = cp.rest.wait_operation(op["id"], timeout_s=30)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    assert primary_of(cp, "manual")["port"] != old["port"]
    wait_available(cp, "manual")
    missing = [i for i in acked if master.get(f"k:{i}") != str(i).encode()]
    assert missing == [], f"{len(missing)} acknowledged writes lost"


def test_forced_failover_promotes_the_chosen_replica_at_once(cp):
    cluster = create(cp, "forced")
    old = cluster["endpoints"]["primary"]
    target = next(n["id"] for n in cluster["nodes"] if n["role"] == "NODE_ROLE_REPLICA")
    _, master = sentinel_master(cp, "forced")
    for i in range(100):
        master.set(f"before:{i}", i)
    cli(old["port"], "wait", "2", "2000")
    env = dict(os.environ, CAIRN_ADDR=cp.addrs["grpc_addr"], CAIRN_TOKEN=cp.token)
    out = subprocess.run([bin_path("cairnctl"), "cluster", "failover", "forced", "--to", target,
                          "--force", "--wait"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    after = cp.rest.get("/v1/clusters/forced")
    promoted = next(n for n in after["nodes"] if n["id"] == target)
    assert promoted["role"] == "NODE_ROLE_PRIMARY"
    assert after["endpoints"]["primary"]["port"] == promoted["port"]
    # The old primary follows the new one and nothing written before the failover is gone.
    wait_until(lambda: f"master_port:{promoted['port']}" in cli(old["port"], "info", "replication"),
               20, what="old primary replicating the promoted node")
    assert write_until_ok(master, "after", "1") < 10
    assert master.get("before:99") == b"99"
    wait_until(lambda: cli(old["port"], "get", "after") == "1", 20, what="old primary synced")
    events = cp.rest.get("/v1/events?cluster=forced")["events"]
    assert any(e["type"] == "FailoverStarted" and "forced failover" in e["message"]
               for e in events)


def test_acknowledged_writes_survive_repeated_failovers(cp):
    create(cp, "acked")
    _, master = sentinel_master(cp, "acked")
    attempted, acknowledged = 0, []
    for round_no in range(10):
        for _ in range(50):
            attempted += 1
            try:
                master.set(f"c:{attempted}", attempted)
                if master.execute_command("WAIT", 1, 1000) >= 1:
                    acknowledged.append(attempted)
            except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError):
                pass
        primary = primary_of(cp, "acked")
        os.kill(pid_of(primary["port"]), signal.SIGKILL)
        write_until_ok(master, f"round:{round_no}", "1")
        wait_available(cp, "acked", timeout=40)
    lost = [i for i in acknowledged if master.get(f"c:{i}") != str(i).encode()]
    print(f"acknowledged writes: attempted {attempted}, acknowledged {len(acknowledged)}, "
          f"lost {len(lost)}")
    assert lost == []
    assert len(acknowledged) > attempted // 2
