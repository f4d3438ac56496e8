"""List commands against redis-server: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX
LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP BLMOVE
BRPOPLPUSH BLMPOP (served by pushes from another client and from MULTI/EXEC, FIFO, timeouts,
CLIENT UNBLOCK, a blocked client killed)."""

import pytest

from cairn_compat import same
from cairn_testlib import encode_command, split_command

BIG = "9223372036854775807"
SMALL = "-9223372036854775808"


def test_push_pop_len(pair23):
    same(pair23, "LPUSH l a b c", "RPUSH l d e", "LRANGE l 0 -1", "LLEN l", "LPOP l", "RPOP l",
         "LPOP l 2", "RPOP l 5", "EXISTS l", "LPOP l", "LPOP l 2", "RPOP missing 0",
         "LPUSHX l x", "RPUSHX l x", "RPUSH l x", "LPUSHX l y z", "RPUSHX l w", "LRANGE l 0 -1",
         "LPOP l 0", "LPOP l -1", "LPOP l x", "LPOP l 1 2", "RPOP l " + BIG, "LLEN missing")


def test_range_index_extremes(pair23):
    same(pair23, "RPUSH l a b c d e", "LRANGE l 0 -1", "LRANGE l -100 100", "LRANGE l 3 1",
         "LRANGE l 5 10", "LRANGE l -2 -1", f"LRANGE l {SMALL} {BIG}", f"LRANGE l {BIG} {SMALL}",
         "LRANGE l a 1", "LRANGE missing 0 -1", "LINDEX l 0", "LINDEX l -1", "LINDEX l 5",
         "LINDEX l -6", f"LINDEX l {BIG}", "LINDEX l x", "LINDEX missing 0")


def test_lset_linsert(pair):
    same(pair, "LSET missing 0 x", "RPUSH l a b c", "LSET l 1 B", "LSET l -1 C", "LSET l 3 x",
         "LSET l x y", "LRANGE l 0 -1", "LINSERT l BEFORE a z", "LINSERT l after C end",
         "LINSERT l before nope x", "LINSERT l middle a x", "LINSERT missing before a x",
         "LRANGE l 0 -1")


def test_lrem_ltrim(pair):
    same(pair, "RPUSH l a b a c a b", "LREM l 1 a", "LREM l -1 b", "LRANGE l 0 -1",
         "LREM l 0 a", "LRANGE l 0 -1", "LREM l x a", "LREM missing 0 a", "LREM l 0 b",
         "LREM l 0 c", "EXISTS l", "RPUSH l 1 2 3 4 5 6", "LTRIM l 1 -2", "LRANGE l 0 -1",
         "LTRIM l 10 20", "EXISTS l", "LTRIM missing 0 1", "RPUSH l a", "LTRIM l x 1",
         f"LTRIM l {SMALL} {BIG}", "LRANGE l 0 -1")


def test_lpos(pair):
    same(pair, "RPUSH l a b c a b c a", "LPOS l a", "LPOS l c", "LPOS l x", "LPOS l a RANK 2",
         "LPOS l a RANK -1", "LPOS l a RANK -3", "LPOS l a RANK 9", "LPOS l a COUNT 0",
         "LPOS l a COUNT 2", "LPOS l a COUNT 2 RANK -1", "LPOS l a MAXLEN 1", "LPOS l c MAXLEN 2",
         "LPOS l a COUNT 0 MAXLEN 4", "LPOS l a RANK 0", f"LPOS l a RANK {SMALL}",
         "LPOS l a RANK x", "LPOS l a COUNT -1", "LPOS l a COUNT x", "LPOS l a MAXLEN -1",
         "LPOS l a FOO", "LPOS l a RANK", "LPOS missing a", "LPOS missing a COUNT 1",
         "LPOS missing a RANK 0")


def test_lmove_rpoplpush(pair23):
    same(pair23, "RPUSH a 1 2 3", "LMOVE a b LEFT RIGHT", "LMOVE a b RIGHT LEFT",
         "LRANGE a 0 -1", "LRANGE b 0 -1", "LMOVE a a LEFT RIGHT", "LRANGE a 0 -1",
         "RPOPLPUSH a b", "EXISTS a", "RPOPLPUSH a b", "LMOVE a b UP DOWN", "LMOVE a b LEFT x",
         "LMOVE missing b LEFT LEFT", "RPOPLPUSH b b", "LRANGE b 0 -1")


def test_lmpop(pair23):
    same(pair23, "RPUSH a 1 2 3", "RPUSH b x", "LMPOP 2 missing a LEFT", "LMPOP 2 a b RIGHT COUNT 5",
         "LMPOP 2 a b LEFT COUNT 5", "LMPOP 1 b LEFT", "LMPOP 0 a LEFT", "LMPOP -1 a LEFT",
         "LMPOP x a LEFT", "LMPOP 3 a LEFT", "LMPOP 1 a MIDDLE", "LMPOP 1 a LEFT COUNT 0",
         "LMPOP 1 a LEFT COUNT -1", "LMPOP 1 a LEFT COUNT 1 COUNT 1", "LMPOP 1 a LEFT FOO",
         f"LMPOP {BIG} a LEFT")


def test_wrongtype(pair):
    same(pair, "SET s v", "LPUSH s a", "RPUSH s a", "LPUSHX s a", "RPUSHX s a", "LPOP s",
         "RPOP s 2", "LLEN s", "LRANGE s 0 -1", "LINDEX s 0", "LSET s 0 a", "LINSERT s before a b",
         "LREM s 0 a", "LTRIM s 0 1", "LPOS s a", "LMOVE s d LEFT LEFT", "RPUSH l a",
         "LMOVE l s LEFT LEFT", "RPOPLPUSH l s", "LMPOP 2 s l LEFT", "LMPOP 2 l s LEFT",
         "BLPOP s 0", "BRPOP missing s 0", "BLMOVE s l LEFT LEFT 0", "RPUSH l b",
         "BRPOPLPUSH l s 0",
         "BLMPOP 0 1 s LEFT", "LRANGE l 0 -1", "GET s")


def test_big_lists_and_encoding(pair):
    pair.servers.config_set("list-max-listpack-size", "4")
    cmd = ["RPUSH", "l"] + [str(i) for i in range(100)]
    same(pair, cmd, "LRANGE l 0 -1", "LRANGE l 37 61", "LINDEX l 50", "LINSERT l BEFORE 50 x",
         "LSET l 77 y", "LREM l 0 y", "LTRIM l 3 90", "LRANGE l 0 -1", "OBJECT ENCODING l",
         ["RPUSH", "big", "z" * 20000], "LRANGE big 0 -1", "OBJECT ENCODING big")
    same(pair, "CONFIG GET list-max-listpack-size", "CONFIG GET list-max-ziplist-size")


def test_keyspace_ops_and_notifications(pair):
    same(pair, "RPUSH l a b", "EXPIRE l 100", "TTL l", "RENAME l m", "TYPE m", "LRANGE m 0 -1",
         "COPY m n", "LRANGE n 0 -1", "RPUSH n c", "LLEN m", "MOVE n 1", "SELECT 1",
         "LRANGE n 0 -1", "SELECT 0", "DEL m", "EXISTS m", "TYPE n")


def _send(client, command):
    client.send_raw(encode_command(split_command(command)))


def _read_both(pair):
    return pair.cairn.read_reply(), pair.redis.read_reply()


def _blocked(pair, n):
    """Waits until both servers report `n` blocked clients."""
    from cairn_testlib import wait_until

    def count(client):
        info = client.call("INFO", "clients").decode()
        line = [x for x in info.split("\r\n") if x.startswith("blocked_clients:")]
        return int(line[0].split(":")[1]) if line else -1

    wait_until(lambda: count(pair.cairn) == n and count(pair.redis) == n, what="blocked clients")


@pytest.mark.parametrize("command,push", [
    ("BLPOP a b 0", "RPUSH b x y"),
    ("BRPOP a b 0", "LPUSH a x y"),
    ("BLMOVE a dst RIGHT LEFT 0", "RPUSH a x y"),
    ("BRPOPLPUSH a dst 0", "RPUSH a x"),
    ("BLMPOP 0 2 a b LEFT COUNT 5", "RPUSH b x y z"),
])
def test_blocking_served_by_push(pair23, command, push):
    waiter = pair23.new_pair(resp=2)
    for c in waiter.clients():
        _send(c, command)
    _blocked(pair23, 1)
    same(pair23, push)
    c, r = _read_both(waiter)
    assert c == r
    same(pair23, "LRANGE a 0 -1", "LRANGE b 0 -1", "LRANGE dst 0 -1")


def test_blocking_fifo_and_exec(pair):
    first = pair.new_pair()
    second = pair.new_pair()
    for c in first.clients():
        _send(c, "BLPOP q 0")
    _blocked(pair, 1)
    for c in second.clients():
        _send(c, "BLPOP q 0")
    _blocked(pair, 2)
    same(pair, "MULTI", "RPUSH q 1", "RPUSH q 2", "RPUSH q 3", "EXEC")
    c1, r1 = _read_both(first)
    c2, r2 = _read_both(second)
    assert c1 == r1 and c1.endswith(b"1\r\n")
    assert c2 == r2 and c2.endswith(b"2\r\n")
    same(pair, "LRANGE q 0 -1")


def test_blocking_timeouts_and_immediate(pair23):
    same(pair23, "BLPOP a 0.01", "BRPOP a 0.001", "BLMOVE a b LEFT LEFT 0.01",
         "BRPOPLPUSH a b 0.01", "BLMPOP 0.01 1 a LEFT", "BLPOP a -1", "BLPOP a x",
         "BLPOP a inf", "BLMOVE a b UP LEFT x", "BLMPOP x 1 a LEFT", "RPUSH a 1 2",
         "BLPOP a 0", "BLMPOP 0 1 a RIGHT COUNT 3", "MULTI", "BLPOP a 0", "BLMOVE a b LEFT LEFT 0",
         "BLMPOP 0 1 a LEFT", "EXEC")


def test_client_unblock_and_kill(pair):
    waiter = pair.new_pair()
    ids = [c.value("CLIENT", "ID") for c in waiter.clients()]
    for c in waiter.clients():
        _send(c, "BLPOP a 0")
    _blocked(pair, 1)
    assert pair.cairn.value("CLIENT", "UNBLOCK", str(ids[0])) == 1
    assert pair.redis.value("CLIENT", "UNBLOCK", str(ids[1])) == 1
    c, r = _read_both(waiter)
    assert c == r
    for c in waiter.clients():
        _send(c, "BLPOP a 0")
    _blocked(pair, 1)
    pair.cairn.call("CLIENT", "UNBLOCK", str(ids[0]), "ERROR")
    pair.redis.call("CLIENT", "UNBLOCK", str(ids[1]), "ERROR")
    c, r = _read_both(waiter)
    assert c == r
    same(pair, "CLIENT UNBLOCK 999999", "CLIENT UNBLOCK x", "CLIENT UNBLOCK 1 FOO")
    for c in waiter.clients():
        _send(c, "BLPOP a 0")
    _blocked(pair, 1)
    waiter.close()
    _blocked(pair, 0)
    same(pair, "RPUSH a x", "LRANGE a 0 -1")


def test_keyspace_notifications_of_collections(pair):
    """Every list, hash and set write fires Redis's events, in Redis's order."""
    from cairn_compat import same_stream_until
    sub = pair
    writer = pair.new_pair()
    pair.servers.config_set("notify-keyspace-events", "KEA")
    same(sub, "PSUBSCRIBE __key*__:*", "SUBSCRIBE sync")
    same(writer, "RPUSH l a b c", "LPUSH l z", "LPUSHX l y", "RPUSHX l x", "LPOP l", "RPOP l 2",
         "LSET l 0 q", "LINSERT l BEFORE q p", "LREM l 1 p", "LTRIM l 0 -1", "RPUSH l2 1",
         "LMOVE l l2 LEFT RIGHT", "RPOPLPUSH l2 l3", "LMPOP 1 l2 LEFT COUNT 9", "BLPOP l3 0",
         "HSET h a 1", "HSETNX h b 2", "HMSET h c 3", "HINCRBY h a 1", "HINCRBYFLOAT h a 1.5",
         "HDEL h a", "HDEL h b c", "SADD s 1 2 3", "SREM s 1", "SMOVE s t 2", "SPOP s",
         "SADD s a b", "SINTERSTORE d s t", "SUNIONSTORE d s t", "SDIFFSTORE d s t",
         "SINTERSTORE d missing s", "PUBLISH sync done")
    same_stream_until(sub, b"done")
