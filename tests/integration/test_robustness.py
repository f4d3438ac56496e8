"""cairn-server under hostile or heavy input: garbage and fuzzed bytes, abandoned half commands,
200 concurrent connections, a 10 MB value, a huge declared multibulk; and startup errors (port
in use, unknown config option) with the same message text as redis-server."""

import os
import random
import re
import socket
import struct
import tempfile
import threading

import pytest

from cairn_testlib import (HOST, RespClient, HarnessError, cairn_server_bin, encode_command,
                           info_fields, redis_server_bin, run_server_expecting_exit)

FUZZ_SEED = 20240601
FUZZ_CASES = 300

# Commands the fuzzer mutates: nothing that blocks, sleeps, reconfigures or stops the server.
FUZZ_BASE = [
    ["SET", "k", "v"], ["GET", "k"], ["INCR", "n"], ["APPEND", "k", "tail"],
    ["MSET", "a", "1", "b", "2"], ["MGET", "a", "b"], ["SETRANGE", "k", "3", "xy"],
    ["GETRANGE", "k", "0", "-1"], ["BITCOUNT", "k"], ["SETBIT", "bits", "7", "1"],
    ["EXPIRE", "k", "100"], ["TTL", "k"], ["PING"], ["ECHO", "hello"], ["EXISTS", "a", "b"],
    ["DEL", "a"], ["INCRBYFLOAT", "f", "1.5"], ["LCS", "a", "b"], ["SCAN", "0"],
    ["BITFIELD", "bf", "INCRBY", "u8", "0", "1"],
]


def assert_alive(server):
    """A new connection gets +PONG: the server survived whatever came before."""
    assert server.alive(), server.describe()
    with RespClient(HOST, server.port, timeout=10) as client:
        assert client.call("PING") == b"+PONG\r\n", server.describe()


def send_and_hang_up(server, payload, timeout=10):
    """Sends ``payload``, half-closes, and reads until the server closes. Returns what came
    back. A server that stays silent with the connection open past ``timeout`` fails."""
    with RespClient(HOST, server.port, timeout=timeout) as client:
        try:
            client.send_raw(payload)
            client.shutdown_write()
        except OSError:
            pass  # the server closed first (a protocol error): what it sent is still readable
        return client.read_until_closed(timeout)


@pytest.mark.parametrize("payload", [
    b"\x00\x01\x02\x03\xff\xfe\xfd" * 1000,
    b"\r\n" * 5000,
    b"*-5\r\n$-3\r\n:12\r\n+OK\r\n-ERR x\r\n",
    b"$5\r\nhello\r\n",
    b"*1\r\n*1\r\n$4\r\nPING\r\n",
    b"*2\r\n$3\r\nGET\r\n$-1\r\n",
    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$99999999999999999999\r\n",
    b"*\r\n$\r\n",
    b'"\\x' + b"ff" * 1000 + b'\r\n',
    bytes(range(256)) * 40,
    b"GET " + b"k" * 100000 + b"\r\n",
    b"*1\r\n$70000\r\n" + b"x" * 70000 + b"\r\n",
], ids=["control-bytes", "blank-lines", "reply-types-as-requests", "top-level-bulk",
        "nested-array", "null-bulk-argument", "overflowing-bulk-length", "empty-lengths",
        "bad-escape", "all-bytes", "long-inline", "big-unknown-command"])
def test_garbage_bytes(server, payload):
    send_and_hang_up(server, payload)
    assert_alive(server)


def _fuzz_payload(rng):
    kind = rng.random()
    if kind < 0.3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
    data = bytearray(b"".join(encode_command(rng.choice(FUZZ_BASE))
                              for _ in range(rng.randrange(1, 6))))
    for _ in range(rng.randrange(1, 8)):
        op = rng.randrange(4)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = rng.choice([b"\r\n", b"*", b"$", b"-1", b"0", b"99999", b"\x00",
                                        b"*2147483647\r\n", b"$-1\r\n", b"\r"])
        elif op == 2:
            del data[pos:pos + rng.randrange(1, 10)]
        else:
            data = data[:pos]
    return bytes(data)


def test_random_fuzz_with_fixed_seed(server):
    rng = random.Random(FUZZ_SEED)
    for case in range(FUZZ_CASES):
        payload = _fuzz_payload(rng)
        try:
            send_and_hang_up(server, payload)
        except HarnessError as exc:
            raise AssertionError(f"fuzz case {case} (seed {FUZZ_SEED}): {exc}\n"
                                 f"payload: {payload[:300]!r}\n{server.describe()}") from exc
        assert server.alive(), f"fuzz case {case}: {payload[:300]!r}\n{server.describe()}"
    assert_alive(server)


def test_half_command_then_disconnect(server):
    command = encode_command(["SET", "half", "value"])
    for cut in range(1, len(command)):
        with socket.create_connection((HOST, server.port), timeout=10) as sock:
            sock.sendall(command[:cut])
    # An abrupt reset in the middle of a bulk argument too.
    sock = socket.create_connection((HOST, server.port), timeout=10)
    sock.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$100000\r\n" + b"x" * 50000)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    sock.close()
    assert_alive(server)
    with RespClient(HOST, server.port) as client:
        assert client.call("EXISTS half") == b":0\r\n"


def test_200_concurrent_connections(server):
    clients = [RespClient(HOST, server.port, timeout=30) for _ in range(200)]
    try:
        with RespClient(HOST, server.port) as observer:
            assert int(info_fields(observer, "clients")["connected_clients"]) >= 201
        barrier = threading.Barrier(len(clients))
        errors = []

        def work(client):
            try:
                barrier.wait(timeout=30)
                client.send(*[["INCR", "counter"]] * 20)
                replies = client.read_replies(20)
                assert all(r.startswith(b":") for r in replies), replies
                assert client.call("PING") == b"+PONG\r\n"
            except Exception as exc:
                errors.append(repr(exc))

        threads = [threading.Thread(target=work, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors[:5]
        with RespClient(HOST, server.port) as check:
            assert check.call("GET counter") == b"$4\r\n4000\r\n"
    finally:
        for client in clients:
            client.close()


def test_10mb_value_round_trip(server):
    value = random.Random(7).randbytes(10 * 1024 * 1024)
    with RespClient(HOST, server.port, timeout=60) as client:
        assert client.call(["SET", "big", value]) == b"+OK\r\n"
        reply = client.call("GET big")
        header = b"$%d\r\n" % len(value)
        assert reply[:len(header)] == header and reply[len(header):-2] == value
        assert client.call("STRLEN big") == b":10485760\r\n"
        assert client.call(["APPEND", "big", "!"]) == b":10485761\r\n"
        assert client.call("GETRANGE big -2 -1") == b"$2\r\n" + value[-1:] + b"!\r\n"


def test_huge_multibulk_count_never_sent(server):
    hanging = []
    try:
        for count in (b"1048576", b"2147483647", b"100000000"):
            sock = socket.create_connection((HOST, server.port), timeout=10)
            sock.sendall(b"*" + count + b"\r\n$3\r\nSET\r\n")
            hanging.append(sock)
        assert_alive(server)
        with RespClient(HOST, server.port) as client:
            assert client.call("SET k v") == b"+OK\r\n"
    finally:
        for sock in hanging:
            sock.close()
    assert_alive(server)


# ---------------------------------------------------------------------------------------------
# Startup errors


def test_port_in_use_is_a_clear_error():
    with socket.socket() as holder:
        holder.bind((HOST, 0))
        holder.listen()
        port = holder.getsockname()[1]
        with tempfile.TemporaryDirectory() as tmp:
            code, output = run_server_expecting_exit(
                cairn_server_bin(), ["--port", str(port), "--bind", HOST, "--dir", tmp,
                                     "--save", "", "--appendonly", "no"], cwd=tmp)
    assert code is not None, f"server kept running on a busy port:\n{output}"
    assert code != 0, output
    assert str(port) in output and "in use" in output.lower(), output


def _fatal_config_lines(text):
    """The lines of a config error, with the version in the banner masked."""
    text = re.sub(r"\((Redis|Cairn)[^)]*\)", "(VERSION)", text, flags=re.I)
    return [line.strip() for line in text.splitlines() if line.strip()]


def _run_both(argv_tail_for):
    results = {}
    for name, binary in (("cairn", cairn_server_bin()), ("redis", redis_server_bin())):
        with tempfile.TemporaryDirectory() as tmp:
            results[name] = run_server_expecting_exit(binary, argv_tail_for(tmp), cwd=tmp)
    return results


def _assert_same_fatal_error(results, option):
    cairn_code, cairn_out = results["cairn"]
    redis_code, redis_out = results["redis"]
    assert redis_code not in (0, None), redis_out
    assert cairn_code is not None, f"cairn-server kept running:\n{cairn_out}"
    assert cairn_code != 0, cairn_out
    assert option in cairn_out, f"message does not name {option!r}:\n{cairn_out}"
    # Every line redis-server prints appears in cairn-server's output, in order.
    expected = _fatal_config_lines(redis_out)
    actual = _fatal_config_lines(cairn_out)
    position = 0
    for line in expected:
        assert line in actual[position:], (f"missing {line!r}\n--- cairn:\n{cairn_out}\n"
                                           f"--- redis:\n{redis_out}")
        position = actual.index(line, position) + 1


@pytest.mark.parametrize("bad_line,option", [
    ("bogus-option yes", "bogus-option"),
    ("port notanumber", "port"),
    ("maxmemory-policy nosuch", "maxmemory-policy"),
    ("appendonly maybe", "appendonly"),
    ("hz 1 2", "hz"),
])
def test_bad_config_file_line(bad_line, option):
    def argv(tmp):
        conf = os.path.join(tmp, "bad.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"bind {HOST}\nsave \"\"\n{bad_line}\nappendonly no\n")
        return [conf, "--port", "0", "--dir", tmp]
    _assert_same_fatal_error(_run_both(argv), option)


def test_unknown_command_line_option():
    _assert_same_fatal_error(
        _run_both(lambda tmp: ["--port", "0", "--dir", tmp, "--bogus-opt", "1"]), "bogus-opt")
