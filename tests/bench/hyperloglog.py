"""HyperLogLog throughput of cairn-server and redis-server, in one run.

redis-benchmark (50 clients, --requests per round, default 200,000) runs each test against both
servers, rounds interleaved (which goes first alternates):
  pfadd-dense   PFADD bench:hll e:__rand_int__ (-r 10,000,000): one key, dense after its first
                few thousand elements
  pfadd-sparse  PFADD hll:__rand_int__ e:__rand_int__ (-r 100,000): many small sparse keys
  pfcount       PFCOUNT bench:hll (cached after the first call)
  pfcount-union PFCOUNT bench:hll bench:hll2 (a merge and an estimate every call; 1/20 of
                the requests)
  pfmerge       PFMERGE bench:merged bench:hll bench:hll2 (1/20 of the requests)
Prints per test the median requests/s of each and the median of the per-round ratios
cairn/redis (higher is better).

Usage: /usr/bin/python3 tests/bench/hyperloglog.py [--requests N] [--rounds N]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import (SERVERS, benchmark_rps, both_servers, fmt, format_table,  # noqa: E402
                         median, ratio)
from cairn_testlib import HOST, RespClient  # noqa: E402

# (name, -r keyspace, share of --requests, command): the union and merge tests read every
# register of two dense values per call, so they run a twentieth of the requests.
TESTS = [
    ("pfadd-dense", 10_000_000, 1, ["PFADD", "bench:hll", "e:__rand_int__"]),
    ("pfadd-sparse", 100_000, 1, ["PFADD", "hll:__rand_int__", "e:__rand_int__"]),
    ("pfcount", 1, 1, ["PFCOUNT", "bench:hll"]),
    ("pfcount-union", 1, 0.05, ["PFCOUNT", "bench:hll", "bench:hll2"]),
    ("pfmerge", 1, 0.05, ["PFMERGE", "bench:merged", "bench:hll", "bench:hll2"]),
]


def prepare(port):
    """Empties the server and loads the two dense keys the count and merge tests read."""
    with RespClient(HOST, port, timeout=600) as client:
        client.call("FLUSHALL")
        for key, prefix in (("bench:hll", "a"), ("bench:hll2", "b")):
            for start in range(0, 50000, 5000):
                client.call(["PFADD", key, *[f"{prefix}{i}" for i in range(start, start + 5000)]])


def main():
    """Runs the tests and prints the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    args = parser.parse_args()
    results = {name: {server: [] for server in SERVERS} for name, _, _, _ in TESTS}
    with both_servers(["--save", "", "--appendonly", "no"]) as servers:
        for r in range(args.rounds):
            order = SERVERS if r % 2 == 0 else tuple(reversed(SERVERS))
            for server in order:
                prepare(servers[server].port)
            for name, keyspace, share, command in TESTS:
                requests = max(1, int(args.requests * share))
                for server in order:
                    results[name][server].append(benchmark_rps(
                        servers[server].port, requests, command, ["-r", str(keyspace)]))
    rows = []
    for name, _, _, _ in TESTS:
        got = results[name]
        ratios = [ratio(c, r) for c, r in zip(got["cairn"], got["redis"]) if c and r]
        rows.append([name, fmt(median([x for x in got["cairn"] if x]), 0),
                     fmt(median([x for x in got["redis"] if x]), 0),
                     fmt(median(ratios), 2) if ratios else "-"])
    print(f"HyperLogLog throughput: redis-benchmark -c 50 -n {args.requests:,}, "
          f"{args.rounds} rounds")
    print(format_table(["test", "cairn rps", "redis rps", "cairn/redis (median of rounds)"],
                       rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
