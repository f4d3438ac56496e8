"""Bytes per member of hashes, sets and sorted sets in cairn-server and redis-server, in one run.

For each shape (hash, set or zset; 100 or 1,000 members per key) both servers start empty, --keys
keys (default 10,000) are loaded pipelined (HSET key field:N value:N ... / SADD key member:N ...
/ ZADD key N member:N ...) and the growth of INFO memory used_memory is divided by the number of
members. OBJECT ENCODING of one key is shown (listpack/hashtable, hashtable/intset,
listpack/skiplist) so the encodings compared are visible.
Prints both figures and the ratio cairn/redis (lower is better; the issue's target is <= 1.0).

Usage: /usr/bin/python3 tests/bench/collection_memory.py [--keys N]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_bench import SERVERS, both_servers, fmt, format_table, ratio  # noqa: E402
from cairn_testlib import HOST, RespClient, encode_command, info_fields  # noqa: E402

SHAPES = [("hash", 100), ("hash", 1000), ("set", 100), ("set", 1000), ("zset", 100),
          ("zset", 1000)]


def used_memory(port):
    with RespClient(HOST, port, timeout=60) as client:
        return int(info_fields(client, "memory")["used_memory"])


def command_for(kind, key, members):
    """One HSET, SADD or ZADD filling `key` with `members` fields/members."""
    if kind == "zset":
        args = ["ZADD", key]
        for i in range(members):
            args += [str(i), f"member:{i}"]
    elif kind == "hash":
        args = ["HSET", key]
        for i in range(members):
            args += [f"field:{i}", f"value:{i}"]
    else:
        args = ["SADD", key] + [f"member:{i}" for i in range(members)]
    return encode_command(args)


def main():
    """Runs the benchmark and prints the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=int(os.environ.get("BENCH_COLLECTION_KEYS",
                                                                        10000)))
    args = parser.parse_args()
    rows = []
    with both_servers() as servers:
        for kind, members in SHAPES:
            figures = {}
            encodings = {}
            for name in SERVERS:
                port = servers[name].port
                with RespClient(HOST, port, timeout=300) as client:
                    client.call("FLUSHALL")
                before = used_memory(port)
                encodings[name] = load_and_measure(port, kind, args.keys, members, before,
                                                   figures, name)
            rows.append([f"{kind} x{members}", f"{encodings['cairn']}/{encodings['redis']}",
                         fmt(figures["cairn"], 1), fmt(figures["redis"], 1),
                         fmt(ratio(figures["cairn"], figures["redis"]), 2)])
            print(f"{kind} with {members} members: done", flush=True)
    print()
    print(f"Bytes per member: {args.keys:,} keys per shape, used_memory growth / members")
    print(format_table(["shape", "encoding cairn/redis", "cairn B/member", "redis B/member",
                        "cairn/redis"], rows))
    return 0


def load_and_measure(port, kind, keys, members, before, figures, name):
    """Loads one shape, records bytes per member in figures[name], returns the encoding."""
    per_batch = max(1, 200000 // members)
    with RespClient(HOST, port, timeout=300) as client:
        for start in range(0, keys, per_batch):
            stop = min(keys, start + per_batch)
            client.send_raw(b"".join(command_for(kind, f"{kind}:{i}", members)
                                     for i in range(start, stop)))
            for reply in client.read_replies(stop - start):
                assert reply.startswith(b":"), reply[:200]
        encoding = client.call("OBJECT", "ENCODING", f"{kind}:0").split(b"\r\n")[1].decode()
    figures[name] = (used_memory(port) - before) / (keys * members)
    with RespClient(HOST, port, timeout=300) as client:
        client.call("FLUSHALL")
    return encoding


if __name__ == "__main__":
    sys.exit(main())
