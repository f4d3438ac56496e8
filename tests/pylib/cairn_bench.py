"""Helpers shared by the benchmark drivers in tests/bench: starting both servers, tables.

Benchmarks print figures and never fail on timing; they exit non-zero only when a server cannot
be started or a tool is missing.
"""

import contextlib
import csv
import io
import os
import statistics
import subprocess
import sys

from cairn_testlib import HOST, ServerProcess, cairn_server_bin, redis_server_bin

SERVERS = ("cairn", "redis")


@contextlib.contextmanager
def both_servers(args=()):
    """Starts cairn-server and redis-server with the same options; yields {name: process} and
    stops both by pid on exit."""
    started = {}
    try:
        for name in SERVERS:
            binary = cairn_server_bin() if name == "cairn" else redis_server_bin()
            started[name] = ServerProcess(binary, args, name=name).start()
        yield started
    finally:
        for server in started.values():
            server.cleanup()


def median(values):
    """Median of a non-empty sequence of numbers, or None for an empty one."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(numerator, denominator):
    """numerator/denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def fmt(value, digits=2):
    """A number for a table cell ('-' for None)."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def format_table(headers, rows):
    """Formats rows (lists of cells) under headers as an aligned plain-text table."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


REDIS_BENCHMARK = os.environ.get("REDIS_BENCHMARK_BIN", "redis-benchmark")


def benchmark_rps(port, requests, command, extra=()):
    """Requests/s of one `redis-benchmark -c 50 -n requests [extra] --csv command...` run against
    127.0.0.1:port, or None (after printing its stderr) when it failed."""
    argv = [REDIS_BENCHMARK, "-h", HOST, "-p", str(port), "-c", "50", "-n", str(requests),
            *extra, "--csv", *command]
    result = subprocess.run(argv, capture_output=True, timeout=1800, check=False)
    if result.returncode != 0:
        print(f"  redis-benchmark failed: {result.stderr.decode()[-500:]}", file=sys.stderr)
        return None
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
    return float(rows[0]["rps"]) if rows else None
