"""Pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, the subscribed-client
context in RESP2 and RESP3 (push form), and keyspace notifications.

Each test has a subscriber pair and a publisher pair. Where a reply lists channels in hash-table
order (UNSUBSCRIBE with no arguments, PUBSUB CHANNELS), elements are compared sorted."""

import pytest

from cairn_compat import same, same_pushed, same_stream_until
from cairn_testlib import decode, decode_all

BINARY = b"\x00\r\n\xff bin"


def test_subscribe_publish_unsubscribe(pair23):
    sub = pair23
    pub = sub.new_pair()
    same(sub, "SUBSCRIBE news sports", replies=2)
    same(pub, "PUBLISH news hello", "PUBLISH sports", "PUBLISH nobody x")
    same(pub, ["PUBLISH", "sports", BINARY], ["PUBLISH", "news", ""])
    same_pushed(sub, 3)
    same(sub, "UNSUBSCRIBE news")
    same(pub, "PUBLISH news gone", "PUBLISH sports still")
    same_pushed(sub, 1)
    same(sub, "UNSUBSCRIBE sports", "UNSUBSCRIBE sports", "UNSUBSCRIBE")


def test_subscribe_same_channel_twice_and_many_subscribers(pair):
    sub1, sub2 = pair, pair.new_pair()
    pub = pair.new_pair()
    same(sub1, "SUBSCRIBE c c", replies=2)
    same(sub2, "SUBSCRIBE c d", replies=2)
    same(pub, "PUBLISH c m1", "PUBLISH d m2")
    same_pushed(sub1, 1)
    same_pushed(sub2, 2)


def test_psubscribe_patterns(pair23):
    sub = pair23
    pub = sub.new_pair()
    same(sub, "PSUBSCRIBE news.* h?llo [ab]c", replies=3)
    same(sub, ["SUBSCRIBE", "news.tech"])
    same(pub, "PUBLISH news.tech m1", "PUBLISH hallo m2", "PUBLISH bc m3", "PUBLISH cc m4",
         "PUBLISH news m5")
    # news.tech matches a channel and a pattern: message then pmessage.
    same_pushed(sub, 4)
    same(sub, "PUNSUBSCRIBE h?llo", "PUNSUBSCRIBE nosuch")
    same(pub, "PUBLISH hallo m6", "PUBLISH ac m7")
    same_pushed(sub, 1)


def _unsubscribe_shape(raw):
    frames = decode_all(raw)
    return ([f[0] for f in frames], sorted(f[1] for f in frames), [f[2] for f in frames])


def _sorted_frames(raw):
    return sorted(decode_all(raw), key=repr)


def test_unsubscribe_all_lists_every_channel(pair):
    sub = pair
    same(sub, "SUBSCRIBE a b c", replies=3)
    same(sub, "PSUBSCRIBE x* y*", replies=2)
    # The order follows the server's channel table: compare the channels as a set, and the
    # remaining-subscription counts in order.
    sub.same_by(_unsubscribe_shape, "UNSUBSCRIBE", replies=3)
    sub.same_by(_unsubscribe_shape, "PUNSUBSCRIBE", replies=2)
    same(sub, "UNSUBSCRIBE", "PUNSUBSCRIBE", "PING")


def test_unsubscribe_when_not_subscribed(pair23):
    same(pair23, "UNSUBSCRIBE", "PUNSUBSCRIBE", "UNSUBSCRIBE a", "PUNSUBSCRIBE a*", "PING")


def test_subscribed_context_resp2(pair):
    sub = pair
    same(sub, "SUBSCRIBE c", "PING", "PING hello", "GET k", "SET k v", "SUBSCRIBE d",
         "PSUBSCRIBE p*", "UNSUBSCRIBE d", "PUNSUBSCRIBE p*", "ECHO x", "QUIT")


def test_subscribed_context_resp3_allows_commands(pair3):
    sub = pair3
    pub = sub.new_pair()
    same(sub, "SUBSCRIBE c", "PING", "PING hello", "SET k v", "GET k", "GET missing")
    same(pub, "PUBLISH c pushed")
    same_pushed(sub, 1)
    same(sub, "UNSUBSCRIBE c", "PING")


def test_reset_leaves_subscribed_context(pair):
    # RESET's reply is +RESET; afterwards the connection is a normal RESP2 one again.
    pub = pair.new_pair()
    same(pair, "SUBSCRIBE c", "PSUBSCRIBE p*", "RESET", "GET k")
    same(pub, "PUBLISH c x", "PUBLISH px y", "PUBSUB NUMSUB c", "PUBSUB NUMPAT")


def test_subscribe_errors(pair):
    same(pair, "SUBSCRIBE", "PSUBSCRIBE", "PUBLISH", "PUBLISH c", "PUBLISH c m extra")


def test_pubsub_subcommands(pair):
    sub1, sub2 = pair, pair.new_pair()
    admin = pair.new_pair()
    same(admin, "PUBSUB CHANNELS", "PUBSUB NUMSUB", "PUBSUB NUMSUB a", "PUBSUB NUMPAT")
    same(sub1, "SUBSCRIBE news.a news.b other", replies=3)
    same(sub2, "SUBSCRIBE news.a")
    same(sub2, "PSUBSCRIBE news.* x*", replies=2)
    for command in ("PUBSUB CHANNELS", "PUBSUB CHANNELS news.*", "PUBSUB CHANNELS nomatch*",
                    "PUBSUB channels *"):
        admin.same_sorted(command)
    same(admin, "PUBSUB NUMSUB news.a news.b other missing news.a", "PUBSUB NUMPAT",
         "PUBSUB CHANNELS a b", "PUBSUB NUMPAT x", "PUBSUB FOO", "PUBSUB")


def test_pubsub_subcommands_resp3(pair3):
    sub = pair3
    admin = sub.new_pair(resp=3)
    same(sub, "SUBSCRIBE a", "PSUBSCRIBE b*")
    same(admin, "PUBSUB NUMSUB a b", "PUBSUB NUMPAT", "PUBSUB CHANNELS a")


def test_publish_counts_pattern_and_channel_receivers(pair):
    sub1, sub2 = pair, pair.new_pair()
    pub = pair.new_pair()
    same(sub1, "SUBSCRIBE c")
    same(sub2, "PSUBSCRIBE * c?", replies=2)
    same(pub, "PUBLISH c m")
    same_pushed(sub1, 1)
    same_pushed(sub2, 1)
    # A message matching two patterns is delivered once per pattern, in the order of the
    # server's pattern table: compare the two deliveries sorted.
    same(pub, "PUBLISH cc m")
    same_pushed(sub2, 2, normalise=_sorted_frames)
    same(pub, "PUBLISH z m")
    same_pushed(sub2, 1)


def test_message_order_with_many_messages(pair):
    sub = pair
    pub = pair.new_pair()
    same(sub, "SUBSCRIBE c")
    for client in pub.clients():
        client.send(*[["PUBLISH", "c", f"m{i}"] for i in range(200)])
        assert all(r == b":1\r\n" for r in client.read_replies(200))
    same_pushed(sub, 200)


# ---------------------------------------------------------------------------------------------
# Keyspace notifications

NOTIFY_COMMANDS = [
    "SET k v", "SET k v2 EX 100", "APPEND k x", "SETRANGE k 0 y", "INCR n", "INCRBY n 2",
    "DECR n", "INCRBYFLOAT n 1.5", "GETSET k z", "GETDEL k", "MSET a 1 b 2", "MSETNX c 1",
    "SETNX d 1", "SETEX e 100 v", "PSETEX f 100000 v", "EXPIRE a 100", "PEXPIRE b 100000",
    "PERSIST a", "GETEX b PERSIST", "GETEX b EX 50", "RENAME a a2", "RENAMENX a2 a3",
    "COPY a3 a4", "MOVE a4 1", "DEL a3 b", "UNLINK c", "SETBIT bits 3 1", "BITOP NOT bits2 bits",
    "BITFIELD bf SET u8 0 5", "EXPIRE d 0", "SET g v EXAT 1", "GET g", "GET e", "TOUCH e",
    "SWAPDB 0 1", "SWAPDB 0 1", "FLUSHDB",
]
# "SET g v EXAT 1" stores a key that is already expired; the "GET g" right after makes its
# "expired" event come at a fixed place in the stream (before GET returns, unless the server's
# expiry cycle got there first, which yields the same order).


@pytest.mark.parametrize("flags", ["KEA", "AK", "E$g", "Kx", "Eg", "E", "K$", "KEA$gxd"])
def test_keyspace_notifications(pair, flags):
    sub = pair
    writer = pair.new_pair()
    pair.servers.config_set("notify-keyspace-events", flags)
    same(sub, "PSUBSCRIBE __key*__:*", "SUBSCRIBE sync")
    same(writer, *NOTIFY_COMMANDS)
    same(writer, "PUBLISH sync done")
    same_stream_until(sub, b"done")


def test_keyspace_notification_of_expiry(pair3):
    sub = pair3
    writer = pair3.new_pair()
    pair3.servers.config_set("notify-keyspace-events", "KEA")
    same(sub, "SUBSCRIBE __keyevent@0__:expired __keyspace@0__:k", replies=2)
    same(writer, "SET k v PX 20")
    same_pushed(sub, 2)  # "set" and "expire" on the keyspace channel
    # The expired events (keyspace, then keyevent) come from the server's own expiry cycle.
    same_pushed(sub, 2)
    same(writer, "EXISTS k")


def test_notify_keyspace_events_config(pair):
    pair.servers.remember_config("notify-keyspace-events")
    for flags in ("KEA", "AKE", "Kg$lshzxe", "A", "E", "KEg$lshzxet", "", "Em", "KEAm", "tdn"):
        same(pair, ["CONFIG", "SET", "notify-keyspace-events", flags],
             "CONFIG GET notify-keyspace-events")
    same(pair, "CONFIG SET notify-keyspace-events KQ", "CONFIG GET notify-keyspace-events")


def test_keyspace_notifications_in_other_db(pair):
    sub = pair
    writer = pair.new_pair()
    pair.servers.config_set("notify-keyspace-events", "KEA")
    same(sub, "PSUBSCRIBE __key*@3__:*", "SUBSCRIBE sync")
    same(writer, "SET k v", "SELECT 3", "SET k v", "DEL k", "PUBLISH sync done")
    same_stream_until(sub, b"done")
    assert decode(sub.redis.call("PING")) == [b"pong", b""]
