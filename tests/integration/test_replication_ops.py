"""Replication operations with real processes: repl-backlog-ttl, replica-serve-stale-data no
(-MASTERDOWN, compared with redis-server), -LOADING while a replica loads its primary's snapshot
(cairn and redis-server replicas), SHUTDOWN / SIGTERM waiting for replicas to acknowledge every
write (shutdown-timeout, SHUTDOWN ABORT, NOW), and a mixed-type writer running while a new replica
syncs from scratch, checked with DEBUG DIGEST."""

import os
import signal
import threading
import time

import pytest
import redis

from cairn_testlib import (HOST, RespClient, ServerProcess, cairn_server_bin, encode_command,
                           free_port, redis_server_bin, wait_until)

SYNC_TIMEOUT = 30
DEBUG = ["--enable-debug-command", "yes"]


def _r(server, timeout=10):
    return redis.Redis(host=HOST, port=server.port, socket_timeout=timeout)


def _info(server, section="replication"):
    return _r(server).info(section)


def _attach(replica, primary):
    assert _r(replica).execute_command("REPLICAOF", HOST, primary.port) == b"OK"
    wait_until(lambda: _info(replica).get("master_link_status") == "up", timeout=SYNC_TIMEOUT,
               what=f"{replica.name} to sync with {primary.name}")


def _caught_up(primary, replica):
    def done():
        want = _info(primary)["master_repl_offset"]
        return _info(replica).get("slave_repl_offset", -1) >= want
    wait_until(done, timeout=SYNC_TIMEOUT, what=f"{replica.name} to catch up")


@pytest.fixture
def servers():
    started = []

    def start(binary=None, args=(), name=None):
        s = ServerProcess(binary or cairn_server_bin(), list(args), name=name).start()
        started.append(s)
        return s
    try:
        yield start
    finally:
        for s in started:
            if s.pid is not None:
                try:
                    os.kill(s.pid, signal.SIGCONT)  # a test may have stopped it
                except ProcessLookupError:
                    pass
            s.cleanup()


# repl-backlog-ttl ------------------------------------------------------------------------------

def test_backlog_freed_after_ttl_without_replicas_but_never_on_a_replica(servers):
    primary, r1, r2 = servers(name="primary"), servers(name="r1"), servers(name="r2")
    assert _r(primary).config_get("repl-backlog-ttl") == {"repl-backlog-ttl": "3600"}
    _attach(r1, primary)
    _r(primary).set("k", "v")
    assert _info(primary)["repl_backlog_active"] == 1
    old_id = _info(primary)["master_replid"]
    for s in (primary, r1):
        assert _r(s).config_set("repl-backlog-ttl", 1)
    _attach(r1, r2)  # primary loses its only replica; r1 stays a replica without replicas
    wait_until(lambda: _info(primary)["repl_backlog_active"] == 0, timeout=SYNC_TIMEOUT,
               what="the primary to free its backlog")
    info = _info(primary)
    assert info["master_replid"] != old_id, "a freed backlog starts a new history"
    assert info["repl_backlog_histlen"] == 0
    assert _info(r1)["repl_backlog_active"] == 1, "replicas keep their backlog"
    # A replica arriving later gets a full sync and a new backlog.
    _attach(r2, primary)
    assert _info(primary)["repl_backlog_active"] == 1


# replica-serve-stale-data no -------------------------------------------------------------------

STALE_PROBES = [
    ["GET", "k"], ["SET", "k", "v"], ["DBSIZE"], ["PING"], ["ECHO", "x"], ["SCAN", "0"],
    ["CONFIG", "GET", "replica-serve-stale-data"], ["SELECT", "1"], ["CLIENT", "SETNAME", "n"],
    ["MULTI"], ["GET", "k"], ["EXEC"], ["MULTI"], ["CONFIG", "GET", "maxclients"], ["EXEC"],
    ["SUBSCRIBE", "ch"], ["UNSUBSCRIBE"], ["LASTSAVE"], ["HELLO", "2"],
    ["KEYS", "*"], ["TYPE", "k"], ["XADD", "s", "*", "f", "v"], ["PUBLISH", "ch", "m"],
    # Scripts: Redis's getCommandFlags (a shebang's flags decide write/stale) and
    # scriptPrepareForRun (no shebang: never on a stale replica), then per-command checks.
    ["EVAL", "return 1", "0"], ["EVAL", "return redis.call('get','x')", "0"],
    ["EVAL", "#!lua\nreturn 1", "0"], ["EVAL", "#!lua flags=allow-stale\nreturn 1", "0"],
    ["EVAL", "#!lua flags=no-writes\nreturn 1", "0"],
    ["EVAL", "#!lua flags=no-writes,allow-stale\nreturn redis.call('get','x')", "0"],
    ["EVAL", "#!lua flags=no-writes,allow-stale\nreturn redis.call('ping')", "0"],
    ["EVAL", "#!lua flags=no-writes,allow-stale\nreturn redis.call('echo','e')", "0"],
    ["EVAL_RO", "return 1", "0"], ["EVAL_RO", "#!lua flags=no-writes,allow-stale\nreturn 5", "0"],
    ["EVALSHA", "0123456789012345678901234567890123456789", "0"], ["FCALL", "f", "0"],
]


def _raw_replies(server, commands):
    out = []
    with RespClient(HOST, server.port, timeout=10) as c:
        for cmd in commands:
            c.send_raw(encode_command(cmd))
            reply = c.read_reply()
            if cmd[0] == "HELLO":
                reply = reply.split(b"\r\n")[0]  # server name and version differ
            if cmd[0] == "LASTSAVE":
                reply = reply[:1]
            out.append(reply)
    return out


def test_stale_replica_answers_masterdown_like_redis(servers):
    nowhere = free_port()  # nothing listens there: the link never comes up
    args = ["--replicaof", HOST, str(nowhere)]
    cairn = servers(args=args, name="cairn-replica")
    real = servers(redis_server_bin(), args=args, name="redis-replica")
    for s in (cairn, real):  # after start: the harness waits for PING, which is refused then
        assert _r(s).config_set("replica-serve-stale-data", "no")
    assert _info(cairn)["master_link_status"] == "down"
    got, want = _raw_replies(cairn, STALE_PROBES), _raw_replies(real, STALE_PROBES)
    assert got == want
    masterdown = (b"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set "
                  b"to 'no'.\r\n")
    assert got[0] == masterdown, "GET is refused while the link is down"
    assert _r(cairn).config_set("replica-serve-stale-data", "yes")
    assert _r(cairn).get("k") is None, "stale reads are served again"


def test_stale_data_served_again_once_the_link_is_up(servers):
    primary = servers(name="primary")
    _r(primary).set("k", "v")
    replica = servers(args=["--replica-serve-stale-data", "no"], name="replica")
    assert _r(replica).execute_command("REPLICAOF", HOST, primary.port) == b"OK"
    wait_until(lambda: _info(replica).get("master_link_status") == "up", timeout=SYNC_TIMEOUT,
               what="the link")
    assert _r(replica).get("k") == b"v"
    primary.stop()
    wait_until(lambda: _info(replica)["master_link_status"] == "down", timeout=SYNC_TIMEOUT,
               what="the link to go down")
    with pytest.raises(redis.exceptions.ResponseError, match="^MASTERDOWN Link with MASTER is down"):
        _r(replica).get("k")


# -LOADING during a full sync -------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_replica_answers_loading_while_it_loads_the_snapshot(servers, engine):
    primary = servers(name="primary")
    p = _r(primary)
    pipe = p.pipeline(transaction=False)
    for i in range(6000):
        pipe.set(f"k{i}", "v" * 32)
    pipe.execute()
    # ~6000 keys x 500 us: the load takes seconds, and clients are served every KiB of it.
    slow = ["--key-load-delay", "500", "--loading-process-events-interval-bytes", "1024"]
    binary = cairn_server_bin() if engine == "cairn" else redis_server_bin()
    replica = servers(binary, slow, name=f"{engine}-replica")
    r = _r(replica)
    assert r.execute_command("REPLICAOF", HOST, primary.port) == b"OK"
    wait_until(lambda: _info(replica, "persistence")["loading"] == 1, timeout=SYNC_TIMEOUT,
               interval=0.001, what="the replica to start loading")
    persistence = _info(replica, "persistence")
    assert persistence["loading_total_bytes"] > 0
    assert 0 <= persistence["loading_loaded_perc"] <= 100
    with RespClient(HOST, replica.port, timeout=10) as c:
        assert c.call("GET", "k1") == b"-LOADING Redis is loading the dataset in memory\r\n"
        assert c.call("PING") == b"-LOADING Redis is loading the dataset in memory\r\n"
        assert c.call("CONFIG", "GET", "key-load-delay").startswith(b"*2")
    assert _info(replica)["master_link_status"] == "down"
    assert r.config_set("key-load-delay", 0)
    wait_until(lambda: _info(replica).get("master_link_status") == "up", timeout=SYNC_TIMEOUT,
               what="the load to finish")
    assert _info(replica, "persistence")["loading"] == 0
    assert r.dbsize() == 6000
    assert r.get("k5999") == b"v" * 32


# SHUTDOWN waiting for replicas -----------------------------------------------------------------

def _stopped_replica_with_writes(servers, count):
    """A primary, a synced replica then stopped (SIGSTOP), and `count` writes it has not seen."""
    primary = servers(name="primary")
    replica = servers(name="replica")
    _attach(replica, primary)
    os.kill(replica.pid, signal.SIGSTOP)
    pipe = _r(primary).pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"w{i}", i)
    pipe.execute()
    return primary, replica


def _shutdown_waiting(primary):
    wait_until(lambda: "shutdown_in_milliseconds" in _info(primary, "server"),
               timeout=SYNC_TIMEOUT, what="the shutdown to wait for replicas")


def _exit_code(server, timeout=SYNC_TIMEOUT):
    server.proc.wait(timeout=timeout)
    return server.proc.returncode


@pytest.mark.parametrize("how", ["SHUTDOWN", "SIGTERM"])
def test_shutdown_waits_until_the_replica_acknowledged_every_write(servers, how):
    primary, replica = _stopped_replica_with_writes(servers, 2000)
    if how == "SIGTERM":
        primary.proc.send_signal(signal.SIGTERM)
    else:
        threading.Thread(target=lambda: _shutdown_quietly(primary), daemon=True).start()
    _shutdown_waiting(primary)
    assert primary.alive(), "the primary waits while its replica lags"
    os.kill(replica.pid, signal.SIGCONT)
    assert _exit_code(primary) == 0
    r = _r(replica)
    assert r.dbsize() == 2000, "every write reached the replica before the primary exited"
    assert r.get("w1999") == b"1999"


def _shutdown_quietly(server, *flags):
    try:
        _r(server, timeout=SYNC_TIMEOUT).execute_command("SHUTDOWN", *flags)
    except redis.exceptions.ConnectionError:
        pass  # the server exited: SHUTDOWN never replies then


def test_shutdown_abort_resumes_writes_and_answers_the_waiting_caller(servers):
    primary, replica = _stopped_replica_with_writes(servers, 10)
    errors = []

    def shutdown():
        try:
            _r(primary, timeout=SYNC_TIMEOUT).execute_command("SHUTDOWN")
        except redis.exceptions.ResponseError as e:
            errors.append(str(e))
    waiter = threading.Thread(target=shutdown)
    waiter.start()
    _shutdown_waiting(primary)
    held = []
    writer = threading.Thread(target=lambda: held.append(_r(primary, SYNC_TIMEOUT).set("x", 1)))
    writer.start()
    assert _r(primary).get("w9") == b"9", "reads are served while writes wait"
    assert _r(primary).execute_command("SHUTDOWN", "ABORT") is True  # +OK
    waiter.join(SYNC_TIMEOUT)
    writer.join(SYNC_TIMEOUT)
    assert errors == ["Errors trying to SHUTDOWN. Check logs."]
    assert held == [True], "the write held by the pause ran after the abort"
    assert "shutdown_in_milliseconds" not in _info(primary, "server")
    with pytest.raises(redis.exceptions.ResponseError, match="No shutdown in progress"):
        _r(primary).execute_command("SHUTDOWN", "ABORT")
    assert primary.alive()


def test_shutdown_timeout_and_now_do_not_wait_forever(servers):
    primary, _ = _stopped_replica_with_writes(servers, 10)
    assert _r(primary).config_set("shutdown-timeout", 1)
    start = time.monotonic()
    _shutdown_quietly(primary)
    assert _exit_code(primary) == 0
    assert time.monotonic() - start < SYNC_TIMEOUT
    other, _ = _stopped_replica_with_writes(servers, 10)
    _shutdown_quietly(other, "NOW")  # shutdown-timeout is the default 10 s; NOW skips it
    assert _exit_code(other, timeout=5) == 0


def test_shutdown_parameters(servers):
    s = servers(name="node")
    r = _r(s)
    assert r.config_get("shutdown-*") == {"shutdown-timeout": "10", "shutdown-on-sigterm":
                                          "default", "shutdown-on-sigint": "default"}
    assert r.config_set("shutdown-on-sigterm", "nosave now")
    assert r.config_get("shutdown-on-sigterm") == {"shutdown-on-sigterm": "nosave now"}
    with pytest.raises(redis.exceptions.ResponseError, match="SAVE and NOSAVE"):
        r.config_set("shutdown-on-sigint", "save nosave")
    with pytest.raises(redis.exceptions.ResponseError, match="must be one of the following"):
        r.config_set("shutdown-on-sigint", "later")
    s.proc.send_signal(signal.SIGTERM)
    assert _exit_code(s) == 0


# A writer during a full sync -------------------------------------------------------------------

@pytest.mark.parametrize("diskless", ["no", "yes"])
def test_mixed_writer_during_full_sync_ends_with_equal_digests(servers, diskless):
    primary = servers(args=DEBUG + ["--repl-diskless-sync", diskless], name="primary")
    replica = servers(args=DEBUG, name="replica")
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
            pipe = w.pipeline(transaction=False)
            pipe.set(f"s:{i % 500}", i).incr("counter").hset(f"h:{i % 50}", f"f{i % 7}", i)
            pipe.rpush(f"l:{i % 20}", i).zadd("z", {f"m{i % 300}": i}).sadd("set", i % 1000)
            pipe.xadd("stream", {"i": i}, maxlen=100).delete(f"s:{(i * 7) % 500}")
            pipe.pexpire(f"h:{i % 50}", 600000)
            pipe.execute()
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        _attach(replica, primary)
        wait_until(lambda: p.get("counter") is not None and int(p.get("counter")) > 200,
                   timeout=SYNC_TIMEOUT, what="writes after the sync")
    finally:
        stop.set()
        thread.join()
    _caught_up(primary, replica)
    assert _r(replica).execute_command("DEBUG", "DIGEST") == p.execute_command("DEBUG", "DIGEST")
    assert _r(replica).dbsize() == p.dbsize()
