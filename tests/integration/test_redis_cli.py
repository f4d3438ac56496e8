"""Debian's redis-cli against cairn-server: plain commands, --pipe mass insert, --scan, -3."""

import subprocess

from cairn_testlib import HOST, REDIS_CLI, encode_command

CLI_TIMEOUT = 120


def cli(server, *args, stdin=None):
    """Runs redis-cli against ``server`` and returns the CompletedProcess (text output)."""
    return subprocess.run([REDIS_CLI, "-h", HOST, "-p", str(server.port), *args], input=stdin,
                          capture_output=True, timeout=CLI_TIMEOUT, check=False)


def out(server, *args):
    """Runs redis-cli and returns stdout as text, failing the test on a non-zero exit."""
    result = cli(server, *args)
    assert result.returncode == 0, (args, result.stdout, result.stderr, server.describe())
    return result.stdout.decode()


def test_ping(server):
    assert out(server, "ping") == "PONG\n"


def test_set_get(server):
    assert out(server, "set", "greeting", "hello world") == "OK\n"
    assert out(server, "get", "greeting") == "hello world\n"
    assert out(server, "--no-raw", "get", "missing") == "(nil)\n"
    assert out(server, "--no-raw", "incr", "n") == "(integer) 1\n"
    assert out(server, "-r", "3", "incr", "n") == "2\n3\n4\n"
    assert out(server, "-n", "2", "set", "x", "in-db-2") == "OK\n"
    assert out(server, "-n", "2", "get", "x") == "in-db-2\n"
    assert out(server, "--no-raw", "get", "x") == "(nil)\n"


def test_errors_are_printed(server):
    out(server, "set", "s", "text")
    result = cli(server, "--no-raw", "incr", "s")
    assert "(error) ERR value is not an integer or out of range" in result.stdout.decode()


def test_pipe_mass_insert(server):
    count = 10000
    data = b"".join(encode_command(["SET", f"key:{i}", f"value-{i}"]) for i in range(count))
    result = cli(server, "--pipe", stdin=data)
    text = result.stdout.decode()
    assert result.returncode == 0, (text, result.stderr)
    assert f"errors: 0, replies: {count}" in text, text
    assert out(server, "dbsize") == f"{count}\n"
    assert out(server, "get", "key:9999") == "value-9999\n"
    # --scan iterates with SCAN to the end: every matching key exactly once.
    keys = out(server, "--scan", "--pattern", "key:1*").split()
    assert len(keys) == len(set(keys)) == 1111


def test_resp3(server):
    assert out(server, "-3", "ping") == "PONG\n"
    assert out(server, "-3", "--no-raw", "get", "missing") == "(nil)\n"
    assert out(server, "-3", "--no-raw", "config", "get", "maxmemory") == \
        '1# "maxmemory" => "0"\n'
    hello = out(server, "-3", "--no-raw", "hello", "3")
    assert '# "proto" => (integer) 3' in hello, hello
    out(server, "set", "k", "v")
    assert out(server, "-3", "get", "k") == "v\n"
    assert out(server, "-3", "--no-raw", "exists", "k") == "(integer) 1\n"
