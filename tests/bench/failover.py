#!/usr/bin/env python3
"""Failover time in dev mode: kill -9 the primary's process, then time until the first write
that succeeds through a client discovering the primary via the Sentinel-compatible endpoint
(redis-py's redis.sentinel), down_after_ms 2000. Median and max over BENCH_FAILOVER_ROUNDS
(default 10) runs, for cairn-server and redis-server nodes. Figures only."""

import os
import signal
import statistics
import subprocess
import sys
import time

import redis
from redis.sentinel import Sentinel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import ControlPlaneProcess  # noqa: E402
from cairn_testlib import REDIS_CLI, wait_until  # noqa: E402


def pid_of(port):
    info = subprocess.run([REDIS_CLI, "-p", str(port), "info", "server"], capture_output=True,
                          text=True).stdout
    return int(next(l for l in info.splitlines() if l.startswith("process_id:")).split(":")[1])


def available(cp, name):
    c = cp.rest.get(f"/v1/clusters/{name}")
    return c["status"] == "CLUSTER_STATUS_AVAILABLE" and all(
        n["status"] == "NODE_STATUS_AVAILABLE" for n in c["nodes"])


def one_failover(cp, name, master):
    wait_until(lambda: available(cp, name), 60, what=f"{name} available")
    port = cp.rest.get(f"/v1/clusters/{name}")["endpoints"]["primary"]["port"]
    master.set("warm", "1")
    os.kill(pid_of(port), signal.SIGKILL)
    started = time.monotonic()
    while True:
        try:
            if master.set("after", "1"):
                return time.monotonic() - started
        except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError,
                redis.ResponseError):
            pass
        if time.monotonic() - started > 60:
            raise RuntimeError("no write succeeded within 60 s")
        time.sleep(0.01)


def main():
    rounds = int(os.environ.get("BENCH_FAILOVER_ROUNDS", "10"))
    cp = ControlPlaneProcess(hosts=3)
    try:
        cp.start()
        print(f"{'engine':8} {'median s':>9} {'max s':>7}  (kill -9 primary -> first write via "
              f"discovery, {rounds} runs, down_after_ms 2000)")
        for engine in ("cairn", "redis"):
            name = f"fo-{engine}"
            op = cp.rest.post("/v1/clusters", {"name": name, "replicas_per_shard": 2,
                                               "engine": engine})
            cp.rest.wait_operation(op["id"], timeout_s=60)
            master = Sentinel([cp.discovery], socket_timeout=0.3).master_for(
                name, socket_timeout=0.3)
            times = [one_failover(cp, name, master) for _ in range(rounds)]
            print(f"{engine:8} {statistics.median(times):9.2f} {max(times):7.2f}")
        cp.stop()
    finally:
        cp.cleanup()


if __name__ == "__main__":
    main()
