#!/usr/bin/env python3
"""Time from CreateCluster to AVAILABLE for 1 shard x 2 replicas in dev mode, median of 5, for
both engines (cairn-server nodes and stock redis-server nodes) in one run. Figures only.

Environment: CAIRN_BIN_DIR (the build's bin folder), BENCH_CREATE_ROUNDS (default 5)."""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import ControlPlaneProcess  # noqa: E402


def time_create(cp, name, engine):
    started = time.monotonic()
    op = cp.rest.post("/v1/clusters", {"name": name, "replicas_per_shard": 2, "engine": engine})
    done = cp.rest.wait_operation(op["id"], timeout_s=60)
    elapsed = time.monotonic() - started
    if done["state"] != "OPERATION_STATE_SUCCEEDED":
        raise RuntimeError(f"create {name} failed: {done}")
    delete = cp.rest.call("DELETE", f"/v1/clusters/{name}")
    cp.rest.wait_operation(delete["id"], timeout_s=60)
    return elapsed


def main():
    rounds = int(os.environ.get("BENCH_CREATE_ROUNDS", "5"))
    cp = ControlPlaneProcess(hosts=3)
    try:
        cp.start()
        print(f"{'engine':8} {'median s':>9} {'min s':>7} {'max s':>7}  (CreateCluster -> "
              f"AVAILABLE, 1 shard x 2 replicas, {rounds} rounds)")
        for engine in ("cairn", "redis"):
            times = [time_create(cp, f"bench-{engine}-{i}", engine) for i in range(rounds)]
            print(f"{engine:8} {statistics.median(times):9.2f} {min(times):7.2f} "
                  f"{max(times):7.2f}")
        cp.stop()
    finally:
        cp.cleanup()


if __name__ == "__main__":
    main()
