"""maxmemory and eviction end to end: a real cairn-server with a small maxmemory, filled by a
pipelined writer, must evict (allkeys-*, volatile-*) or refuse writes with Redis's OOM error
(noeviction), and report evicted_keys and used_memory in INFO."""

import pytest

from cairn_testlib import ServerProcess, cairn_server_bin, encode_command, info_fields

MAXMEMORY = 4 * 1024 * 1024
VALUE = b"v" * 1000


def _fill(client, count, ttl=False):
    """Writes `count` 1000-byte keys in pipelined batches; returns the raw replies."""
    replies = []
    for start in range(0, count, 500):
        batch = b""
        for i in range(start, min(start + 500, count)):
            args = ["SET", f"key:{i}", VALUE] + (["EX", "3600"] if ttl else [])
            batch += encode_command(args)
        client.send_raw(batch)
        replies += client.read_replies(min(start + 500, count) - start)
    return replies


@pytest.mark.parametrize("policy,ttl", [("allkeys-lru", False), ("allkeys-lfu", False),
                                        ("allkeys-random", False), ("volatile-lru", True),
                                        ("volatile-ttl", True), ("volatile-random", True)])
def test_policies_evict_to_stay_under_maxmemory(policy, ttl):
    args = ["--maxmemory", str(MAXMEMORY), "--maxmemory-policy", policy]
    with ServerProcess(cairn_server_bin(), args, name="cairn") as server, server.client() as c:
        replies = _fill(c, 20000, ttl=ttl)
        assert set(replies) == {b"+OK\r\n"}, "every write is accepted while keys can be evicted"
        # Any command may evict first (as in Redis), so read both counters in one EXEC.
        c.send(["MULTI"], ["DBSIZE"], ["INFO", "stats"], ["EXEC"])
        exec_reply = c.read_replies(4)[3].split(b"\r\n", 2)
        dbsize = int(exec_reply[1][1:])
        evicted = int(exec_reply[2].split(b"evicted_keys:")[1].split(b"\r\n")[0])
        memory = info_fields(c, "memory")
        assert evicted > 0
        assert dbsize + evicted == 20000
        assert 0 < dbsize < 20000
        # Eviction runs before each write, so usage ends within one write of the limit.
        assert int(memory["used_memory"]) <= MAXMEMORY + 64 * 1024
        assert memory["maxmemory_policy"] == policy


def test_noeviction_refuses_writes_with_redis_oom_error_but_serves_reads():
    args = ["--maxmemory", str(MAXMEMORY), "--maxmemory-policy", "noeviction"]
    with ServerProcess(cairn_server_bin(), args, name="cairn") as server, server.client() as c:
        replies = _fill(c, 20000)
        refused = [r for r in replies if r != b"+OK\r\n"]
        assert refused, "writes past maxmemory are refused"
        assert set(refused) == {b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"}
        assert c.call("GET", "key:0") == b"$1000\r\n" + VALUE + b"\r\n"
        assert c.call("DEL", "key:0") == b":1\r\n", "deletes are not deny-oom"
        assert info_fields(c, "stats")["evicted_keys"] == "0"


def test_volatile_policy_without_volatile_keys_behaves_like_noeviction():
    args = ["--maxmemory", str(MAXMEMORY), "--maxmemory-policy", "volatile-lru"]
    with ServerProcess(cairn_server_bin(), args, name="cairn") as server, server.client() as c:
        replies = _fill(c, 20000, ttl=False)
        assert any(r.startswith(b"-OOM") for r in replies)
        assert info_fields(c, "stats")["evicted_keys"] == "0"
