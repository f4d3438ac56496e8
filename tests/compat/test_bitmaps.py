"""Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO."""

import pytest

from cairn_compat import same

PATTERN = b"\x00\xff\xf0\x0f\x55\xaa\x01\x80\x00\x00\xff"


def test_setbit_getbit(pair):
    same(pair, "GETBIT missing 0", "SETBIT k 7 1", "GET k", "GETBIT k 7", "GETBIT k 6",
         "SETBIT k 7 0", "SETBIT k 7 0", "SETBIT k 100 1", "STRLEN k", "GETBIT k 100",
         "GETBIT k 10000", "SETBIT k 0 1", "GET k", "SET n 5", "SETBIT n 6 1", "GET n",
         "OBJECT ENCODING n", "SETBIT u 0 1", "TYPE u")


def test_setbit_getbit_errors(pair):
    same(pair, "SET k a", "SETBIT k 0 2", "SETBIT k 0 -1", "SETBIT k 0 x", "SETBIT k -1 1",
         "SETBIT k x 1", "SETBIT k 4294967296 1",
         "SETBIT k 1.5 1", "SETBIT k 0", "SETBIT k", "GETBIT k -1", "GETBIT k x",
         "GETBIT k 4294967296", "GETBIT k 4294967295", "GETBIT k", "GETBIT k 1 2",
         "RPUSH l x", "SETBIT l 0 1", "GETBIT l 0", "GET k")


RANGES = [(), (0, 0), (0, -1), (1, 1), (-1, -1), (-2, -1), (2, 5), (5, 2), (-100, 100),
          (100, 200), (0, 0, "BYTE"), (0, 7, "BIT"), (3, 20, "BIT"), (-5, -1, "BIT"),
          (10, 5, "BIT"), (0, 87, "BIT"), (1, -1, "bit"), (-9223372036854775808, -1),
          (0, 9223372036854775807, "BIT")]


@pytest.mark.parametrize("args", RANGES, ids=lambda a: "-".join(map(str, a)) or "all")
def test_bitcount(pair, args):
    same(pair, ["SET", "k", PATTERN], ["BITCOUNT", "k", *args], ["BITCOUNT", "missing", *args])


def test_bitcount_errors(pair):
    same(pair, "SET k foobar", "BITCOUNT k 0", "BITCOUNT k 0 1 FOO", "BITCOUNT k a 1",
         "BITCOUNT k 0 b", "BITCOUNT k 0 1 BIT extra", "BITCOUNT k 0 9223372036854775808",
         "BITCOUNT", "RPUSH l x", "BITCOUNT l", "BITCOUNT k 0 -1 byte")


@pytest.mark.parametrize("bit", [0, 1])
@pytest.mark.parametrize("args", [(), (0,), (1,), (-1,), (2, 4), (-3, -1), (5, 2), (100,),
                                  (0, -1, "BIT"), (3, 20, "BIT"), (9, 9, "BIT"), (0, 0, "BYTE"),
                                  (-10, -1, "BIT"), (80, 200, "BIT"), (4, 100)],
                         ids=lambda a: "-".join(map(str, a)) or "all")
def test_bitpos(pair, bit, args):
    same(pair, ["SET", "k", PATTERN], ["BITPOS", "k", bit, *args],
         ["BITPOS", "missing", bit, *args])


def test_bitpos_edge_values(pair):
    # All-ones and all-zeros strings: "not found" for 0 past the end differs with and without
    # an explicit end.
    same(pair, ["SET", "ones", b"\xff\xff\xff"], "BITPOS ones 0", "BITPOS ones 0 0",
         "BITPOS ones 0 0 -1", "BITPOS ones 1", ["SET", "zeros", b"\x00\x00"], "BITPOS zeros 1",
         "BITPOS zeros 0", "BITPOS zeros 1 0 -1 BIT", ["SET", "e", ""], "BITPOS e 0",
         "BITPOS e 1")


def test_bitpos_errors(pair):
    same(pair, "SET k a", "BITPOS k 2", "BITPOS k -1", "BITPOS k x", "BITPOS k", "BITPOS k 1 a",
         "BITPOS k 1 0 b", "BITPOS k 1 0 1 FOO", "BITPOS k 1 0 1 BIT x", "RPUSH l x",
         "BITPOS l 1")


@pytest.mark.parametrize("op", ["AND", "OR", "XOR", "and"])
def test_bitop_binary_ops(pair, op):
    same(pair, ["SET", "a", PATTERN], ["SET", "b", b"\x0f\x0f"], ["SET", "c", b"\xff"],
         ["BITOP", op, "dest", "a", "b", "c"], "GET dest",
         ["BITOP", op, "dest", "a", "missing"], "GET dest", ["BITOP", op, "dest", "a"],
         "GET dest", ["BITOP", op, "dest", "missing", "missing2"], "EXISTS dest",
         ["BITOP", op, "a", "a", "b"], "GET a")


def test_bitop_not_and_errors(pair):
    same(pair, ["SET", "a", PATTERN], "BITOP NOT dest a", "GET dest", "BITOP NOT dest missing",
         "EXISTS dest", "BITOP NOT dest a a", "BITOP FOO dest a", "BITOP AND dest", "BITOP AND",
         "RPUSH l x", "BITOP AND dest a l", "BITOP NOT dest l", "SET t v EX 100",
         "BITOP OR t a", "TTL t", "SET n 12", "BITOP OR dest n", "GET dest")


def test_bitfield_get_set_incrby(pair23):
    pair = pair23
    same(pair, "BITFIELD k GET u8 0", "BITFIELD k SET u8 0 255", "GET k",
         "BITFIELD k GET u8 0 GET i8 0 GET u4 4 GET i4 4 GET u1 7 GET i1 7",
         "BITFIELD k SET i8 #1 -100 GET i8 #1 GET u8 8", "BITFIELD k INCRBY u4 100 1",
         "BITFIELD k INCRBY i63 0 9223372036854775807", "BITFIELD k GET u63 0 GET i64 0",
         "BITFIELD k SET i64 0 -1 GET u63 0", "BITFIELD k SET u16 #2 0x10",
         "BITFIELD k GET i16 0 GET u16 1000", "BITFIELD k", "GET k")


@pytest.mark.parametrize("overflow", ["WRAP", "SAT", "FAIL", "sat"])
def test_bitfield_overflow(pair23, overflow):
    same(pair23, ["BITFIELD", "k", "OVERFLOW", overflow, "INCRBY", "u2", 100, 1],
         ["BITFIELD", "k", "OVERFLOW", overflow, "INCRBY", "u2", 100, 5],
         ["BITFIELD", "k", "OVERFLOW", overflow, "INCRBY", "i8", 0, 200],
         ["BITFIELD", "k", "OVERFLOW", overflow, "INCRBY", "i8", 0, -300],
         ["BITFIELD", "k", "OVERFLOW", overflow, "SET", "i8", 0, 300],
         ["BITFIELD", "k", "OVERFLOW", overflow, "SET", "u8", 0, -1, "GET", "u8", 0],
         ["BITFIELD", "k", "OVERFLOW", overflow, "INCRBY", "i64", 0, 9223372036854775807,
          "INCRBY", "i64", 0, 1], "GET k")


def test_bitfield_errors(pair):
    same(pair, "BITFIELD k GET u64 0", "BITFIELD k GET i65 0", "BITFIELD k GET u0 0",
         "BITFIELD k GET x8 0", "BITFIELD k GET u8 -1", "BITFIELD k GET u8 x",
         "BITFIELD k GET u8 4294967296", "BITFIELD k GET u8", "BITFIELD k SET u8 0",
         "BITFIELD k SET u8 0 x", "BITFIELD k INCRBY u8 0 1.5", "BITFIELD k OVERFLOW FOO",
         "BITFIELD k OVERFLOW", "BITFIELD k FOO", "BITFIELD k GET u8 #x", "BITFIELD",
         "RPUSH l x", "BITFIELD l GET u8 0", "EXISTS k")


def test_bitfield_ro(pair23):
    pair = pair23
    same(pair, ["SET", "k", PATTERN], "BITFIELD_RO k GET u8 0 GET i4 12 GET u16 #2",
         "BITFIELD_RO missing GET u8 0", "BITFIELD_RO k", "BITFIELD_RO k SET u8 0 1",
         "BITFIELD_RO k INCRBY u8 0 1", "BITFIELD_RO k OVERFLOW SAT GET u8 0",
         "BITFIELD_RO k GET u64 0", "BITFIELD_RO", "GET k")
