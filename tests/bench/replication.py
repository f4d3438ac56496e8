#!/usr/bin/env python3
"""Replication: cairn-server -> cairn-server beside redis-server -> redis-server, in one run.

* full sync: a primary holding BENCH_REPL_KEYS (default 1,000,000) keys with 64-byte values; a
  fresh replica runs REPLICAOF and we time it until INFO says master_link_status:up. Disk-backed
  (repl-diskless-sync no) and diskless (yes, repl-diskless-sync-delay 0) on both engines.
* lag under write load: while a writer runs against the primary, a sampler reads the primary's
  master_repl_offset and then polls the replica until its slave_repl_offset reaches it; the time
  that takes is one lag sample (ms, it includes one INFO round trip). Two loads: a paced writer
  (BENCH_REPL_RATE SETs/s, default 50,000, pipelined in batches every 10 ms) and redis-benchmark
  flat out (-t set -P 16 -c 20). p50 / p99 / max of the samples and the write rate achieved.

Figures only; run with a Release build: CAIRN_BIN_DIR=build/bin /usr/bin/python3 this file."""

import argparse
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import SERVERS, fmt, format_table, ratio  # noqa: E402
from cairn_testlib import (HOST, RespClient, ServerProcess, cairn_server_bin,  # noqa: E402
                           encode_command, info_fields, mass_insert, redis_server_bin, wait_until)


def start_pair(engine, diskless):
    """A primary and a replica-to-be of `engine`, both with the same sync settings."""
    binary = cairn_server_bin() if engine == "cairn" else redis_server_bin()
    args = ["--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0"]
    primary = ServerProcess(binary, args, name=f"{engine}-primary").start()
    try:
        replica = ServerProcess(binary, args, name=f"{engine}-replica").start()
    except Exception:
        primary.cleanup()
        raise
    return primary, replica


def info(server, section="replication"):
    with RespClient(HOST, server.port, timeout=60) as c:
        return info_fields(c, section)


def full_sync_seconds(primary, replica, keys):
    assert mass_insert(HOST, primary.port, keys) == keys
    with RespClient(HOST, replica.port, timeout=60) as c:
        started = time.monotonic()
        assert c.call("REPLICAOF", HOST, str(primary.port)) == b"+OK\r\n"
        while True:
            fields = info_fields(c, "replication")
            if fields.get("master_link_status") == "up":
                return time.monotonic() - started
            if time.monotonic() - started > 600:
                raise RuntimeError("the replica did not sync within 600 s")
            time.sleep(0.005)


def paced_writer(port, rate, stop, counter):
    """SETs at `rate` per second: a pipelined batch every 10 ms."""
    batch = max(1, rate // 100)
    value = "v" * 64
    with RespClient(HOST, port, timeout=60) as c:
        tick = time.monotonic()
        i = 0
        while not stop.is_set():
            payload = b"".join(encode_command(["SET", f"lag:{(i + k) % 100000}", value])
                               for k in range(batch))
            c.send_raw(payload)
            c.read_replies(batch)
            i += batch
            counter[0] += batch
            tick += 0.01
            delay = tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)


def lag_samples(primary, replica, stop):
    """Lag samples in ms until `stop` is set."""
    out = []
    with RespClient(HOST, primary.port, timeout=60) as p, \
            RespClient(HOST, replica.port, timeout=60) as r:
        while not stop.is_set():
            started = time.perf_counter()
            want = int(info_fields(p, "replication")["master_repl_offset"])
            while int(info_fields(r, "replication").get("slave_repl_offset", -1)) < want:
                if stop.is_set():
                    return out
            out.append((time.perf_counter() - started) * 1000)
            time.sleep(0.002)
    return out


def measure_lag(primary, replica, load, rate, seconds):
    """(samples, writes/s) while `load` ("paced" or "benchmark") runs for about `seconds`."""
    stop = threading.Event()
    counter = [0]
    samples = []
    sampler = threading.Thread(target=lambda: samples.extend(lag_samples(primary, replica, stop)))
    started = time.monotonic()
    if load == "paced":
        writer = threading.Thread(target=paced_writer, args=(primary.port, rate, stop, counter))
        writer.start()
        sampler.start()
        time.sleep(seconds)  # a benchmark's measuring window, not a test wait
        stop.set()
        writer.join()
    else:
        requests = rate * seconds * 4
        bench = subprocess.Popen(["redis-benchmark", "-h", HOST, "-p", str(primary.port), "-q",
                                  "-t", "set", "-P", "16", "-c", "20", "-r", "100000", "-d", "64",
                                  "-n", str(requests)], stdout=subprocess.DEVNULL)
        sampler.start()
        bench.wait()
        stop.set()
        counter[0] = requests
    sampler.join()
    return samples, counter[0] / (time.monotonic() - started)


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=int(os.environ.get("BENCH_REPL_KEYS", 1000000)))
    parser.add_argument("--rate", type=int, default=int(os.environ.get("BENCH_REPL_RATE", 50000)))
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()

    sync = {}
    lag = {}
    for diskless in ("no", "yes"):
        for engine in SERVERS:
            primary, replica = start_pair(engine, diskless)
            try:
                sync[(engine, diskless)] = full_sync_seconds(primary, replica, args.keys)
                print(f"{engine} diskless={diskless}: full sync of {args.keys:,} keys in "
                      f"{sync[(engine, diskless)]:.2f} s", flush=True)
                if diskless == "no":
                    for load in ("paced", "benchmark"):
                        samples, rate = measure_lag(primary, replica, load, args.rate,
                                                    args.seconds)
                        lag[(engine, load)] = (samples, rate)
                        print(f"{engine} {load}: {len(samples)} lag samples at "
                              f"{rate:,.0f} writes/s", flush=True)
            finally:
                primary.cleanup()
                replica.cleanup()

    print()
    rows = [[f"full sync, diskless={d} (s)", fmt(sync[("cairn", d)]), fmt(sync[("redis", d)]),
             fmt(ratio(sync[("cairn", d)], sync[("redis", d)]))] for d in ("no", "yes")]
    for load in ("paced", "benchmark"):
        for name, p in (("p50", 0.5), ("p99", 0.99), ("max", 1.0)):
            c = percentile(lag[("cairn", load)][0], p)
            r = percentile(lag[("redis", load)][0], p)
            rows.append([f"lag {name} ms, {load}", fmt(c), fmt(r), fmt(ratio(c, r))])
        rows.append([f"writes/s, {load}", fmt(lag[("cairn", load)][1], 0),
                     fmt(lag[("redis", load)][1], 0),
                     fmt(ratio(lag[("cairn", load)][1], lag[("redis", load)][1]))])
    print(format_table(["metric", "cairn", "redis", "cairn/redis"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
