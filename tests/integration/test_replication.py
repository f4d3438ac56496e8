"""Replication end to end with real processes: a cairn primary with two cairn replicas (full sync,
streamed writes, partial resync after CLIENT KILL, promotion with REPLICAOF NO ONE and PSYNC2
re-pointing, WAIT), interop both ways with Debian's redis-server, requirepass + masterauth, and
a writer running while a replica syncs from scratch."""

import threading

import pytest
import redis

from cairn_testlib import HOST, ServerProcess, cairn_server_bin, redis_server_bin, wait_until

SYNC_TIMEOUT = 20


def _r(server, password=None, db=0):
    return redis.Redis(host=HOST, port=server.port, password=password, db=db, socket_timeout=10)


def _info(server, password=None):
    return _r(server, password).info("replication")


def _attach(replica, primary, password=None):
    r = _r(replica, password)
    assert r.execute_command("REPLICAOF", HOST, primary.port) == b"OK"
    wait_until(lambda: _info(replica, password).get("master_link_status") == "up",
               timeout=SYNC_TIMEOUT, what=f"{replica.name} to sync with {primary.name}")


def _caught_up(primary, replica, password=None):
    """Waits until `replica` has applied everything `primary` has written."""
    def done():
        want = _info(primary, password)["master_repl_offset"]
        return _info(replica, password).get("slave_repl_offset", -1) >= want
    wait_until(done, timeout=SYNC_TIMEOUT, what=f"{replica.name} to catch up")


def _dataset(server, password=None):
    out = {}
    for db in range(16):
        r = _r(server, password, db)
        for key in r.scan_iter(count=1000):
            out[(db, key)] = r.get(key)
        r.close()
    return out


def _stat(server, name, password=None):
    return _r(server, password).info("stats").get(name, 0)


@pytest.fixture
def cairn_trio():
    servers = [ServerProcess(cairn_server_bin(), name=n) for n in ("primary", "replica1",
                                                                   "replica2")]
    try:
        for s in servers:
            s.start()
        yield servers
    finally:
        for s in servers:
            s.cleanup()


@pytest.mark.parametrize("diskless", ["no", "yes"])
def test_full_sync_then_streamed_writes_on_two_replicas(cairn_trio, diskless):
    primary, r1, r2 = cairn_trio
    p = _r(primary)
    p.config_set("repl-diskless-sync", diskless)
    p.mset({f"k{i}": f"v{i}" for i in range(500)})
    p.set("ttl", "x", ex=1000)
    _attach(r1, primary)
    _attach(r2, primary)
    p.set("after", "sync")
    p.execute_command("SELECT", 5)
    pipe = _r(primary, db=5).pipeline(transaction=True)
    pipe.set("in-multi", "1").incr("counter").execute()
    p.expire("k1", 1000)
    p.delete("k2")
    for replica in (r1, r2):
        _caught_up(primary, replica)
        assert _dataset(replica) == _dataset(primary)
        assert _r(replica).ttl("ttl") > 900
        with pytest.raises(redis.exceptions.ReadOnlyError):
            _r(replica).set("nope", "1")
    info = _info(primary)
    assert info["connected_slaves"] == 2 and info["role"] == "master"
    assert _r(r1).execute_command("ROLE")[0] == b"slave"


def test_expired_keys_reach_replicas_as_del(cairn_trio):
    primary, r1, _ = cairn_trio
    _attach(r1, primary)
    p = _r(primary)
    p.set("short", "v", px=100)
    _caught_up(primary, r1)
    wait_until(lambda: p.exists("short") == 0, what="the key to expire on the primary")
    _caught_up(primary, r1)
    wait_until(lambda: _r(r1).dbsize() == 0, what="the DEL to reach the replica")


def test_partial_resync_after_killing_the_link(cairn_trio):
    primary, r1, _ = cairn_trio
    p = _r(primary)
    p.set("a", "1")
    _attach(r1, primary)
    full_before = _stat(primary, "sync_full")
    p.set("b", "2")
    _caught_up(primary, r1)
    assert p.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
    p.set("c", "3")  # written while the link is down
    wait_until(lambda: _info(primary)["connected_slaves"] == 1, timeout=SYNC_TIMEOUT,
               what="the replica to reconnect")
    _caught_up(primary, r1)
    assert _r(r1).mget("a", "b", "c") == [b"1", b"2", b"3"]
    assert _stat(primary, "sync_partial_ok") >= 1
    assert _stat(primary, "sync_full") == full_before, "no second full sync"
    # And from the replica's side: killing the primary's client there.
    assert _r(r1).execute_command("CLIENT", "KILL", "TYPE", "master") == 1
    p.set("d", "4")
    _caught_up(primary, r1)
    assert _r(r1).get("d") == b"4"
    assert _stat(primary, "sync_full") == full_before


def test_promotion_and_psync2_repointing(cairn_trio):
    primary, r1, r2 = cairn_trio
    _attach(r1, primary)
    _attach(r2, primary)
    _r(primary).set("before", "1")
    _caught_up(primary, r1)
    _caught_up(primary, r2)
    full_on_r1 = _stat(r1, "sync_full")
    assert _r(r1).execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    info = _info(r1)
    assert info["role"] == "master" and info["second_repl_offset"] > 0
    _r(r1).set("after-promotion", "2")
    _attach(r2, r1)
    _caught_up(r1, r2)
    assert _r(r2).mget("before", "after-promotion") == [b"1", b"2"]
    assert _stat(r1, "sync_partial_ok") >= 1, "PSYNC2: the former peer continued partially"
    assert _stat(r1, "sync_full") == full_on_r1


def test_wait_counts_acknowledging_replicas(cairn_trio):
    primary, r1, r2 = cairn_trio
    _attach(r1, primary)
    _attach(r2, primary)
    p = _r(primary)
    p.set("k", "v")
    assert p.execute_command("WAIT", 2, 5000) == 2
    assert p.execute_command("WAIT", 3, 200) == 2  # times out with what it has
    with pytest.raises(redis.exceptions.ResponseError, match="replica"):
        _r(r1).execute_command("WAIT", 1, 100)


def test_redis_server_replicates_from_cairn():
    with ServerProcess(cairn_server_bin(), name="cairn") as primary, \
            ServerProcess(redis_server_bin(), name="redis") as replica:
        p = _r(primary)
        p.mset({f"k{i}": "x" * (i % 50) for i in range(1000)})
        p.set("ttl", "v", ex=500)
        _attach(replica, primary)
        p.set("streamed", "yes")
        _r(primary, db=3).set("db3", "v")
        _caught_up(primary, replica)
        assert _dataset(replica) == _dataset(primary)
        assert _r(replica).ttl("ttl") > 400
        assert p.execute_command("WAIT", 1, 5000) == 1


def test_cairn_replicates_from_redis_server():
    with ServerProcess(redis_server_bin(), name="redis") as primary, \
            ServerProcess(cairn_server_bin(), name="cairn") as replica:
        p = _r(primary)
        p.mset({f"k{i}": str(i) * (i % 30) for i in range(1000)})
        _attach(replica, primary)
        p.set("streamed", "yes")
        _r(primary, db=7).set("db7", "v")
        p.execute_command("INCRBYFLOAT", "f", "1.5")
        _caught_up(primary, replica)
        assert _dataset(replica) == _dataset(primary)
        full = _stat(primary, "sync_full")
        assert p.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
        p.set("while-down", "1")
        _caught_up(primary, replica)
        assert _r(replica).get("while-down") == b"1"
        assert _stat(primary, "sync_full") == full, "partial resync from redis-server"


def test_requirepass_and_masterauth():
    conf = "requirepass s3cret\nmasterauth s3cret\n"
    with ServerProcess(cairn_server_bin(), config_text=conf, name="primary") as primary, \
            ServerProcess(cairn_server_bin(), config_text=conf, name="replica") as replica:
        _r(primary, "s3cret").set("secret", "data")
        _attach(replica, primary, "s3cret")
        _caught_up(primary, replica, "s3cret")
        assert _r(replica, "s3cret").get("secret") == b"data"


def test_wrong_masterauth_keeps_the_link_down_until_fixed():
    with ServerProcess(cairn_server_bin(), config_text="requirepass right\n",
                       name="primary") as primary, \
            ServerProcess(cairn_server_bin(), name="replica") as replica:
        r = _r(replica)
        r.config_set("masterauth", "wrong")
        r.execute_command("REPLICAOF", HOST, primary.port)
        assert _info(replica)["master_link_status"] == "down"
        r.config_set("masterauth", "right")
        wait_until(lambda: _info(replica)["master_link_status"] == "up", timeout=SYNC_TIMEOUT,
                   what="the link to come up with the right password")


def test_writer_during_sync_ends_with_equal_datasets():
    with ServerProcess(cairn_server_bin(), name="primary") as primary, \
            ServerProcess(cairn_server_bin(), name="replica") as replica:
        p = _r(primary)
        pipe = p.pipeline(transaction=False)
        for i in range(20000):
            pipe.set(f"seed:{i}", "v" * 32)
        pipe.execute()
        stop = threading.Event()

        def writer():
            w = _r(primary)
            i = 0
            while not stop.is_set():
                w.set(f"live:{i % 3000}", i)
                w.incr("counter")
                i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            _attach(replica, primary)
        finally:
            stop.set()
            thread.join()
        _caught_up(primary, replica)
        assert _dataset(replica) == _dataset(primary)


def test_config_file_replicaof_and_stale_reads_while_the_primary_is_down(tmp_path):
    sock = tmp_path / "replica.sock"
    primary = ServerProcess(cairn_server_bin(), config_text="requirepass pw\n", name="primary")
    replica = None
    try:
        primary.start()
        _r(primary, "pw").set("k", "v1")
        conf = (f"replicaof {HOST} {primary.port}\nmasterauth pw\nrequirepass pw\n"
                f"unixsocket {sock}\nunixsocketperm 700\nmaxmemory 64mb\n"
                f"maxmemory-policy allkeys-lru\n")
        replica = ServerProcess(cairn_server_bin(), config_text=conf, name="replica").start()
        wait_until(lambda: _info(replica, "pw").get("master_link_status") == "up",
                   timeout=SYNC_TIMEOUT, what="the configured replica to sync")
        assert _info(replica, "pw")["master_port"] == primary.port
        via_socket = redis.Redis(unix_socket_path=str(sock), password="pw", socket_timeout=10)
        assert via_socket.get("k") == b"v1"
        primary.stop()
        wait_until(lambda: _info(replica, "pw")["master_link_status"] == "down",
                   timeout=SYNC_TIMEOUT, what="the link to go down")
        assert _r(replica, "pw").get("k") == b"v1", "stale data is still served"
        assert _info(replica, "pw")["master_link_down_since_seconds"] >= 0
        primary.start()  # a new process (fresh dataset) on a new port: re-point the replica
        _r(primary, "pw").set("k", "v2")
        _r(replica, "pw").execute_command("REPLICAOF", HOST, primary.port)
        wait_until(lambda: _r(replica, "pw").get("k") == b"v2", timeout=SYNC_TIMEOUT,
                   what="the replica to resync with the new primary")
        assert _r(replica, "pw").execute_command("REPLICAOF", HOST, primary.port) == \
            b"OK Already connected to specified master"
    finally:
        primary.cleanup()
        if replica is not None:
            replica.cleanup()


def test_replica_arriving_during_a_running_bgsave_gets_a_fresh_snapshot(cairn_trio):
    primary, r1, _ = cairn_trio
    p = _r(primary)
    pipe = p.pipeline(transaction=False)
    for i in range(50000):
        pipe.set(f"k{i}", "v" * 64)
    pipe.execute()
    assert p.bgsave() is True  # a save that began before the replica asked
    p.set("written-after-bgsave", "1")
    _attach(r1, primary)
    p.set("streamed", "1")
    _caught_up(primary, r1)
    assert _r(r1).mget("written-after-bgsave", "streamed") == [b"1", b"1"]
    assert _r(r1).dbsize() == p.dbsize()


def test_min_replicas_to_write(cairn_trio):
    primary, r1, _ = cairn_trio
    p = _r(primary)
    p.config_set("min-replicas-to-write", 1)
    with pytest.raises(redis.exceptions.ResponseError, match="NOREPLICAS"):
        p.set("k", "v")
    _attach(r1, primary)
    wait_until(lambda: p.set("k", "v"), timeout=SYNC_TIMEOUT, what="writes to be accepted")
    p.config_set("min-replicas-to-write", 0)


def test_dump_restore_replicates(cairn_trio):
    primary, r1, _ = cairn_trio
    _attach(r1, primary)
    p = _r(primary)
    p.set("src", "v" * 100)
    payload = p.dump("src")
    assert p.restore("dst", 100000, payload) == b"OK"
    _caught_up(primary, r1)
    assert _r(r1).get("dst") == b"v" * 100
    assert abs(_r(r1).pttl("dst") - p.pttl("dst")) < 2000


def test_failover_to_a_replica_without_data_loss(cairn_trio):
    primary, r1, r2 = cairn_trio
    _attach(r1, primary)
    _attach(r2, primary)
    p = _r(primary)
    p.mset({f"k{i}": i for i in range(1000)})
    with pytest.raises(redis.exceptions.ResponseError, match="No failover in progress"):
        p.execute_command("FAILOVER", "ABORT")
    with pytest.raises(redis.exceptions.ResponseError, match="not valid when server is a replica"):
        _r(r1).execute_command("FAILOVER")
    with pytest.raises(redis.exceptions.ResponseError, match="is not a replica"):
        p.execute_command("FAILOVER", "TO", HOST, 1)
    assert p.execute_command("FAILOVER", "TO", HOST, r1.port, "TIMEOUT", 10000) == b"OK"
    wait_until(lambda: _info(r1)["role"] == "master" and
               _info(primary).get("master_link_status") == "up", timeout=SYNC_TIMEOUT,
               what="the switchover")
    assert _info(primary)["master_failover_state"] == "no-failover"
    assert _info(primary)["master_port"] == r1.port
    with pytest.raises(redis.exceptions.ReadOnlyError):
        p.set("x", "1")
    _r(r1).set("after-failover", "1")
    _caught_up(r1, primary)
    assert _dataset(primary) == _dataset(r1)
    assert p.get("after-failover") == b"1"


def test_backlog_overflow_falls_back_to_a_full_sync(cairn_trio):
    primary, r1, _ = cairn_trio
    p = _r(primary)
    p.config_set("repl-backlog-size", "16kb")
    _attach(r1, primary)
    assert _info(primary)["repl_backlog_size"] == 16384
    full = _stat(primary, "sync_full")
    # One pipeline: the link is cut and 200 KB written before the replica can reconnect.
    pipe = p.pipeline(transaction=False)
    pipe.execute_command("CLIENT", "KILL", "TYPE", "replica")
    for i in range(200):
        pipe.set(f"big:{i}", "x" * 1000)
    pipe.execute()
    wait_until(lambda: _stat(primary, "sync_full") == full + 1, timeout=SYNC_TIMEOUT,
               what="a full sync after the backlog overflowed")
    assert _stat(primary, "sync_partial_err") >= 1
    _caught_up(primary, r1)
    assert _dataset(r1) == _dataset(primary)


def test_chained_replicas_proxy_the_stream_with_equal_offsets(cairn_trio):
    primary, r1, r2 = cairn_trio
    _attach(r1, primary)
    _r(primary, db=4).set("before-chain", "1")
    _caught_up(primary, r1)
    _attach(r2, r1)  # r2 full-syncs from a replica in the middle of the stream (db 4 selected)
    _r(primary, db=4).set("after-chain", "2")
    _r(primary).set("db0", "3")
    _caught_up(primary, r1)
    _caught_up(r1, r2)
    assert _dataset(r2) == _dataset(primary)
    assert _info(r2)["master_repl_offset"] == _info(primary)["master_repl_offset"]
    assert _info(r2)["master_replid"] == _info(primary)["master_replid"]


def test_restarted_replica_continues_partially_from_its_snapshot():
    with ServerProcess(cairn_server_bin(), name="primary") as primary:
        replica = ServerProcess(cairn_server_bin(), name="replica", persistence=True,
                                config_text=f"replicaof {HOST} {primary.port}\n")
        try:
            replica.start()
            wait_until(lambda: _info(replica).get("master_link_status") == "up",
                       timeout=SYNC_TIMEOUT, what="the first sync")
            _r(primary).set("k", "v")
            _caught_up(primary, replica)
            full = _stat(primary, "sync_full")
            assert replica.stop() == 0  # SIGTERM with save points: saves repl-id and offset
            _r(primary).set("while-down", "1")
            replica.start()
            wait_until(lambda: _r(replica).get("while-down") == b"1", timeout=SYNC_TIMEOUT,
                       what="the restarted replica to catch up")
            assert _stat(primary, "sync_full") == full, "no second full sync"
            assert _stat(primary, "sync_partial_ok") >= 1
        finally:
            replica.cleanup()


def _sync_stream(primary):
    """A raw SYNC link to `primary`: returns (socket, buffered bytes after the snapshot)."""
    import socket
    sock = socket.create_connection((HOST, primary.port), timeout=SYNC_TIMEOUT)
    sock.sendall(b"SYNC\r\n")
    buf = b""
    while True:
        buf = buf.lstrip(b"\n")
        if buf.startswith(b"$") and b"\r\n" in buf:
            header, rest = buf.split(b"\r\n", 1)
            size = int(header[1:])
            while len(rest) < size:
                rest += sock.recv(65536)
            return sock, rest[size:]
        buf += sock.recv(65536)


def _stream_commands(sock, buf, count):
    """Reads the stream until `count` commands other than PING and SELECT arrived."""
    from cairn_testlib import decode_all
    seen = []
    while True:
        try:
            commands = decode_all(buf)
            seen = [c for c in commands if c[0].upper() not in (b"PING", b"SELECT")]
            if len(seen) >= count:
                return seen
        except Exception:  # an incomplete command at the end: read more
            pass
        buf += sock.recv(65536)


def test_zset_writes_reach_replicas_as_redis_rewrites_them():
    """ZADD INCR goes as is; BZPOPMIN/ZMPOP/BZMPOP (immediate and served after blocking) go as
    ZPOPMIN/ZPOPMAX with Redis's arguments; a redis-server replica ends with the same sets."""
    with ServerProcess(cairn_server_bin(), ["--enable-debug-command", "yes"],
                       name="cairn") as primary, \
            ServerProcess(redis_server_bin(), ["--enable-debug-command", "yes"],
                          name="redis") as replica:
        p = _r(primary)
        p.zadd("big", {f"m{i}": i / 3 for i in range(300)})
        p.zadd("small", {"a": 1, "b": 2.5, "c": -1})
        _attach(replica, primary)
        sock, buf = _sync_stream(primary)
        waiter = _r(primary)
        blocked = threading.Thread(target=lambda: waiter.bzpopmax("later", 0))
        blocked.start()
        wait_until(lambda: p.info("clients")["blocked_clients"] == 1, what="a blocked client")
        p.execute_command("ZADD", "small", "INCR", "2", "a")
        p.execute_command("ZPOPMIN", "small")
        p.execute_command("BZPOPMIN", "missing", "big", "0")
        p.execute_command("ZMPOP", "1", "big", "MAX", "COUNT", "2")
        p.execute_command("BZMPOP", "0", "1", "big", "MIN", "COUNT", "3")
        p.execute_command("ZADD", "later", "1", "x", "2", "y")
        blocked.join(timeout=SYNC_TIMEOUT)
        got = _stream_commands(sock, buf, 7)
        sock.close()
        assert got == [[b"ZADD", b"small", b"INCR", b"2", b"a"], [b"ZPOPMIN", b"small"],
                       [b"ZPOPMIN", b"big"], [b"ZPOPMAX", b"big", b"2"],
                       [b"ZPOPMIN", b"big", b"3"], [b"ZADD", b"later", b"1", b"x", b"2", b"y"],
                       [b"ZPOPMAX", b"later"]]
        _caught_up(primary, replica)
        for key in ("big", "small", "later"):
            assert _r(replica).zrange(key, 0, -1, withscores=True) == \
                p.zrange(key, 0, -1, withscores=True)
        assert _r(replica).execute_command("DEBUG", "DIGEST") == \
            p.execute_command("DEBUG", "DIGEST")
