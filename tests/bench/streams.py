"""Streams in cairn-server and redis-server, in one run: XADD throughput and bytes per entry.

Throughput: redis-benchmark with the custom command `XADD bench:stream * temperature 21.5
humidity 60.2`, 50 clients, --requests per round (default 200,000), rounds interleaved between the
servers (which goes first alternates); median requests/s of each and the median of the per-round
ratios cairn/redis (higher is better; the issue's target is >= 1.0).

Memory: both servers start empty; entries are loaded pipelined with explicit ids and the growth
of INFO memory used_memory is divided by the entry count, for
  day: 86,400 entries {temperature, humidity} one second apart (one day of a sensor),
  small: --entries (default 1,000,000) entries {v: N} with ids 1-0, 2-0, ...
Prints both figures and the ratio cairn/redis (lower is better; target <= 1.0).

Usage: /usr/bin/python3 tests/bench/streams.py [--requests N] [--rounds N] [--entries N]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import (SERVERS, benchmark_rps, both_servers, fmt, format_table,  # noqa: E402
                         median, ratio)
from cairn_testlib import HOST, RespClient, encode_command, info_fields  # noqa: E402

XADD = ["XADD", "bench:stream", "*", "temperature", "21.5", "humidity", "60.2"]
DAY_START_MS = 1_700_000_000_000


def xadd_rps(port, requests):
    """Requests/s of one redis-benchmark run of XADD with 50 clients."""
    return benchmark_rps(port, requests, XADD)


def used_memory(port):
    with RespClient(HOST, port, timeout=60) as client:
        return int(info_fields(client, "memory")["used_memory"])


def day_command(i):
    return encode_command(["XADD", "day", f"{DAY_START_MS + 1000 * i}-0", "temperature",
                           f"{18 + (i % 120) / 10:.1f}", "humidity", f"{40 + i % 30}"])


def small_command(i):
    return encode_command(["XADD", "small", f"{i + 1}-0", "v", str(i % 1000)])


def bytes_per_entry(port, make, count):
    """Loads `count` entries built by make(i) and returns used_memory growth per entry."""
    with RespClient(HOST, port, timeout=600) as client:
        client.call("FLUSHALL")
    before = used_memory(port)
    with RespClient(HOST, port, timeout=600) as client:
        for start in range(0, count, 20000):
            stop = min(count, start + 20000)
            client.send_raw(b"".join(make(i) for i in range(start, stop)))
            for reply in client.read_replies(stop - start):
                assert reply.startswith(b"$"), reply[:200]
    grown = used_memory(port) - before
    with RespClient(HOST, port, timeout=600) as client:
        client.call("FLUSHALL")
    return grown / count


def main():
    """Runs both benchmarks and prints the tables; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--entries", type=int, default=1000000)
    args = parser.parse_args()
    with both_servers(["--save", "", "--appendonly", "no"]) as servers:
        rps = {name: [] for name in SERVERS}
        for r in range(args.rounds):
            order = SERVERS if r % 2 == 0 else tuple(reversed(SERVERS))
            for name in order:
                rps[name].append(xadd_rps(servers[name].port, args.requests))
                with RespClient(HOST, servers[name].port, timeout=60) as client:
                    client.call("FLUSHALL")
        ratios = [ratio(c, r) for c, r in zip(rps["cairn"], rps["redis"]) if c and r]
        memory_rows = []
        for label, make, count in (("day (86,400 x 2 fields)", day_command, 86400),
                                   (f"small ({args.entries:,} x 1 field)", small_command,
                                    args.entries)):
            got = {name: bytes_per_entry(servers[name].port, make, count) for name in SERVERS}
            memory_rows.append([label, fmt(got["cairn"], 1), fmt(got["redis"], 1),
                                fmt(ratio(got["cairn"], got["redis"]), 2),
                                fmt(got["cairn"] * count / 1e6, 2),
                                fmt(got["redis"] * count / 1e6, 2)])
    print()
    print(f"XADD throughput: redis-benchmark -c 50 -n {args.requests:,}, {args.rounds} rounds")
    print(format_table(["server", "median rps", "cairn/redis (median of rounds)"],
                       [["cairn", fmt(median([x for x in rps["cairn"] if x]), 0),
                         fmt(median(ratios), 2) if ratios else "-"],
                        ["redis", fmt(median([x for x in rps["redis"] if x]), 0), ""]]))
    print()
    print("Stream memory: used_memory growth per entry")
    print(format_table(["shape", "cairn B/entry", "redis B/entry", "cairn/redis", "cairn MB",
                        "redis MB"], memory_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
