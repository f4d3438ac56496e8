"""redis-benchmark against cairn-server and redis-server in one run, interleaved.

For each round, load shape (50 clients; 50 clients pipelining 16; 1 client) and test (SET GET
INCR MSET LPUSH RPOP SADD HSET ZADD, random keys -r 100000, 64-byte values), runs redis-benchmark
--csv on one server and then at once on the other (which goes first alternates), so that load from elsewhere on the
machine hits both alike. Prints per test the median throughput of each server, the median of
the per-round ratios cairn/redis (and each round's ratio, to show the spread), and the median
p50/p99 latencies.

Usage: /usr/bin/python3 tests/bench/throughput.py [--rounds N] [--scale F] [--tests set,get]
       [--shapes "50 clients,1 client"]
"""

import argparse
import csv
import io
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import SERVERS, both_servers, fmt, format_table, median, ratio  # noqa: E402
from cairn_testlib import HOST, REDIS_BENCHMARK  # noqa: E402

TESTS = ["set", "get", "incr", "mset", "lpush", "rpop", "sadd", "hset", "zadd"]
# (label, redis-benchmark options, requests per test before --scale)
SHAPES = [
    ("50 clients", ["-c", "50"], 200000),
    ("50 clients -P 16", ["-c", "50", "-P", "16"], 500000),
    ("1 client", ["-c", "1"], 20000),
]


def run_benchmark(port, test, options, requests):
    """Runs one redis-benchmark --csv for ``test`` and returns {test name: row dict} (rps and
    latency columns in milliseconds, as floats). redis-benchmark 7.0's CSV columns are: test,
    rps, avg_latency_ms, min_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms,
    max_latency_ms."""
    argv = [REDIS_BENCHMARK, "-h", HOST, "-p", str(port), "-t", test, "-r", "100000",
            "-d", "64", "-n", str(requests), "--csv", *options]
    result = subprocess.run(argv, capture_output=True, timeout=1800, check=False)
    if result.returncode != 0:
        print(f"  redis-benchmark failed ({result.returncode}): {result.stderr.decode()[-500:]}",
              file=sys.stderr)
        return {}
    return parse_csv(result.stdout.decode())


def parse_csv(text):
    """redis-benchmark --csv output as {test name: {column: float}}."""
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        rows[row["test"]] = {k: float(v) for k, v in row.items() if k != "test"}
    return rows


def main():
    """Runs the benchmark and prints the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1)),
                        help="multiplies the number of requests per test")
    parser.add_argument("--tests", default=",".join(TESTS),
                        help="comma-separated redis-benchmark -t names (default: all)")
    parser.add_argument("--shapes", default=",".join(label for label, _, _ in SHAPES),
                        help="comma-separated load labels (default: all)")
    args = parser.parse_args()
    tests = [t for t in args.tests.split(",") if t]
    shapes = [s for s in SHAPES if s[0] in args.shapes.split(",")]

    # results[shape][test][server] -> list of row dicts, one per round
    results = {label: {} for label, _, _ in shapes}
    with both_servers() as servers:
        for name, server in servers.items():
            print(f"{name}: {server.binary} (port {server.port})")
        for round_no in range(args.rounds):
            for label, options, requests in shapes:
                count = max(1000, int(requests * args.scale))
                print(f"round {round_no + 1}/{args.rounds}: {label}, {count} requests per test",
                      flush=True)
                for test_no, test in enumerate(tests):
                    order = list(SERVERS) if (round_no + test_no) % 2 == 0 else SERVERS[::-1]
                    for name in order:
                        rows = run_benchmark(servers[name].port, test, options, count)
                        for test_name, row in rows.items():
                            results[label].setdefault(test_name, {}).setdefault(
                                name, []).append(row)

    print()
    headers = ["load", "test", "cairn rps", "redis rps", "cairn/redis", "cairn p50 ms",
               "redis p50 ms", "cairn p99 ms", "redis p99 ms", "cairn/redis by round"]
    rows = []
    for label, _, _ in shapes:
        for test, by_server in results[label].items():
            cairn_rows = by_server.get("cairn", [])
            redis_rows = by_server.get("redis", [])
            per_round = [ratio(c["rps"], r["rps"]) for c, r in zip(cairn_rows, redis_rows)]
            rows.append([
                label, test,
                fmt(median(r["rps"] for r in cairn_rows), 0),
                fmt(median(r["rps"] for r in redis_rows), 0),
                fmt(median(per_round), 2),
                fmt(median(r["p50_latency_ms"] for r in cairn_rows), 3),
                fmt(median(r["p50_latency_ms"] for r in redis_rows), 3),
                fmt(median(r["p99_latency_ms"] for r in cairn_rows), 3),
                fmt(median(r["p99_latency_ms"] for r in redis_rows), 3),
                " ".join(fmt(x, 2) for x in per_round),
            ])
    print(f"Throughput: medians over {args.rounds} interleaved rounds "
          "(-r 100000 -d 64; cairn/redis is the median of per-round ratios)")
    print(format_table(headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
