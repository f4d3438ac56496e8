"""redis-benchmark --tls against cairn-server and redis-server in one run, interleaved.

Both servers listen on a TLS port only (certificates made by the openssl CLI in a temp dir,
tls-auth-clients no). Per round, SET and GET with 50 clients (random keys -r 100000, 64-byte
values), one server and then at once the other (which goes first alternates). Prints the median
requests/s of each server and the median of the per-round ratios cairn/redis (target >= 1.0).

Usage: /usr/bin/python3 tests/bench/tls.py [--rounds N] [--scale F]
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import SERVERS, fmt, format_table, median, ratio  # noqa: E402
from cairn_testlib import HOST, REDIS_BENCHMARK, cairn_server_bin, redis_server_bin  # noqa: E402
from cairn_tls import Certs, TlsServer  # noqa: E402
from throughput import parse_csv  # noqa: E402

TESTS = ["set", "get"]
REQUESTS = 100000


def run_benchmark(port, certs, test, requests):
    """One redis-benchmark --tls --csv run; returns {test: row} (see throughput.parse_csv)."""
    argv = [REDIS_BENCHMARK, "-h", HOST, "-p", str(port), "--tls", "--cacert", certs.ca_crt,
            "-t", test, "-r", "100000", "-d", "64", "-c", "50", "-n", str(requests), "--csv"]
    result = subprocess.run(argv, capture_output=True, timeout=1800, check=False)
    if result.returncode != 0:
        print(f"  redis-benchmark failed ({result.returncode}): {result.stderr.decode()[-500:]}",
              file=sys.stderr)
        return {}
    return parse_csv(result.stdout.decode())


def main():
    """Runs the benchmark and prints the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1)))
    args = parser.parse_args()
    certs = Certs()
    servers = {}
    results = {}  # results[test][server] -> list of rps
    try:
        for name in SERVERS:
            binary = cairn_server_bin() if name == "cairn" else redis_server_bin()
            servers[name] = TlsServer(binary, certs, name=f"{name}-tls").start()
            print(f"{name}: {binary} (TLS port {servers[name].port})")
        count = max(1000, int(REQUESTS * args.scale))
        for round_no in range(args.rounds):
            print(f"round {round_no + 1}/{args.rounds}: 50 clients, {count} requests per test",
                  flush=True)
            for test_no, test in enumerate(TESTS):
                order = list(SERVERS) if (round_no + test_no) % 2 == 0 else SERVERS[::-1]
                for name in order:
                    for test_name, row in run_benchmark(servers[name].port, certs, test,
                                                        count).items():
                        results.setdefault(test_name, {}).setdefault(name, []).append(row["rps"])
    finally:
        for server in servers.values():
            server.cleanup()
        certs.cleanup()
    rows = []
    for test_name, by_server in results.items():
        cairn, redis_ = by_server.get("cairn", []), by_server.get("redis", [])
        ratios = [ratio(c, r) for c, r in zip(cairn, redis_)]
        rows.append([test_name, fmt(median(cairn), 0), fmt(median(redis_), 0),
                     fmt(median(ratios))])
    print()
    print(format_table(["test (TLS, 50 clients)", "cairn rps", "redis rps", "cairn/redis"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
