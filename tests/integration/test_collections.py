"""Lists, hashes and sets end to end with python3-redis: a job queue served by BRPOP workers
(several producers and consumers, every job done exactly once), session hashes with expiry, tag
sets, and RDB snapshots of all three types moving both ways between cairn-server and Debian's
redis-server (checked with redis-check-rdb and compared key by key), and a store locator on geo
commands (nearby shops compared with redis-server, replicated to a redis-server replica).
HyperLogLog unique-visitor counters are checked against exact sets and against redis-server fed
the same visits, and follow a redis-server replica byte for byte."""

import os
import random
import shutil
import subprocess
import threading

import redis

from cairn_testlib import HOST, ServerProcess, cairn_server_bin, redis_server_bin, wait_until


def _client(server, db=0):
    return redis.Redis(host=HOST, port=server.port, db=db, socket_timeout=30)


def test_job_queue_with_brpop_workers(server):
    jobs = 2000
    workers = 4
    done = []
    lock = threading.Lock()

    def worker():
        r = _client(server)
        while True:
            item = r.brpop(["jobs:high", "jobs:low"], timeout=5)
            assert item is not None, "queue stalled"
            if item[1] == b"stop":
                return
            with lock:
                done.append(item[1])
            r.hincrby("stats", "done", 1)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    producer = _client(server)
    pipe = producer.pipeline(transaction=False)
    for i in range(jobs):
        pipe.lpush("jobs:high" if i % 3 == 0 else "jobs:low", f"job-{i}")
        if i % 100 == 99:
            pipe.execute()
    pipe.execute()
    wait_until(lambda: int(producer.hget("stats", "done") or 0) == jobs, timeout=60,
               what="all jobs done")
    for _ in range(workers):
        producer.lpush("jobs:low", "stop")
    for t in threads:
        t.join(timeout=30)
    assert sorted(done) == sorted(f"job-{i}".encode() for i in range(jobs))
    assert producer.exists("jobs:high", "jobs:low") == 0


def test_blocked_worker_gets_job_from_multi_and_timeout_in_fractions(server):
    r = _client(server)
    got = []
    t = threading.Thread(target=lambda: got.append(_client(server).blmove(
        "incoming", "processing", 10, "RIGHT", "LEFT")))
    t.start()
    wait_until(lambda: r.info("clients")["blocked_clients"] == 1, what="worker blocked")
    with r.pipeline(transaction=True) as pipe:
        pipe.rpush("incoming", "a", "b")
        pipe.execute()
    t.join(timeout=10)
    assert got == [b"b"]
    assert r.lrange("processing", 0, -1) == [b"b"]
    assert r.blpop(["empty"], timeout=0.05) is None


def test_session_hashes_with_expiry(server):
    r = _client(server)
    for i in range(200):
        r.hset(f"session:{i}", mapping={"user": f"u{i}", "cart": "0", "seen": "1"})
        r.pexpire(f"session:{i}", 200 if i % 2 else 60_000)
        r.sadd(f"tags:{i % 10}", f"session:{i}")
    r.hincrby("session:0", "cart", 3)
    assert r.hgetall("session:0") == {b"user": b"u0", b"cart": b"3", b"seen": b"1"}
    wait_until(lambda: r.exists(*[f"session:{i}" for i in range(1, 200, 2)]) == 0,
               what="short sessions expired")
    assert r.exists(*[f"session:{i}" for i in range(0, 200, 2)]) == 100
    assert r.scard("tags:3") == 20
    assert r.object("encoding", "session:0") == b"listpack"
    assert r.type("tags:3") == b"set"


def _fill(r):
    r.rpush("list:small", "a", "12", "-7", "", "x" * 100)
    r.rpush("list:big", *[f"element-{i}" for i in range(20000)])
    r.sadd("set:ints", *range(-300, 300))
    r.sadd("set:ints:big", *range(0, 2000))
    r.sadd("set:strings", *[f"member-{i}" for i in range(700)])
    r.hset("hash:small", mapping={"f": "v", "n": "12", "neg": "-5000", "e": ""})
    r.hset("hash:big", mapping={f"field-{i}": f"value-{i}" for i in range(1000)})
    r.hset("hash:long", "f", "v" * 200)
    r.rpush("ttl:list", "x")
    r.pexpire("ttl:list", 3_600_000)


def _dump(server):
    out = {}
    r = _client(server)
    for key in r.scan_iter(count=1000):
        kind = r.type(key)
        if kind == b"list":
            value = r.lrange(key, 0, -1)
        elif kind == b"set":
            value = sorted(r.smembers(key))
        else:
            value = sorted(r.hgetall(key).items())
        out[key] = (kind, value, r.pttl(key) > 0)
    return out


def _start_with_file(binary, name, rdb_path):
    process = ServerProcess(binary, name=name, persistence=True)
    shutil.copy(rdb_path, os.path.join(process.dir, "dump.rdb"))
    return process.start()


def test_rdb_snapshots_move_both_ways():
    with ServerProcess(redis_server_bin(), name="redis") as real:
        _fill(_client(real))
        expected = _dump(real)
        assert _client(real).save() is True
        cairn = _start_with_file(cairn_server_bin(), "cairn", os.path.join(real.dir, "dump.rdb"))
        try:
            assert _dump(cairn) == expected
            assert _client(cairn).save() is True
            rdb = os.path.join(cairn.dir, "dump.rdb")
            check = subprocess.run(["redis-check-rdb", rdb], capture_output=True, text=True,
                                   timeout=60)
            assert check.returncode == 0, check.stdout + check.stderr
            again = _start_with_file(redis_server_bin(), "redis2", rdb)
            try:
                assert _dump(again) == expected
            finally:
                again.cleanup()
        finally:
            cairn.cleanup()


def test_redis_server_replica_follows_collection_writes():
    """Writes to lists, hashes and sets (a served BLPOP, SPOP, HINCRBYFLOAT, LMPOP included)
    reach a redis-server replica through full sync and the command stream."""
    with ServerProcess(cairn_server_bin(), name="cairn") as primary, \
            ServerProcess(redis_server_bin(), name="redis") as replica:
        p = _client(primary)
        _fill(p)
        rr = _client(replica)
        assert rr.execute_command("REPLICAOF", HOST, primary.port) == b"OK"
        wait_until(lambda: rr.info("replication").get("master_link_status") == "up",
                   timeout=60, what="replica in sync")
        got = []
        waiter = threading.Thread(target=lambda: got.append(_client(primary).blpop("q", 10)))
        waiter.start()
        wait_until(lambda: p.info("clients")["blocked_clients"] == 1, what="waiter blocked")
        p.rpush("q", "job1", "job2")
        waiter.join(timeout=10)
        assert got == [(b"q", b"job1")]
        p.spop("set:strings", 10)
        p.spop("set:ints")
        p.hincrbyfloat("hash:small", "n", "0.1")
        p.execute_command("LMPOP", 2, "nothing", "list:big", "RIGHT", "COUNT", 5)
        p.lmove("list:small", "list:moved", "LEFT", "RIGHT")
        p.srem("set:ints:big", *range(0, 2000))
        p.hdel("hash:long", "f")

        def same():
            want = p.info("replication")["master_repl_offset"]
            return rr.info("replication").get("slave_repl_offset", -1) >= want
        wait_until(same, timeout=60, what="replica caught up")
        assert _dump(replica) == _dump(primary)


def _add_locations(r, rng):
    """Shops around three cities, added in pipelined GEOADD batches as an app would."""
    shops = []
    for city, (lon, lat) in {"berlin": (13.405, 52.52), "lisbon": (-9.139, 38.722),
                             "sydney": (151.209, -33.868)}.items():
        for i in range(200):
            shops.append((lon + rng.uniform(-0.3, 0.3), lat + rng.uniform(-0.2, 0.2),
                          f"{city}:shop:{i}"))
    pipe = r.pipeline(transaction=False)
    for i in range(0, len(shops), 50):
        pipe.geoadd("shops", [v for shop in shops[i:i + 50] for v in shop])
    assert sum(pipe.execute()) == len(shops)
    return shops


def _nearby(r):
    return [
        r.geosearch("shops", longitude=13.4, latitude=52.5, radius=5, unit="km", sort="ASC",
                    withdist=True, withcoord=True, withhash=True),
        r.geosearch("shops", longitude=-9.14, latitude=38.72, width=10, height=6, unit="km",
                    sort="DESC", count=15, withdist=True),
        r.geosearch("shops", member="sydney:shop:7", radius=3, unit="mi", count=5, any=True),
        r.geosearch("shops", longitude=151.2, latitude=-33.87, radius=20, unit="km"),
        r.georadius("shops", 13.4, 52.5, 2000, unit="m", withdist=True, sort="ASC"),
        r.geopos("shops", "berlin:shop:0", "lisbon:shop:199", "nowhere"),
        r.geodist("shops", "berlin:shop:1", "lisbon:shop:1", unit="km"),
        r.geohash("shops", "sydney:shop:0", "sydney:shop:199"),
    ]


def test_locations_nearby_shops_match_redis_server(server):
    """A store locator: the same shop locations in cairn-server and redis-server give the same
    nearby-shop answers (members, order, distances, coordinates), GEOSEARCHSTORE results agree,
    and a redis-server replica of cairn-server receives the locations (GEOADD goes out as ZADD)."""
    with ServerProcess(redis_server_bin(), name="redis") as real:
        c, r = _client(server), _client(real)
        for client in (c, r):
            _add_locations(client, random.Random(99))
        assert c.zrange("shops", 0, -1, withscores=True) == r.zrange("shops", 0, -1,
                                                                      withscores=True)
        assert _nearby(c) == _nearby(r)
        for client in (c, r):
            assert client.geosearchstore("near", "shops", longitude=13.4, latitude=52.5,
                                         radius=10, unit="km", storedist=True) > 0
        assert c.zrange("near", 0, -1, withscores=True) == r.zrange("near", 0, -1,
                                                                     withscores=True)
        assert r.execute_command("REPLICAOF", HOST, server.port) == b"OK"
        wait_until(lambda: r.info("replication").get("master_link_status") == "up",
                   timeout=60, what="replica in sync")
        c.geoadd("shops", [13.41, 52.51, "berlin:shop:new"])
        c.geosearchstore("near", "shops", longitude=13.4, latitude=52.5, radius=3, unit="km")
        want = c.info("replication")["master_repl_offset"]
        wait_until(lambda: r.info("replication").get("slave_repl_offset", -1) >= want,
                   timeout=60, what="replica caught up")
        assert r.geopos("shops", "berlin:shop:new") == c.geopos("shops", "berlin:shop:new")
        assert r.zrange("near", 0, -1, withscores=True) == c.zrange("near", 0, -1,
                                                                     withscores=True)
# ---------------------------------------------------------------------------------------------
# HyperLogLog: unique visitors per page


def _visits(count=30000, seed=7):
    """(page, visitor) pairs: a few busy pages with many distinct visitors, a long tail of quiet
    ones, repeat visits throughout."""
    rng = random.Random(seed)
    visits = []
    for _ in range(count):
        page = min(int(rng.expovariate(0.6)), 5)
        visitor = rng.randrange(0, 20000 if page == 0 else 400 * (6 - page))
        visits.append((f"uv:/page/{page}", f"user-{visitor}"))
    return visits


def _record_visits(r, visits):
    pipe = r.pipeline(transaction=False)
    for n, (key, visitor) in enumerate(visits):
        pipe.pfadd(key, visitor)
        if n % 500 == 499:
            pipe.execute()
    pipe.execute()


def _within_hll_error(estimate, exact):
    # Standard error 1.04/sqrt(16384) = 0.81%; 3% is over 3.5 standard errors.
    return abs(estimate - exact) <= max(2, 0.03 * exact)


def test_unique_visitors_with_hyperloglog(server):
    visits = _visits()
    exact = {}
    for key, visitor in visits:
        exact.setdefault(key, set()).add(visitor)
    keys = sorted(exact)
    cairn = _client(server)
    with ServerProcess(redis_server_bin(), name="redis") as real:
        ref = _client(real)
        for r in (cairn, ref):
            _record_visits(r, visits)
            r.pfmerge("uv:all", *keys)
        for key in keys:
            estimate = cairn.pfcount(key)
            assert _within_hll_error(estimate, len(exact[key])), (key, estimate, len(exact[key]))
            assert estimate == ref.pfcount(key)
            assert cairn.get(key) == ref.get(key)  # same encoding, registers and cached count
        everyone = set().union(*exact.values())
        total = cairn.pfcount("uv:all")
        assert _within_hll_error(total, len(everyone)), (total, len(everyone))
        assert total == ref.pfcount("uv:all") == cairn.pfcount(*keys) == ref.pfcount(*keys)
        assert cairn.get("uv:all") == ref.get("uv:all")
        assert cairn.execute_command("PFDEBUG", "ENCODING", "uv:all") == b"dense"
        assert cairn.execute_command("PFDEBUG", "ENCODING", keys[-1]) == b"sparse"


def test_hyperloglog_writes_reach_redis_replica():
    """PFADD, PFMERGE, a PFCOUNT that caches the count and PFDEBUG TODENSE reach a redis-server
    replica (full sync, then the command stream) and leave identical bytes there."""
    with ServerProcess(cairn_server_bin(), name="cairn") as primary, \
            ServerProcess(redis_server_bin(), name="redis") as replica:
        p = _client(primary)
        p.pfadd("before", *[f"v{i}" for i in range(100)])
        rr = _client(replica)
        assert rr.execute_command("REPLICAOF", HOST, primary.port) == b"OK"
        wait_until(lambda: rr.info("replication").get("master_link_status") == "up",
                   timeout=60, what="replica in sync")
        _record_visits(p, _visits(count=5000, seed=3))
        p.pfmerge("merged", "before", "uv:/page/0", "uv:/page/5")
        p.pfcount("merged")
        p.pfcount("before")
        p.execute_command("PFDEBUG", "TODENSE", "uv:/page/4")
        p.pfadd("uv:/page/4", "late-visitor")

        def caught_up():
            want = p.info("replication")["master_repl_offset"]
            return rr.info("replication").get("slave_repl_offset", -1) >= want
        wait_until(caught_up, timeout=60, what="replica caught up")
        keys = sorted(p.scan_iter(count=1000))
        assert keys == sorted(rr.scan_iter(count=1000))
        for key in keys:
            assert rr.get(key) == p.get(key), key
