"""Scripts under load with Debian's redis-py: a token-bucket rate limiter and a lock released by
compare-and-delete, driven from several client threads with exact counts; sandbox escape attempts
each answered with an error while the server stays healthy; a busy script stopped by SCRIPT KILL
from another client; a writing script refused by SCRIPT KILL and ended by SHUTDOWN NOSAVE; and
script effects reaching a replica."""

import threading
import time

import pytest
import redis

from cairn_testlib import HOST, ServerProcess, cairn_server_bin, wait_until

# Token bucket: KEYS[1] the bucket hash; ARGV capacity, refill per second, now (ms). Takes one
# token if there is one; returns 1 (allowed) or 0.
TOKEN_BUCKET = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - ts) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return allowed
"""

# Lock release: deletes KEYS[1] only if it still holds ARGV[1] (the owner's token).
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@pytest.fixture
def r(server):
    client = redis.Redis(host=HOST, port=server.port, socket_timeout=30)
    yield client
    client.close()


def _clients(server, n):
    return [redis.Redis(host=HOST, port=server.port, socket_timeout=30) for _ in range(n)]


def _run_threads(target, n):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except Exception as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


def test_token_bucket_admits_exactly_capacity(server, r):
    # A frozen clock (now is an argument): no refill, so exactly `capacity` calls pass.
    sha = r.script_load(TOKEN_BUCKET)
    clients = _clients(server, 8)
    allowed = [0] * 8

    def worker(i):
        for _ in range(100):
            allowed[i] += clients[i].evalsha(sha, 1, "bucket", 250, 0, 1000)

    _run_threads(worker, 8)
    assert sum(allowed) == 250
    assert float(r.hget("bucket", "tokens")) == 0
    # 500 ms later at 100 tokens/s: 50 more.
    more = sum(r.evalsha(sha, 1, "bucket", 250, 100, 1500) for _ in range(80))
    assert more == 50
    for c in clients:
        c.close()


def test_lock_with_compare_and_delete_release(server, r):
    release = r.register_script(RELEASE)
    clients = _clients(server, 6)
    acquired = [0] * 6
    counter_key = "protected"

    def worker(i):
        c = clients[i]
        token = f"owner-{i}"
        for _ in range(60):
            while not c.set("lock", token, nx=True, px=10000):
                pass
            # Critical section: a non-atomic read-modify-write is safe under the lock.
            value = int(c.get(counter_key) or 0)
            c.set(counter_key, value + 1)
            assert release(keys=["lock"], args=[token], client=c) == 1
            acquired[i] += 1
        # Releasing a lock held by nobody (or somebody else) deletes nothing.
        assert release(keys=["lock"], args=[token], client=c) == 0

    _run_threads(worker, 6)
    assert sum(acquired) == 360
    assert int(r.get(counter_key)) == 360
    r.set("lock", "someone-else")
    assert release(keys=["lock"], args=["owner-0"]) == 0
    assert r.get("lock") == b"someone-else"
    for c in clients:
        c.close()


ESCAPES = [
    ("os.execute('id')", "nonexistent global variable 'os'"),
    ("io.open('/etc/passwd')", "nonexistent global variable 'io'"),
    ("require('os')", "nonexistent global variable 'require'"),
    ("dofile('/etc/passwd')", "nonexistent global variable 'dofile'"),
    ("loadfile('/etc/passwd')", "nonexistent global variable 'loadfile'"),
    ("getfenv(0)", "nonexistent global variable 'getfenv'"),
    ("setfenv(1, {})", "nonexistent global variable 'setfenv'"),
    ("package.loadlib('libc.so.6', 'system')", "nonexistent global variable 'package'"),
    ("debug.getregistry()", "nonexistent global variable 'debug'"),
    ("newproxy(true)", "nonexistent global variable 'newproxy'"),
    ("redis = nil", "Attempt to modify a readonly table"),
    ("rawset(_G, 'redis', nil)", "Attempt to modify a readonly table"),
    ("setmetatable(_G, nil)", "Attempt to modify a readonly table"),
    ("string.rep = nil", "Attempt to modify a readonly table"),
    ("local mt = getmetatable('') mt.__index = nil", "Attempt to modify a readonly table"),
    ("loadstring('leaked = 1')()", "Attempt to modify a readonly table"),
    ("local f = loadstring(string.dump(function() end)) return f()", "attempt to call"),
    ("local function f() return f() + 1 end return f()", "stack overflow"),
    ("local t = {} local s = string.rep('x', 2^20) for i = 1, 2048 do t[i] = s .. i end",
     "not enough memory"),
    ("return string.rep(string.rep('x', 2^20), 2^11)", "not enough memory"),
]


@pytest.mark.parametrize("script,error", ESCAPES, ids=[e[0][:30] for e in ESCAPES])
def test_sandbox_escape_attempts_error(server, r, script, error):
    with pytest.raises(redis.ResponseError, match=error.replace("(", r"\(")):
        r.eval(script, 0)
    # The interpreter and the server carry on: globals unchanged, commands and scripts work.
    assert r.eval("return type(redis.call) .. type(string.rep) .. tostring(rawget(_G, 'leaked') == nil)",
                  0) == b"functionfunctiontrue"
    assert r.eval("return redis.call('PING')", 0) == b"PONG"
    assert r.ping() is True


def test_busy_script_killed_from_another_client(server, r):
    assert r.config_set("busy-reply-threshold", 200)
    r.set("k", "v")
    outcome = {}

    def run():
        c = redis.Redis(host=HOST, port=server.port, socket_timeout=60)
        try:
            c.eval("local i = 0 while true do i = i + 1 end", 0)
        except redis.ResponseError as exc:
            outcome["error"] = str(exc)
        c.close()

    t = threading.Thread(target=run)
    t.start()
    other = redis.Redis(host=HOST, port=server.port, socket_timeout=10)

    def busy():
        try:
            other.get("k")
        except redis.BusyLoadingError:
            return False
        except redis.ResponseError as exc:
            return str(exc).startswith("BUSY Redis is busy running a script")
        return False

    wait_until(busy, timeout=20, what="the script to be reported busy")
    with pytest.raises(redis.ResponseError,
                       match="You can only call SCRIPT KILL or SHUTDOWN NOSAVE"):
        other.set("k", "w")
    assert other.script_kill() is True
    t.join(30)
    assert not t.is_alive()
    assert outcome["error"].startswith("Script killed by user with SCRIPT KILL...")
    assert other.get("k") == b"v"
    with pytest.raises(redis.ResponseError, match="NOTBUSY"):
        other.script_kill()
    assert r.config_set("busy-reply-threshold", 5000)
    other.close()


def test_writing_busy_script_is_unkillable_and_shutdown_nosave_stops_it(tmp_path):
    with ServerProcess(cairn_server_bin(), args=["--busy-reply-threshold", "100"],
                       name="busy") as proc:
        proc.start()
        c = redis.Redis(host=HOST, port=proc.port, socket_timeout=60)
        t = threading.Thread(target=lambda: _ignore_errors(
            lambda: c.eval("redis.call('SET', 'w', 1) while true do end", 0)))
        t.start()
        other = redis.Redis(host=HOST, port=proc.port, socket_timeout=10)

        def unkillable():
            try:
                other.script_kill()
            except redis.ResponseError as exc:
                return str(exc).startswith("UNKILLABLE")
            return False

        wait_until(unkillable, timeout=20, what="SCRIPT KILL to answer UNKILLABLE")
        with pytest.raises(redis.ResponseError, match="BUSY"):
            other.shutdown()  # SHUTDOWN without NOSAVE is refused while busy
        try:
            other.shutdown(nosave=True)
        except redis.ConnectionError:
            pass
        wait_until(lambda: not proc.alive(), timeout=30, what="the server to exit")
        t.join(30)


def _ignore_errors(fn):
    try:
        fn()
    except redis.RedisError:
        pass


def test_script_effects_reach_a_replica(server, r):
    with ServerProcess(cairn_server_bin(), name="replica") as replica:
        replica.start()
        rr = redis.Redis(host=HOST, port=replica.port, socket_timeout=10)
        assert rr.execute_command("REPLICAOF", HOST, server.port) == b"OK"
        wait_until(lambda: rr.info("replication").get("master_link_status") == "up",
                   timeout=30, what="the replica to sync")
        r.eval("redis.call('SET', 'a', '1') redis.call('INCRBYFLOAT', 'f', '1.5') "
               "redis.call('EXPIRE', 'a', 1000) redis.call('SELECT', 3) "
               "redis.call('RPUSH', 'l', 'x', 'y')", 0)
        r.eval("redis.call('SET', 'single', 'x')", 0)
        r.eval("redis.set_repl(redis.REPL_NONE) redis.call('SET', 'local-only', 'x')", 0)
        wait_until(lambda: rr.get("single") == b"x", timeout=20, what="the effects to arrive")
        assert rr.get("a") == b"1" and rr.get("f") == b"1.5" and 990 < rr.ttl("a") <= 1000
        assert rr.execute_command("SELECT", 3) and rr.lrange("l", 0, -1) == [b"x", b"y"]
        rr.execute_command("SELECT", 0)
        assert rr.get("local-only") is None and r.get("local-only") == b"x"
        # As redis-server 7.0: a shebang without no-writes makes EVAL a write command.
        with pytest.raises(redis.ResponseError, match="You can.t write against a read only replica"):
            rr.eval("#!lua\nreturn 1", 0)
        with pytest.raises(redis.ResponseError, match="You can.t write against a read only replica"):
            rr.eval("return redis.call('SET', 'x', 1)", 0)
        assert rr.eval("return redis.call('GET', 'single')", 0) == b"x"
        rr.close()


LIBRARY = """#!lua name=counters
redis.register_function('bump', function(keys, args)
  return redis.call('INCRBY', keys[1], args[1])
end)
redis.register_function{function_name='peek', callback=function(keys)
  return redis.call('GET', keys[1])
end, flags={'no-writes'}}
"""


def test_functions_survive_restart_and_move_between_cairn_and_redis(tmp_path):
    from cairn_testlib import redis_server_bin
    import shutil
    import os
    with ServerProcess(cairn_server_bin(), name="cairn", persistence=True) as cairn:
        cairn.start()
        c = redis.Redis(host=HOST, port=cairn.port, socket_timeout=10)
        assert c.function_load(LIBRARY) == b"counters"
        assert c.fcall("bump", 1, "n", 5) == 5
        assert c.save() is True
        rdb = os.path.join(cairn.dir, "dump.rdb")
        cairn.stop()
        cairn.start()  # same dir: loads dump.rdb with its FUNCTION2 record
        c = redis.Redis(host=HOST, port=cairn.port, socket_timeout=10)
        assert c.fcall("bump", 1, "n", 1) == 6
        assert c.fcall_ro("peek", 1, "n") == b"6"
        # redis-server loads the functions cairn saved, and cairn those redis-server saves.
        ref = ServerProcess(redis_server_bin(), name="redis", persistence=True)
        shutil.copy(rdb, os.path.join(ref.dir, "dump.rdb"))
        with ref:
            ref.start()
            rr = redis.Redis(host=HOST, port=ref.port, socket_timeout=10)
            assert rr.fcall("bump", 1, "n", 2) == 7
            payload = rr.function_dump()
            rr.function_load(LIBRARY.replace("counters", "other").replace("'bump'", "'bump2'")
                             .replace("'peek'", "'peek2'"))
            assert rr.save() is True
            ref_rdb = os.path.join(ref.dir, "dump.rdb")
            c.function_flush()
            assert c.function_restore(payload) is True
            assert c.fcall("bump", 1, "m", 3) == 3
            cairn.stop()
            shutil.copy(ref_rdb, os.path.join(cairn.dir, "dump.rdb"))
            cairn.start()
            c = redis.Redis(host=HOST, port=cairn.port, socket_timeout=10)
            names = sorted(lib[1] for lib in c.function_list())  # [library_name, name, ...]
            assert names == [b"counters", b"other"]
            assert c.fcall("bump2", 1, "n", 1) == 8


def test_functions_reach_replicas(server, r):
    r.function_flush()
    with ServerProcess(cairn_server_bin(), name="replica") as replica:
        replica.start()
        rr = redis.Redis(host=HOST, port=replica.port, socket_timeout=10)
        r.function_load(LIBRARY)  # before the sync: carried by the snapshot
        assert rr.execute_command("REPLICAOF", HOST, server.port) == b"OK"
        wait_until(lambda: rr.info("replication").get("master_link_status") == "up",
                   timeout=30, what="the replica to sync")
        wait_until(lambda: len(rr.function_list()) == 1, timeout=20, what="functions via sync")
        r.function_load(LIBRARY.replace("counters", "later").replace("'bump'", "'bump3'")
                        .replace("'peek'", "'peek3'"))  # after: propagated as a command
        wait_until(lambda: len(rr.function_list()) == 2, timeout=20, what="FUNCTION LOAD")
        r.fcall("bump3", 1, "k", 4)
        wait_until(lambda: rr.get("k") == b"4", timeout=20, what="the function's write")
        assert rr.fcall_ro("peek", 1, "k") == b"4"
        # As redis-server 7.0: a function without no-writes makes FCALL a write command.
        with pytest.raises(redis.ResponseError, match="You can.t write against a read only replica"):
            rr.fcall("bump", 1, "k", 1)
        r.function_delete("later")
        wait_until(lambda: len(rr.function_list()) == 1, timeout=20, what="FUNCTION DELETE")
        rr.close()
    r.function_flush()
