"""Helpers shared by the benchmark drivers in tests/bench: starting both servers, tables.

Benchmarks print figures and never fail on timing; they exit non-zero only when a server cannot
be started or a tool is missing.
"""

import contextlib
import statistics

from cairn_testlib import ServerProcess, cairn_server_bin, redis_server_bin

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
