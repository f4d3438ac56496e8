"""Stream commands against redis-server: XADD (explicit, partial and auto ids, NOMKSTREAM,
MAXLEN/MINID with = ~ LIMIT), XLEN XRANGE XREVRANGE XDEL XTRIM XSETID, XREAD (COUNT, BLOCK, "$",
several streams, served from another client and from MULTI/EXEC), consumer groups (XGROUP
CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM),
XINFO STREAM/GROUPS/CONSUMERS, the error texts and WRONGTYPE. Ids are explicit wherever the reply
would show them; idle times and delivery timestamps are compared by shape."""

import pytest

from cairn_compat import same
from test_lists import _blocked, _read_both, _send

MAX = "18446744073709551615"


def _no_times(value):
    """Replaces timestamps (>= 10^12) and idle figures in decoded replies by a marker."""
    if isinstance(value, (list, tuple)):
        return type(value)(_no_times(v) for v in value)
    if isinstance(value, int) and value >= 10**12:
        return "T"
    return value


def _pending_rows(rows):
    """XPENDING extended rows: [id, consumer, idle (dropped), deliveries]."""
    return [[r[0], r[1], r[3]] for r in rows]


def _consumers(rows):
    """XINFO CONSUMERS maps (RESP2 flat lists, RESP3 pairs) without their idle value."""
    return [[x for x in r if not (isinstance(x, tuple) and x[0] == b"idle")][:5] for r in rows]


def test_xadd_ids_and_errors(pair23):
    same(pair23, "XADD s 1-1 a 1", "XADD s 1-1 a 1", "XADD s 1-0 a 1", "XADD s 0-0 a 1",
         "XADD t 0-0 a 1", "XADD s 1-x a 1", "XADD s -1 a 1", "XADD s 1-* a 1", "XADD s 1-* b 2",
         "XADD s 5-* a 1", "XADD s 7 a 1", "XADD s + a 1", "XADD s - a 1", "XADD s 8-0 a",
         "XADD s 8-0 a 1 b", "XADD s 8-0", "XADD s", "XADD n NOMKSTREAM 1-0 a 1", "EXISTS n",
         "XADD s NOMKSTREAM 9-0 a 1", f"XADD m {MAX}-{MAX} a 1", "XADD m 1-0 a 1",
         f"XADD m {MAX}-* a 1", "XADD m * a 1", "XADD z 0-* a 1", "XADD z 0-* a 1",
         f"XADD y 5-{MAX} a 1", "XADD y 5-* a 1", "XLEN s", "XLEN missing", "TYPE s",
         "OBJECT ENCODING s", "XRANGE s - +")


def test_xadd_trim_options(pair):
    for i in range(1, 251):
        same(pair, f"XADD s {i}-0 f v{i}")
    same(pair, "XADD s MAXLEN ~ 200 251-0 f v", "XLEN s", "XADD s MAXLEN = 240 252-0 f v",
         "XLEN s", "XADD s MAXLEN 230 LIMIT 5 253-0 f v", "XADD s MAXLEN ~ 10 LIMIT 50 254-0 f v",
         "XLEN s", "XADD s MINID ~ 200 255-0 f v", "XLEN s", "XADD s MINID 230 256-0 f v",
         "XLEN s", "XRANGE s - + COUNT 2", "XADD s MAXLEN -1 257-0 f v",
         "XADD s LIMIT -1 257-0 f v", "XADD s LIMIT 5 257-0 f v",
         "XADD s MAXLEN 5 MINID 0 257-0 f v", "XADD s MAXLEN x 257-0 f v",
         "XADD s MINID x 257-0 f v", "XADD s MAXLEN 0 257-0 f v", "XLEN s",
         "XADD s MAXLEN ~ 0 LIMIT 0 258-0 f v", "XLEN s", "XADD s FOO 259-0 f v")


def test_xtrim(pair23):
    for i in range(1, 321):
        same(pair23, f"XADD s {i}-0 f v")
    same(pair23, "XTRIM s MAXLEN ~ 150", "XLEN s", "XTRIM s MAXLEN ~ 10 LIMIT 100", "XLEN s",
         "XTRIM s MAXLEN = 99", "XLEN s", "XTRIM s MINID 250", "XLEN s", "XTRIM s MINID ~ 290",
         "XLEN s", "XTRIM s MAXLEN 5", "XRANGE s - +", "XTRIM s MAXLEN 0", "XLEN s",
         "XTRIM missing MAXLEN 1", "XTRIM s MINID", "XTRIM s FOO 1", "XTRIM s MAXLEN x",
         "XTRIM s MINID x", "XTRIM s MAXLEN ~ 1 LIMIT x", "XTRIM s LIMIT 5",
         "XTRIM s MAXLEN 1 LIMIT 5", "XTRIM s MAXLEN -1", "XINFO STREAM s")


def test_xrange_xrevrange(pair23):
    same(pair23, "XADD s 1-0 a 1", "XADD s 1-1 b 2 c 3", "XADD s 2-0 a 4", "XADD s 3-5 a 5",
         "XRANGE s - +", "XREVRANGE s + -", "XRANGE s 1 1", "XRANGE s (1-0 +", "XRANGE s - (3-5",
         "XREVRANGE s (3-5 (1-0", "XRANGE s 2 3 COUNT 1", "XREVRANGE s + - COUNT 2",
         "XRANGE s - + COUNT 0", "XRANGE s - + COUNT -1", "XRANGE s - + COUNT x",
         "XRANGE s x +", "XRANGE s - + FOO", "XRANGE s (- +", "XRANGE s - (+",
         f"XRANGE s ({MAX}-{MAX} +", "XRANGE s - (0-0", "XRANGE s 1 2 COUNT",
         "XRANGE missing - +", "XREVRANGE missing + -", "XRANGE s 3 1", "XRANGE s ( +",
         "XRANGE s - + COUNT 1 COUNT 3")


def test_xdel_and_first_id(pair23):
    same(pair23, "XADD s 1-0 a 1", "XADD s 2-0 a 2", "XADD s 3-0 a 3", "XDEL s 1-0 9-0",
         "XDEL s 1-0", "XINFO STREAM s", "XDEL s 2-0 3-0", "XLEN s", "XINFO STREAM s",
         "XADD s 4-0 a 4", "XRANGE s - +", "XDEL s x", "XDEL missing 1-0", "XDEL missing x",
         "EXISTS s")


def test_xsetid(pair):
    same(pair, "XADD s 5-0 a 1", "XSETID s 1-0", "XSETID s 9-0 ENTRIESADDED 0",
         "XSETID s 9-0 ENTRIESADDED -1", "XSETID s 9-0 MAXDELETEDID 10-0",
         "XSETID s 9-0 MAXDELETEDID x", "XSETID s 9-0 FOO", "XSETID nokey 9-0",
         "XSETID s 9-0 ENTRIESADDED 5 MAXDELETEDID 3-0", "XINFO STREAM s", "XSETID s 8-0",
         "XSETID s 5-0", "XADD s 5-1 a 1", "XADD s 5-* a 1", "XSETID s x", "XSETID s 9-0 ENTRIESADDED x",
         "XADD e 1-0 a 1", "XDEL e 1-0", "XSETID e 0-5", "XSETID e 1-0", "XINFO STREAM e")


def test_xread(pair23):
    same(pair23, "XADD a 1-0 f 1", "XADD a 2-0 f 2", "XADD b 1-5 g 1",
         "XREAD STREAMS a b 0 0", "XREAD COUNT 1 STREAMS a b 0 1-4", "XREAD STREAMS a b 2-0 1-5",
         "XREAD STREAMS a $", "XREAD STREAMS missing 0", "XREAD COUNT -1 STREAMS a 0",
         "XREAD STREAMS a", "XREAD STREAMS a b 0", "XREAD COUNT x STREAMS a 0",
         "XREAD BLOCK -1 STREAMS a 0", "XREAD BLOCK x STREAMS a 0", "XREAD STREAMS a >",
         "XREAD FOO STREAMS a 0", "XREAD GROUP g c STREAMS a 0", "XREAD NOACK STREAMS a 0",
         "XREAD COUNT 1", "XREAD STREAMS a x", "XREAD BLOCK 10 STREAMS a $",
         "XREAD BLOCK 10 STREAMS a 2-0", "MULTI", "XREAD BLOCK 0 STREAMS a $", "EXEC")


@pytest.mark.parametrize("command,write", [
    ("XREAD BLOCK 0 STREAMS a b $ $", "XADD b 5-0 f v"),
    ("XREAD COUNT 1 BLOCK 20000 STREAMS a 0", "XADD a 1-0 f v"),
    ("XREADGROUP GROUP g c BLOCK 0 STREAMS a >", "XADD a 5-0 f v"),
])
def test_blocking_served_by_xadd(pair23, command, write):
    same(pair23, "XGROUP CREATE a g $ MKSTREAM")
    waiter = pair23.new_pair(resp=2)
    for c in waiter.clients():
        _send(c, command)
    _blocked(pair23, 1)
    same(pair23, write)
    c, r = _read_both(waiter)
    assert c == r
    same(pair23, "XRANGE a - +", "XPENDING a g")


def test_blocking_multi_exec_and_fifo(pair):
    first = pair.new_pair()
    second = pair.new_pair()
    same(pair, "XADD q 1-0 f 0", "XGROUP CREATE q g $")
    for c in first.clients():
        _send(c, "XREADGROUP GROUP g alice COUNT 1 BLOCK 0 STREAMS q >")
    _blocked(pair, 1)
    for c in second.clients():
        _send(c, "XREAD BLOCK 0 STREAMS q $")
    _blocked(pair, 2)
    same(pair, "MULTI", "XADD q 2-0 f 1", "XADD q 3-0 f 2", "EXEC")
    for waiter in (first, second):
        c, r = _read_both(waiter)
        assert c == r
    pair.same_by(_pending_rows, "XPENDING q g - + 10")


@pytest.mark.parametrize("command", ["XREAD BLOCK 0 STREAMS s1 s2 $ $",
                                     "XREADGROUP GROUP g c BLOCK 0 STREAMS s1 s2 > >"])
def test_blocked_read_served_from_the_first_ready_stream(pair23, command):
    # One EXEC writes both streams: the blocked reader gets the stream that became ready first.
    same(pair23, "XGROUP CREATE s1 g $ MKSTREAM", "XGROUP CREATE s2 g $ MKSTREAM")
    waiter = pair23.new_pair(resp=2)
    for c in waiter.clients():
        _send(c, command)
    _blocked(pair23, 1)
    same(pair23, "MULTI", "XADD s2 1-1 b 2", "XADD s1 1-1 a 1", "EXEC")
    c, r = _read_both(waiter)
    assert c == r


def test_blocked_group_destroyed(pair):
    waiter = pair.new_pair()
    same(pair, "XGROUP CREATE q g $ MKSTREAM")
    for c in waiter.clients():
        _send(c, "XREADGROUP GROUP g c BLOCK 0 STREAMS q >")
    _blocked(pair, 1)
    same(pair, "XGROUP DESTROY q g")
    c, r = _read_both(waiter)
    assert c == r
    for c in waiter.clients():
        _send(c, "XREAD BLOCK 10 STREAMS q $")
    c, r = _read_both(waiter)
    assert c == r


def test_xgroup(pair23):
    same(pair23, "XADD s 5-0 a 1", "XGROUP CREATE s g 0", "XGROUP CREATE s g 0",
         "XGROUP CREATE nokey g 0", "XGROUP CREATE nokey2 g $ MKSTREAM", "XLEN nokey2",
         "XGROUP CREATE s g3 0 ENTRIESREAD -5", "XGROUP CREATE s g4 0 ENTRIESREAD x",
         "XGROUP CREATE s g5 x", "XGROUP CREATE s g6 0 FOO", "XGROUP CREATE s g7 $ ENTRIESREAD 1",
         "XGROUP CREATE s g8 0-0 MKSTREAM ENTRIESREAD -1", "XGROUP SETID s nog 0",
         "XGROUP SETID s g 0 ENTRIESREAD 3", "XGROUP SETID s g $", "XGROUP SETID s g 1 FOO 3",
         "XGROUP SETID s g x", "XGROUP SETID s g 0 ENTRIESREAD", "XGROUP SETID missing g 0",
         "XGROUP CREATECONSUMER s g c1", "XGROUP CREATECONSUMER s g c1",
         "XGROUP CREATECONSUMER s nog c1", "XGROUP DELCONSUMER s g c1",
         "XGROUP DELCONSUMER s g zz", "XGROUP DESTROY s g", "XGROUP DESTROY s g",
         "XGROUP DESTROY missing g", "XGROUP FOO s", "XGROUP HELP", "XGROUP CREATE s",
         "XGROUP HELP x", "XINFO GROUPS s")


def test_xreadgroup_pel_xack_xpending(pair23):
    same(pair23, "XADD s 1-0 a 1", "XADD s 2-0 a 2", "XADD s 3-0 a 3", "XGROUP CREATE s g 0",
         "XREADGROUP GROUP g alice COUNT 2 STREAMS s >", "XREADGROUP GROUP g bob STREAMS s >",
         "XREADGROUP GROUP g bob STREAMS s >", "XREADGROUP GROUP g alice STREAMS s 0",
         "XREADGROUP GROUP g alice COUNT 1 STREAMS s 1-0", "XPENDING s g",
         "XACK s g 1-0 9-0", "XACK s g 1-0", "XACK s g x", "XACK s nog 1-0", "XACK nokey g 1-0",
         "XPENDING s g", "XDEL s 2-0", "XREADGROUP GROUP g alice STREAMS s 0",
         "XREADGROUP GROUP g carol NOACK STREAMS s 0", "XADD s 4-0 a 4",
         "XREADGROUP GROUP g carol NOACK STREAMS s >", "XPENDING s g", "XINFO GROUPS s",
         "XREADGROUP GROUP nog c STREAMS s >", "XREADGROUP GROUP g c STREAMS s $",
         "XREADGROUP GROUP g c STREAMS nokey >", "XREADGROUP STREAMS s >",
         "XREADGROUP GROUP g c STREAMS s", "XREADGROUP GROUP g c STREAMS s x",
         "XREADGROUP COUNT 1 STREAMS s 0", "XREADGROUP GROUP g c BLOCK 10 STREAMS s >",
         "XREADGROUP GROUP g c FOO STREAMS s >", "XPENDING s g - + 10 nobody",
         "XPENDING s nog", "XPENDING nokey g", "XPENDING s g - +", "XPENDING s g - + x",
         "XPENDING s g x + 10", "XPENDING s g IDLE x - + 10", "XPENDING s g IDLE 0 - +",
         "XPENDING s g (- + 10", f"XPENDING s g ({MAX}-{MAX} + 10", "XPENDING s g - + 0",
         "XPENDING s g 1 2 3 4 5 6 7")
    pair23.same_by(_pending_rows, "XPENDING s g - + 10")
    pair23.same_by(_pending_rows, "XPENDING s g - + 1 alice")
    pair23.same_by(_pending_rows, "XPENDING s g IDLE 0 (1-0 + 10 bob")
    pair23.same_by(_pending_rows, "XPENDING s g IDLE 100000 - + 10")


def test_xclaim(pair):
    same(pair, "XADD s 1-0 a 1", "XADD s 2-0 a 2", "XADD s 3-0 a 3", "XGROUP CREATE s g 0",
         "XREADGROUP GROUP g alice STREAMS s >", "XCLAIM s g bob 0 1-0",
         "XCLAIM s g bob 0 2-0 JUSTID", "XCLAIM s g bob 100000 3-0",
         "XCLAIM s g bob 0 3-0 RETRYCOUNT 7 TIME 1000", "XCLAIM s g bob 0 9-0",
         "XCLAIM s g bob 0 9-0 FORCE", "XADD s 4-0 a 4", "XCLAIM s g carol 0 4-0 FORCE",
         "XCLAIM s g carol 0 4-0 IDLE 5000 JUSTID LASTID 4-0", "XINFO GROUPS s",
         "XDEL s 1-0", "XCLAIM s g carol 0 1-0", "XCLAIM s g bob x 1-0",
         "XCLAIM s g bob 10 1-0 FOO", "XCLAIM s g bob 10 1-0 IDLE x", "XCLAIM s g bob 10 1-0 TIME x",
         "XCLAIM s g bob 10 1-0 RETRYCOUNT x", "XCLAIM s g bob 10 x", "XCLAIM s g bob 10 1-0 LASTID x",
         "XCLAIM s nog c 0 0", "XCLAIM nokey g c 0 0", "XCLAIM s g bob -5 2-0 JUSTID",
         "XCLAIM s g alice 0 2-0 3-0 JUSTID")
    pair.same_by(_pending_rows, "XPENDING s g - + 10")
    pair.same_by(_no_times, "XINFO STREAM s FULL")


def test_xautoclaim(pair23):
    same(pair23, "XADD s 1-0 a 1", "XADD s 2-0 a 2", "XADD s 3-0 a 3", "XADD s 4-0 a 4",
         "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XDEL s 2-0",
         "XAUTOCLAIM s g bob 0 0 COUNT 2", "XAUTOCLAIM s g bob 0 0", "XAUTOCLAIM s g carol 0 (1-0 JUSTID",
         "XAUTOCLAIM s g bob 100000 0", "XAUTOCLAIM s g bob x 0", "XAUTOCLAIM s g bob 0 0 COUNT 0",
         "XAUTOCLAIM s g bob 0 0 COUNT x", "XAUTOCLAIM s g bob 0 x", "XAUTOCLAIM s g bob 0 0 FOO",
         "XAUTOCLAIM s nog c 0 0", "XAUTOCLAIM nokey g c 0 0", "XAUTOCLAIM s g bob 0 5-0",
         "XPENDING s g")


def test_xinfo(pair23):
    same(pair23, "XINFO STREAM missing", "XINFO GROUPS missing", "XINFO CONSUMERS missing g",
         "XADD s 1-0 a 1 b 2", "XADD s 2-0 a 3 b 4", "XADD s 3-0 c 5", "XINFO STREAM s",
         "XINFO STREAM s FULL COUNT x", "XINFO STREAM s FOO", "XINFO STREAM s FULL COUNT",
         "XINFO STREAM s FULL FOO 1", "XINFO CONSUMERS s nog", "XINFO HELP", "XINFO FOO s",
         "XINFO STREAM s FULL COUNT 1", "XINFO STREAM s FULL COUNT 0",
         "XGROUP CREATE s g 0", "XGROUP CREATE s g2 $", "XGROUP CREATE s g3 0 ENTRIESREAD 1",
         "XINFO GROUPS s", "XDEL s 2-0", "XINFO GROUPS s", "XINFO STREAM s", "XADD e 1-0 a 1",
         "XDEL e 1-0", "XINFO STREAM e", "XGROUP CREATE e g 0", "XINFO GROUPS e",
         "XINFO STREAM e FULL")
    same(pair23, "XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "XGROUP CREATECONSUMER s g bob")
    pair23.same_by(_consumers, "XINFO CONSUMERS s g")
    pair23.same_by(_no_times, "XINFO STREAM s FULL")


def test_lag_counters(pair):
    """entries-read and lag through reads, deletes, trims and SETID, as Redis 7.0 counts them."""
    same(pair, "XGROUP CREATE s g $ MKSTREAM", "XINFO GROUPS s")
    for i in range(1, 6):
        same(pair, f"XADD s {i}-0 f v")
    same(pair, "XINFO GROUPS s", "XREADGROUP GROUP g c COUNT 2 STREAMS s >", "XINFO GROUPS s",
         "XDEL s 4-0", "XINFO GROUPS s", "XREADGROUP GROUP g c STREAMS s >", "XINFO GROUPS s",
         "XGROUP SETID s g 0", "XINFO GROUPS s", "XTRIM s MAXLEN 2", "XINFO GROUPS s",
         "XGROUP SETID s g 3-0 ENTRIESREAD 3", "XINFO GROUPS s", "XADD s 6-0 f v",
         "XINFO GROUPS s", "XGROUP CREATE s h 1-0", "XINFO GROUPS s", "XSETID s 10-0",
         "XINFO GROUPS s")


def test_wrongtype_and_keyspace(pair):
    same(pair, "SET str v", "XADD str 1-0 a 1", "XLEN str", "XRANGE str - +", "XREVRANGE str + -",
         "XDEL str 1-0", "XTRIM str MAXLEN 1", "XSETID str 1-0", "XREAD STREAMS str 0",
         "XREADGROUP GROUP g c STREAMS str >", "XGROUP CREATE str g 0", "XACK str g 1-0",
         "XPENDING str g", "XCLAIM str g c 0 1-0", "XAUTOCLAIM str g c 0 0", "XINFO STREAM str",
         "XINFO GROUPS str", "XRANGE str x +", "XADD s 1-0 a 1", "XGROUP CREATE s g 0",
         "RENAME s t", "XINFO GROUPS t", "COPY t u", "XINFO GROUPS u", "XADD u 2-0 b 2",
         "XLEN t", "XLEN u", "DEL t", "EXISTS t", "TYPE u", "SCAN 0 TYPE stream")


def test_keyspace_notifications(pair):
    from cairn_compat import same_stream_until
    sub = pair
    writer = pair.new_pair()
    pair.servers.config_set("notify-keyspace-events", "KEA")
    same(sub, "PSUBSCRIBE __key*__:*", "SUBSCRIBE sync")
    same(writer, "XADD s 1-0 a 1", "XADD s MAXLEN 1 2-0 a 2", "XDEL s 2-0", "XTRIM s MAXLEN 0",
         "XSETID s 5-0", "XGROUP CREATE s g 0", "XGROUP CREATECONSUMER s g c",
         "XGROUP DELCONSUMER s g c", "XGROUP SETID s g 0", "XADD s 6-0 a 1",
         "XREADGROUP GROUP g d STREAMS s >", "XGROUP DESTROY s g", "PUBLISH sync done")
    same_stream_until(sub, b"done")
