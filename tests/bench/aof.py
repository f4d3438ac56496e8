#!/usr/bin/env python3
"""AOF cost, cairn-server beside redis-server in one run:

* redis-benchmark SET throughput (50 clients, random keys -r 100000, 64-byte values) with
  appendonly yes and appendfsync everysec, then always; the cairn/redis ratio per mode (the
  median of interleaved rounds);
* BGREWRITEAOF time for BENCH_AOF_KEYS (default 1,000,000) keys with 64-byte values, from the
  command to the rewrite's end (RDB preamble, the default), and the resulting base file size.

Figures only; run with a Release build:
  CAIRN_BIN_DIR=build/bin /usr/bin/python3 tests/bench/aof.py [--rounds N] [--requests N]
"""

import argparse
import os
import sys
import time

import redis

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import SERVERS, both_servers, fmt, format_table, median, ratio  # noqa: E402
from cairn_testlib import HOST, mass_insert, wait_until  # noqa: E402
from throughput import run_benchmark  # noqa: E402


def set_throughput(servers, rounds, requests):
    """{server: median SET rps} over interleaved rounds, and the median per-round ratio."""
    rps = {name: [] for name in SERVERS}
    ratios = []
    for n in range(rounds):
        order = SERVERS if n % 2 == 0 else tuple(reversed(SERVERS))
        got = {}
        for name in order:
            rows = run_benchmark(servers[name].port, "set", ["-c", "50"], requests)
            got[name] = rows.get("SET", {}).get("rps")
            rps[name].append(got[name])
        ratios.append(ratio(got["cairn"], got["redis"]))
    return {name: median(v) for name, v in rps.items()}, median(ratios)


def rewrite_seconds(server, keys):
    """Loads `keys` keys, then times BGREWRITEAOF until the rewrite is done; (seconds, base MB)."""
    assert mass_insert(HOST, server.port, keys) == keys
    r = redis.Redis(host=HOST, port=server.port)
    before = r.info("persistence")["aof_rewrites"]
    started = time.monotonic()
    r.bgrewriteaof()
    # aof_rewrites counts a rewrite when it starts (Redis's semantics): wait for its end too.
    wait_until(lambda: (lambda i: i["aof_rewrites"] > before and not i["aof_rewrite_in_progress"]
                        and not i["aof_rewrite_scheduled"])(r.info("persistence")),
               600, interval=0.01, what="BGREWRITEAOF done")
    seconds = time.monotonic() - started
    base_dir = os.path.join(server.dir, "appendonlydir")
    base = sum(os.path.getsize(os.path.join(base_dir, f)) for f in os.listdir(base_dir)
               if ".base." in f)
    return seconds, base / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--keys", type=int, default=int(os.environ.get("BENCH_AOF_KEYS", 1000000)))
    args = parser.parse_args()
    rows = []
    for mode in ("everysec", "always"):
        with both_servers(["--appendonly", "yes", "--appendfsync", mode]) as servers:
            rps, r = set_throughput(servers, args.rounds, args.requests)
            rows.append([f"SET rps, appendfsync {mode}", fmt(rps["cairn"], 0),
                         fmt(rps["redis"], 0), fmt(r)])
    # No automatic rewrite while loading: the timed one is the only one.
    with both_servers(["--appendonly", "yes", "--auto-aof-rewrite-percentage", "0"]) as servers:
        results = {name: rewrite_seconds(servers[name], args.keys) for name in SERVERS}
    rows.append([f"BGREWRITEAOF s, {args.keys:,} keys", fmt(results["cairn"][0]),
                 fmt(results["redis"][0]), fmt(ratio(results["cairn"][0], results["redis"][0]))])
    rows.append(["base file MB", fmt(results["cairn"][1]), fmt(results["redis"][1]),
                 fmt(ratio(results["cairn"][1], results["redis"][1]))])
    print(format_table(["measure", "cairn", "redis", "cairn/redis"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
