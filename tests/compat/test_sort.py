"""SORT and SORT_RO against redis-server: lists, sets and sorted sets; numeric and ALPHA order
(ties broken by the element), ASC / DESC, LIMIT, BY patterns (keys, hash fields, missing keys,
a constant pattern that skips sorting), GET patterns ("#", keys, hash fields, several), STORE
(a list; an empty result deletes the destination), the not-a-number error, WRONGTYPE, missing
keys, SORT_RO refusing STORE, COMMAND INFO and GETKEYS."""

import random

import pytest

from cairn_compat import same


def fill(pair):
    same(pair, "RPUSH l 3 1 2 10 -5 2.5 1e2 0x10",
         "SADD s 9 7 8 -1 100", "ZADD z 3 c 1 a 2 b 0 d",
         "ZADD zn 1 30 2 10 3 20 4 -1",
         "MSET w_3 30 w_1 100 w_2 20 w_10 -1 w_-5 5 w_2.5 7 w_1e2 1 w_0x10 2",
         "HSET h_3 f c", "HSET h_1 f z g 1", "HSET h_2 f y", "HSET h_10 f x",
         ["RPUSH", "words", "banana", "apple", "Cherry", "date", "apple2", ""])


@pytest.mark.parametrize("args", [
    "SORT l", "SORT l DESC", "SORT l ASC", "SORT l LIMIT 0 3", "SORT l LIMIT 2 3",
    "SORT l LIMIT -1 2", "SORT l LIMIT 5 -1", "SORT l LIMIT 100 3", "SORT l LIMIT 1 0",
    "SORT l DESC LIMIT 1 4", "SORT s", "SORT s DESC", "SORT s LIMIT 1 2", "SORT zn",
    "SORT zn DESC", "SORT words ALPHA", "SORT words ALPHA DESC", "SORT words ALPHA LIMIT 1 2",
    "SORT z ALPHA", "SORT z ALPHA DESC", "SORT z BY nosort", "SORT z BY nosort DESC",
    "SORT z BY nosort LIMIT 1 2", "SORT z BY nosort DESC LIMIT 1 2", "SORT l BY nosort",
    "SORT l BY nosort DESC", "SORT l BY nosort DESC LIMIT 2 3", "SORT l BY nosort LIMIT 7 5",
    "SORT l BY w_*", "SORT l BY w_* DESC", "SORT l BY w_* LIMIT 1 3", "SORT l BY w_* ALPHA",
    "SORT l BY h_*->f ALPHA", "SORT l BY h_*->f", "SORT l BY h_*->f ALPHA DESC",
    "SORT l BY missing_*", "SORT l GET #", "SORT l GET w_*", "SORT l GET # GET w_* GET h_*->f",
    "SORT l BY w_* GET # GET h_*->g", "SORT l GET nostar", "SORT l GET h_*->", "SORT l BY h_*->",
    "SORT s BY w_* GET #", "SORT s BY nosort ALPHA LIMIT 0 0", "SORT words", "SORT z",
    "SORT missing", "SORT missing GET # LIMIT 0 1", "SORT l LIMIT x 1", "SORT l LIMIT 0 y",
    "SORT l LIMIT 0", "SORT l BY", "SORT l GET", "SORT l STORE", "SORT l bogus",
    "SORT l ALPHA BY w_* GET #", "SORT_RO l DESC", "SORT_RO l STORE d", "SORT_RO l BY w_* GET #",
    "SORT_RO missing", "SORT l asc desc", "SORT l desc asc", "sort l alpha limit 0 2 desc",
])
def test_sort_replies(pair, args):
    fill(pair)
    same(pair, args)


def test_sort_wrongtype_and_not_numbers(pair):
    fill(pair)
    same(pair, "SET str v", "SORT str", "HSET hash a 1", "SORT hash", "SORT_RO str",
         "SORT words", "SORT words LIMIT 0 1", "SORT words STORE d", "EXISTS d",
         "RPUSH bad 1 nan", "SORT bad", ["RPUSH", "sp", " 3", "2", "", "4\x00x"], "SORT sp",
         "SET w_x notnum", "RPUSH by x", "SORT by BY w_*", "SORT by BY w_* ALPHA",
         # Last: after an overflow Redis leaves errno at ERANGE, failing its next numeric SORT.
         "RPUSH big 1 1e400", "SORT big", "RPUSH tiny 1 1e-400", "SORT tiny")


def test_sort_store(pair):
    fill(pair)
    same(pair, "SORT l STORE dst", "LRANGE dst 0 -1", "TYPE dst", "OBJECT ENCODING dst",
         "SORT l GET # GET h_*->f STORE dst", "LRANGE dst 0 -1",
         "SORT s BY nosort STORE dst", "LRANGE dst 0 -1",
         "SORT s BY nosort DESC STORE dst", "LRANGE dst 0 -1",
         "SORT words ALPHA STORE dst", "LRANGE dst 0 -1",
         "SORT l LIMIT 100 1 STORE dst", "EXISTS dst", "SORT missing STORE dst", "EXISTS dst",
         "SET dst x", "SORT l STORE dst", "TYPE dst", "SORT l STORE a STORE b",
         "EXISTS a", "LRANGE b 0 -1", "SORT l STORE l", "LRANGE l 0 -1",
         "EXPIRE dst 100", "SORT z BY nosort STORE dst", "TTL dst", "LRANGE dst 0 -1")


def test_sorting_converts_a_sorted_set_to_skiplist(pair):
    same(pair, "ZADD zz 1 a 2 b", "OBJECT ENCODING zz", "SORT_RO zz BY nosort", "OBJECT ENCODING zz",
         "ZADD z2 2 x 1 y", "SORT z2 ALPHA", "OBJECT ENCODING z2", "DUMP z2", "SORT missing",
         "ZADD z3 1 q", "SORT z3 LIMIT 5 5", "OBJECT ENCODING z3")


def test_sort_ties_and_duplicates(pair):
    same(pair, "RPUSH t b a c a 1 01 1.0", "SORT t BY nosort", "SORT t ALPHA", "RPUSH n 2 02 2.0 1",
         "SORT n", "SORT n DESC", "SET k_a 1", "SET k_b 1", "SET k_c 0", "RPUSH m c b a",
         "SORT m BY k_*", "SORT m BY k_* DESC", "SORT m BY k_* LIMIT 0 2")


def test_sort_random_lists(pair):
    rng = random.Random(42)
    values = [str(rng.choice([rng.randint(-1000, 1000), rng.uniform(-50, 50)])) for _ in range(200)]
    same(pair, ["RPUSH", "r"] + values, ["SADD", "rs"] + values)
    for i, v in enumerate(values[:60]):
        same(pair, ["SET", f"weight_{v}", str(rng.randint(0, 10**6))],
             ["HSET", f"obj_{v}", "name", f"n{rng.randint(0, 10**9)}", "rank", str(i)])
    same(pair, "SORT r", "SORT r DESC LIMIT 10 20", "SORT r ALPHA", "SORT rs", "SORT rs ALPHA DESC",
         "SORT r BY weight_* GET # GET obj_*->name", "SORT rs BY obj_*->rank GET obj_*->name",
         "SORT r BY weight_* DESC LIMIT 5 10 GET #", "SORT rs STORE out", "LRANGE out 0 -1")


def test_command_info_and_keys(pair23):
    same(pair23, "COMMAND INFO sort", "COMMAND INFO sort_ro",
         "COMMAND GETKEYS SORT k", "COMMAND GETKEYS SORT k STORE d",
         "COMMAND GETKEYS SORT k LIMIT 0 1 BY x GET y STORE d STORE e",
         "COMMAND GETKEYS SORT k GET store STORE d", "COMMAND GETKEYS SORT_RO k BY x",
         "COMMAND GETKEYSANDFLAGS SORT k STORE d", "COMMAND GETKEYSANDFLAGS SORT_RO k")


def test_sort_in_script_sorts_a_set(pair):
    same(pair, "SADD s c a b",
         ["EVAL", "return redis.call('SORT', KEYS[1], 'BY', 'nosort')", "1", "s"],
         ["EVAL", "return redis.call('SORT_RO', KEYS[1], 'BY', 'nosort', 'DESC')", "1", "s"])
