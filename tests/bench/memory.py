"""Memory per key: 1,000,000 keys key:N with 64-byte values in cairn-server and redis-server.

Each server starts empty; INFO memory (used_memory, used_memory_rss) is read before and after a
pipelined load, and the difference divided by the number of keys is printed with the ratio
cairn/redis.

Usage: /usr/bin/python3 tests/bench/memory.py [--keys N] [--value-size B]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import SERVERS, both_servers, fmt, format_table, ratio  # noqa: E402
from cairn_testlib import HOST, RespClient, info_fields, mass_insert  # noqa: E402

FIELDS = ("used_memory", "used_memory_rss")


def memory(port):
    """{field: int, or None when the server does not report it} for FIELDS from INFO memory."""
    with RespClient(HOST, port, timeout=30) as client:
        info = info_fields(client, "memory")
    return {field: int(info[field]) if field in info else None for field in FIELDS}


def per_key(before, after, keys):
    """(after - before) / keys, or None when a figure is missing."""
    if before is None or after is None or keys <= 0:
        return None
    return (after - before) / keys


def main():
    """Runs the benchmark and prints the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=int(os.environ.get("BENCH_KEYS", 1000000)))
    parser.add_argument("--value-size", type=int, default=64)
    args = parser.parse_args()

    results = {}
    with both_servers() as servers:
        for name in SERVERS:
            server = servers[name]
            before = memory(server.port)
            loaded = mass_insert(HOST, server.port, args.keys, value_size=args.value_size)
            with RespClient(HOST, server.port, timeout=30) as client:
                dbsize = int(client.call("DBSIZE")[1:-2])
            after = memory(server.port)
            print(f"{name}: {server.binary}: loaded {loaded:,} keys, DBSIZE {dbsize:,}; "
                  f"baseline used_memory {fmt(before['used_memory'])} rss "
                  f"{fmt(before['used_memory_rss'])}", flush=True)
            results[name] = {f: per_key(before[f], after[f], dbsize) for f in FIELDS}

    print()
    headers = ["metric", "cairn bytes/key", "redis bytes/key", "cairn/redis"]
    rows = [[field, fmt(results["cairn"][field], 1), fmt(results["redis"][field], 1),
             fmt(ratio(results["cairn"][field], results["redis"][field]), 2)]
            for field in FIELDS]
    print(f"Memory: {args.keys:,} keys key:N with {args.value_size}-byte values, minus the empty "
          "server")
    print(format_table(headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
