"""Differential-testing helpers: a cairn-server and a redis-server side by side.

A ``ServerPair`` runs the server under test and the reference; a ``ClientPair`` holds one raw
connection to each. ``same(pair, *commands)`` sends every command to both and asserts the raw
reply bytes are identical. Replies that are inherently non-deterministic (ids, timestamps, hash
order) are compared with ``pair.same_by(normalise, command)`` after a normalising function.
"""

import contextlib

from cairn_testlib import (HOST, RespClient, ServerProcess, HarnessError, cairn_server_bin,
                           decode, encode_command, parse_info, redis_server_bin, split_command,
                           wait_until)

_SHOW = 1500  # bytes of each reply shown in a mismatch message


def _show(raw):
    text = repr(bytes(raw[:_SHOW]))
    if len(raw) > _SHOW:
        text += f" ... ({len(raw)} bytes)"
    return text


class ServerPair:
    """cairn-server (under test) and redis-server (reference) started with the same options.

    Keeps one admin connection to each for FLUSHALL, CONFIG restore and liveness checks.
    ``assert_alive()`` fails the test during which a server died; ``ensure_running()`` then
    restarts it before the next test (the dead one's temp dir is kept for post-mortem).
    ``stop()`` stops both and raises if either exited non-zero on SIGTERM (an ASan report, a
    crash at shutdown).
    """

    def __init__(self, args=(), config_text=None):
        self.args = list(args)
        self.config_text = config_text
        self.cairn = None
        self.redis = None
        self._admin = {}
        self._saved_config = {}
        self._clients = []

    def _new(self, which):
        binary = cairn_server_bin() if which == "cairn" else redis_server_bin()
        return ServerProcess(binary, self.args, config_text=self.config_text, name=which)

    def start(self):
        """Starts both servers."""
        for which in ("cairn", "redis"):
            server = self._new(which).start()
            setattr(self, which, server)
            self._admin[which] = server.client()
            self._admin[which].name = f"{which}-admin"
        return self

    def servers(self):
        """(cairn, redis) ServerProcess objects."""
        return self.cairn, self.redis

    def admin(self, which):
        """The admin RespClient of ``which`` ('cairn' or 'redis')."""
        return self._admin[which]

    def assert_alive(self):
        """Raises AssertionError with the exit code and log tails if either server died."""
        dead = [s.describe() for s in self.servers() if not s.alive()]
        assert not dead, "server died during the test:\n" + "\n".join(dead)

    def ensure_running(self):
        """Restarts a server that died (in an earlier test) on a new port and temp dir."""
        for which in ("cairn", "redis"):
            server = getattr(self, which)
            if server.alive():
                continue
            server.stop()
            self._admin[which].close()
            replacement = self._new(which).start()
            setattr(self, which, replacement)
            self._admin[which] = replacement.client()
            self._admin[which].name = f"{which}-admin"

    def reset(self):
        """FLUSHALL on both servers (used between tests)."""
        for which in ("cairn", "redis"):
            reply = self._admin[which].call("FLUSHALL")
            if reply != b"+OK\r\n":
                raise HarnessError(f"{which}: FLUSHALL replied {reply!r}")

    def client_pair(self, resp=2):
        """Opens a new ClientPair; it is closed by ``close_clients()`` at test teardown."""
        pair = ClientPair(self, resp=resp)
        self._clients.append(pair)
        return pair

    def close_clients(self):
        """Closes every ClientPair of the test and waits until the servers have freed them, so
        the next test sees no stale subscribers or connections. Raises AssertionError if a
        connection holds replies the test never read (an extra reply, or a test out of step)."""
        leftovers = []
        for pair in self._clients:
            for client in pair.clients():
                extra = client.unread() if client.sock is not None else b""
                if extra:
                    leftovers.append(f"{client.name}: {_show(extra)}")
            pair.close()
        self._clients.clear()
        for which in ("cairn", "redis"):
            admin = self._admin[which]
            if not getattr(self, which).alive() or _connected_clients(admin) is None:
                continue  # dead, or no INFO yet: nothing to wait on
            wait_until(lambda a=admin: _connected_clients(a) == 1,
                       what=f"{which} to free the test's connections")
        assert not leftovers, "unread replies at the end of the test:\n" + "\n".join(leftovers)

    def _remember(self, name):
        if name not in self._saved_config:
            old = decode(self._admin["redis"].call("CONFIG", "GET", name))
            self._saved_config[name] = old[1] if len(old) == 2 else b""

    def config_set(self, name, value):
        """CONFIG SET on both servers through the admin connections. The reference's previous
        value is remembered and put back on both by ``restore_config()`` after the test."""
        self._remember(name)
        for which in ("cairn", "redis"):
            reply = self._admin[which].call("CONFIG", "SET", name, value)
            if reply != b"+OK\r\n":
                raise HarnessError(f"{which}: CONFIG SET {name} {value!r} replied {reply!r}")

    def remember_config(self, *names):
        """Records parameters a test changes itself (CONFIG SET through its ClientPair) so that
        ``restore_config()`` puts them back after the test."""
        for name in names:
            self._remember(name)

    def restore_config(self):
        """Restores every parameter changed by ``config_set()`` or named to
        ``remember_config()``."""
        for name, value in self._saved_config.items():
            for which in ("cairn", "redis"):
                if getattr(self, which).alive():
                    self._admin[which].call("CONFIG", "SET", name, value)
        self._saved_config.clear()

    def stop(self):
        """Stops both servers; raises HarnessError if either exited non-zero on SIGTERM."""
        self.close_clients_quietly()
        problems = []
        for which in ("cairn", "redis"):
            if which in self._admin:
                self._admin[which].close()
            server = getattr(self, which)
            if server is None:
                continue
            code = server.stop()
            if code not in (0, None):
                problems.append(f"{which} exited with {code} on SIGTERM\n{server.describe()}")
            else:
                server.cleanup()
        if problems:
            raise HarnessError("\n".join(problems))

    def close_clients_quietly(self):
        """Closes test clients without waiting (used at shutdown)."""
        for pair in self._clients:
            pair.close()
        self._clients.clear()


@contextlib.contextmanager
def running_pair(args=()):
    """Starts a ServerPair with ``args`` for both servers, yields it, and stops it (checking
    both exit cleanly) on the way out, also when the start fails half-way."""
    server_pair = ServerPair(args)
    try:
        server_pair.start()
        yield server_pair
    finally:
        server_pair.stop()


def _connected_clients(admin):
    """connected_clients from INFO clients, or None when the server cannot report it."""
    reply = admin.call("INFO", "clients")
    if not reply.startswith(b"$"):
        return None
    value = parse_info(decode(reply)).get("clients", {}).get("connected_clients")
    return int(value) if value is not None else None


class ClientPair:
    """One raw connection to each server of a ServerPair: ``cairn`` and ``redis``."""

    def __init__(self, servers, resp=2):
        self.servers = servers
        self.cairn = RespClient(HOST, servers.cairn.port, name="cairn")
        self.redis = RespClient(HOST, servers.redis.port, name="redis")
        if resp == 3:
            self.hello3()

    def clients(self):
        """(cairn, redis) RespClient objects."""
        return self.cairn, self.redis

    def close(self):
        """Closes both connections."""
        self.cairn.close()
        self.redis.close()

    def new_pair(self, resp=2):
        """Another ClientPair on the same servers (closed at test teardown)."""
        return self.servers.client_pair(resp=resp)

    def server_status(self):
        """Empty while both servers run; otherwise the dead server's exit code and log tails."""
        dead = [s.describe() for s in self.servers.servers() if not s.alive()]
        return ("\n" + "\n".join(dead)) if dead else ""

    def _exchange(self, client, data, replies):
        try:
            client.send_raw(data)
            return [client.read_reply() for _ in range(replies)]
        except (OSError, HarnessError) as exc:
            raise AssertionError(f"{exc}{self.server_status()}") from exc

    def both_raw(self, data, replies=1):
        """Sends raw bytes to both and reads ``replies`` replies from each. Returns
        (cairn_replies, redis_replies) as joined bytes."""
        c = b"".join(self._exchange(self.cairn, data, replies))
        r = b"".join(self._exchange(self.redis, data, replies))
        return c, r

    def both(self, command, replies=1):
        """Sends one command to both and returns (cairn_reply, redis_reply) as raw bytes."""
        return self.both_raw(encode_command(split_command(command)), replies)

    def same(self, *commands, replies=1):
        """See the module-level ``same()``."""
        return same(self, *commands, replies=replies)

    def same_by(self, normalise, command, replies=1):
        """Sends ``command`` to both, applies ``normalise`` to each decoded reply (to the raw
        concatenated bytes when ``replies`` > 1) and asserts the results are equal. Returns the
        normalised reference value."""
        c, r = self.both(command, replies)
        try:
            nc = normalise(decode(c)) if replies == 1 else normalise(c)
        except Exception as exc:
            raise AssertionError(f"cairn reply to {command!r} failed normalisation ({exc}): "
                                 f"{_show(c)}\nredis: {_show(r)}") from exc
        nr = normalise(decode(r)) if replies == 1 else normalise(r)
        assert nc == nr, (f"{command!r}: normalised replies differ\n  cairn: {nc!r}\n"
                          f"  redis: {nr!r}\n  raw cairn: {_show(c)}\n  raw redis: {_show(r)}")
        return nr

    def same_sorted(self, command):
        """Like same() for replies whose element order is unspecified (KEYS, SCAN batches):
        compares the decoded elements sorted."""
        return self.same_by(_sorted_deep, command)

    def hello3(self):
        """Switches both connections to RESP3 (HELLO 3) and checks both answered with a map."""
        c, r = self.both(["HELLO", "3"])
        assert c.startswith(b"%") and r.startswith(b"%"), (
            f"HELLO 3 did not return a map\n  cairn: {_show(c)}\n  redis: {_show(r)}")


def _sorted_deep(value):
    if isinstance(value, list):
        return sorted((_sorted_deep(v) for v in value), key=repr)
    return value


def same(pair, *commands, replies=1):
    """Sends each command (a list of str/bytes/int args, or a str split on whitespace) to both
    servers in turn and asserts the raw replies are identical (``same_raw`` takes raw bytes).

    ``replies`` is how many replies each command produces (e.g. 3 for ``SUBSCRIBE a b c``).
    Returns the reference reply to the last command (raw bytes).
    """
    last = None
    for command in commands:
        data = encode_command(split_command(command))
        c, r = pair.both_raw(data, replies)
        assert c == r, (f"replies differ for {command!r}\n  cairn: {_show(c)}\n"
                        f"  redis: {_show(r)}{pair.server_status()}")
        last = r
    return last


def same_raw(pair, data, replies=1):
    """Sends raw request bytes to both and asserts the ``replies`` replies are identical."""
    c, r = pair.both_raw(data, replies)
    assert c == r, (f"replies differ for raw {data[:200]!r}\n  cairn: {_show(c)}\n"
                    f"  redis: {_show(r)}{pair.server_status()}")
    return r


def same_until_closed(pair, data, timeout=5.0):
    """Sends raw bytes to both, reads each until the server closes the connection, and asserts
    the bytes received before the close are identical. Returns them."""
    out = []
    for client in pair.clients():
        try:
            client.send_raw(data)
        except OSError:
            pass  # closed before all was sent (a protocol error): its reply is still readable
        try:
            out.append(client.read_until_closed(timeout))
        except HarnessError as exc:
            raise AssertionError(f"{exc}{pair.server_status()}") from exc
    assert out[0] == out[1], (f"bytes before close differ for {data[:200]!r}\n"
                              f"  cairn: {_show(out[0])}\n  redis: {_show(out[1])}")
    return out[1]


def same_pushed(pair, replies=1, normalise=None):
    """Reads ``replies`` replies that the servers send unprompted (pub/sub messages, MONITOR
    lines, RESP3 pushes) from both connections and asserts they are identical, or, with
    ``normalise``, that normalise(raw bytes) is equal for both. Returns the reference bytes."""
    c, r = pair.both_raw(b"", replies)
    if normalise is None:
        assert c == r, (f"pushed replies differ\n  cairn: {_show(c)}\n  redis: {_show(r)}"
                        f"{pair.server_status()}")
    else:
        nc, nr = normalise(c), normalise(r)
        assert nc == nr, (f"normalised pushed replies differ\n  cairn: {nc!r}\n  redis: {nr!r}"
                          f"\n  raw cairn: {_show(c)}\n  raw redis: {_show(r)}")
    return r


def same_stream_until(pair, marker):
    """Reads replies from both connections up to and including the first one containing
    ``marker`` (a sentinel the test published last) and asserts the two streams are identical.
    Returns the reference stream as a list of raw replies."""
    streams = []
    for client in pair.clients():
        try:
            streams.append(client.read_replies_until(marker))
        except (OSError, HarnessError) as exc:
            raise AssertionError(f"{client.name}: {exc}{pair.server_status()}") from exc
    c, r = streams
    assert c == r, ("streams differ\n  cairn:\n    " + "\n    ".join(_show(x) for x in c) +
                    "\n  redis:\n    " + "\n    ".join(_show(x) for x in r) + pair.server_status())
    return r
