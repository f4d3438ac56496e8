"""Transactions: MULTI EXEC DISCARD WATCH UNWATCH, queue-time and run-time errors, and what
invalidates a WATCH (writes by other clients and by the watcher, expiry, FLUSHALL, SWAPDB)."""

import time

import pytest

from cairn_compat import same
from cairn_testlib import server_time_ms, wait_until


def test_multi_exec_basic(pair23):
    same(pair23, "MULTI", "SET k 1", "INCR k", "GET k", "GET missing", "PING", "ECHO x",
         "INCRBYFLOAT f 1.5", "EXEC", "GET k")


def test_empty_transaction(pair23):
    same(pair23, "MULTI", "EXEC")


def test_exec_and_discard_without_multi(pair):
    same(pair, "EXEC", "DISCARD", "MULTI", "DISCARD", "DISCARD", "EXEC")


def test_discard_drops_queued_commands(pair):
    same(pair, "MULTI", "SET k 1", "DISCARD", "GET k")


def test_nested_multi(pair):
    same(pair, "MULTI", "SET k 1", "MULTI", "INCR k", "EXEC", "GET k")


def test_multi_arity_errors(pair):
    same(pair, "MULTI x", "EXEC x", "DISCARD x", "MULTI", "EXEC x", "DISCARD x", "EXEC")


@pytest.mark.parametrize("bad", ["NOSUCHCOMMAND a", "SET k", "GET", "INCR a b"])
def test_queue_time_error_aborts_exec(pair, bad):
    same(pair, "MULTI", "SET before 1", bad, "SET after 1", "EXEC", "EXISTS before after")
    # The connection is out of the transaction afterwards.
    same(pair, "EXEC", "SET k v")


def test_run_time_errors_do_not_stop_the_transaction(pair23):
    same(pair23, "SET s notanumber", "RPUSH l x", "MULTI", "INCR s", "SET k 1", "GET l",
         "INCRBY k 5", "SETEX t 0 v", "EXEC", "GET k", "EXISTS t")


def test_select_inside_multi(pair):
    same(pair, "MULTI", "SELECT 1", "SET k db1", "SELECT 0", "SET k db0", "EXEC", "GET k",
         "SELECT 1", "GET k")


def test_watch_unchanged_key_executes(pair):
    other = pair.new_pair()
    same(pair, "SET k 1", "WATCH k")
    same(other, "GET k", "SET unrelated 1")
    same(pair, "MULTI", "INCR k", "EXEC", "GET k")


@pytest.mark.parametrize("write", [
    "SET k 2", "SET k 1", "DEL k", "INCR k", "APPEND k x", "EXPIRE k 100", "PERSIST k",
    "RENAME k k2", "RENAME other k", "MOVE k 1", "SETRANGE k 0 z", "SETBIT k 0 1", "GETDEL k",
    "COPY other k REPLACE", "MSET k 5", "BITOP NOT k k", "SWAPDB 0 1", "FLUSHDB", "FLUSHALL",
    "GETEX k EX 100",
])
def test_watch_invalidated_by_other_client_write(pair23, write):
    other = pair23.new_pair()
    same(pair23, "SET k 1", "SET other o", "WATCH k")
    same(other, write)
    same(pair23, "MULTI", "SET k mine", "EXEC", "GET k")


@pytest.mark.parametrize("write", ["SET k 2", "FLUSHALL", "FLUSHDB", "SWAPDB 0 1"])
def test_watch_of_missing_key(pair, write):
    # Whether a flush or swap invalidates a WATCH on a key that does not exist is part of the
    # Redis 7.0 semantics compared here.
    other = pair.new_pair()
    same(pair, "WATCH k")
    same(other, write)
    same(pair, "MULTI", "SET k mine", "EXEC", "GET k")


def test_watch_invalidated_by_own_write(pair):
    same(pair, "SET k 1", "WATCH k", "SET k 2", "MULTI", "SET k 3", "EXEC", "GET k")


def test_watch_in_other_db(pair):
    other = pair.new_pair()
    same(pair, "SELECT 1", "WATCH k")
    same(other, "SET k db0")
    same(pair, "MULTI", "SET k x", "EXEC")
    same(other, "SELECT 1", "SET k db1")
    same(pair, "WATCH k", "MULTI", "SET k y", "EXEC")


def test_unwatch_and_exec_reset_watches(pair):
    other = pair.new_pair()
    same(pair, "SET k 1", "WATCH k", "UNWATCH")
    same(other, "SET k 2")
    same(pair, "MULTI", "SET k 3", "EXEC", "GET k")
    same(pair, "WATCH k", "MULTI", "EXEC")
    same(other, "SET k 4")
    same(pair, "MULTI", "SET k 5", "EXEC", "WATCH k", "DISCARD", "MULTI", "DISCARD")
    same(other, "SET k 6")
    same(pair, "MULTI", "GET k", "EXEC")


def test_watch_errors(pair):
    same(pair, "WATCH", "MULTI", "WATCH k", "EXEC", "UNWATCH x", "WATCH a b c", "UNWATCH")


def test_watch_invalidated_by_expiry_seen_by_another_client(pair):
    other = pair.new_pair()
    same(pair, "SET k v PX 30", "WATCH k")
    for client in other.clients():
        wait_until(lambda c=client: c.call("EXISTS k") == b":0\r\n", timeout=5,
                   what=f"{client.name}: key to expire")
    same(pair, "MULTI", "SET k new", "EXEC", "GET k")


def test_watch_invalidated_by_expiry_nobody_saw(pair):
    # The key expires between WATCH and EXEC with no access in between: the test waits on the
    # server clock so it does not touch the key itself.
    deadline_ms = int(time.time() * 1000) + 50
    same(pair, ["SET", "k", "v", "PXAT", deadline_ms], "WATCH k")
    for client in pair.clients():
        wait_until(lambda c=client: server_time_ms(c) > deadline_ms, timeout=5,
                   what=f"{client.name}: server clock to pass the deadline")
    same(pair, "MULTI", "SET k new", "EXEC", "GET k")


def test_watch_of_already_expired_key(pair):
    # A key that had already expired (but was never deleted) when WATCH ran.
    same(pair, "DEBUG SET-ACTIVE-EXPIRE 0")
    try:
        deadline_ms = int(time.time() * 1000) + 30
        same(pair, ["SET", "k", "v", "PXAT", deadline_ms])
        for client in pair.clients():
            wait_until(lambda c=client: server_time_ms(c) > deadline_ms, timeout=5,
                       what=f"{client.name}: server clock to pass the deadline")
        same(pair, "WATCH k", "MULTI", "SET k new", "EXEC", "GET k")
    finally:
        same(pair, "DEBUG SET-ACTIVE-EXPIRE 1")


def test_reset_inside_multi(pair):
    # RESET's reply is +RESET; it also discards the transaction and the watches.
    same(pair, "WATCH k", "MULTI", "SET k 1", "RESET", "EXEC", "GET k")


def test_transaction_with_all_string_commands(pair):
    same(pair, "MULTI", "SET a 1", "GETSET a 2", "MSET b 3 c 4", "MGET a b c", "APPEND a x",
         "STRLEN a", "GETRANGE a 0 0", "SETRANGE a 0 y", "SETBIT bits 1 1", "BITCOUNT bits",
         "EXPIRE a 100", "TTL a", "DEL b", "EXISTS b", "EXEC")
