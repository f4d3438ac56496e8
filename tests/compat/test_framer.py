"""Self-test of the harness's RESP2/RESP3 reply framer and decoder (no servers): the compat
suite is only as exact as the framing of the replies it compares."""

import pytest

from cairn_testlib import (RespError, RespFramer, RespMap, RespProtocolError, RespPush, RespSet,
                           decode, decode_all)

FRAMES = [
    b"+OK\r\n",
    b"-ERR wrong\r\n",
    b":-42\r\n",
    b"$0\r\n\r\n",
    b"$5\r\na\r\nb\x00\r\n",
    b"$-1\r\n",
    b"*-1\r\n",
    b"*0\r\n",
    b"_\r\n",
    b",3.14\r\n",
    b",-inf\r\n",
    b"#t\r\n",
    b"!8\r\nERR x\r\ny\r\n",
    b"=15\r\ntxt:Some string\r\n",
    b"(3492890328409238509324850943850943825024385\r\n",
    b"*3\r\n:1\r\n*2\r\n$1\r\na\r\n_\r\n%1\r\n+k\r\n~2\r\n:1\r\n:2\r\n",
    b"%2\r\n$1\r\na\r\n*0\r\n$1\r\nb\r\n%0\r\n",
    b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n",
    b"|1\r\n+ttl\r\n:3600\r\n$5\r\nvalue\r\n",
    b"*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n",
    b"|0\r\n:7\r\n",
    b"~0\r\n",
]


def test_each_frame_whole_and_byte_by_byte():
    stream = b"".join(FRAMES)
    framer = RespFramer()
    framer.feed(stream)
    assert [framer.pop() for _ in FRAMES] == FRAMES
    assert framer.pop() is None
    framer = RespFramer()
    got = []
    for i in range(len(stream)):
        framer.feed(stream[i:i + 1])
        frame = framer.pop()
        while frame is not None:
            got.append(frame)
            frame = framer.pop()
    assert got == FRAMES


def test_incomplete_frames_wait_for_more():
    for frame in FRAMES:
        for cut in range(len(frame)):
            framer = RespFramer()
            framer.feed(frame[:cut])
            assert framer.pop() is None, (frame, cut)


@pytest.mark.parametrize("bad", [b"?x\r\n", b"$abc\r\n", b"$3\r\nabcd\r\n", b"*-2\r\n",
                                 b"%-1\r\n"])
def test_malformed_replies_raise(bad):
    framer = RespFramer()
    framer.feed(bad)
    with pytest.raises(RespProtocolError):
        framer.pop()


def test_decode():
    assert decode(b"+OK\r\n") == b"OK"
    assert decode(b"-ERR x\r\n") == RespError("ERR x")
    assert decode(b"$-1\r\n") is None and decode(b"_\r\n") is None
    assert decode(b",1.5\r\n") == 1.5 and decode(b"#f\r\n") is False
    value = decode(FRAMES[15])
    assert value[0] == 1 and value[1] == [b"a", None]
    assert isinstance(value[2], RespMap) and value[2].get("k") == RespSet([1, 2])
    assert isinstance(decode(FRAMES[17]), RespPush)
    assert decode(FRAMES[18]) == b"value"
    assert decode(FRAMES[19]) == [1, 2]
    assert decode_all(b"".join(FRAMES[:3])) == [b"OK", "ERR wrong", -42]
    with pytest.raises(RespProtocolError):
        decode(b"+OK\r\n+extra\r\n")
