"""EVALSHA throughput: redis-benchmark running a small INCR + EXPIRE script (a rate-limit counter)
with 50 clients against cairn-server and redis-server in one run, interleaved per round. Prints
each server's median requests per second, the median per-round ratio cairn/redis and median p50
/ p99 latencies. Figures only.

Usage: /usr/bin/python3 tests/bench/scripting.py [--rounds N] [--requests N]
"""

import argparse
import csv
import io
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

import redis  # noqa: E402

from cairn_bench import SERVERS, both_servers, fmt, format_table, median, ratio  # noqa: E402
from cairn_testlib import HOST, REDIS_BENCHMARK  # noqa: E402

SCRIPT = "local n = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], 60) return n"


def run_evalsha(port, sha, requests, clients):
    """One redis-benchmark run of EVALSHA over 100000 random keys; returns its CSV row."""
    argv = [REDIS_BENCHMARK, "-h", HOST, "-p", str(port), "-n", str(requests), "-c",
            str(clients), "-r", "100000", "--csv", "EVALSHA", sha, "1", "rl:__rand_int__"]
    result = subprocess.run(argv, capture_output=True, timeout=1800, check=False)
    if result.returncode != 0:
        print(f"  redis-benchmark failed: {result.stderr.decode()[-500:]}", file=sys.stderr)
        return None
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
    return {k: float(v) for k, v in rows[-1].items() if k != "test"} if rows else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    results = {name: [] for name in SERVERS}
    with both_servers() as servers:
        shas = {}
        for name, server in servers.items():
            print(f"{name}: {server.binary} (port {server.port})")
            shas[name] = redis.Redis(host=HOST, port=server.port).script_load(SCRIPT)
        for round_no in range(args.rounds):
            order = list(SERVERS) if round_no % 2 == 0 else SERVERS[::-1]
            for name in order:
                row = run_evalsha(servers[name].port, shas[name], args.requests, args.clients)
                if row is not None:
                    results[name].append(row)
            print(f"round {round_no + 1}/{args.rounds} done", flush=True)
    ratios = [ratio(c["rps"], r["rps"]) for c, r in zip(results["cairn"], results["redis"])]
    headers = ["server", "rps (median)", "p50 ms", "p99 ms"]
    rows = [[name, fmt(median([r["rps"] for r in results[name]]), 0),
             fmt(median([r["p50_latency_ms"] for r in results[name]])),
             fmt(median([r["p99_latency_ms"] for r in results[name]]))] for name in SERVERS]
    print()
    print(f"EVALSHA (INCR + EXPIRE), {args.clients} clients, {args.requests} requests, "
          f"{args.rounds} rounds")
    print(format_table(headers, rows))
    print(f"cairn/redis throughput ratio (median of rounds): {fmt(median(ratios))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
