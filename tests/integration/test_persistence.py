"""RDB snapshots end to end with real processes: cairn-server's dump.rdb loaded by Debian's
redis-server and accepted by redis-check-rdb, redis-server's dump.rdb loaded by cairn-server
(compared key by key with TTLs), SAVE/BGSAVE/LASTSAVE, save points, FLUSHALL, DEBUG RELOAD,
SHUTDOWN SAVE, corrupt or truncated files refused at start-up with a clear message, and -LOADING
answered while the dataset loads at start-up (from dump.rdb or the AOF)."""

import os
import shutil
import subprocess
import time

import pytest
import redis

from cairn_testlib import (HOST, RespClient, ServerProcess, cairn_server_bin, redis_server_bin,
                           run_server_expecting_exit, wait_until)

TTL_TOLERANCE_MS = 5000


def _client(server):
    return redis.Redis(host=HOST, port=server.port, socket_timeout=10)


def _fill(r):
    """Strings of every RDB encoding over three dbs, some with TTLs. Returns nothing."""
    values = {"int8": "7", "int16": "-3000", "int32": "2000000000", "int64": "9223372036854775807",
              "lzf": "abc" * 300, "raw": "hello world", "empty": "", "binary": b"\x00\xff\r\n",
              "noncanonical": "007", "123": "numeric key"}
    r.mset(values)
    r.set("ttl", "v", px=3_600_000)
    pipe = r.pipeline(transaction=False)
    for i in range(2000):
        pipe.set(f"bulk:{i}", f"value-{i}" * (i % 7))
    pipe.execute()
    r.execute_command("SELECT", 3)
    r.set("db3", "three", ex=7200)
    r.execute_command("SELECT", 15)
    r.set("db15", "fifteen")
    r.execute_command("SELECT", 0)


def _dump(server):
    """{(db, key): (value, pttl)} of every key on `server`."""
    out = {}
    for db in range(16):
        r = redis.Redis(host=HOST, port=server.port, db=db, socket_timeout=10)
        for key in r.scan_iter(count=1000):
            out[(db, key)] = (r.get(key), r.pttl(key))
        r.close()
    return out


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for k, (value, pttl) in a.items():
        other_value, other_pttl = b[k]
        assert value == other_value, k
        assert (pttl == -1) == (other_pttl == -1), k
        assert abs(pttl - other_pttl) < TTL_TOLERANCE_MS, k


def _start_with_file(binary, name, rdb_path):
    server = ServerProcess(binary, name=name, persistence=True)
    shutil.copy(rdb_path, os.path.join(server.dir, "dump.rdb"))
    return server.start()


def test_redis_server_loads_our_snapshot_and_redis_check_rdb_accepts_it():
    with ServerProcess(cairn_server_bin(), name="cairn") as cairn:
        r = _client(cairn)
        _fill(r)
        before = _dump(cairn)
        assert r.save() is True
        rdb = os.path.join(cairn.dir, "dump.rdb")
        check = subprocess.run(["redis-check-rdb", rdb], capture_output=True, text=True,
                               timeout=60)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "RDB looks OK" in check.stdout
        real = _start_with_file(redis_server_bin(), "redis", rdb)
        try:
            _assert_same(before, _dump(real))
        finally:
            real.cleanup()


def test_we_load_redis_servers_snapshot():
    with ServerProcess(redis_server_bin(), name="redis") as real:
        r = _client(real)
        _fill(r)
        before = _dump(real)
        assert r.save() is True
        cairn = _start_with_file(cairn_server_bin(), "cairn", os.path.join(real.dir, "dump.rdb"))
        try:
            _assert_same(before, _dump(cairn))
            info = _client(cairn).info("persistence")
            assert info["rdb_last_load_keys_loaded"] == len(before)
        finally:
            cairn.cleanup()


def test_we_load_uncompressed_and_unchecksummed_redis_files():
    args = ["--rdbcompression", "no", "--rdbchecksum", "no"]
    with ServerProcess(redis_server_bin(), args, name="redis") as real:
        r = _client(real)
        _fill(r)
        before = _dump(real)
        assert r.save() is True
        cairn = _start_with_file(cairn_server_bin(), "cairn", os.path.join(real.dir, "dump.rdb"))
        try:
            _assert_same(before, _dump(cairn))
        finally:
            cairn.cleanup()


def test_save_bgsave_lastsave_and_restart():
    server = ServerProcess(cairn_server_bin(), name="cairn", persistence=True)
    try:
        server.start()
        r = _client(server)
        r.set("a", "1")
        assert r.info("persistence")["rdb_changes_since_last_save"] == 1
        assert r.bgsave() is True
        wait_until(lambda: r.info("persistence")["rdb_bgsave_in_progress"] == 0,
                   what="BGSAVE to finish")
        info = r.info("persistence")
        assert info["rdb_last_bgsave_status"] == "ok"
        assert info["rdb_changes_since_last_save"] == 0
        assert r.lastsave().timestamp() > 0
        r.set("b", "2", ex=1000)
        try:
            r.execute_command("SHUTDOWN", "SAVE")
        except redis.exceptions.ConnectionError:
            pass  # SHUTDOWN closes the connection without a reply
        wait_until(lambda: not server.alive(), what="SHUTDOWN SAVE to exit")
        assert server.stop() == 0
        server.start()
        r = _client(server)
        assert r.get("a") == b"1" and r.get("b") == b"2"
        assert 990_000 < r.pttl("b") <= 1_000_000
    finally:
        server.cleanup()


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_bgsave_reports_its_copy_on_write_size(engine):
    binary = cairn_server_bin() if engine == "cairn" else redis_server_bin()
    with ServerProcess(binary, ["--save", ""], name=engine, persistence=True) as server:
        r = _client(server)
        assert r.info("persistence")["rdb_last_cow_size"] == 0
        pipe = r.pipeline(transaction=False)
        for i in range(20000):
            pipe.set(f"k{i}", "v" * 100)
        pipe.execute()
        assert r.bgsave() is True
        # Overwrites while the child writes: the pages it still maps become its own copies.
        while r.info("persistence")["rdb_bgsave_in_progress"] == 1:
            pipe = r.pipeline(transaction=False)
            for i in range(0, 20000, 7):
                pipe.set(f"k{i}", "w" * 100)
            pipe.execute()
        info = r.info("persistence")
        assert info["rdb_last_bgsave_status"] == "ok"
        assert info["rdb_last_cow_size"] > 0


def test_save_points_flushall_and_debug_reload():
    args = ["--save", "1 1", "--enable-debug-command", "yes"]
    server = ServerProcess(cairn_server_bin(), args, name="cairn", persistence=True)
    try:
        server.start()
        r = _client(server)
        assert r.config_get("save") == {"save": "1 1"}
        r.set("k", "v")
        wait_until(lambda: r.info("persistence")["rdb_saves"] >= 1, timeout=15,
                   what="the save point to fire a BGSAVE")
        assert os.path.exists(os.path.join(server.dir, "dump.rdb"))
        r.set("x", "y", ex=500)
        assert r.execute_command("DEBUG", "RELOAD") == b"OK"
        assert r.get("x") == b"y" and r.ttl("x") > 400
        assert r.flushall() is True  # save points set: FLUSHALL writes the empty dataset
        r.config_set("save", "")
        assert r.config_get("save") == {"save": ""}
        r.set("after", "1")
        server.stop()
        server.start()
        assert _client(server).dbsize() == 0, "the file FLUSHALL wrote is empty"
        r = _client(server)
        assert r.bgsave() is True
        try:
            r.execute_command("BGSAVE")
        except redis.exceptions.ResponseError as e:
            assert "already in progress" in str(e)
        assert r.execute_command("BGSAVE", "SCHEDULE") is True  # redis-py maps the status
        wait_until(lambda: r.info("persistence")["rdb_saves"] >= 2, timeout=15,
                   what="the scheduled BGSAVE")
    finally:
        server.cleanup()


def _refused(tmp_path, data):
    path = tmp_path / "dump.rdb"
    path.write_bytes(data)
    code, out = run_server_expecting_exit(
        cairn_server_bin(), ["--port", "0", "--unixsocket", str(tmp_path / "s.sock"),
                             "--dir", str(tmp_path)], timeout=20)
    assert code not in (0, None), out
    return out


def test_corrupt_or_truncated_snapshot_is_refused_at_start_up(tmp_path):
    with ServerProcess(cairn_server_bin(), name="cairn") as cairn:
        r = _client(cairn)
        _fill(r)
        r.save()
        good = open(os.path.join(cairn.dir, "dump.rdb"), "rb").read()
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    out = _refused(tmp_path, bytes(flipped))
    assert "Fatal error loading the DB" in out and "offset" in out
    out = _refused(tmp_path, good[: len(good) - 100])
    assert "unexpected end of file" in out and "offset" in out
    out = _refused(tmp_path, b"REDIS0010\xfe\x00\x07\x01z")  # a type not held: module data
    assert "module-2" in out


def test_failed_bgsave_refuses_writes_with_misconf(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    with ServerProcess(cairn_server_bin(), ["--save", "3600 1"], name="cairn",
                       persistence=True) as server:
        r = _client(server)
        r.config_set("dir", str(gone))
        gone.rmdir()  # the temp file cannot be created now, even as root
        assert r.bgsave() is True
        wait_until(lambda: r.info("persistence")["rdb_last_bgsave_status"] == "err",
                   what="the BGSAVE to fail")
        try:
            r.set("k", "v")
            raise AssertionError("SET should be refused")
        except redis.exceptions.ResponseError as e:
            assert str(e).startswith("MISCONF Redis is configured to save RDB snapshots")
        assert r.get("k") is None  # reads still work
        r.config_set("stop-writes-on-bgsave-error", "no")
        assert r.set("k", "v") is True
        try:
            r.config_set("dbfilename", "a/b.rdb")
            raise AssertionError("a path must be refused")
        except redis.exceptions.ResponseError as e:
            assert "dbfilename can't be a path, just a filename" in str(e)


# Loading at start-up ---------------------------------------------------------------------------

LOADING = b"-LOADING Redis is loading the dataset in memory\r\n"
LOADED_KEYS = 5000


def _binary(engine):
    return cairn_server_bin() if engine == "cairn" else redis_server_bin()


def _saved_dataset(engine, source, into):
    """Writes LOADED_KEYS keys with `engine` and copies what it persisted (dump.rdb, or the AOF
    directory with an RDB base and commands after it) into the directory `into`."""
    aof = ["--appendonly", "yes"] if source == "aof" else []
    with ServerProcess(_binary(engine), aof, name=engine, persistence=True) as first:
        r = _client(first)
        pipe = r.pipeline(transaction=False)
        for i in range(LOADED_KEYS - 10):
            pipe.set(f"k{i}", "v" * 32)
        pipe.execute()
        if source == "aof":
            r.bgrewriteaof()
            wait_until(lambda: r.info("persistence")["aof_rewrite_in_progress"] == 0 and
                       r.info("persistence")["aof_rewrite_scheduled"] == 0,
                       what="BGREWRITEAOF to finish")
            r.mset({f"k{i}": "v" * 32 for i in range(LOADED_KEYS - 10, LOADED_KEYS)})  # incr
            shutil.copytree(os.path.join(first.dir, "appendonlydir"),
                            os.path.join(into, "appendonlydir"))
        else:
            r.mset({f"k{i}": "v" * 32 for i in range(LOADED_KEYS - 10, LOADED_KEYS)})
            r.save()
            shutil.copy(os.path.join(first.dir, "dump.rdb"), into)
    return aof


def _slow_loader(engine, source, delay_us):
    """A launched (not yet answering) server of `engine` loading the saved dataset with
    key-load-delay `delay_us` per key, serving clients every KiB of input."""
    server = ServerProcess(_binary(engine), name=f"{engine}-loading", persistence=True)
    aof = _saved_dataset(engine, source, server.dir)
    server.extra_args = aof + ["--key-load-delay", str(delay_us),
                               "--loading-process-events-interval-bytes", "1024"]
    return server.launch()


def _connect(server):
    """A RespClient to `server` once it accepts connections."""
    clients = []

    def connected():
        try:
            clients.append(RespClient(HOST, server.port, timeout=10))
            return True
        except OSError:
            assert server.alive(), server.describe()
            return False
    wait_until(connected, what="the server to listen")
    return clients[0]


def _info_fields(client, section):
    text = client.call("INFO", section).decode()
    return dict(line.split(":", 1) for line in text.split("\r\n")[1:] if ":" in line)


@pytest.mark.parametrize("source", ["rdb", "aof"])
@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_clients_get_loading_while_the_dataset_loads_at_start_up(engine, source):
    server = _slow_loader(engine, source, delay_us=300)  # about 1.5 s of loading
    try:
        with _connect(server) as c:
            wait_until(lambda: _info_fields(c, "persistence")["loading"] == "1", interval=0.001,
                       what="the load to be under way")
            assert c.call("GET", "k1") == LOADING
            assert c.call("PING") == LOADING
            persistence = _info_fields(c, "persistence")
            assert int(persistence["loading_total_bytes"]) > 0
            assert 0 <= float(persistence["loading_loaded_perc"]) <= 100
            assert c.call("CONFIG", "SET", "key-load-delay", "0") == b"+OK\r\n"
            wait_until(lambda: c.call("PING") == b"+PONG\r\n", what="the load to finish")
            assert _info_fields(c, "persistence")["loading"] == "0"
            assert c.call("DBSIZE") == f":{LOADED_KEYS}\r\n".encode()
            assert c.call("GET", f"k{LOADED_KEYS - 1}") == b"$32\r\n" + b"v" * 32 + b"\r\n"
    finally:
        server.cleanup()


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_sigterm_while_loading_exits_at_once_and_keeps_the_snapshot(engine):
    server = _slow_loader(engine, "rdb", delay_us=5000)  # about 25 s of loading
    path = os.path.join(server.dir, "dump.rdb")
    before = open(path, "rb").read()
    try:
        with _connect(server) as c:
            wait_until(lambda: _info_fields(c, "persistence")["loading"] == "1", interval=0.001,
                       what="the load to be under way")
        started = time.monotonic()
        assert server.stop() == 0, server.describe()
        assert time.monotonic() - started < 10
        assert open(path, "rb").read() == before  # half a dataset never replaces the file
    finally:
        server.cleanup()
