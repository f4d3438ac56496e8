"""DUMP and RESTORE: payloads for strings are byte-identical to Redis's (raw and int encodings),
payloads move both ways between cairn-server and redis-server (compressed ones included), and
RESTORE's options and error replies match."""

import pytest

from cairn_compat import same
from cairn_testlib import decode

VALUES = ["hello", "12345", "-7", "2147483648", "", "x" * 20, "007"]


@pytest.mark.parametrize("value", VALUES)
def test_dump_bytes_match(pair, value):
    same(pair, ["SET", "k", value], "DUMP k", "DUMP missing")


@pytest.mark.parametrize("value", VALUES + ["abc" * 400, bytes(range(256)) * 4])
def test_payloads_move_both_ways(pair, value):
    cairn, redis = pair.clients()
    for source, target in ((cairn, redis), (redis, cairn)):
        source.call(["SET", "src", value])
        payload = decode(source.call(["DUMP", "src"]))
        assert decode(target.call(["RESTORE", "dst", "0", payload, "REPLACE"])) == b"OK"
        got = decode(target.call(["GET", "dst"]))
        assert got == (value if isinstance(value, bytes) else value.encode())


def test_restore_options_and_errors(pair):
    cairn, redis = pair.clients()
    redis.call(["SET", "src", "value"])
    payload = decode(redis.call(["DUMP", "src"]))
    same(pair, ["RESTORE", "k", "0", payload], ["RESTORE", "k", "0", payload], "GET k",
         ["RESTORE", "k", "0", payload, "REPLACE"], ["RESTORE", "t", "100000", payload], "TTL t",
         ["RESTORE", "a", "4000000000000", payload, "ABSTTL"], "PEXPIRETIME a",
         ["RESTORE", "p", "1", payload, "ABSTTL"], "EXISTS p",
         ["RESTORE", "k", "-1", payload, "REPLACE"], ["RESTORE", "k", "x", payload, "REPLACE"],
         ["RESTORE", "i", "0", payload, "IDLETIME", "-1"],
         ["RESTORE", "i", "0", payload, "IDLETIME", "10"], "EXISTS i",
         ["RESTORE", "f", "0", payload, "FREQ", "256"],
         ["RESTORE", "f", "0", payload, "FREQ", "5", "IDLETIME", "5"],
         ["RESTORE", "f", "0", payload, "BOGUS"], ["RESTORE", "k", "0", "short", "REPLACE"],
         ["RESTORE", "k", "0", payload[:-1] + b"\x00", "REPLACE"], "RESTORE k 0")
