"""Shared helpers for the cross-process suites: server processes, a raw RESP client, polling.

Everything here uses the standard library only, so the suites and the benchmarks can import it
with Debian's /usr/bin/python3. Binaries are found through environment variables:

* ``CAIRN_SERVER_BIN``: the server under test (overrides ``$CAIRN_BIN_DIR/cairn-server``; set it
  to /usr/bin/redis-server to validate the suites against Redis itself).
* ``CAIRN_BIN_DIR``: the build's bin folder (set by ctest).
* ``REDIS_SERVER_BIN``: the reference server (default /usr/bin/redis-server).
"""

import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HOST = "127.0.0.1"
DEFAULT_TIMEOUT = 10.0  # server start and stop; replies use REPLY_TIMEOUT
REPLY_TIMEOUT = 5.0
REDIS_SERVER_DEFAULT = "/usr/bin/redis-server"
_TOOL_PATH = "/usr/bin:/usr/local/bin"
REDIS_CLI = shutil.which("redis-cli", path=_TOOL_PATH) or "redis-cli"
REDIS_BENCHMARK = shutil.which("redis-benchmark", path=_TOOL_PATH) or "redis-benchmark"


class HarnessError(Exception):
    """A harness-level failure (server did not start, reply timed out, malformed reply)."""


# ---------------------------------------------------------------------------------------------
# Polling


def wait_until(predicate, timeout=DEFAULT_TIMEOUT, interval=0.005, what="condition"):
    """Polls ``predicate()`` until it returns a truthy value and returns that value.

    Raises HarnessError naming ``what`` when ``timeout`` seconds pass first. The short interval
    is a poll period, not a wait for an event: every poll re-checks the real condition.
    """
    deadline = time.monotonic() + timeout
    delay = interval
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise HarnessError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


# ---------------------------------------------------------------------------------------------
# Binaries


def cairn_server_bin():
    """Absolute path of the server under test: $CAIRN_SERVER_BIN, else $CAIRN_BIN_DIR/cairn-server.
    Relative paths are resolved here because servers run with their temp dir as cwd."""
    explicit = os.environ.get("CAIRN_SERVER_BIN")
    if explicit:
        return os.path.abspath(explicit)
    bin_dir = os.environ.get("CAIRN_BIN_DIR")
    if not bin_dir:
        raise HarnessError(
            "set CAIRN_BIN_DIR (the build's bin folder) or CAIRN_SERVER_BIN (a server binary)")
    return os.path.abspath(os.path.join(bin_dir, "cairn-server"))


def redis_server_bin():
    """Path of the reference server: $REDIS_SERVER_BIN, else Debian's /usr/bin/redis-server."""
    return os.environ.get("REDIS_SERVER_BIN", REDIS_SERVER_DEFAULT)


def require_binary(path):
    """Raises HarnessError with a clear message when ``path`` is not an executable file."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise HarnessError(f"server binary not found or not executable: {path} "
                           "(build it, or point CAIRN_SERVER_BIN at a server binary)")
    return path


# ---------------------------------------------------------------------------------------------
# Ports


def free_port():
    """Returns a TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Server processes

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child before exec: ask the kernel to SIGKILL it if the test runner dies (a ctest
    timeout, a ^C), so no server outlives the run."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _tail(path, max_bytes=4000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


class ServerProcess:
    """One redis-server-compatible process on 127.0.0.1 with its own temp dir and port.

    ``args`` are extra command-line options after the standard ones (port, bind, dir, logfile,
    and ``--save "" --appendonly no`` unless ``persistence`` is true); ``config_text``, when
    given, is written to a config file passed as the first argument (as redis-server takes it).
    Start with ``start()``, stop with ``stop()`` (SIGTERM by pid, SIGKILL after a deadline), or
    use it as a context manager. ``describe()`` gives the exit code and log tails for failure
    messages.
    """

    START_ATTEMPTS = 5

    def __init__(self, binary, args=(), config_text=None, name=None, persistence=False,
                 start_timeout=DEFAULT_TIMEOUT):
        self.binary = binary
        self.extra_args = [str(a) for a in args]
        self.config_text = config_text
        self.name = name or os.path.basename(binary)
        self.persistence = persistence
        self.start_timeout = start_timeout
        self.dir = tempfile.mkdtemp(prefix=f"{self.name}-")
        self.logfile = os.path.join(self.dir, "server.log")
        self.outfile = os.path.join(self.dir, "stdout-stderr.txt")
        self.port = None
        self.proc = None
        self.returncode = None

    # Lifecycle -----------------------------------------------------------------------------

    def command_line(self, port):
        """The argv used to start the server on ``port``."""
        argv = [self.binary]
        if self.config_text is not None:
            conf = os.path.join(self.dir, "server.conf")
            with open(conf, "w", encoding="utf-8") as f:
                f.write(self.config_text)
            argv.append(conf)
        argv += ["--port", str(port), "--bind", HOST, "--dir", self.dir,
                 "--logfile", self.logfile, "--daemonize", "no"]
        if not self.persistence:
            argv += ["--save", "", "--appendonly", "no"]
        return argv + self.extra_args

    def start(self):
        """Starts the server and waits (polling PING) until it answers; retries port collisions."""
        require_binary(self.binary)
        for attempt in range(self.START_ATTEMPTS):
            port = free_port()
            self._spawn(port)
            if self._wait_ready():
                self.port = port
                return self
            self.stop()
            if attempt + 1 < self.START_ATTEMPTS and self._collided():
                continue
            raise HarnessError(f"{self.name} did not start on port {port}\n{self.describe()}")
        raise HarnessError(f"{self.name}: no free port after {self.START_ATTEMPTS} attempts")

    def launch(self):
        """Starts the process on a free port without waiting for it to answer (for tests of what
        a server does while it starts, such as -LOADING). Returns self; ``port`` is set."""
        require_binary(self.binary)
        self.port = free_port()
        self._spawn(self.port)
        return self

    def _spawn(self, port):
        self.returncode = None
        for path in (self.logfile, self.outfile):
            if os.path.exists(path):
                os.unlink(path)
        # The child keeps its own copy of the descriptor; ours can close at once.
        with open(self.outfile, "wb") as out:
            self.proc = subprocess.Popen(
                self.command_line(port), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.dir, preexec_fn=_die_with_parent)
        self.port = port

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with RespClient(HOST, self.port, timeout=1.0) as c:
                    reply = c.call("PING")
                    # A server still loading answers -LOADING; keep polling until +PONG.
                    if reply == b"+PONG\r\n" or reply.startswith(b"-NOAUTH"):
                        return True
            except (OSError, HarnessError):
                pass
            time.sleep(0.01)
        return False

    def _collided(self):
        text = (_tail(self.logfile) + _tail(self.outfile)).lower()
        return "in use" in text

    def alive(self):
        """True while the process is running."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=DEFAULT_TIMEOUT):
        """Stops the process by pid: SIGTERM, then SIGKILL after ``timeout``. Returns its exit code
        (negative for a signal, as subprocess reports it), or None when it was never started."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        self.proc = None
        return self.returncode

    def cleanup(self):
        """Stops the server if needed and removes its temp dir."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # Diagnostics ---------------------------------------------------------------------------

    @property
    def pid(self):
        """Pid of the running process, or None."""
        return self.proc.pid if self.proc else None

    def describe(self):
        """Status, exit code and the tails of the log and stdout/stderr, for failure messages."""
        if self.proc is not None:
            code = self.proc.poll()
        else:
            code = self.returncode
        status = "running" if code is None and self.proc is not None else f"exit code {code}"
        return (f"--- {self.name} ({self.binary}) port={self.port} {status}\n"
                f"--- log tail ({self.logfile}):\n{_tail(self.logfile)}\n"
                f"--- stdout/stderr tail:\n{_tail(self.outfile)}")

    def client(self, timeout=REPLY_TIMEOUT):
        """A new RespClient connected to this server."""
        return RespClient(HOST, self.port, timeout=timeout)


def run_server_expecting_exit(binary, argv_tail, timeout=DEFAULT_TIMEOUT, cwd=None):
    """Runs ``binary argv_tail...`` that is expected to exit by itself (a startup error).

    Returns (exit code, combined stdout+stderr text). If it is still running after ``timeout`` it
    is killed by pid and the exit code is None.
    """
    require_binary(binary)
    with subprocess.Popen([binary] + list(argv_tail), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
                          preexec_fn=_die_with_parent) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout)
            return proc.returncode, out.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            return None, out.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# RESP encoding and framing


def _to_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (int, float)):
        return str(value).encode()
    raise TypeError(f"cannot encode {type(value).__name__} as a RESP argument")


def encode_command(args):
    """Encodes one command (a sequence of str/bytes/int) as a RESP multibulk request."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = _to_bytes(arg)
        parts.append(b"$%d\r\n" % len(data))
        parts.append(data)
        parts.append(b"\r\n")
    return b"".join(parts)


def split_command(command):
    """Normalises a command: a str is split on whitespace; a list/tuple is returned as a list."""
    if isinstance(command, str):
        return command.split()
    if isinstance(command, bytes):
        return command.split()
    return list(command)


class RespProtocolError(HarnessError):
    """The server sent bytes that are not a valid RESP2/RESP3 reply."""


# Reply types by first byte. Line types end at CRLF; blob types carry a length then the payload.
_LINE_TYPES = frozenset(b"+-:_,#(")
_BLOB_TYPES = frozenset(b"$!=")
_AGGREGATE_TYPES = frozenset(b"*~>")
_PAIR_TYPES = frozenset(b"%|")  # maps and attributes: count is the number of pairs
_ATTRIBUTE = ord("|")


class RespFramer:
    """Incremental RESP2+RESP3 reply framer.

    ``feed()`` bytes as they arrive and call ``pop()`` to take the next complete reply as raw
    bytes (or None when more bytes are needed). State is kept between calls, so a large reply
    arriving in many pieces is scanned once. Handles ``+ - : $ * _ , # ! = ( % ~ > |`` with nested
    aggregates, null bulk/array (``$-1``, ``*-1``) and RESP3 null (``_``). An attribute (``|``) is
    framed together with the reply that follows it.
    """

    def __init__(self):
        self._buf = bytearray()
        self._pos = 0           # next unparsed byte
        self._stack = []        # per open aggregate: [elements remaining, is_attribute]
        self._need_value = False  # a top-level attribute finished; its value is still to come

    def feed(self, data):
        """Appends received bytes."""
        self._buf += data

    def pending(self):
        """Bytes received but not yet returned by pop()."""
        return bytes(self._buf)

    def _line(self):
        end = self._buf.find(b"\r\n", self._pos)
        if end < 0:
            return None
        line = bytes(self._buf[self._pos + 1:end])
        return line, end + 2

    def _element_done(self):
        """Called when one element (scalar or whole aggregate) has been consumed."""
        while self._stack:
            top = self._stack[-1]
            top[0] -= 1
            if top[0] > 0:
                return False
            self._stack.pop()
            if top[1]:
                # An attribute is not an element of its parent: the value after it is.
                if not self._stack:
                    self._need_value = True
                return False
        if self._need_value:
            self._need_value = False
        return True

    def pop(self):
        """Returns the next complete reply as bytes, or None if it has not fully arrived."""
        while self._pos < len(self._buf):
            kind = self._buf[self._pos]
            parsed = self._line()
            if parsed is None:
                return None
            line, after = parsed
            if kind in _LINE_TYPES:
                self._pos = after
                complete = self._element_done()
            elif kind in _BLOB_TYPES:
                length = self._int(line, kind)
                if length < 0:
                    if kind != ord("$") or length != -1:
                        raise RespProtocolError(f"bad blob length in {self._context()}")
                    self._pos = after
                else:
                    end = after + length
                    if len(self._buf) < end + 2:
                        return None
                    if self._buf[end:end + 2] != b"\r\n":
                        raise RespProtocolError(f"blob not followed by CRLF in {self._context()}")
                    self._pos = end + 2
                complete = self._element_done()
            elif kind in _AGGREGATE_TYPES or kind in _PAIR_TYPES:
                count = self._int(line, kind)
                self._pos = after
                if count < 0:
                    if kind != ord("*") or count != -1:
                        raise RespProtocolError(f"bad aggregate length in {self._context()}")
                    complete = self._element_done()
                else:
                    if kind in _PAIR_TYPES:
                        count *= 2
                    is_attr = kind == _ATTRIBUTE
                    if count == 0:
                        if is_attr:
                            if not self._stack:
                                self._need_value = True
                            complete = False
                        else:
                            complete = self._element_done()
                    else:
                        self._stack.append([count, is_attr])
                        complete = False
            else:
                raise RespProtocolError(f"unknown reply type byte {bytes([kind])!r} in "
                                        f"{self._context()}")
            if complete:
                frame = bytes(self._buf[:self._pos])
                del self._buf[:self._pos]
                self._pos = 0
                return frame
        return None

    def _int(self, line, kind):
        try:
            return int(line)
        except ValueError:
            raise RespProtocolError(
                f"bad length {line!r} after {bytes([kind])!r} in {self._context()}") from None

    def _context(self):
        return repr(bytes(self._buf[:200]))


# ---------------------------------------------------------------------------------------------
# Decoding (for shape checks; byte comparisons use the raw frames)


class RespError(str):
    """A decoded error reply (``-`` or ``!``); the text without the leading type byte."""


class RespPush(list):
    """A decoded RESP3 push (``>``)."""


class RespVerbatim(bytes):
    """A decoded RESP3 verbatim string (``=``); ``format`` is the 3-byte type, e.g. b'txt'."""
    format = b""


class RespSet(list):
    """A decoded RESP3 set (``~``), kept as a list so unhashable members survive."""


class RespMap(list):
    """A decoded RESP3 map (``%``): a list of (key, value) pairs (keys may be unhashable)."""

    def get(self, key, default=None):
        """The value for ``key`` (bytes or str), or ``default``."""
        key = _to_bytes(key)
        for k, v in self:
            if k == key:
                return v
        return default


class RespBigNumber(int):
    """A decoded RESP3 big number (``(``)."""


def decode(raw):
    """Decodes one complete raw reply into Python values.

    Simple and bulk strings become bytes, integers int, doubles float, booleans bool, nulls None,
    arrays list, sets RespSet, maps RespMap, pushes RespPush, errors RespError, verbatim
    RespVerbatim; attributes are skipped. Raises RespProtocolError on trailing or missing bytes.
    """
    value, end = _decode_at(bytes(raw), 0)
    if end != len(raw):
        raise RespProtocolError(f"trailing bytes after reply: {raw[end:end + 80]!r}")
    return value


def decode_all(raw):
    """Decodes a concatenation of complete replies into a list of values (see decode())."""
    raw = bytes(raw)
    values = []
    pos = 0
    while pos < len(raw):
        value, pos = _decode_at(raw, pos)
        values.append(value)
    return values


def _decode_at(buf, pos):
    kind = buf[pos:pos + 1]
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise RespProtocolError(f"incomplete reply: {buf[pos:pos + 80]!r}")
    line = buf[pos + 1:end]
    nxt = end + 2
    if kind == b"+":
        return line, nxt
    if kind == b"-":
        return RespError(line.decode("utf-8", "replace")), nxt
    if kind == b":":
        return int(line), nxt
    if kind == b"(":
        return RespBigNumber(int(line)), nxt
    if kind == b"_":
        return None, nxt
    if kind == b"#":
        return line == b"t", nxt
    if kind == b",":
        return float(line.decode()), nxt
    if kind in (b"$", b"!", b"="):
        length = int(line)
        if length < 0:
            return None, nxt
        data = buf[nxt:nxt + length]
        if kind == b"!":
            return RespError(data.decode("utf-8", "replace")), nxt + length + 2
        if kind == b"=":
            value = RespVerbatim(data[4:])
            value.format = data[:3]
            return value, nxt + length + 2
        return data, nxt + length + 2
    if kind in (b"*", b"~", b">", b"%", b"|"):
        count = int(line)
        if count < 0:
            return None, nxt
        if kind in (b"%", b"|"):
            pairs = RespMap()
            for _ in range(count):
                k, nxt = _decode_at(buf, nxt)
                v, nxt = _decode_at(buf, nxt)
                pairs.append((k, v))
            if kind == b"|":
                return _decode_at(buf, nxt)
            return pairs, nxt
        items = []
        for _ in range(count):
            item, nxt = _decode_at(buf, nxt)
            items.append(item)
        if kind == b"~":
            return RespSet(items), nxt
        if kind == b">":
            return RespPush(items), nxt
        return items, nxt
    raise RespProtocolError(f"unknown reply type {kind!r}")


# ---------------------------------------------------------------------------------------------
# Raw client


class RespClient:
    """A raw RESP client over one TCP connection that returns replies as raw bytes.

    ``send_raw()`` writes bytes as given; ``send()`` encodes commands (lists of str/bytes, or a
    str split on whitespace) as multibulk; ``read_reply()`` returns exactly one complete reply
    (RESP2 or RESP3) as bytes; ``call()`` does both. Every read has a deadline (``timeout``
    seconds) and raises HarnessError when it passes.
    """

    def __init__(self, host, port, timeout=REPLY_TIMEOUT, name=None):
        self.timeout = timeout
        self.name = name or f"{host}:{port}"
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.framer = RespFramer()
        self.eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Closes the connection (idempotent)."""
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def send_raw(self, data):
        """Writes ``data`` (bytes) to the socket as is."""
        self.sock.sendall(_to_bytes(data))

    def send(self, *commands):
        """Encodes each command as multibulk and writes them in one go (pipelined)."""
        self.send_raw(b"".join(encode_command(split_command(c)) for c in commands))

    def _recv(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 16)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
        return data

    def read_reply(self, timeout=None):
        """Reads and returns exactly one complete reply as raw bytes."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            frame = self.framer.pop()
            if frame is not None:
                return frame
            if self.eof:
                raise HarnessError(f"{self.name}: connection closed before a complete reply; "
                                   f"got {self.framer.pending()[:300]!r}")
            try:
                data = self._recv(deadline)
            except socket.timeout:
                raise HarnessError(
                    f"{self.name}: no complete reply within {timeout}s; "
                    f"got {self.framer.pending()[:300]!r}") from None
            self.framer.feed(data)

    def read_replies(self, count, timeout=None):
        """Reads ``count`` replies and returns them as a list of raw bytes."""
        return [self.read_reply(timeout) for _ in range(count)]

    def read_replies_until(self, marker, timeout=None, limit=10000):
        """Reads replies until one contains the bytes ``marker`` and returns them all (the last
        one is the marker reply). Used to drain a stream of pushes up to a sentinel message."""
        replies = []
        while True:
            reply = self.read_reply(timeout)
            replies.append(reply)
            if marker in reply:
                return replies
            if len(replies) >= limit:
                raise HarnessError(f"{self.name}: no reply containing {marker!r} in {limit}")

    def call(self, *args):
        """Sends one command (``call("SET", "k", "v")`` or ``call(["SET", "k", "v"])``, or
        ``call("SET k v")``) and returns its raw reply."""
        if len(args) == 1:
            self.send(args[0])
        else:
            self.send(list(args))
        return self.read_reply()

    def value(self, *args):
        """Like call() but returns the decoded reply (see decode())."""
        return decode(self.call(*args))

    def read_until_closed(self, timeout=None):
        """Reads until the server closes the connection and returns every byte not yet returned
        as a reply. Raises HarnessError if the connection is still open after ``timeout``."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while not self.eof:
            try:
                data = self._recv(deadline)
            except socket.timeout:
                raise HarnessError(
                    f"{self.name}: connection still open after {timeout}s; "
                    f"got {self.framer.pending()[:300]!r}") from None
            self.framer.feed(data)
        data = self.framer.pending()
        self.framer = RespFramer()
        return data

    def unread(self):
        """Bytes already received but not returned as a reply (without waiting for more).
        A non-empty result at the end of a test means a reply the test did not expect."""
        if self.sock is None:
            return self.framer.pending()
        data = bytearray(self.framer.pending())
        self.sock.setblocking(False)
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
        except (BlockingIOError, ConnectionResetError):
            pass
        finally:
            self.sock.settimeout(self.timeout)
        return bytes(data)

    def shutdown_write(self):
        """Half-closes the connection (no more requests); replies can still be read."""
        self.sock.shutdown(socket.SHUT_WR)


# ---------------------------------------------------------------------------------------------
# INFO and bulk loading


def parse_info(text):
    """Parses an INFO reply body (bytes or str) into {section: {field: value-str}}."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    sections = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("# "):
            current = sections.setdefault(line[2:].strip().lower(), {})
        elif line and current is not None and ":" in line:
            key, _, value = line.partition(":")
            current[key] = value
    return sections


def info_fields(client, section=None):
    """Runs INFO [section] on a RespClient and returns a flat {field: value-str} dict."""
    raw = client.value("INFO", section) if section else client.value("INFO")
    flat = {}
    for fields in parse_info(raw).values():
        flat.update(fields)
    return flat


def keyspace_line_re():
    """Regex for an INFO keyspace line: ``db0:keys=N,expires=M,avg_ttl=T``."""
    return re.compile(r"^db(\d+):keys=(\d+),expires=(\d+),avg_ttl=(\d+)$")


def mass_insert(host, port, count, value_size=64, prefix="key:", batch=10000, timeout=120):
    """Loads ``count`` keys ``{prefix}N`` (N from 0) with ``value_size``-byte values, pipelined
    ``batch`` SETs at a time on one connection. Returns the number of +OK replies."""
    value = b"v" * value_size
    head = b"*3\r\n$3\r\nSET\r\n"
    tail = b"\r\n$%d\r\n%s\r\n" % (value_size, value)
    ok = 0
    with RespClient(host, port, timeout=timeout) as c:
        for start in range(0, count, batch):
            stop = min(count, start + batch)
            parts = []
            for i in range(start, stop):
                key = b"%s%d" % (prefix.encode(), i)
                parts.append(b"%s$%d\r\n%s%s" % (head, len(key), key, tail))
            c.send_raw(b"".join(parts))
            ok += sum(1 for reply in c.read_replies(stop - start) if reply == b"+OK\r\n")
    return ok


def server_time_ms(client):
    """The server's clock (TIME) in milliseconds, read through a RespClient."""
    seconds, micros = decode(client.call("TIME"))
    return int(seconds) * 1000 + int(micros) // 1000
