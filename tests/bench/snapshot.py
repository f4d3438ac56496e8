#!/usr/bin/env python3
"""Snapshots of BENCH_SNAPSHOT_KEYS (default 1,000,000) keys with 64-byte values in dev mode, for
cairn-server and redis-server clusters (one primary, one replica) in the same run:

* time from CreateSnapshot to AVAILABLE (BGSAVE on the replica + copy to the backup store);
* SET latency on the primary (one client, back to back) while the snapshot runs, against the
  same measurement without a snapshot: p50 / p99 / max, and the p99 ratio during / before;
* restore: CreateCluster with source_snapshot (no replicas) to AVAILABLE.

Figures only; run with a Release build: CAIRN_BIN_DIR=build/bin /usr/bin/python3 this file."""

import os
import statistics
import sys
import threading
import time

import redis

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import ControlPlaneProcess  # noqa: E402
from cairn_testlib import mass_insert, wait_until  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def set_latencies(r, stop):
    """SET round trips in ms until stop() is true."""
    out = []
    i = 0
    while not stop():
        t = time.perf_counter()
        r.set(f"probe:{i % 1000}", "x" * 64)
        out.append((time.perf_counter() - t) * 1000)
        i += 1
    return out


def create(cp, body, timeout=600):
    started = time.monotonic()
    op = cp.rest.post("/v1/clusters", body)
    done = cp.rest.wait_operation(op["id"], timeout_s=timeout)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    return time.monotonic() - started, cp.rest.get(f"/v1/clusters/{body['name']}")


def measure(cp, engine, keys):
    _, cluster = create(cp, {"name": f"snap-{engine}", "replicas_per_shard": 1, "engine": engine,
                             "node_type": "cache.medium"})
    primary = cluster["endpoints"]["primary"]
    assert mass_insert(primary["address"], primary["port"], keys) == keys
    r = redis.Redis(host=primary["address"], port=primary["port"])
    r.execute_command("WAIT", 1, 60000)
    until = time.monotonic() + 3
    before = set_latencies(r, lambda: time.monotonic() > until)
    done = threading.Event()
    during = []
    worker = threading.Thread(target=lambda: during.extend(set_latencies(r, done.is_set)))
    worker.start()
    started = time.monotonic()
    op = cp.rest.post("/v1/snapshots", {"snapshot_name": f"bench-{engine}",
                                        "cluster_name": f"snap-{engine}"})
    result = cp.rest.wait_operation(op["id"], timeout_s=600)
    snapshot_s = time.monotonic() - started
    done.set()
    worker.join()
    assert result["state"] == "OPERATION_STATE_SUCCEEDED", result
    size = int(cp.rest.get(f"/v1/snapshots/bench-{engine}")["size_bytes"])
    restore_s, restored = create(cp, {"name": f"rest-{engine}", "source_snapshot": f"bench-{engine}",
                                      "node_type": "cache.medium"})
    p = restored["endpoints"]["primary"]
    wait_until(lambda: redis.Redis(host=p["address"], port=p["port"]).dbsize() >= keys, 60,
               what="restored keys")
    for name in (f"snap-{engine}", f"rest-{engine}"):
        cp.rest.call("DELETE", f"/v1/clusters/{name}")
    return {"snapshot_s": snapshot_s, "restore_s": restore_s, "size": size,
            "before": before, "during": during}


def main():
    keys = int(os.environ.get("BENCH_SNAPSHOT_KEYS", "1000000"))
    cp = ControlPlaneProcess(hosts=2)
    try:
        cp.start()
        results = {engine: measure(cp, engine, keys) for engine in ("cairn", "redis")}
        print(f"snapshot of {keys} keys (64-byte values) from a replica, dev mode")
        print(f"{'engine':7} {'snapshot s':>10} {'restore s':>9} {'RDB MB':>7} "
              f"{'p50 ms before/during':>21} {'p99 ms before/during':>21} {'max ms during':>13}")
        for engine, m in results.items():
            b, d = m["before"], m["during"]
            print(f"{engine:7} {m['snapshot_s']:10.2f} {m['restore_s']:9.2f} "
                  f"{m['size'] / 1e6:7.1f} "
                  f"{statistics.median(b):10.3f}/{statistics.median(d):<10.3f} "
                  f"{percentile(b, 0.99):10.3f}/{percentile(d, 0.99):<10.3f} {max(d):13.3f}")
        c, r = results["cairn"], results["redis"]
        print(f"ratios cairn/redis: snapshot time {c['snapshot_s'] / r['snapshot_s']:.2f}, "
              f"restore time {c['restore_s'] / r['restore_s']:.2f}; p99 during/before: cairn "
              f"{percentile(c['during'], 0.99) / percentile(c['before'], 0.99):.2f}, redis "
              f"{percentile(r['during'], 0.99) / percentile(r['before'], 0.99):.2f}")
        cp.stop()
    finally:
        cp.cleanup()


if __name__ == "__main__":
    main()
