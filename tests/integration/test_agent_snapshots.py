"""cairn-agent snapshots against a real AgentHub (agent_hub_harness) and real cairn-server and
redis-server nodes: SnapshotNode (BGSAVE, wait, copy into the --backup-dir store), StartNode
seeded from a stored snapshot (size and SHA-256 checked before anything starts), and the
refusals: corrupt or missing seed, a node that is not running, an agent without a store."""

import hashlib
import os

import pytest
import redis

from test_agent import env, new_agent, port_is_free, start_task  # noqa: F401 (env: a fixture)
from cairn_testlib import free_port, wait_until

TIMEOUT = 30


def client(port):
    return redis.Redis(host="127.0.0.1", port=port, password="pw", decode_responses=True)


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def agent_with_store(env):
    hub = env["hub"]
    backups = os.path.join(env["workdir"], "backups")
    agent = new_agent(env, extra=["--backup-dir", backups]).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat", what="first heartbeat")
    return agent, backups


def started(env, task_id, node_id, port, engine, **spec):
    hub = env["hub"]
    hub.task("host-a", start_task(task_id, node_id, port, engine, auth_token="pw", **spec))
    result = hub.result(task_id, timeout=TIMEOUT)
    if result.get("node", {}).get("pid"):
        env["node_pids"].add(result["node"]["pid"])
    return result


def snapshot(env, task_id, node_id, key, **extra):
    env["hub"].task("host-a", {"id": task_id,
                               "snapshot_node": {"node_id": node_id, "key": key, **extra}})
    return env["hub"].result(task_id, timeout=TIMEOUT)


def fill(port):
    c = client(port)
    pipe = c.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"k{i}", f"v{i}")
    pipe.hset("h", mapping={"a": "1", "b": "2"})
    pipe.rpush("l", "x", "y", "z")
    pipe.sadd("s", "m1", "m2")
    pipe.execute()


def check_filled(port):
    c = client(port)
    assert c.dbsize() == 503
    assert c.get("k0") == "v0" and c.get("k499") == "v499"
    assert c.hgetall("h") == {"a": "1", "b": "2"}
    assert c.lrange("l", 0, -1) == ["x", "y", "z"]
    assert c.smembers("s") == {"m1", "m2"}


@pytest.mark.parametrize("engine", ["redis", "cairn"])
def test_snapshot_then_seeded_start_and_refusals(env, engine):
    hub = env["hub"]
    agent, backups = agent_with_store(env)
    p1 = free_port()
    assert started(env, "s1", "snap-0001-001", p1, engine).get("ok")
    fill(p1)

    result = snapshot(env, "snap1", "snap-0001-001", "snapshots/one.rdb")
    assert result.get("ok"), result
    stored = os.path.join(backups, "snapshots", "one.rdb")
    assert result["snapshot"]["key"] == "snapshots/one.rdb"
    assert int(result["snapshot"]["size_bytes"]) == os.path.getsize(stored)
    assert result["snapshot"]["sha256"] == sha256_of(stored)
    assert result["node"]["state"] == "NODE_STATE_RUNNING"

    # A second snapshot holds writes made after the first one.
    client(p1).set("after-first", "yes")
    second = snapshot(env, "snap2", "snap-0001-001", "snapshots/two.rdb")
    assert second.get("ok"), second
    assert second["snapshot"]["sha256"] != result["snapshot"]["sha256"]

    # A new node seeded from the first snapshot serves its keys (and not the later write).
    p2 = free_port()
    seeded = started(env, "s2", "snap-0002-001", p2, engine, seed=result["snapshot"])
    assert seeded.get("ok"), seeded
    check_filled(p2)
    assert client(p2).get("after-first") is None
    data_file = os.path.join(agent.data_dir, "nodes", "snap-0002-001", "dump.rdb")
    assert os.path.exists(data_file)

    # Restarted (a held primary started again by the same StartNode), the node loads its own
    # data file, not the seed.
    client(p2).set("own", "data")
    assert client(p2).save()
    os.kill(seeded["node"]["pid"], 9)
    hub.node_status("snap-0002-001", lambda n: n.get("held"), what="held seeded primary")
    again = started(env, "s2-again", "snap-0002-001", p2, engine, seed=result["snapshot"])
    assert again.get("ok"), again
    assert again["node"]["pid"] != seeded["node"]["pid"]
    assert client(p2).get("own") == "data"

    # A corrupted file: refused before anything starts.
    corrupt = bytearray(open(stored, "rb").read())
    corrupt[len(corrupt) // 2] ^= 0xFF
    with open(os.path.join(backups, "snapshots", "bad.rdb"), "wb") as f:
        f.write(corrupt)
    bad_seed = dict(result["snapshot"], key="snapshots/bad.rdb")
    p3 = free_port()
    bad = started(env, "s3", "snap-0003-001", p3, engine, seed=bad_seed)
    assert not bad.get("ok") and bad["reason"] == "SnapshotCorrupt", bad
    assert "sha256" in bad["message"]
    assert not os.path.exists(os.path.join(agent.data_dir, "nodes", "snap-0003-001"))
    assert port_is_free(p3)
    missing = started(env, "s4", "snap-0003-001", p3, engine,
                      seed=dict(result["snapshot"], key="snapshots/none.rdb"))
    assert not missing.get("ok") and missing["reason"] == "SnapshotMissing", missing
    hb = hub.wait_event(lambda e: e["event"] == "heartbeat", since=len(hub.events))
    assert "snap-0003-001" not in [n["node_id"] for n in hb["heartbeat"]["nodes"]]
    assert port_is_free(p3)

    # A node that is not running (a held primary) or not here cannot be snapshotted.
    pid = hub.node_status("snap-0001-001", lambda n: n.get("pid"))["pid"]
    os.kill(pid, 9)
    hub.node_status("snap-0001-001", lambda n: n.get("held"), what="held primary")
    down = snapshot(env, "snap3", "snap-0001-001", "snapshots/three.rdb")
    assert not down.get("ok") and down["reason"] == "SnapshotFailed", down
    assert "not running" in down["message"]
    gone = snapshot(env, "snap4", "nope-0001-001", "snapshots/three.rdb")
    assert not gone.get("ok") and gone["reason"] == "SnapshotFailed", gone
    assert not os.path.exists(os.path.join(backups, "snapshots", "three.rdb"))


def test_snapshot_waits_for_a_running_save_then_takes_its_own(env):
    agent, backups = agent_with_store(env)
    port = free_port()
    assert started(env, "s1", "slow-0001-001", port, "redis").get("ok")
    fill(port)
    c = client(port)
    # Each key now takes 2 ms to save: the BGSAVE below runs for about a second.
    c.config_set("rdb-key-save-delay", "2000")
    c.bgsave()
    c.set("late", "written while another save ran")
    assert c.info("persistence")["rdb_bgsave_in_progress"] == 1
    result = snapshot(env, "snap", "slow-0001-001", "snapshots/slow.rdb")
    assert result.get("ok"), result
    c.config_set("rdb-key-save-delay", "0")
    p2 = free_port()
    assert started(env, "s2", "slow-0002-001", p2, "redis", seed=result["snapshot"]).get("ok")
    assert client(p2).get("late") == "written while another save ran"
    assert client(p2).dbsize() == 504


def test_seeded_node_is_running_only_once_loaded(env):
    agent, backups = agent_with_store(env)
    port = free_port()
    big = {"maxmemory_bytes": 0, "parameters": {"enable-debug-command": "local"}}
    assert started(env, "s1", "big-0001-001", port, "redis", **big).get("ok")
    keys = 1500000
    client(port).execute_command("DEBUG", "POPULATE", keys, "key", 16)
    result = snapshot(env, "snap", "big-0001-001", "snapshots/big.rdb")
    assert result.get("ok"), result
    env["hub"].task("host-a", {"id": "stop1", "stop_node": {"node_id": "big-0001-001"}})
    assert env["hub"].result("stop1").get("ok")
    # Loading takes a while; StartNode answers only once the node serves its data (no -LOADING).
    p2 = free_port()
    seeded = started(env, "s2", "big-0002-001", p2, "redis", seed=result["snapshot"], **big)
    assert seeded.get("ok"), seeded
    assert seeded["node"]["state"] == "NODE_STATE_RUNNING"
    assert client(p2).dbsize() == keys


def test_agent_without_backup_dir_refuses_snapshots_and_seeds(env):
    hub = env["hub"]
    agent = new_agent(env).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat")
    port = free_port()
    assert started(env, "s1", "nostore-0001-001", port, "redis").get("ok")
    result = snapshot(env, "snap", "nostore-0001-001", "snapshots/x.rdb")
    assert not result.get("ok") and result["reason"] == "NoBackupStore", result
    assert "--backup-dir" in result["message"]
    seed = {"key": "snapshots/x.rdb", "size_bytes": 10, "sha256": "0" * 64}
    p2 = free_port()
    refused = started(env, "s2", "nostore-0002-001", p2, "redis", seed=seed)
    assert not refused.get("ok") and refused["reason"] == "NoBackupStore", refused
    assert not os.path.exists(os.path.join(agent.data_dir, "nodes", "nostore-0002-001"))
    wait_until(lambda: port_is_free(p2), timeout=5)
