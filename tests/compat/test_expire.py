"""Expiry: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT) TTL PTTL EXPIRETIME PEXPIRETIME
PERSIST, lazy and active expiry, and which writes keep or clear a TTL.

Relative TTLs are compared with TTL only when they are at least half a second away from a
rounding boundary (TTL rounds milliseconds to the nearest second), so both servers agree even
though they run a few milliseconds apart. PTTL and relative (P)EXPIRETIME are compared by range.
"""

import time

import pytest

from cairn_compat import same
from cairn_testlib import server_time_ms, wait_until

FAR_FUTURE = 4000000000  # seconds since the epoch, in 2096


def test_ttl_on_missing_and_persistent_keys(pair23):
    pair = pair23
    same(pair, "TTL missing", "PTTL missing", "EXPIRETIME missing", "PEXPIRETIME missing",
         "SET k v", "TTL k", "PTTL k", "EXPIRETIME k", "PEXPIRETIME k", "TTL", "PTTL k x",
         "EXPIRETIME", "PEXPIRETIME a b")


def test_expire_and_ttl(pair):
    same(pair, "EXPIRE missing 100", "SET k v", "EXPIRE k 100", "TTL k", "PEXPIRE k 100000",
         "TTL k", "PEXPIRE k 1200", "TTL k", "EXPIRE k 100", "TTL k")


def test_pttl_and_relative_expiretime_ranges(pair):
    # Milliseconds left and the absolute deadline depend on when each server ran the command.
    same(pair, "SET k v", "PEXPIRE k 100000")
    pair.same_by(lambda v: isinstance(v, int) and 90000 < v <= 100000, "PTTL k")
    now = time.time()
    pair.same_by(lambda v: isinstance(v, int) and abs(v - (now + 100)) < 10, "EXPIRETIME k")
    pair.same_by(lambda v: isinstance(v, int) and abs(v - (now + 100) * 1000) < 10000,
                 "PEXPIRETIME k")


def test_absolute_expire_times(pair):
    same(pair, "SET k v", f"EXPIREAT k {FAR_FUTURE}", "EXPIRETIME k", "PEXPIRETIME k",
         f"PEXPIREAT k {FAR_FUTURE}789", "EXPIRETIME k", "PEXPIRETIME k",
         f"PEXPIREAT k {FAR_FUTURE}999", "EXPIRETIME k", "PEXPIREAT missing 1")


@pytest.mark.parametrize("command", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_non_positive_times_delete_the_key(pair, command):
    # "1" is a past time only for the absolute forms (1970); for EXPIRE/PEXPIRE it is a real,
    # 1 ms or 1 s, future TTL whose outcome would race the clock.
    values = ("0", "-1", "1") if command.endswith("AT") else ("0", "-1")
    for value in values:
        same(pair, "SET k v EX 1000", [command, "k", value], "EXISTS k", "TTL k")


@pytest.mark.parametrize("command", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_invalid_expire_times(pair, command):
    same(pair, "SET k v")
    for value in ("abc", "", "1.5", "9223372036854775807", "9223372036854775808",
                  "-9223372036854775808", "9223372036854775", "92233720368547758",
                  "-9223372036854775"):
        same(pair, [command, "k", value])
    same(pair, "TTL k", [command, "k"], [command], [command, "k", "10", "NX", "extra"])


# Key without a TTL, then a key with TTL 100 s; each option with a smaller and a larger time.
OPTION_CASES = [
    ("NX",), ("XX",), ("GT",), ("LT",), ("nx",), ("NX", "XX"), ("NX", "GT"), ("NX", "LT"),
    ("GT", "LT"), ("XX", "GT"), ("XX", "LT"), ("FOO",), ("GT", "GT"), ("XX", "XX"),
]


@pytest.mark.parametrize("options", OPTION_CASES, ids="-".join)
@pytest.mark.parametrize("command,small,large", [
    ("EXPIRE", 50, 200),
    ("PEXPIRE", 50000, 200000),
    ("EXPIREAT", FAR_FUTURE - 100, FAR_FUTURE + 100),
    ("PEXPIREAT", (FAR_FUTURE - 100) * 1000, (FAR_FUTURE + 100) * 1000),
])
def test_expire_options(pair, options, command, small, large):
    base = "EXPIREAT k %d" % FAR_FUTURE if command.endswith("AT") else "EXPIRE k 100"
    for value in (small, large):
        same(pair, "SET k v", [command, "k", value, *options], "EXPIRETIME k" if
             command.endswith("AT") else "TTL k")
        same(pair, base, [command, "k", value, *options], "EXPIRETIME k" if
             command.endswith("AT") else "TTL k")
    same(pair, [command, "missing", large, *options])


def test_persist(pair):
    same(pair, "PERSIST missing", "SET k v", "PERSIST k", "EXPIRE k 100", "PERSIST k", "TTL k",
         "PERSIST k", "PERSIST", "PERSIST k x")


def test_which_writes_keep_the_ttl(pair):
    keep = ["INCR n", "DECRBY n 2", "INCRBYFLOAT n 1.5", "APPEND s x", "SETRANGE s 0 y",
            "SETBIT s 1 1", "SET s z KEEPTTL", "BITFIELD s SET u8 0 1", "BITOP NOT s s",
            "RENAME s s2", "RENAME s2 s"]
    clear = ["SET s z", "GETSET s z", "SETEX s 50 z", "MSET s z", "GETEX s PERSIST",
             "SET s z GET", "COPY c s REPLACE"]
    for command in keep + clear:
        same(pair, "SET c cval", "SET n 10 EX 100", "SET s abc EX 100", command, "TTL n", "TTL s")


def test_lazy_expiry(pair):
    same(pair, "SET k v", "PEXPIRE k 30", "SET p v PX 30", "SET x v")
    for client in pair.clients():
        wait_until(lambda c=client: c.call("EXISTS k p") == b":0\r\n", timeout=5,
                   what=f"{client.name}: keys to expire")
    same(pair, "GET k", "TTL k", "PTTL p", "EXPIRETIME p", "EXISTS k p x", "DBSIZE",
         "PERSIST k", "EXPIRE k 10", "INCR k", "TTL k", "APPEND p v", "TTL p")


def test_active_expiry_without_access(pair):
    same(pair, ["MSET"] + [x for i in range(20) for x in (f"k{i}", "v")], "SET keep v")
    for i in range(20):
        same(pair, f"PEXPIRE k{i} 20")
    for client in pair.clients():
        # DBSIZE does not touch keys, so only the server's own expiry cycle can bring it to 1.
        wait_until(lambda c=client: c.call("DBSIZE") == b":1\r\n", timeout=10,
                   what=f"{client.name}: active expiry")
    same(pair, "DBSIZE", "KEYS *")


def test_expired_key_with_active_expiry_disabled(pair):
    # DEBUG SET-ACTIVE-EXPIRE 0 stops the expiry cycle: an expired key is still counted by
    # DBSIZE until a read finds it expired. The test waits on the server's own clock (TIME) so
    # that nothing touches the key before DBSIZE.
    same(pair, "DEBUG SET-ACTIVE-EXPIRE 0")
    try:
        deadline_ms = int(time.time() * 1000) + 50
        same(pair, ["SET", "k", "v", "PXAT", deadline_ms])
        for client in pair.clients():
            wait_until(lambda c=client: server_time_ms(c) > deadline_ms, timeout=5,
                       what=f"{client.name}: server clock to pass the deadline")
        same(pair, "DBSIZE", "GET k", "DBSIZE")
    finally:
        same(pair, "DEBUG SET-ACTIVE-EXPIRE 1")


def test_expire_in_other_db_and_after_move(pair):
    same(pair, "SELECT 1", "SET k v EX 100", "TTL k", "MOVE k 0", "SELECT 0", "TTL k",
         "SWAPDB 0 1", "TTL k", "SELECT 1", "TTL k")
