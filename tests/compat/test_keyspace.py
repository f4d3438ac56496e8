"""Keyspace commands: SELECT DEL UNLINK EXISTS TYPE RENAME RENAMENX COPY MOVE SWAPDB KEYS SCAN
RANDOMKEY DBSIZE FLUSHDB FLUSHALL TOUCH OBJECT MEMORY USAGE.

A non-string key (for WRONGTYPE and TYPE) is made with RPUSH, the simplest other type."""

import pytest

from cairn_compat import same
from cairn_testlib import decode


def _setup(pair, *commands):
    same(pair, *commands)


# ---------------------------------------------------------------------------------------------
# DEL UNLINK EXISTS TOUCH TYPE


@pytest.mark.parametrize("command", ["DEL", "UNLINK"])
def test_del_and_unlink(pair, command):
    _setup(pair, "MSET a 1 b 2 c 3", ["SET", b"\x00bin\xff", "x"])
    same(pair, f"{command} missing", f"{command} a", f"{command} a", f"{command} b c missing",
         f"{command} b", [command, b"\x00bin\xff"], command, "DBSIZE")
    _setup(pair, "SET d 1")
    same(pair, f"{command} d d d", "EXISTS d")


def test_exists_counts_each_argument(pair):
    _setup(pair, "MSET a 1 b 2")
    same(pair, "EXISTS", "EXISTS missing", "EXISTS a", "EXISTS a b missing", "EXISTS a a a",
         ["EXISTS", ""], ["SET", "", "empty-key"], ["EXISTS", ""])


def test_touch(pair):
    _setup(pair, "MSET a 1 b 2")
    same(pair, "TOUCH", "TOUCH missing", "TOUCH a", "TOUCH a b missing a")


def test_type(pair):
    _setup(pair, "SET s v", "SET n 123", "RPUSH l x")
    same(pair, "TYPE s", "TYPE n", "TYPE l", "TYPE missing", "TYPE", "TYPE a b")


def test_select_and_isolation_between_dbs(pair):
    same(pair, "SET k db0", "SELECT 1", "GET k", "SET k db1", "DBSIZE", "SELECT 15", "DBSIZE",
         "SELECT 0", "GET k", "SELECT 16", "SELECT -1", "SELECT abc", "SELECT", "SELECT 1 2",
         "SELECT 9999999999999999999999", "SELECT 1.5")
    same(pair, "SELECT 1", "GET k")


# ---------------------------------------------------------------------------------------------
# RENAME RENAMENX COPY MOVE SWAPDB


def test_rename(pair):
    _setup(pair, "SET a 1", "SET b 2")
    same(pair, "RENAME missing x", "RENAME a a", "GET a", "RENAME a b", "GET a", "GET b",
         "RENAME b c", "EXISTS b", "GET c", "RENAME c", "RENAME c d e")
    _setup(pair, "SET e v EX 1000", "RENAME e f")
    same(pair, "TTL f", "TTL e")
    _setup(pair, "RPUSH l x", "RENAME l s")
    same(pair, "TYPE s", ["RENAME", "s", b"\xff\x00"], ["TYPE", b"\xff\x00"])


def test_renamenx(pair):
    _setup(pair, "SET a 1", "SET b 2")
    same(pair, "RENAMENX missing x", "RENAMENX a b", "GET a", "GET b", "RENAMENX a a",
         "RENAMENX a c", "GET c", "EXISTS a", "RENAMENX c", "RENAMENX a b c")


def test_copy(pair):
    _setup(pair, "SET a hello", "SET b other", "SET t v EX 500")
    same(pair, "COPY a c", "GET c", "COPY a b", "GET b", "COPY a b REPLACE", "GET b",
         "COPY missing x", "COPY a a", "COPY a a REPLACE", "COPY a x DB 1", "SELECT 1", "GET x",
         "SELECT 0", "COPY a x DB 1", "COPY a x DB 1 REPLACE", "COPY a y DB 16",
         "COPY a y DB -1", "COPY a y DB x", "COPY a y FOO", "COPY a y DB", "COPY a",
         "COPY t u", "TTL u", "COPY a y db 2 replace")
    # The copy is independent of its source.
    same(pair, "APPEND c -more", "GET a", "GET c", "OBJECT ENCODING c")


def test_move(pair):
    _setup(pair, "SET a 1", "SET b 2", "SELECT 1", "SET b other", "SELECT 0")
    same(pair, "MOVE a 1", "EXISTS a", "SELECT 1", "GET a", "SELECT 0", "MOVE b 1", "GET b",
         "MOVE missing 1", "MOVE b 0", "MOVE b 16", "MOVE b -1", "MOVE b x", "MOVE b",
         "MOVE b 1 2")
    _setup(pair, "SET e v EX 100", "MOVE e 2", "SELECT 2")
    same(pair, "TTL e")


def test_swapdb(pair):
    _setup(pair, "SET a db0", "SELECT 1", "SET b db1", "SELECT 0")
    same(pair, "SWAPDB 0 1", "GET a", "GET b", "DBSIZE", "SWAPDB 1 0", "GET a", "SWAPDB 0 0",
         "GET a", "SWAPDB 0 16", "SWAPDB 16 0", "SWAPDB -1 0", "SWAPDB x 0", "SWAPDB 0 x",
         "SWAPDB 0", "SWAPDB 0 1 2")


# ---------------------------------------------------------------------------------------------
# KEYS SCAN RANDOMKEY DBSIZE FLUSHDB FLUSHALL

PATTERN_KEYS = ["a", "ab", "abc", "b", "bc", "a*b", "a?b", "a[b", "h\\llo", "hello", "hallo",
                "hxllo", "héllo", "", "x y", "A"]


def _load_pattern_keys(pair):
    _setup(pair, ["MSET"] + [x for k in PATTERN_KEYS for x in (k, "1")],
           ["SET", b"bin\x00\xff", "1"])


@pytest.mark.parametrize("pattern", [
    "*", "a*", "*b", "a?", "?", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h\\[a\\]llo", "a\\*b",
    "a\\?b", "a[\\[]b", "*\\*", "h*llo", "héllo", "[", "x y", "A", "[A-Z]", "nomatch*",
    "bin*", "**", "a[b", "a[!]", "\\",
])
def test_keys_patterns(pair, pattern):
    # KEYS returns keys in hash-table order, which is unspecified: compare sorted.
    _load_pattern_keys(pair)
    pair.same_sorted(["KEYS", pattern])


def test_keys_arity_and_empty_db(pair):
    same(pair, "KEYS *", "KEYS", "KEYS a b")


def _full_scan(client, *options):
    """Iterates SCAN to the end on one client; returns (keys as a sorted list, calls)."""
    cursor = b"0"
    seen = []
    calls = 0
    while True:
        reply = decode(client.call(["SCAN", cursor, *options]))
        cursor, batch = reply
        seen.extend(batch)
        calls += 1
        if cursor == b"0":
            return sorted(seen), calls
        assert calls < 10000, "SCAN did not terminate"


@pytest.mark.parametrize("options", [
    (), ("COUNT", "1"), ("COUNT", "3"), ("MATCH", "k1*"), ("MATCH", "k1*", "COUNT", "2"),
    ("TYPE", "string"), ("TYPE", "list"), ("TYPE", "hash"), ("MATCH", "l*", "TYPE", "list"),
    ("TYPE", "nosuchtype"),
], ids=lambda o: "-".join(o) or "plain")
def test_scan_full_iteration(pair, options):
    # The cursor sequence and batch order depend on the hash table: compare the union of every
    # batch of a full iteration (each key present throughout must be returned).
    _setup(pair, ["MSET"] + [x for i in range(40) for x in (f"k{i}", str(i))],
           "RPUSH l1 a", "RPUSH l2 b")
    results = [_full_scan(c, *options)[0] for c in pair.clients()]
    assert results[0] == results[1]
    assert len(set(results[1])) == len(results[1])


def test_scan_empty_db_and_errors(pair):
    # An empty database gives a deterministic reply.
    same(pair, "SCAN 0", "SCAN 0 COUNT 10 MATCH * TYPE string")
    _setup(pair, "SET k v")
    same(pair, "SCAN abc", "SCAN 18446744073709551616", "SCAN -", "SCAN 0 COUNT 0",
         "SCAN 0 COUNT -1", "SCAN 0 COUNT abc", "SCAN 0 COUNT", "SCAN 0 MATCH", "SCAN 0 TYPE",
         "SCAN 0 FOO bar", "SCAN", "SCAN 0 count 10 match k type STRING")


def test_randomkey(pair23):
    pair = pair23
    same(pair, "RANDOMKEY", "SET only v", "RANDOMKEY", "RANDOMKEY extra")
    # With several keys the choice is random: only membership is compared.
    _setup(pair, "MSET a 1 b 2 c 3")
    for client in pair.clients():
        assert decode(client.call("RANDOMKEY")) in (b"a", b"b", b"c", b"only")


def test_dbsize_flushdb_flushall(pair):
    _setup(pair, "MSET a 1 b 2", "SELECT 1", "SET c 3", "SELECT 0")
    same(pair, "DBSIZE", "DBSIZE x", "FLUSHDB", "DBSIZE", "SELECT 1", "DBSIZE", "SELECT 0",
         "FLUSHDB FOO", "FLUSHDB ASYNC SYNC", "FLUSHDB ASYNC", "FLUSHDB SYNC", "FLUSHDB sync")
    for variant in ("FLUSHALL", "FLUSHALL ASYNC", "FLUSHALL SYNC", "FLUSHALL async"):
        _setup(pair, "SET a 1", "SELECT 3", "SET b 2")
        same(pair, variant, "DBSIZE", "SELECT 0", "DBSIZE")
    same(pair, "FLUSHALL FOO", "FLUSHALL SYNC ASYNC")


# ---------------------------------------------------------------------------------------------
# OBJECT and MEMORY USAGE


@pytest.mark.parametrize("value", [
    "0", "1", "-1", "123", "9999", "10000", "-9223372036854775808", "9223372036854775807",
    "9223372036854775808", "007", " 1", "1 ", "+1", "1.5", "0x10", "", "abc",
    "x" * 44, "x" * 45, "x" * 1000, "é" * 22, "é" * 23,
])
def test_object_encoding_of_set_values(pair, value):
    same(pair, ["SET", "k", value], "OBJECT ENCODING k", "OBJECT REFCOUNT k")


def test_object_encoding_after_modifications(pair):
    same(pair, "SET n 10", "INCR n", "OBJECT ENCODING n", "INCRBY n 100000", "OBJECT ENCODING n",
         "APPEND n 5", "OBJECT ENCODING n", "SET s short", "APPEND s x", "OBJECT ENCODING s",
         "SET r abc", "SETRANGE r 1 z", "OBJECT ENCODING r", "SET f 1.5", "INCRBYFLOAT f 1",
         "OBJECT ENCODING f", "SETBIT b 3 1", "OBJECT ENCODING b", "GETSET g 12",
         "OBJECT ENCODING g", "SET e 5 EX 100", "OBJECT ENCODING e", "MSET m1 1 m2 abc",
         "OBJECT ENCODING m1", "OBJECT ENCODING m2", "SETEX x 100 7", "OBJECT ENCODING x")


def test_object_errors_and_missing(pair23):
    pair = pair23
    same(pair, "OBJECT ENCODING missing", "OBJECT REFCOUNT missing", "OBJECT IDLETIME missing",
         "OBJECT FREQ missing", "OBJECT", "OBJECT FOO k", "OBJECT ENCODING", "OBJECT ENCODING a b",
         "OBJECT REFCOUNT", "OBJECT IDLETIME", "OBJECT FREQ")


def test_object_refcount(pair):
    # Small integers are shared objects in Redis: their refcount is INT_MAX.
    same(pair, "SET small 100", "SET big 100000", "SET s abc", "OBJECT REFCOUNT small",
         "OBJECT REFCOUNT big", "OBJECT REFCOUNT s")


def test_object_freq(pair):
    same(pair, "SET k v", "OBJECT FREQ k")
    # Under an LFU policy with decay off, a new key starts at 5 and its first access always
    # increments (later increments are probabilistic, so only one access is made).
    pair.servers.config_set("maxmemory-policy", "allkeys-lfu")
    pair.servers.config_set("lfu-decay-time", "0")
    same(pair, "SET f v", "OBJECT FREQ f", "GET f", "OBJECT FREQ f", "OBJECT IDLETIME f")


def test_object_idletime_shape(pair):
    # Idle time depends on the LRU clock: compare only that it is a small integer.
    _setup(pair, "SET k v")
    pair.same_by(lambda v: isinstance(v, int) and 0 <= v <= 2, "OBJECT IDLETIME k")


def test_memory_usage(pair23):
    # The byte count is allocator-specific: compare the reply type and that it is positive.
    pair = pair23
    _setup(pair, "SET k v", "SET big " + "x" * 1000)
    for key in ("k", "big"):
        pair.same_by(lambda v: isinstance(v, int) and v > 0, f"MEMORY USAGE {key}")
        pair.same_by(lambda v: isinstance(v, int) and v > 0, f"MEMORY USAGE {key} SAMPLES 0")
    same(pair, "MEMORY USAGE missing", "MEMORY USAGE k SAMPLES x", "MEMORY USAGE k FOO",
         "MEMORY USAGE k SAMPLES", "MEMORY USAGE", "MEMORY FOO")
    assert decode(pair.redis.call("MEMORY USAGE big")) > decode(pair.redis.call("MEMORY USAGE k"))
