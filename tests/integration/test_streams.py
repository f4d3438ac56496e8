"""Streams end to end with python3-redis, as the streams tutorials use them: a producer writes
sensor readings, consumers alice and bob in one group share the work with blocking XREADGROUP and
XACK, a third consumer stops without acknowledging (its connection closed) and its pending
entries are reclaimed with XAUTOCLAIM, so every reading is processed exactly once; a redis-server
replica follows stream and group writes (XADD *, XREADGROUP, XCLAIM, XAUTOCLAIM, trimming); RDB
snapshots with streams move both ways between cairn-server and redis-server."""

import os
import subprocess
import threading

import redis

from cairn_testlib import HOST, ServerProcess, cairn_server_bin, redis_server_bin, wait_until
from test_collections import _start_with_file

READINGS = 600


def _client(server):
    return redis.Redis(host=HOST, port=server.port, socket_timeout=30)


def _consume(server, name, processed, lock, stop):
    """A worker: reads new entries for `name`, records them, acknowledges them."""
    r = _client(server)
    while not stop.is_set():
        reply = r.xreadgroup("sensors", name, {"readings": ">"}, count=10, block=200)
        for _, entries in reply or []:
            for entry_id, fields in entries:
                with lock:
                    processed.append((entry_id, name, fields[b"temperature"]))
                assert r.xack("readings", "sensors", entry_id) == 1


def test_tutorial_consumer_group_flow(server):
    r = _client(server)
    r.xgroup_create("readings", "sensors", id="$", mkstream=True)
    # A consumer that stops: it takes entries and closes its connection without acknowledging.
    carol = _client(server)
    for i in range(5):
        r.xadd("readings", {"temperature": f"{20 + i}.5", "humidity": "40"})
    taken = carol.xreadgroup("sensors", "carol", {"readings": ">"}, count=5)
    assert len(taken[0][1]) == 5
    carol.close()
    processed, lock, stop = [], threading.Lock(), threading.Event()
    workers = [threading.Thread(target=_consume, args=(server, n, processed, lock, stop))
               for n in ("alice", "bob")]
    for w in workers:
        w.start()
    producer = _client(server)
    for i in range(5, READINGS):
        producer.xadd("readings", {"temperature": f"{20 + i % 15}.5", "humidity": str(i % 100)})
    wait_until(lambda: len(processed) == READINGS - 5, timeout=60, what="readings processed")
    summary = r.xpending("readings", "sensors")
    assert summary["pending"] == 5
    assert summary["consumers"] == [{"name": b"carol", "pending": 5}]
    # alice reclaims carol's entries once they are idle long enough.
    claimed = r.xautoclaim("readings", "sensors", "alice", min_idle_time=0, start_id="0-0")
    assert claimed[0] == b"0-0" and len(claimed[1]) == 5 and claimed[2] == []
    for entry_id, fields in claimed[1]:
        processed.append((entry_id, "alice", fields[b"temperature"]))
        assert r.xack("readings", "sensors", entry_id) == 1
    stop.set()
    for w in workers:
        w.join(timeout=30)
    ids = [p[0] for p in processed]
    assert len(ids) == len(set(ids)) == READINGS, "each reading processed exactly once"
    assert sorted(ids) == sorted(e[0] for e in r.xrange("readings"))
    assert {p[1] for p in processed} >= {"alice", "bob"}
    assert r.xpending("readings", "sensors")["pending"] == 0
    groups = r.xinfo_groups("readings")
    assert groups[0]["lag"] == 0 and groups[0]["entries-read"] == READINGS
    consumers = {c["name"]: c["pending"] for c in r.xinfo_consumers("readings", "sensors")}
    assert consumers == {b"alice": 0, b"bob": 0, b"carol": 0}


def _stream_state(r):
    out = {}
    for key in r.scan_iter(_type="stream"):
        groups = [{k: v for k, v in g.items()} for g in r.xinfo_groups(key)]
        pel = {g["name"]: r.xpending_range(key, g["name"], "-", "+", 1000) for g in groups}
        pel = {k: [(p["message_id"], p["consumer"], p["times_delivered"]) for p in v]
               for k, v in pel.items()}
        info = r.xinfo_stream(key)
        info.pop("radix-tree-nodes")  # a radix-tree detail cairn-server only estimates
        out[key] = (r.xrange(key), groups, pel, info)
    return out


def _stream_writes(r):
    for i in range(300):
        r.xadd("log", {"n": i, "payload": "x" * (i % 50)})
    r.xadd("log", {"n": "trimmed"}, maxlen=250, approximate=True)
    r.xgroup_create("log", "g", id="0")
    r.xreadgroup("g", "alice", {"log": ">"}, count=20)
    r.xreadgroup("g", "bob", {"log": ">"}, count=5, noack=True)
    r.xclaim("log", "g", "bob", 0, [r.xrange("log", count=1)[0][0]])
    r.xdel("log", r.xrange("log", count=3)[2][0])
    r.xautoclaim("log", "g", "carol", 0, "0-0", count=4)
    r.xtrim("log", minid=r.xrange("log", count=10)[9][0])
    r.xadd("other", {"a": 1}, id="5-5")
    r.execute_command("XSETID", "other", "9-0")


def test_redis_server_replica_follows_stream_writes():
    with ServerProcess(cairn_server_bin(), name="cairn") as primary, \
            ServerProcess(redis_server_bin(), name="redis") as replica:
        p = _client(primary)
        p.xadd("before", {"f": "v"}, id="1-1")
        rr = _client(replica)
        assert rr.execute_command("REPLICAOF", HOST, primary.port) == b"OK"
        wait_until(lambda: rr.info("replication").get("master_link_status") == "up",
                   timeout=60, what="replica in sync")
        _stream_writes(p)

        def caught_up():
            want = p.info("replication")["master_repl_offset"]
            return rr.info("replication").get("slave_repl_offset", -1) >= want
        wait_until(caught_up, timeout=60, what="replica caught up")
        assert _stream_state(rr) == _stream_state(p)


def test_rdb_snapshots_with_streams_move_both_ways():
    with ServerProcess(redis_server_bin(), name="redis") as real:
        _stream_writes(_client(real))
        expected = _stream_state(_client(real))
        assert _client(real).save() is True
        cairn = _start_with_file(cairn_server_bin(), "cairn", os.path.join(real.dir, "dump.rdb"))
        try:
            assert _stream_state(_client(cairn)) == expected
            assert _client(cairn).save() is True
            rdb = os.path.join(cairn.dir, "dump.rdb")
            check = subprocess.run(["redis-check-rdb", rdb], capture_output=True, text=True,
                                   timeout=60)
            assert check.returncode == 0, check.stdout + check.stderr
            again = _start_with_file(redis_server_bin(), "redis2", rdb)
            try:
                assert _stream_state(_client(again)) == expected
            finally:
                again.cleanup()
        finally:
            cairn.cleanup()
