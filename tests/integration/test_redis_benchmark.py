"""Debian's redis-benchmark against cairn-server: it completes and reports a rate per test.
Timing figures are not asserted beyond being positive (benchmarks live in tests/bench)."""

import re
import subprocess

import pytest

from cairn_testlib import HOST, REDIS_BENCHMARK

RATE = re.compile(r"^([A-Z_]+(?: \(\d+ keys\))?): ([\d.]+) requests per second", re.M)


@pytest.mark.parametrize("extra", [[], ["-P", "16"]], ids=["plain", "pipelined"])
def test_set_get_incr(server, extra):
    result = subprocess.run(
        [REDIS_BENCHMARK, "-h", HOST, "-p", str(server.port), "-t", "set,get,incr",
         "-n", "20000", "-q", *extra],
        capture_output=True, timeout=300, check=False)
    # -q rewrites a progress line with \r before printing the final figure.
    text = result.stdout.decode().replace("\r", "\n")
    assert result.returncode == 0, (text, result.stderr, server.describe())
    rates = {name: float(rate) for name, rate in RATE.findall(text)}
    assert set(rates) == {"SET", "GET", "INCR"}, text
    assert all(rate > 0 for rate in rates.values()), rates
