"""Snapshots end to end in dev mode: real agents take BGSAVE snapshots into the backup store,
clusters are restored from them, RDB files move to and from Debian's redis-server, and bad input
gets clear errors. Data is compared key by key with redis-py."""

import hashlib
import os
import sys
import time

import pytest
import redis

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import ApiError, running_control_plane  # noqa: E402
from cairn_testlib import ServerProcess, redis_server_bin, wait_until  # noqa: E402


@pytest.fixture(scope="module")
def cp():
    yield from running_control_plane(hosts=2, extra_args=["--snapshot-tick-ms", "100"])


def create(cp, name, replicas=1, timeout=60, **fields):
    op = cp.rest.post("/v1/clusters", {"name": name, "replicas_per_shard": replicas, **fields})
    done = cp.rest.wait_operation(op["id"], timeout_s=timeout)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    return cp.rest.get(f"/v1/clusters/{name}")


def client(cluster):
    primary = cluster["endpoints"]["primary"]
    return redis.Redis(host=primary["address"], port=primary["port"], socket_timeout=10)


def snapshot(cp, name, cluster):
    op = cp.rest.post("/v1/snapshots", {"snapshot_name": name, "cluster_name": cluster})
    assert op["resource"] == f"snapshots/{name}"
    done = cp.rest.wait_operation(op["id"], timeout_s=60)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    return cp.rest.get(f"/v1/snapshots/{name}")


def fill(r):
    """Data of every type cairn-server holds, in two databases, small and large encodings."""
    r.set("str", "hello")
    r.set("int", 12345)
    r.set("big", "x" * 100_000)
    r.set("ttl", "soon", ex=3600)
    r.rpush("list", *[f"item{i}" for i in range(300)])
    r.rpush("smalllist", "a", "b")
    r.hset("hash", mapping={f"f{i}": f"v{i}" for i in range(200)})
    r.hset("smallhash", mapping={"a": "1"})
    r.sadd("intset", *range(50))
    r.sadd("set", *[f"m{i}" for i in range(300)])
    r.zadd("zset", {f"p{i}": i * 1.5 for i in range(300)})
    r.zadd("smallzset", {"a": 1, "b": float("inf")})
    r.execute_command("SELECT", 3)
    r.set("db3", "three")
    r.execute_command("SELECT", 0)


def dataset(r):
    """{(db, key): (type, value, has_ttl)} for databases 0..15."""
    out = {}
    for db in range(16):
        r.execute_command("SELECT", db)
        for key in r.scan_iter(count=1000):
            kind = r.type(key).decode()
            value = {
                "string": lambda: r.get(key),
                "list": lambda: r.lrange(key, 0, -1),
                "hash": lambda: r.hgetall(key),
                "set": lambda: sorted(r.smembers(key)),
                "zset": lambda: r.zrange(key, 0, -1, withscores=True),
            }[kind]()
            out[(db, key)] = (kind, value, r.pttl(key) > 0)
    r.execute_command("SELECT", 0)
    return out


def test_snapshot_from_replica_restores_into_a_new_cluster(cp):
    src = create(cp, "snapsrc")
    r = client(src)
    fill(r)
    r.execute_command("WAIT", 1, 5000)
    expected = dataset(r)
    snap = snapshot(cp, "snapsrc-1", "snapsrc")
    assert snap["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    assert snap["source"] == "manual"
    replica = next(n["id"] for n in src["nodes"] if n["role"] == "NODE_ROLE_REPLICA")
    assert snap["node_id"] == replica, "taken on the replica"
    with open(os.path.join(cp.data_dir, "backups", "snapshots", "snapsrc-1.rdb"), "rb") as f:
        data = f.read()
    assert int(snap["size_bytes"]) == len(data)
    assert snap["sha256"] == hashlib.sha256(data).hexdigest()
    assert snap["engine"] == "cairn" and snap["node_type"] == src["node_type"]
    restored = create(cp, "snapdst", source_snapshot="snapsrc-1")
    assert restored["source_snapshot"] == "snapsrc-1"
    assert dataset(client(restored)) == expected
    # Its replica got the data by full sync.
    replica = next(n for n in restored["nodes"] if n["role"] == "NODE_ROLE_REPLICA")
    rr = redis.Redis(host=replica["address"], port=replica["port"])
    wait_until(lambda: rr.dbsize() == r.dbsize(), 20, what="replica of the restored cluster")
    events = [e["type"] for e in cp.rest.get("/v1/events?cluster=snapsrc")["events"]]
    assert "SnapshotStarted" in events and "SnapshotCreated" in events


def test_snapshotting_does_not_block_cluster_operations(cp):
    create(cp, "busy", replicas=0)
    op = cp.rest.post("/v1/snapshots", {"snapshot_name": "busy-1", "cluster_name": "busy"})
    update = cp.rest.call("PATCH", "/v1/clusters/busy", {"description": "still editable"})
    assert cp.rest.wait_operation(update["id"])["state"] == "OPERATION_STATE_SUCCEEDED"
    assert cp.rest.wait_operation(op["id"])["state"] == "OPERATION_STATE_SUCCEEDED"
    assert cp.rest.get("/v1/snapshots/busy-1")["node_id"].startswith("busy-0001-")


def redis_rdb(tmp_path):
    """A dump.rdb written by Debian's redis-server holding data of every type cairn holds."""
    server = ServerProcess(redis_server_bin(), name="redis-seed").start()
    try:
        r = redis.Redis(port=server.port)
        fill(r)
        expected = dataset(r)
        r.save()
        with open(os.path.join(server.dir, "dump.rdb"), "rb") as f:
            return f.read(), expected
    finally:
        server.stop()


def test_import_a_redis_rdb_and_restore_it(cp, tmp_path):
    rdb, expected = redis_rdb(tmp_path)
    snap = cp.rest.call("POST", "/v1/snapshots/seed-from-redis:import", raw_body=rdb)
    assert snap["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    assert snap["source"] == "imported"
    assert snap["engine_version"].startswith("7.")
    assert snap["sha256"] == hashlib.sha256(rdb).hexdigest()
    seeded = create(cp, "seeded", replicas=0, source_snapshot="seed-from-redis")
    assert dataset(client(seeded)) == expected


def test_exported_snapshot_loads_in_redis_server(cp, tmp_path):
    src = create(cp, "exportsrc", replicas=0)
    r = client(src)
    fill(r)
    expected = dataset(r)
    snap = snapshot(cp, "exportsrc-1", "exportsrc")
    body, headers = cp.rest.download("/v1/snapshots/exportsrc-1:export")
    assert hashlib.sha256(body).hexdigest() == snap["sha256"]
    assert headers.get("X-Cairn-Sha256") == snap["sha256"]
    server = ServerProcess(redis_server_bin(), name="redis-export", persistence=True)
    with open(os.path.join(server.dir, "dump.rdb"), "wb") as f:
        f.write(body)
    server.start()
    try:
        assert dataset(redis.Redis(port=server.port)) == expected
    finally:
        server.stop()


def test_corrupted_backup_fails_restore_and_export_with_a_reason(cp):
    create(cp, "corrupt", replicas=0)
    client(cp.rest.get("/v1/clusters/corrupt")).set("k", "v" * 1000)
    snapshot(cp, "corrupt-1", "corrupt")
    path = os.path.join(cp.data_dir, "backups", "snapshots", "corrupt-1.rdb")
    with open(path, "r+b") as f:
        f.seek(40)
        byte = f.read(1)
        f.seek(40)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ApiError) as e:
        cp.rest.post("/v1/clusters", {"name": "fromcorrupt", "source_snapshot": "corrupt-1"})
    assert e.value.status == 400
    assert "sha256 mismatch" in e.value.body["message"]
    with pytest.raises(ApiError) as e:
        cp.rest.get("/v1/clusters/fromcorrupt")
    assert e.value.status == 404, "nothing half-created"
    with pytest.raises(ApiError) as e:
        cp.rest.download("/v1/snapshots/corrupt-1:export")
    assert "sha256 mismatch" in e.value.body["message"]


def test_bad_input_gets_clear_errors(cp):
    create(cp, "badin", replicas=0)
    cases = [
        (lambda: cp.rest.post("/v1/snapshots", {"snapshot_name": "x1", "cluster_name": "nope"}),
         404, "nope"),
        (lambda: cp.rest.post("/v1/snapshots", {"snapshot_name": "1bad", "cluster_name": "badin"}),
         400, "snapshot_name"),
        (lambda: cp.rest.call("POST", "/v1/snapshots/junk:import", raw_body=b"not an rdb file"),
         400, "not a valid RDB file"),
        (lambda: cp.rest.get("/v1/snapshots/missing"), 404, "missing"),
        (lambda: cp.rest.call("DELETE", "/v1/snapshots/missing"), 404, "missing"),
        (lambda: cp.rest.post("/v1/clusters", {"name": "c2", "source_snapshot": "missing"}),
         404, "cluster.source_snapshot"),
        (lambda: cp.rest.post("/v1/snapshots/missing:copy", {"target_snapshot_name": "y"}),
         404, "missing"),
    ]
    for call, status, text in cases:
        with pytest.raises(ApiError) as e:
            call()
        assert e.value.status == status, e.value.body
        assert text in e.value.body["message"], e.value.body
    snapshot(cp, "badin-1", "badin")
    with pytest.raises(ApiError) as e:
        cp.rest.post("/v1/snapshots", {"snapshot_name": "badin-1", "cluster_name": "badin"})
    assert e.value.status == 409
    with pytest.raises(ApiError) as e:
        cp.rest.post("/v1/clusters", {"name": "badin", "source_snapshot": "badin-1"})
    assert e.value.status == 409, "restore into an existing name"
    with pytest.raises(ApiError) as e:
        cp.rest.post("/v1/snapshots/badin-1:copy", {"target_snapshot_name": "badin-1"})
    assert e.value.status == 409
    assert not [n for n in os.listdir(os.path.join(cp.data_dir, "backups", "snapshots"))
                if n.startswith(".")], "no temp files left"


def test_copy_and_delete(cp):
    create(cp, "copysrc", replicas=0)
    snapshot(cp, "copysrc-1", "copysrc")
    copy = cp.rest.post("/v1/snapshots/copysrc-1:copy", {"target_snapshot_name": "copysrc-kept"})
    assert copy["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    original = cp.rest.get("/v1/snapshots/copysrc-1")
    assert copy["sha256"] == original["sha256"]
    deleted = cp.rest.call("DELETE", "/v1/snapshots/copysrc-1")
    assert deleted["name"] == "copysrc-1"
    names = [s["name"] for s in cp.rest.get("/v1/snapshots?cluster=copysrc")["snapshots"]]
    assert names == ["copysrc-kept"]
    assert not os.path.exists(os.path.join(cp.data_dir, "backups", "snapshots", "copysrc-1.rdb"))


def test_final_snapshot_on_delete(cp):
    c = create(cp, "leaving", replicas=0)
    client(c).set("last", "words")
    op = cp.rest.call("DELETE", "/v1/clusters/leaving?final_snapshot_name=leaving-final")
    done = cp.rest.wait_operation(op["id"], timeout_s=60)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    final = cp.rest.get("/v1/snapshots/leaving-final")
    assert final["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    back = create(cp, "returned", replicas=0, source_snapshot="leaving-final")
    assert client(back).get("last") == b"words"


def test_automatic_snapshot_once_per_window(cp):
    now = time.gmtime()
    start = f"{now.tm_hour:02d}:{now.tm_min:02d}"
    end_hour = (now.tm_hour + 2) % 24
    window = f"{start}-{end_hour:02d}:{now.tm_min:02d}"
    create(cp, "nightly", replicas=0, snapshot_retention_days=1, snapshot_window=window)

    def automatic():
        snaps = cp.rest.get("/v1/snapshots?cluster=nightly&source=automatic")["snapshots"]
        return snaps if snaps and all(
            s["status"] == "SNAPSHOT_STATUS_AVAILABLE" for s in snaps) else None

    snaps = wait_until(automatic, 30, what="an automatic snapshot")
    assert len(snaps) == 1
    assert snaps[0]["name"].startswith("automatic.nightly-")
    # Many more passes of the 100 ms tick: still one for this window.
    first = snaps[0]["name"]
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        names = [s["name"] for s in
                 cp.rest.get("/v1/snapshots?cluster=nightly&source=automatic")["snapshots"]]
        assert names == [first]
        time.sleep(0.1)
