"""Debian's redis-py (4.3, RESP2 only) against cairn-server: strings, pipelines, optimistic
transactions with WATCH, pub/sub with a listener thread, expiry, and SCAN while the table grows."""

import threading

import pytest
import redis

from cairn_testlib import HOST, wait_until


@pytest.fixture
def r(server):
    """A redis-py client on the test's server."""
    client = redis.Redis(host=HOST, port=server.port, socket_timeout=10)
    yield client
    client.close()


def test_strings(r):
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    assert r.set("k", "w", nx=True) is None
    assert r.set("k", "w", xx=True, get=True) == b"v"
    assert r.mset({"a": 1, "b": "two", "c": b"\x00\xff"}) is True
    assert r.mget("a", "b", "c", "missing") == [b"1", b"two", b"\x00\xff", None]
    assert r.incr("n") == 1 and r.incrby("n", 41) == 42 and r.decr("n") == 41
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.append("k", "xyz") == 4 and r.strlen("k") == 4
    assert r.getrange("k", 1, 2) == b"xy"
    assert r.setrange("k", 1, "AB") == 4 and r.get("k") == b"wABz"
    assert r.getdel("k") == b"wABz" and r.exists("k") == 0
    assert r.setex("t", 100, "v") is True and r.ttl("t") == 100
    value = bytes(range(256)) * 100
    r.set("bin", value)
    assert r.get("bin") == value
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.incr("b")
    assert r.type("a") == b"string" and r.object("encoding", "a") == b"int"


def test_server_commands_parse(r):
    info = r.info()
    assert info["redis_version"].startswith("7.") and info["connected_clients"] >= 1
    assert "used_memory" in r.info("memory")
    assert r.config_get("maxmemory") == {"maxmemory": "0"}
    r.client_setname("itest")
    assert r.client_getname() == "itest"
    assert any(c["name"] == "itest" for c in r.client_list())
    assert r.dbsize() == 0 and r.ping() is True
    seconds, _micros = r.time()
    assert seconds > 0


def test_pipeline(r):
    pipe = r.pipeline(transaction=False)
    for i in range(1000):
        pipe.set(f"p:{i}", i)
        pipe.incr("p:count")
    results = pipe.execute()
    assert results[::2] == [True] * 1000
    assert results[1::2] == list(range(1, 1001))
    assert r.dbsize() == 1001


def test_transaction_pipeline(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", 1).incr("a").get("a")
    assert pipe.execute() == [True, 2, b"2"]


def test_watch_retry_loop_under_contention(server):
    threads_count, increments = 4, 50
    retries = []

    def worker():
        client = redis.Redis(host=HOST, port=server.port, socket_timeout=10)
        mine = 0
        try:
            for _ in range(increments):
                while True:
                    with client.pipeline() as pipe:
                        try:
                            pipe.watch("counter")
                            current = int(pipe.get("counter") or 0)
                            pipe.multi()
                            pipe.set("counter", current + 1)
                            pipe.execute()
                            break
                        except redis.WatchError:
                            mine += 1
        finally:
            retries.append(mine)
            client.close()

    workers = [threading.Thread(target=worker) for _ in range(threads_count)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
        assert not t.is_alive(), "a WATCH worker did not finish"
    check = redis.Redis(host=HOST, port=server.port, socket_timeout=10)
    assert int(check.get("counter")) == threads_count * increments
    assert len(retries) == threads_count
    check.close()


def test_pubsub_listener_thread(r, server):
    received = []
    ready = threading.Event()
    pubsub = r.pubsub()
    pubsub.subscribe("news")
    pubsub.psubscribe("alerts.*")

    def listen():
        for message in pubsub.listen():
            if message["type"] == "psubscribe":
                ready.set()
            if message["type"] in ("message", "pmessage"):
                if message["data"] == b"stop":
                    return
                received.append((message["type"], message["channel"], message["data"]))

    listener = threading.Thread(target=listen)
    listener.start()
    assert ready.wait(timeout=10), "subscriptions were not confirmed"
    publisher = redis.Redis(host=HOST, port=server.port, socket_timeout=10)
    wait_until(lambda: publisher.pubsub_numsub("news") == [(b"news", 1)],
               what="the subscription to be visible")
    for i in range(100):
        assert publisher.publish("news", f"n{i}") == 1
    assert publisher.publish("alerts.disk", "full") == 1
    assert publisher.publish("nobody", "x") == 0
    publisher.publish("news", "stop")
    listener.join(timeout=10)
    assert not listener.is_alive()
    assert received[:100] == [("message", b"news", f"n{i}".encode()) for i in range(100)]
    assert received[100:] == [("pmessage", b"alerts.disk", b"full")]
    pubsub.close()
    publisher.close()


def test_expiry(r):
    r.set("short", "v", px=50)
    r.set("long", "v", ex=1000)
    assert 0 < r.pttl("short") <= 50
    wait_until(lambda: r.exists("short") == 0, timeout=5, what="the key to expire")
    assert r.get("short") is None and r.ttl("short") == -2
    assert r.ttl("long") == 1000
    assert r.persist("long") is True and r.ttl("long") == -1
    assert r.expire("long", 100, gt=True) is False
    assert r.expire("long", 100, nx=True) is True and r.ttl("long") == 100
    assert r.expire("missing", 10) is False


def test_scan_returns_every_key_while_table_grows(r):
    originals = {f"orig:{i}".encode() for i in range(5000)}
    pipe = r.pipeline(transaction=False)
    for key in originals:
        pipe.set(key, 1)
    pipe.execute()
    seen = set()
    cursor = 0
    added = 0
    while True:
        cursor, keys = r.scan(cursor=cursor, count=100)
        seen.update(keys)
        # Grow the table during the iteration so it rehashes under the cursor.
        pipe = r.pipeline(transaction=False)
        for _ in range(100):
            pipe.set(f"new:{added}", 1)
            added += 1
        pipe.execute()
        if cursor == 0:
            break
    missing = originals - seen
    assert not missing, f"SCAN missed {len(missing)} keys present for the whole iteration"
    assert r.dbsize() == 5000 + added
