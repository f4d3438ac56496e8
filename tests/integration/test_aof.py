"""Append-only file persistence end to end with real processes: Redis 7.0's multi-part layout
(dir/appendonlydir/ with a manifest, base and incr files), kill -9 and restart with nothing
acknowledged lost (appendfsync always), BGREWRITEAOF, directories written by cairn-server loaded
by Debian's redis-server (and accepted by redis-check-aof) and the other way round, truncated and
corrupt files, CONFIG SET appendonly at runtime, the upgrade of an old single-file AOF, and
-MISCONF while AOF writes fail. Datasets are compared key by key with redis-py."""

import os
import re
import shutil
import signal
import subprocess

import pytest
import redis

from cairn_testlib import (HOST, RespClient, ServerProcess, cairn_server_bin, redis_server_bin,
                           run_server_expecting_exit, wait_until)

TTL_TOLERANCE_MS = 5000
AOF_DIR = "appendonlydir"
MANIFEST = "appendonly.aof.manifest"


def _client(server, db=0):
    return redis.Redis(host=HOST, port=server.port, db=db, socket_timeout=10)


def _start(binary, name, directory=None, args=()):
    """A server with AOF on; `directory` (copied into its temp dir) holds an existing AOF."""
    server = ServerProcess(binary, name=name, persistence=True,
                           args=["--save", "", "--appendonly", "yes", *args])
    if directory is not None:
        for entry in os.listdir(directory):
            src = os.path.join(directory, entry)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(server.dir, entry))
            else:
                shutil.copy(src, server.dir)
    return server.start()


def _fill(r):
    """Data of every type, small and large encodings, TTLs, three dbs, a transaction, a script,
    deletions and overwrites: what the stream must replay exactly."""
    r.set("str", "hello")
    r.set("int", 12345)
    r.incrby("int", 5)
    r.set("big", "x" * 50_000)
    r.set("binary", b"\x00\xff\r\n*1\r\n")
    r.set("ttl", "soon", ex=3600)
    r.set("gone", "x")
    r.delete("gone")
    r.set("expired", "x", px=1)
    r.rpush("list", *[f"item{i}" for i in range(300)])
    r.lpop("list")
    r.hset("hash", mapping={f"f{i}": f"v{i}" for i in range(200)})
    r.hset("smallhash", mapping={"a": "1"})
    r.sadd("intset", *range(50))
    r.sadd("set", *[f"m{i}" for i in range(300)])
    r.srem("set", "m7")
    r.zadd("zset", {f"p{i}": i * 1.5 for i in range(300)})
    r.zadd("smallzset", {"a": 1, "b": float("inf")})
    r.xadd("stream", {"a": "1"}, id="1-1")
    r.xadd("stream", {"b": "2"}, id="2-1")
    r.xgroup_create("stream", "g", id="0")
    r.xreadgroup("g", "c1", {"stream": ">"}, count=1)
    pipe = r.pipeline(transaction=True)
    pipe.incr("counter")
    pipe.rpush("txlist", "a", "b")
    pipe.execute()
    r.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('expire', KEYS[1], 7200)", 1,
           "scripted", "by-lua")
    r3 = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                     port=r.connection_pool.connection_kwargs["port"], db=3, socket_timeout=10)
    r3.set("db3", "three", ex=7200)
    r3.rpush("db3list", "x")
    r3.close()


def _value(r, key, kind):
    if kind == "string":
        return r.get(key)
    if kind == "list":
        return r.lrange(key, 0, -1)
    if kind == "hash":
        return r.hgetall(key)
    if kind == "set":
        return sorted(r.smembers(key))
    if kind == "zset":
        return r.zrange(key, 0, -1, withscores=True)
    if kind == "stream":
        groups = [(g["name"], g["last-delivered-id"], g["pending"])
                  for g in r.xinfo_groups(key)]
        return (r.xrange(key), groups, r.xinfo_stream(key)["last-generated-id"])
    raise AssertionError(f"unexpected type {kind}")


def _dataset(server):
    """{(db, key): (type, value, pttl)} of every key on `server`."""
    out = {}
    for db in range(16):
        r = _client(server, db)
        for key in r.scan_iter(count=1000):
            kind = r.type(key).decode()
            out[(db, key)] = (kind, _value(r, key, kind), r.pttl(key))
        r.close()
    return out


def _assert_same(a, b):
    assert a.keys() == b.keys(), set(a.keys()) ^ set(b.keys())
    for k, (kind, value, pttl) in a.items():
        other_kind, other_value, other_pttl = b[k]
        assert (kind, value) == (other_kind, other_value), k
        assert (pttl == -1) == (other_pttl == -1), k
        assert abs(pttl - other_pttl) < TTL_TOLERANCE_MS, k


def _info(server):
    return _client(server).info("persistence")


def _manifest(server):
    with open(os.path.join(server.dir, AOF_DIR, MANIFEST), encoding="utf-8") as f:
        return f.read()


def _kill9(server):
    os.kill(server.pid, signal.SIGKILL)
    server.proc.wait()
    server.proc = None


def _rewrite(server):
    before = _info(server)["aof_rewrites"]
    assert _client(server).bgrewriteaof() in (True, b"Background append only file rewriting started")
    wait_until(lambda: _info(server)["aof_rewrites"] == before + 1
               and _info(server)["aof_rewrite_in_progress"] == 0, what="AOF rewrite done")
    assert _info(server)["aof_last_bgrewrite_status"] == "ok"


def test_kill9_with_appendfsync_always_loses_nothing_acknowledged():
    server = _start(cairn_server_bin(), "cairn-aof", args=["--appendfsync", "always"])
    try:
        assert _manifest(server) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                                     "file appendonly.aof.1.incr.aof seq 1 type i\n")
        info = _info(server)
        assert info["aof_enabled"] == 1 and info["aof_last_write_status"] == "ok"
        for field in ("aof_current_size", "aof_base_size", "aof_pending_rewrite",
                      "aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync"):
            assert field in info, field
        r = _client(server)
        _fill(r)
        r.flushdb()  # db 0 emptied, then refilled: FLUSHDB must replay too
        _fill(r)
        expected = _dataset(server)
        _kill9(server)
        server.start()
        _assert_same(expected, _dataset(server))
        assert "DB loaded from append only file" in open(server.logfile, encoding="utf-8").read()
    finally:
        server.cleanup()


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_bgrewriteaof_then_restart_and_old_files_removed(preamble):
    server = _start(cairn_server_bin(), "cairn-aof", args=["--aof-use-rdb-preamble", preamble])
    try:
        r = _client(server)
        _fill(r)
        _rewrite(server)
        ext = "rdb" if preamble == "yes" else "aof"
        assert _manifest(server) == (f"file appendonly.aof.2.base.{ext} seq 2 type b\n"
                                     "file appendonly.aof.2.incr.aof seq 2 type i\n")
        assert sorted(os.listdir(os.path.join(server.dir, AOF_DIR))) == sorted(
            [MANIFEST, f"appendonly.aof.2.base.{ext}", "appendonly.aof.2.incr.aof"])
        r.set("after-rewrite", "1")
        r.rpush("list", "tail")
        expected = _dataset(server)
        _kill9(server)
        server.start()
        _assert_same(expected, _dataset(server))
    finally:
        server.cleanup()


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_redis_server_loads_our_directory_and_redis_check_aof_accepts_it(preamble):
    ours = _start(cairn_server_bin(), "cairn-aof", args=["--aof-use-rdb-preamble", preamble])
    try:
        r = _client(ours)
        _fill(r)
        _rewrite(ours)
        r.set("in-incr", "yes")
        r.hset("hash", "extra", "1")
        expected = _dataset(ours)
        assert ours.stop() == 0
        manifest = os.path.join(ours.dir, AOF_DIR, MANIFEST)
        check = subprocess.run(["redis-check-aof", manifest], capture_output=True, text=True,
                               timeout=60)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "is valid" in check.stdout
        theirs = _start(redis_server_bin(), "redis-aof", directory=ours.dir)
        try:
            _assert_same(expected, _dataset(theirs))
        finally:
            theirs.cleanup()
    finally:
        ours.cleanup()


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_we_load_a_directory_written_by_redis_server(preamble):
    theirs = _start(redis_server_bin(), "redis-aof", args=["--aof-use-rdb-preamble", preamble])
    try:
        r = _client(theirs)
        _fill(r)
        _rewrite(theirs)
        r.set("in-incr", "yes")
        r.zadd("zset", {"late": 99})
        expected = _dataset(theirs)
        assert theirs.stop() == 0
        ours = _start(cairn_server_bin(), "cairn-aof", directory=theirs.dir)
        try:
            _assert_same(expected, _dataset(ours))
            _client(ours).set("appended-by-cairn", "1")  # continues the last incr file
            assert "appended-by-cairn" in open(
                os.path.join(ours.dir, AOF_DIR, "appendonly.aof.2.incr.aof"), "rb").read().decode(
                    "latin-1")
        finally:
            ours.cleanup()
    finally:
        theirs.cleanup()


def _written_directory(tmp_path):
    """An AOF directory holding a few keys in its incr file; returns (dir, incr path)."""
    server = _start(cairn_server_bin(), "cairn-aof")
    try:
        r = _client(server)
        for i in range(10):
            r.set(f"k{i}", i)
        assert server.stop() == 0
        target = tmp_path / "src"
        shutil.copytree(server.dir, target, ignore=shutil.ignore_patterns("*.log", "*.txt"))
    finally:
        server.cleanup()
    return target, target / AOF_DIR / "appendonly.aof.1.incr.aof"


def _run_on(directory, *args):
    return run_server_expecting_exit(
        cairn_server_bin(), ["--port", "0", "--unixsocket", str(directory / "s.sock"), "--dir",
                             str(directory), "--appendonly", "yes", "--save", "", *args],
        cwd=str(directory))


def test_truncated_tail_is_tolerated_or_refused_per_aof_load_truncated(tmp_path):
    directory, incr = _written_directory(tmp_path)
    full = incr.stat().st_size
    with open(incr, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$2\r\nk")  # a command cut short by a crash
    code, out = _run_on(directory, "--aof-load-truncated", "no")
    assert code == 1
    assert "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof" in out
    assert f"valid up to offset {full}" in out
    server = _start(cairn_server_bin(), "cairn-aof", directory=directory,
                    args=["--aof-load-truncated", "yes"])
    try:
        assert _client(server).get("k9") == b"9"
        assert os.path.getsize(os.path.join(server.dir, AOF_DIR,
                                            "appendonly.aof.1.incr.aof")) == full
        assert "Truncating the AOF appendonly.aof.1.incr.aof" in open(server.logfile).read()
    finally:
        server.cleanup()


def test_corruption_in_the_middle_and_bad_manifests_are_refused(tmp_path):
    directory, incr = _written_directory(tmp_path)
    data = incr.read_bytes()
    incr.write_bytes(data[:20] + b"garbage!" + data[28:])
    code, out = _run_on(directory)
    assert code == 1 and "Bad file format reading the append only file" in out, out
    manifest = directory / AOF_DIR / MANIFEST
    for text, reason in [(b"file x seq 1 type q\n", "Unknown AOF file type"),
                         (b"", "Found an empty AOF manifest"),
                         (b"file gone.aof seq 1 type i\n", "gone.aof doesn't exist")]:
        manifest.write_bytes(text)
        code, out = _run_on(directory)
        assert code == 1 and reason in out, out


def test_config_set_appendonly_yes_at_runtime_creates_the_directory_and_logs():
    server = ServerProcess(cairn_server_bin(), name="cairn-aof").start()
    try:
        r = _client(server)
        r.set("before", "1")
        assert not os.path.exists(os.path.join(server.dir, AOF_DIR))
        assert r.config_set("appendonly", "yes")
        wait_until(lambda: _info(server)["aof_rewrites"] == 1
                   and _info(server)["aof_rewrite_in_progress"] == 0, what="AOF turned on")
        assert _manifest(server) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                                     "file appendonly.aof.1.incr.aof seq 1 type i\n")
        r.set("after", "2")
        assert r.config_get("appendonly") == {"appendonly": "yes"}
        wait_until(lambda: os.path.getsize(os.path.join(
            server.dir, AOF_DIR, "appendonly.aof.1.incr.aof")) > 0, what="incr written")
        _kill9(server)
        server.extra_args += ["--appendonly", "yes"]
        server.start()
        assert _client(server).mget("before", "after") == [b"1", b"2"]
        assert _client(server).config_set("appendonly", "no")
        assert _info(server)["aof_enabled"] == 0
        with pytest.raises(redis.ResponseError, match="can't set immutable config"):
            _client(server).config_set("appenddirname", "x")
    finally:
        server.cleanup()


def test_old_single_file_aof_is_upgraded(tmp_path):
    server = ServerProcess(cairn_server_bin(), name="cairn-aof", persistence=True,
                           args=["--save", "", "--appendonly", "yes"])
    commands = b"".join(
        f"*3\r\n$3\r\nSET\r\n${len(k)}\r\n{k}\r\n$1\r\n1\r\n".encode() for k in ("a", "b"))
    with open(os.path.join(server.dir, "appendonly.aof"), "wb") as f:
        f.write(commands)
    try:
        server.start()
        assert _client(server).mget("a", "b") == [b"1", b"1"]
        assert _manifest(server) == ("file appendonly.aof seq 1 type b\n"
                                     "file appendonly.aof.1.incr.aof seq 1 type i\n")
        assert not os.path.exists(os.path.join(server.dir, "appendonly.aof"))
        _client(server).set("c", "1")
        assert server.stop() == 0
        theirs = _start(redis_server_bin(), "redis-aof", directory=server.dir)
        try:
            assert _client(theirs).mget("a", "b", "c") == [b"1", b"1", b"1"]
        finally:
            theirs.cleanup()
    finally:
        server.cleanup()


def test_timestamp_annotations_are_written_and_skipped_on_load():
    server = _start(cairn_server_bin(), "cairn-aof", args=["--aof-timestamp-enabled", "yes"])
    try:
        _client(server).set("k", "v")
        incr = os.path.join(server.dir, AOF_DIR, "appendonly.aof.1.incr.aof")
        wait_until(lambda: os.path.getsize(incr) > 0, what="incr written")
        assert re.match(rb"#TS:\d+\r\n\*2\r\n\$6\r\nSELECT", open(incr, "rb").read())
        _kill9(server)
        server.start()
        assert _client(server).get("k") == b"v"
    finally:
        server.cleanup()


def test_replica_records_its_primarys_stream_in_its_aof():
    primary = ServerProcess(cairn_server_bin(), name="cairn-primary").start()
    replica = _start(cairn_server_bin(), "cairn-aof-replica")
    try:
        p = _client(primary)
        p.set("before-sync", "1")
        _client(replica).execute_command("REPLICAOF", HOST, primary.port)
        wait_until(lambda: _client(replica).get("before-sync") == b"1", what="full sync")
        # The full sync replaced the dataset: the AOF restarts from a rewrite of it.
        wait_until(lambda: _info(replica)["aof_rewrites"] == 1
                   and _info(replica)["aof_rewrite_in_progress"] == 0, what="AOF restarted")
        pipe = p.pipeline(transaction=True)
        pipe.incr("n")
        pipe.rpush("l", "a")
        pipe.execute()
        p.set("after-sync", "2", ex=3600)
        wait_until(lambda: _client(replica).get("after-sync") == b"2", what="stream applied")
        expected = _dataset(replica)
        _kill9(replica)
        replica.start()  # started without replicaof: it is a primary with its AOF's data
        _assert_same(expected, _dataset(replica))
    finally:
        replica.cleanup()
        primary.cleanup()


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_failed_aof_writes_refuse_writes_with_misconf_until_a_write_succeeds(engine):
    binary = cairn_server_bin() if engine == "cairn" else redis_server_bin()
    server = _start(binary, f"{engine}-aof")
    try:
        r = _client(server)
        r.set("before", "1")
        # The incr file the next rewrite opens is /dev/full: each write to it fails (ENOSPC).
        os.symlink("/dev/full", os.path.join(server.dir, AOF_DIR, "appendonly.aof.2.incr.aof"))
        _rewrite(server)
        assert r.set("buffered", "1") is True  # accepted; its write to the file fails
        misconf = b"-MISCONF Errors writing to the AOF file: No space left on device\r\n"
        with RespClient(HOST, server.port, timeout=10) as c:
            wait_until(lambda: c.call("SET", "k", "v") == misconf, what="writes to be refused")
            assert c.call("PING") == misconf
            assert c.call("GET", "before") == b"$1\r\n1\r\n"  # reads go on
            assert _info(server)["aof_last_write_status"] == "err"
            # The next rewrite opens a new incr file: the held writes go there, writes resume.
            _rewrite(server)
            wait_until(lambda: _info(server)["aof_last_write_status"] == "ok",
                       what="the AOF write error to be solved")
            assert c.call("SET", "after", "1") == b"+OK\r\n"
        expected = _dataset(server)
        assert server.stop() == 0
        server.start()
        after_restart = _dataset(server)
        _assert_same(expected, after_restart)
        assert {key for _, key in after_restart} >= {b"before", b"buffered", b"after"}
    finally:
        server.cleanup()
