#!/usr/bin/env python3
"""RDB snapshot costs, cairn-server beside redis-server in one run, for BENCH_RDB_KEYS (default
1,000,000) keys key:N with 64-byte values (random bytes, so compression does not flatter either
server):

* SAVE time (the command's round trip) and the RDB file's size;
* BGSAVE time (from the command to rdb_bgsave_in_progress:0, polled every 5 ms);
* memory during a BGSAVE while a writer keeps overwriting random keys (pipelines of 1,000 SETs
  back to back): the peak RSS of the server process, and the peak PSS of the server and its
  fork child together (proportional set size: pages shared copy-on-write are counted once, so
  this is the real memory the save costs), against the server's RSS before the BGSAVE;
* restart until ready: from exec to the first +PONG with the saved file in place.

The servers run one after the other with the same options (--save "" --appendonly no); each
figure's cairn/redis ratio is printed (below 1 means cairn-server needs less). Figures only; run
with a Release build:
  CAIRN_BIN_DIR=build/bin /usr/bin/python3 tests/bench/persistence.py [--keys N]
"""

import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import SERVERS, fmt, format_table, ratio  # noqa: E402
from cairn_testlib import (HOST, RespClient, ServerProcess, cairn_server_bin,  # noqa: E402
                           redis_server_bin, wait_until)

VALUE_SIZE = 64
WRITER_BATCH = 1000
SAMPLE_INTERVAL_S = 0.02


def load_random_values(port, count, batch=10000):
    """SETs key:0..key:count-1 with random 64-byte values, pipelined `batch` at a time."""
    head = b"*3\r\n$3\r\nSET\r\n"
    with RespClient(HOST, port, timeout=300) as c:
        for start in range(0, count, batch):
            stop = min(count, start + batch)
            blob = os.urandom(VALUE_SIZE * (stop - start))
            parts = []
            for i in range(start, stop):
                key = b"key:%d" % i
                value = blob[(i - start) * VALUE_SIZE:(i - start + 1) * VALUE_SIZE]
                parts.append(b"%s$%d\r\n%s\r\n$%d\r\n%s\r\n" % (head, len(key), key, VALUE_SIZE,
                                                                 value))
            c.send_raw(b"".join(parts))
            replies = c.read_replies(stop - start)
            assert all(r == b"+OK\r\n" for r in replies), replies[:3]


def children(pid):
    """Pids of `pid`'s child processes (the fork child of a BGSAVE)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def rollup(pid):
    """{'Rss': bytes, 'Pss': bytes} of a process from /proc/PID/smaps_rollup, or None if gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[0] in ("Rss:", "Pss:"):
                    out[parts[0][:-1]] = int(parts[1]) * 1024
    except OSError:
        return None
    return out


class Writer(threading.Thread):
    """Overwrites random existing keys with pipelines of WRITER_BATCH SETs until stopped."""

    def __init__(self, port, keys):
        super().__init__(daemon=True)
        self.port, self.keys = port, keys
        self.stopping = threading.Event()
        self.writes = 0

    def run(self):
        rng = random.Random(7)
        value = b"w" * VALUE_SIZE
        with RespClient(HOST, self.port, timeout=60) as c:
            while not self.stopping.is_set():
                parts = []
                for _ in range(WRITER_BATCH):
                    key = b"key:%d" % rng.randrange(self.keys)
                    parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
                        len(key), key, VALUE_SIZE, value))
                c.send_raw(b"".join(parts))
                c.read_replies(WRITER_BATCH)
                self.writes += WRITER_BATCH


def bgsave_memory(server, keys):
    """BGSAVE under a writer: (seconds, peak server RSS, peak server+child PSS, RSS before)."""
    pid = server.pid
    before = rollup(pid)["Rss"]
    writer = Writer(server.port, keys)
    writer.start()
    time.sleep(0.5)  # the writer is at full speed before the fork
    peak_rss, peak_pss = 0, 0
    with RespClient(HOST, server.port, timeout=60) as c:
        started = time.monotonic()
        reply = c.call("BGSAVE")
        assert reply.startswith(b"+Background saving started"), reply
        while True:
            parent = rollup(pid)
            kids = [r for r in (rollup(k) for k in children(pid)) if r is not None]
            peak_rss = max(peak_rss, parent["Rss"])
            peak_pss = max(peak_pss, parent["Pss"] + sum(k["Pss"] for k in kids))
            if b"rdb_bgsave_in_progress:0" in c.call("INFO", "persistence"):
                break
            time.sleep(SAMPLE_INTERVAL_S)
        seconds = time.monotonic() - started
    writer.stopping.set()
    writer.join()
    return seconds, peak_rss, peak_pss, before


def bgsave_time(server):
    """Seconds from BGSAVE to rdb_bgsave_in_progress:0 on an idle server."""
    with RespClient(HOST, server.port, timeout=60) as c:
        started = time.monotonic()
        reply = c.call("BGSAVE")
        assert reply.startswith(b"+Background saving started"), reply
        while b"rdb_bgsave_in_progress:0" not in c.call("INFO", "persistence"):
            time.sleep(0.005)
        return time.monotonic() - started


def restart_until_ready(server):
    """Stops `server` (no save) and starts it again on the same port: seconds from exec until it
    answers PING with +PONG."""
    server.stop()
    started = time.monotonic()
    server.launch()

    def pong():
        try:
            with RespClient(HOST, server.port, timeout=5) as c:
                return c.call("PING") == b"+PONG\r\n"
        except OSError:
            return False
    wait_until(pong, timeout=300, interval=0.005, what="the restarted server to answer")
    return time.monotonic() - started


def measure(name, keys):
    """All figures for one server, as a dict."""
    binary = cairn_server_bin() if name == "cairn" else redis_server_bin()
    server = ServerProcess(binary, ["--save", "", "--appendonly", "no"], name=name,
                           persistence=True).start()
    try:
        load_random_values(server.port, keys)
        out = {}
        with RespClient(HOST, server.port, timeout=300) as c:
            started = time.monotonic()
            assert c.call("SAVE") == b"+OK\r\n"
            out["save_s"] = time.monotonic() - started
        out["rdb_mb"] = os.path.getsize(os.path.join(server.dir, "dump.rdb")) / 1e6
        out["bgsave_s"] = bgsave_time(server)
        (out["bgsave_writer_s"], rss, pss, before) = bgsave_memory(server, keys)
        out["rss_before_mb"] = before / 1e6
        out["peak_rss_mb"] = rss / 1e6
        out["peak_pss_mb"] = pss / 1e6
        out["restart_s"] = restart_until_ready(server)
        with RespClient(HOST, server.port, timeout=60) as c:
            out["keys_after_restart"] = int(c.call("DBSIZE")[1:-2])
        return out
    finally:
        server.cleanup()


ROWS = [
    ("SAVE (s)", "save_s", 2),
    ("RDB size (MB)", "rdb_mb", 1),
    ("BGSAVE, idle (s)", "bgsave_s", 2),
    ("BGSAVE under writes (s)", "bgsave_writer_s", 2),
    ("RSS before BGSAVE (MB)", "rss_before_mb", 1),
    ("peak RSS during BGSAVE (MB)", "peak_rss_mb", 1),
    ("peak PSS server+child (MB)", "peak_pss_mb", 1),
    ("restart until ready (s)", "restart_s", 2),
    ("keys after restart", "keys_after_restart", 0),
]


def main():
    """Runs both servers and prints the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int,
                        default=int(os.environ.get("BENCH_RDB_KEYS", 1_000_000)))
    args = parser.parse_args()
    results = {name: measure(name, args.keys) for name in SERVERS}
    rows = [[label, fmt(results["cairn"][field], digits), fmt(results["redis"][field], digits),
             fmt(ratio(results["cairn"][field], results["redis"][field]), 2)]
            for label, field, digits in ROWS]
    print(f"RDB snapshots: {args.keys:,} keys key:N with {VALUE_SIZE}-byte random values")
    print(format_table(["measure", "cairn", "redis", "cairn/redis"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
