"""DUMP/RESTORE of lists, sets and hashes between cairn-server and redis-server, both ways:
Redis 7.0's payloads (QUICKLIST_2 with listpack and plain nodes, SET_INTSET, HASH_LISTPACK, and
the hashtable forms) load into cairn-server, and cairn-server's payloads (plain LIST/SET/HASH)
load into redis-server; corrupted packed blobs are refused with "Bad data format"."""

import pytest

from cairn_testlib import decode

CASES = {
    "small-list": ["RPUSH", "k", "a", "12", "-7", "", "x" * 70, "9223372036854775807"],
    "plain-node-list": ["RPUSH", "k", "a", "z" * 9000, "b"],
    "big-list": ["RPUSH", "k"] + [f"e{i}" for i in range(3000)] + [str(i) for i in range(500)],
    "intset": ["SADD", "k", "1", "-70000", "9000000000", "5"],
    "string-set": ["SADD", "k", "a", "b", "1"],
    "listpack-hash": ["HSET", "k", "f", "v", "n", "12", "neg", "-5000", "e", ""],
    "hashtable-hash": ["HSET", "k"] + [x for i in range(600) for x in (f"f{i}", f"v{i}")],
    "long-value-hash": ["HSET", "k", "f", "v" * 100],
}


def _content(client, kind):
    if kind.endswith("list"):
        return decode(client.call(["LRANGE", "k", "0", "-1"]))
    if "set" in kind:
        return sorted(decode(client.call(["SMEMBERS", "k"])))
    return sorted(decode(client.call(["HGETALL", "k"])))


@pytest.mark.parametrize("kind", sorted(CASES))
def test_payloads_move_both_ways(pair, kind):
    cairn, redis = pair.clients()
    for source, target in ((redis, cairn), (cairn, redis)):
        source.call(["DEL", "k"])
        source.call(CASES[kind])
        payload = decode(source.call(["DUMP", "k"]))
        assert decode(target.call(["RESTORE", "k", "0", payload, "REPLACE"])) == b"OK"
        assert _content(target, kind) == _content(source, kind)
        assert decode(target.call(["TYPE", "k"])) == decode(source.call(["TYPE", "k"]))
        assert decode(target.call(["DEBUG", "DIGEST-VALUE", "k"])) == decode(
            source.call(["DEBUG", "DIGEST-VALUE", "k"]))


def _crc64(data):
    """Redis's CRC-64 (Jones polynomial, reflected), as DUMP payload footers use."""
    poly = 0x95AC9329AC4BC9B5
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def _with_footer(body):
    body = bytes(body)
    return body + _crc64(body).to_bytes(8, "little")


@pytest.mark.parametrize("kind", ["small-list", "intset", "listpack-hash", "plain-node-list"])
def test_corrupt_packed_payloads_are_refused(pair, kind):
    """Flips each byte of a Redis payload in turn (with a fixed-up checksum): cairn-server
    answers OK or "Bad data format" every time and keeps serving."""
    cairn, redis = pair.clients()
    redis.call(CASES[kind])
    payload = decode(redis.call(["DUMP", "k"]))
    assert _with_footer(payload[:-8]) == payload  # the checksum helper is Redis's
    body = payload[:-10]
    refused = 0
    for i in range(len(body)):
        corrupt = bytearray(body)
        corrupt[i] ^= 0xFF if i % 2 else 0x01
        data = _with_footer(bytes(corrupt) + payload[-10:-8])
        reply = decode(cairn.call(["RESTORE", "c", "0", data, "REPLACE"]))
        assert reply in (b"OK", "ERR Bad data format"), (i, reply)
        refused += reply != b"OK"
    assert refused > 0
    assert decode(cairn.call(["PING"])) == b"PONG"
