"""String commands: SET and its options, GET GETEX GETDEL GETSET MGET MSET MSETNX SETNX SETEX
PSETEX APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SETRANGE SUBSTR LCS.

TTLs set here are checked with TTL (whole seconds, rounded, so deterministic for a fresh key)
or EXPIRETIME (absolute), never PTTL."""

import pytest

from cairn_compat import same

BINARY = bytes(range(256))
UNICODE = "ünïcødé ✓ 日本語 🙂"
FAR_FUTURE = 4000000000  # seconds since the epoch, in 2096


# ---------------------------------------------------------------------------------------------
# SET


def test_set_and_get_values(pair23):
    pair = pair23
    same(pair, "GET k", "SET k v", "GET k", ["SET", "k", ""], "GET k", ["SET", "k", BINARY],
         "GET k", ["SET", "k", UNICODE], "GET k", ["SET", BINARY, UNICODE], ["GET", BINARY],
         ["SET", "big", "z" * 100000], "GET big", "SET k", "GET", "GET a b")


def test_set_expire_options(pair):
    same(pair, "SET k v EX 100", "TTL k", "SET k v PX 100000", "TTL k",
         f"SET k v EXAT {FAR_FUTURE}", "EXPIRETIME k", f"SET k v PXAT {FAR_FUTURE}123",
         "PEXPIRETIME k", "SET k v", "TTL k", "SET k v ex 100", "TTL k")
    # An absolute time in the past deletes the key at once.
    same(pair, "SET k v EXAT 1", "GET k", "SET k v PXAT 1", "EXISTS k")


@pytest.mark.parametrize("option", ["EX", "PX", "EXAT", "PXAT"])
@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "", "9223372036854775807",
                                   "9223372036854775808", "-9223372036854775808",
                                   "9223372036854775", "92233720368547758"])
def test_set_invalid_expire(pair, option, value):
    same(pair, ["SET", "k", "v", option, value], "EXISTS k")


def test_set_nx_xx(pair):
    same(pair, "SET k v XX", "GET k", "SET k v NX", "SET k w NX", "GET k", "SET k w XX",
         "GET k", "SET k v NX XX", "SET k v XX NX", "SET k v nx")


def test_set_keepttl(pair):
    same(pair, "SET k v EX 100", "SET k w KEEPTTL", "TTL k", "GET k", "SET k x", "TTL k",
         "SET k v KEEPTTL", "TTL k", "SET k v KEEPTTL EX 10", "SET k v EX 10 KEEPTTL",
         "SET k v PX 10 KEEPTTL", "SET k v EXAT 10 KEEPTTL")


def test_set_get_option(pair23):
    pair = pair23
    same(pair, "SET k v GET", "SET k w GET", "GET k", "SET k x NX GET", "SET k y XX GET",
         "SET new z XX GET", "EXISTS new", "SET k a GET EX 100", "TTL k", "SET k b KEEPTTL GET",
         "TTL k", "RPUSH l x", "SET l v GET", "TYPE l", "SET l v", "TYPE l")


def test_set_syntax_errors(pair):
    same(pair, "SET k v FOO", "SET k v EX", "SET k v EX 10 PX 100", "SET k v EX 10 EX 10",
         "SET k v PX 10 EXAT 10", "SET k v GET GET", "SET k v NX NX", "SET k v KEEPTTL KEEPTTL",
         "SET k v EX 10 FOO", "GET k")


# ---------------------------------------------------------------------------------------------
# GETEX GETDEL GETSET SETNX SETEX PSETEX


def test_getex(pair23):
    pair = pair23
    same(pair, "GETEX missing", "GETEX missing EX 10", "SET k v", "GETEX k", "TTL k",
         "GETEX k EX 100", "TTL k", "GETEX k PERSIST", "TTL k", "GETEX k PX 100000", "TTL k",
         f"GETEX k EXAT {FAR_FUTURE}", "EXPIRETIME k", f"GETEX k PXAT {FAR_FUTURE}000",
         "PEXPIRETIME k", "GETEX k EXAT 1", "EXISTS k")


def test_getex_errors(pair):
    same(pair, "SET k v", "GETEX", "GETEX k EX", "GETEX k EX 0", "GETEX k EX -1", "GETEX k EX x",
         "GETEX k PX 0", "GETEX k EX 10 PX 10", "GETEX k PERSIST EX 10", "GETEX k FOO",
         "GETEX k EX 9223372036854775807", "GETEX k PXAT 0", "GETEX k EXAT -5",
         "GETEX k KEEPTTL", "GETEX k EX 10 EX 10", "RPUSH l x", "GETEX l", "TTL k")


def test_getdel(pair23):
    pair = pair23
    same(pair, "GETDEL missing", "SET k v EX 100", "GETDEL k", "EXISTS k", "GETDEL",
         "GETDEL a b", "RPUSH l x", "GETDEL l", "SET n 5", "GETDEL n")


def test_getset(pair23):
    pair = pair23
    same(pair, "GETSET k v", "GETSET k w", "GET k", "SET t v EX 100", "GETSET t x", "TTL t",
         "GETSET k", "RPUSH l x", "GETSET l v", ["GETSET", "k", BINARY], "GET k")


def test_setnx(pair):
    same(pair, "SETNX k v", "SETNX k w", "GET k", "SETNX k", "SETNX k v w")


def test_setex_psetex(pair):
    same(pair, "SETEX k 100 v", "TTL k", "GET k", "PSETEX k 100000 w", "TTL k", "GET k",
         "SETEX k 0 v", "SETEX k -1 v", "SETEX k abc v", "SETEX k 9223372036854775807 v",
         "PSETEX k 0 v", "PSETEX k -5 v", "PSETEX k 9223372036854775807 v", "SETEX k 10",
         "PSETEX k", "SETEX k 10 v extra", "GET k")


# ---------------------------------------------------------------------------------------------
# MGET MSET MSETNX


def test_mget(pair23):
    pair = pair23
    same(pair, "MSET a 1 b 2", "RPUSH l x", "MGET a b missing l a", "MGET missing", "MGET")


def test_mset(pair):
    same(pair, "MSET a 1 b 2 a 3", "MGET a b", "MSET a", "MSET a 1 b", "MSET",
         ["MSET", BINARY, UNICODE, "", ""], ["MGET", BINARY, ""],
         "SET t v EX 100", "MSET t w", "TTL t")


def test_msetnx(pair):
    same(pair, "MSETNX a 1 b 2", "MSETNX b 3 c 4", "EXISTS c", "MSETNX c 1 c 2", "GET c",
         "MSETNX a", "MSETNX a 1 b", "MSETNX", "MGET a b c")


# ---------------------------------------------------------------------------------------------
# APPEND STRLEN GETRANGE SETRANGE SUBSTR


def test_append_strlen(pair):
    same(pair, "STRLEN missing", "APPEND k hello", ["APPEND", "k", " world"], "GET k", "STRLEN k",
         ["APPEND", "k", ""], "STRLEN k", "SET n 12", "APPEND n 34", "GET n", "STRLEN n",
         "SET i 12345", "STRLEN i", ["APPEND", "u", UNICODE], "STRLEN u",
         ["APPEND", "b", BINARY], "STRLEN b", "RPUSH l x", "APPEND l x", "STRLEN l", "APPEND k",
         "STRLEN", "STRLEN a b", ["APPEND", "empty", ""], "EXISTS empty")


@pytest.mark.parametrize("command", ["GETRANGE", "SUBSTR"])
def test_getrange_and_substr(pair, command):
    same(pair, ["SET", "s", "This is a string"], "SET n 123456", ["SET", "u", UNICODE])
    for start, end in [(0, 3), (-3, -1), (0, -1), (10, 100), (5, 3), (-100, 2), (-1, -5),
                       (100, 200), (0, 0), (-1, -1), (15, 15), (16, 16),
                       (-9223372036854775808, 9223372036854775807), (2, -100)]:
        same(pair, [command, "s", start, end])
    same(pair, [command, "n", 1, 3], [command, "u", 0, 1], [command, "u", 1, 4],
         [command, "missing", 0, -1], [command, "s", "a", 1], [command, "s", 0, "1.5"],
         [command, "s", 0, "9223372036854775808"], [command, "s", 0], [command, "s", 0, 1, 2],
         "RPUSH l x", [command, "l", 0, 1])


def test_setrange(pair):
    same(pair, "SETRANGE k 0 hello", "GET k", "SETRANGE k 6 world", "GET k", "STRLEN k",
         "SETRANGE k 2 XY", "GET k", "SETRANGE p 5 x", "GET p", ["SETRANGE", "z", 0, ""],
         "EXISTS z", ["SETRANGE", "z", 10, ""], "EXISTS z", ["SETRANGE", "k", 100, ""], "STRLEN k",
         "SET n 12345", "SETRANGE n 1 9", "GET n", "OBJECT ENCODING n",
         ["SETRANGE", "b", 1, BINARY], "GET b", "SETRANGE k -1 x", "SETRANGE k abc x",
         "SETRANGE k 536870912 x", ["SETRANGE", "k", 536870911, ""], "SETRANGE k 0",
         "SETRANGE k 9223372036854775807 x", "RPUSH l x", "SETRANGE l 0 x",
         ["SETRANGE", "l", 0, ""])


# ---------------------------------------------------------------------------------------------
# INCR DECR INCRBY DECRBY INCRBYFLOAT


def test_incr_decr(pair):
    same(pair, "INCR n", "INCR n", "DECR n", "DECR m", "INCRBY n 10", "INCRBY n -20",
         "DECRBY n 5", "DECRBY n -7", "GET n", "OBJECT ENCODING n", "SET s 10", "INCR s",
         "SET t 5 EX 100", "INCR t", "TTL t", "INCR", "INCR a b", "INCRBY n", "DECRBY n 1 2")


@pytest.mark.parametrize("value", ["abc", "", "1.5", " 1", "1 ", "+1", "0x10", "1e3", "--1",
                                   "00", "-0", "9223372036854775808", "-9223372036854775809",
                                   "12345678901234567890"])
def test_incr_on_non_integer_values(pair, value):
    same(pair, ["SET", "k", value], "INCR k", "DECR k", "INCRBY k 1", "DECRBY k 1", "GET k")


def test_incr_overflow(pair):
    same(pair, "SET k 9223372036854775807", "INCR k", "INCRBY k 1", "DECRBY k -1", "GET k",
         "SET k -9223372036854775808", "DECR k", "DECRBY k 1", "INCRBY k -1", "GET k",
         "SET k 0", "DECRBY k -9223372036854775808", "INCRBY k -9223372036854775808", "GET k",
         "INCRBY k 9223372036854775807", "INCRBY k 9223372036854775808", "INCRBY k abc",
         "INCRBY k 1.0", ["INCRBY", "k", ""], "DECRBY k 9223372036854775808", "GET k")


def test_incr_wrong_type(pair):
    same(pair, "RPUSH l x", "INCR l", "DECR l", "INCRBY l 1", "DECRBY l 1", "INCRBYFLOAT l 1")


@pytest.mark.parametrize("start,increment", [
    ("10.50", "0.1"), ("5.0e3", "2.0e2"), ("0", "1"), ("1", "-1"), ("3", "1.5"),
    ("-0.0", "0"), ("1", "1e-17"), ("0.1", "0.2"), ("1e308", "1e308"), ("1", "inf"),
    ("1", "-inf"), ("1", "nan"), ("1", "abc"), ("abc", "1"), ("1", ""), ("", "1"),
    ("1", " 1"), ("1", "1 "), ("1", "0x10"), ("1", "1.0.0"), ("9223372036854775807", "1"),
    ("1.7976931348623157e308", "0"), ("1", "-1.5"), ("123456789012345678", "1"),
    ("1", "1e-400"), ("1", "+5"), ("1", ".5"), ("1", "5."), ("1", "1E2"), ("-1", "0.3333"),
    ("3.0e3", "0"), ("1", "12345678901234567890"),
])
def test_incrbyfloat(pair23, start, increment):
    same(pair23, ["SET", "f", start], ["INCRBYFLOAT", "f", increment], "GET f")


def test_incrbyfloat_misc(pair):
    same(pair, "INCRBYFLOAT missing 2.5", "GET missing", "INCRBYFLOAT missing", "INCRBYFLOAT",
         "SET t 1 EX 100", "INCRBYFLOAT t 1", "TTL t", "INCRBYFLOAT t 1 2")


# ---------------------------------------------------------------------------------------------
# LCS


def test_lcs(pair23):
    pair = pair23
    same(pair, ["MSET", "key1", "ohmytext", "key2", "mynewtext", "a", "", "b", ""], "LCS key1 key2",
         "LCS key1 key2 LEN", "LCS key1 key2 IDX", "LCS key1 key2 IDX MINMATCHLEN 4",
         "LCS key1 key2 IDX WITHMATCHLEN", "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN",
         "LCS key1 key2 IDX MINMATCHLEN 0", "LCS key1 key2 IDX MINMATCHLEN -1",
         "LCS key1 key2 IDX MINMATCHLEN 100", "LCS key1 key2 idx withmatchlen minmatchlen 2",
         "LCS key1 missing", "LCS missing missing", "LCS missing missing LEN",
         "LCS missing missing IDX", "LCS a b", "LCS a key1 IDX WITHMATCHLEN", "LCS key1 key1",
         "LCS key1 key1 IDX", "LCS key1 key2 LEN MINMATCHLEN 2")


def test_lcs_binary_unicode_and_numbers(pair):
    same(pair, ["SET", "x", b"\x00\x01abc\xff\x00"], ["SET", "y", b"\x01ab\x00c\xff"],
         "LCS x y", "LCS x y IDX WITHMATCHLEN", ["SET", "u", "日本語テキスト"],
         ["SET", "v", "日本のテキスト"], "LCS u v", "LCS u v LEN", "SET n1 1234567", "SET n2 2468",
         "LCS n1 n2", "LCS n1 n2 IDX")


def test_lcs_errors(pair):
    same(pair, "MSET a abc b bcd", "RPUSH l x", "LCS a", "LCS", "LCS a b LEN IDX",
         "LCS a b IDX LEN", "LCS a b FOO", "LCS a b IDX MINMATCHLEN", "LCS a b IDX MINMATCHLEN x",
         "LCS a l", "LCS l a", "LCS a b MINMATCHLEN 9223372036854775808")
