"""cairnctl's snapshot commands against a real dev-mode cairn-controlplane (three agents, real
cairn-server nodes), checked with real redis-cli and a stock redis-server 7.0: snapshots taken
from a cluster, listed, exported (the file verified by its SHA-256 and loaded by redis-server),
copied, deleted, imported from a file redis-server wrote, restored into new clusters, the final
snapshot of a deletion, and the clusters' automatic snapshot settings.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_testlib import ServerProcess, redis_server_bin, wait_until  # noqa: E402
from test_cairnctl import (  # noqa: E402,F401  (fleet_cp is a fixture used by name)
    CLI_TIMEOUT, as_json, bin_path, cairnctl, fleet_cp, ok, redis_cli)

SOURCE = "snapsrc"
SNAPSHOT = "snapsrc-manual"
# A value larger than one 1 MiB import chunk, so imports and exports span several messages.
BIG_VALUE_BYTES = 3 * (1 << 20) + 12345


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fields(text):
    """The "Key: value" lines of a single-resource table as a dict."""
    out = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9 /-]+):\s+(.*)$", line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def primary_port(plane, cluster):
    return as_json(cairnctl(plane, "cluster", "get", cluster, "-o", "json"))[
        "endpoints"]["primary"]["port"]


def get_snapshot(plane, name):
    return as_json(cairnctl(plane, "snapshot", "get", name, "-o", "json"))


def load_with_redis(rdb_path, *commands):
    """Starts a stock redis-server on a copy of `rdb_path` and returns each command's reply."""
    server = ServerProcess(redis_server_bin(), name="redis-load", persistence=True)
    try:
        shutil.copyfile(rdb_path, os.path.join(server.dir, "dump.rdb"))
        server.start()
        return [redis_cli(server.port, *command) for command in commands]
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def plane(fleet_cp):
    """The dev-mode control plane, after checking it serves SnapshotService."""
    ok(cairnctl(fleet_cp, "snapshot", "list"))
    return fleet_cp


@pytest.fixture(scope="module")
def source_cluster(plane):
    """An AVAILABLE cairn cluster with one replica holding known data, and a manual snapshot."""
    ok(cairnctl(plane, "cluster", "create", SOURCE, "--replicas", "1", "--engine", "cairn",
                "--maxmemory-policy", "allkeys-lru", "--wait"))
    port = primary_port(plane, SOURCE)
    assert redis_cli(port, "set", "greeting", "hello") == "OK"
    assert redis_cli(port, "hset", "user:1", "name", "ada", "lang", "en") == "2"
    assert redis_cli(port, "rpush", "queue", "a", "b", "c") == "3"
    assert redis_cli(port, "set", "big", "x" * 1000) == "OK"
    assert redis_cli(port, "set", "session", "s1", "EX", "86400") == "OK"
    # The snapshot is taken on the replica: wait until it has every write.
    wait_until(lambda: replica_caught_up(plane), timeout=60, what="replica caught up")
    result = ok(cairnctl(plane, "snapshot", "create", SNAPSHOT, "--cluster", SOURCE, "--wait"))
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    return port


def replica_caught_up(plane):
    """The replica applies writes in order: once it has the last one, it has them all."""
    nodes = as_json(cairnctl(plane, "cluster", "nodes", SOURCE, "-o", "json"))["nodes"]
    replica_port = [n["port"] for n in nodes if n["role"] == "NODE_ROLE_REPLICA"][0]
    return redis_cli(replica_port, "get", "session") == "s1"


# ---------------------------------------------------------------------------------------------
# Taking, listing and showing snapshots


def test_create_with_wait_prints_the_available_snapshot(plane, source_cluster):
    snapshot = get_snapshot(plane, SNAPSHOT)
    assert snapshot["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    assert snapshot["cluster_name"] == SOURCE
    assert snapshot["source"] == "manual"
    assert snapshot["engine"] == "cairn"
    assert snapshot["replicas_per_shard"] == 1
    assert snapshot["maxmemory_policy"] == "allkeys-lru"
    assert int(snapshot["size_bytes"]) > 200  # "x" * 1000 is LZF-compressed in the RDB
    assert re.fullmatch(r"[0-9a-f]{64}", snapshot["sha256"]), snapshot
    table = fields(ok(cairnctl(plane, "snapshot", "get", SNAPSHOT)).stdout)
    assert table["Status"] == "AVAILABLE" and table["Source"] == "manual", table
    assert table["SHA-256"] == snapshot["sha256"]
    assert table["Size"].endswith(f"({snapshot['size_bytes']} bytes)"), table
    as_yaml = yaml.safe_load(ok(cairnctl(plane, "snapshot", "get", SNAPSHOT, "-o", "yaml")).stdout)
    assert as_yaml == snapshot


def test_create_without_wait_prints_its_operation(plane, source_cluster):
    op = as_json(cairnctl(plane, "snapshot", "create", "snapsrc-later", "--cluster", SOURCE,
                          "-o", "json"))
    assert op["id"].startswith("op-") and op["resource"] == "snapshots/snapsrc-later", op
    done = cairnctl(plane, "op", "wait", op["id"], "-o", "json")
    assert json.loads(ok(done).stdout)["state"] == "OPERATION_STATE_SUCCEEDED"
    assert get_snapshot(plane, "snapsrc-later")["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    ok(cairnctl(plane, "snapshot", "delete", "snapsrc-later"))


def test_list_table_and_filters(plane, source_cluster):
    lines = ok(cairnctl(plane, "snapshot", "list")).stdout.splitlines()
    assert lines[0].split() == ["NAME", "CLUSTER", "STATUS", "SOURCE", "SIZE", "CREATED"], lines
    row = [line.split() for line in lines[1:] if line.split()[0] == SNAPSHOT]
    assert row and row[0][1:4] == [SOURCE, "AVAILABLE", "manual"], lines
    by_cluster = as_json(cairnctl(plane, "snapshot", "list", "--cluster", SOURCE, "-o", "json"))
    assert SNAPSHOT in [s["name"] for s in by_cluster["snapshots"]]
    assert all(s["cluster_name"] == SOURCE for s in by_cluster["snapshots"])
    manual = as_json(cairnctl(plane, "snapshot", "list", "--source", "manual", "-o", "json"))
    assert SNAPSHOT in [s["name"] for s in manual["snapshots"]]
    imported = as_json(cairnctl(plane, "snapshot", "list", "--source", "imported", "-o", "json"))
    assert SNAPSHOT not in [s["name"] for s in imported.get("snapshots", [])]
    other = as_json(cairnctl(plane, "snapshot", "list", "--cluster", "no-such", "-o", "json"))
    assert other.get("snapshots", []) == []
    as_yaml = yaml.safe_load(ok(cairnctl(plane, "snapshot", "list", "-o", "yaml")).stdout)
    assert as_yaml == as_json(cairnctl(plane, "snapshot", "list", "-o", "json"))


def test_snapshot_errors_and_exit_codes(plane, source_cluster):
    missing = cairnctl(plane, "snapshot", "get", "no-such-snapshot")
    assert missing.returncode == 3 and missing.stderr.startswith("error: "), missing.stderr
    assert cairnctl(plane, "snapshot", "delete", "no-such-snapshot").returncode == 3
    assert cairnctl(plane, "snapshot", "create", "x1", "--cluster", "no-such-cluster").returncode == 3
    taken = cairnctl(plane, "snapshot", "create", SNAPSHOT, "--cluster", SOURCE)
    assert taken.returncode == 1 and taken.stderr.startswith("error: "), taken.stderr
    # Names start with a letter (ElastiCache's rule); the server's message names the field.
    bad_name = cairnctl(plane, "snapshot", "create", "9nightly", "--cluster", SOURCE)
    assert bad_name.returncode == 1 and "name" in bad_name.stderr, bad_name.stderr
    assert cairnctl(plane, "snapshot", "list", "--source", "weekly").returncode == 2


# ---------------------------------------------------------------------------------------------
# Export


def test_export_to_a_file_is_verified_and_loads_in_redis(plane, source_cluster, tmp_path):
    snapshot = get_snapshot(plane, SNAPSHOT)
    dest = tmp_path / "snapsrc.rdb"
    result = ok(cairnctl(plane, "snapshot", "export", SNAPSHOT, str(dest)))
    table = fields(result.stdout)
    assert table["SHA-256"] == snapshot["sha256"] + " (verified)", result.stdout
    assert table["File"] == str(dest)
    assert os.path.getsize(dest) == int(snapshot["size_bytes"])
    assert sha256_file(dest) == snapshot["sha256"]
    assert os.listdir(tmp_path) == ["snapsrc.rdb"], "no temp file is left behind"
    assert oct(os.stat(dest).st_mode & 0o777) == oct(0o600)
    # The file is a plain RDB: stock redis-server 7.0 loads it.
    replies = load_with_redis(str(dest), ["get", "greeting"], ["hget", "user:1", "name"],
                              ["lrange", "queue", "0", "-1"], ["ttl", "session"])
    assert replies[:3] == ["hello", "ada", "a\nb\nc"], replies
    assert 0 < int(replies[3]) <= 86400, replies
    # -o json prints the snapshot itself.
    again = as_json(cairnctl(plane, "snapshot", "export", SNAPSHOT, str(dest), "-o", "json"))
    assert again["sha256"] == snapshot["sha256"]


def test_export_to_stdout_writes_the_file_and_reports_on_stderr(plane, source_cluster):
    snapshot = get_snapshot(plane, SNAPSHOT)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": plane.dir,
           "CAIRN_ADDR": plane.grpc_addr, "CAIRN_TOKEN": plane.token}
    result = subprocess.run([bin_path("cairnctl"), "snapshot", "export", SNAPSHOT, "-"], env=env,
                            capture_output=True, timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) == int(snapshot["size_bytes"])
    assert hashlib.sha256(result.stdout).hexdigest() == snapshot["sha256"]
    assert result.stdout.startswith(b"REDIS")
    assert (f"exported snapshot {SNAPSHOT}: {snapshot['size_bytes']} bytes, "
            f"sha256 {snapshot['sha256']} (verified)").encode() in result.stderr, result.stderr


def test_export_errors_leave_no_file(plane, source_cluster, tmp_path):
    dest = tmp_path / "missing.rdb"
    result = cairnctl(plane, "snapshot", "export", "no-such-snapshot", str(dest))
    assert result.returncode == 3, result.stderr
    assert os.listdir(tmp_path) == []
    result = cairnctl(plane, "snapshot", "export", SNAPSHOT, str(tmp_path / "no-dir" / "x.rdb"))
    assert result.returncode == 2 and "no-dir" in result.stderr, result.stderr


def test_export_of_a_corrupted_stored_file_fails_and_writes_nothing(plane, source_cluster,
                                                                    tmp_path):
    ok(cairnctl(plane, "snapshot", "copy", SNAPSHOT, "snapsrc-corrupt"))
    snapshot = get_snapshot(plane, "snapsrc-corrupt")
    stored = find_stored_file(plane.process.data_dir, snapshot)
    with open(stored, "r+b") as f:
        f.seek(int(snapshot["size_bytes"]) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    dest = tmp_path / "corrupt.rdb"
    result = cairnctl(plane, "snapshot", "export", "snapsrc-corrupt", str(dest))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and "sha256" in result.stderr.lower(), result.stderr
    assert os.listdir(tmp_path) == [], "nothing is written when the checksum does not match"
    ok(cairnctl(plane, "snapshot", "delete", "snapsrc-corrupt"))


def find_stored_file(root, snapshot):
    """The backup store's file of `snapshot` under the control plane's data dir (same size and
    SHA-256; copies share content, so the most recently written one)."""
    size = int(snapshot["size_bytes"])
    matches = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.getsize(path) == size and sha256_file(path) == snapshot["sha256"]:
                matches.append(path)
    named = [p for p in matches if snapshot["name"] in p]
    assert named or matches, f"no stored file of {snapshot['name']} under {root}"
    return (named or sorted(matches, key=os.path.getmtime))[-1]


# ---------------------------------------------------------------------------------------------
# Copy and delete


def test_copy_then_delete(plane, source_cluster):
    original = get_snapshot(plane, SNAPSHOT)
    copy = as_json(cairnctl(plane, "snapshot", "copy", SNAPSHOT, "snapsrc-copy", "-o", "json"))
    assert copy["name"] == "snapsrc-copy"
    assert copy["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    assert copy["sha256"] == original["sha256"] and copy["size_bytes"] == original["size_bytes"]
    taken = cairnctl(plane, "snapshot", "copy", SNAPSHOT, "snapsrc-copy")
    assert taken.returncode == 1 and taken.stderr.startswith("error: "), taken.stderr
    assert cairnctl(plane, "snapshot", "copy", "no-such-snapshot", "x2").returncode == 3
    deleted = as_json(cairnctl(plane, "snapshot", "delete", "snapsrc-copy", "-o", "json"))
    assert deleted["name"] == "snapsrc-copy"
    assert cairnctl(plane, "snapshot", "get", "snapsrc-copy").returncode == 3
    assert cairnctl(plane, "snapshot", "delete", "snapsrc-copy").returncode == 3
    assert get_snapshot(plane, SNAPSHOT)["status"] == "SNAPSHOT_STATUS_AVAILABLE"


# ---------------------------------------------------------------------------------------------
# Restore


def test_restore_into_a_new_cluster(plane, source_cluster):
    result = ok(cairnctl(plane, "cluster", "create", "restored", "--from-snapshot", SNAPSHOT,
                         "--wait", "-o", "json"))
    cluster = json.loads(result.stdout)
    assert cluster["status"] == "CLUSTER_STATUS_AVAILABLE"
    assert cluster["source_snapshot"] == SNAPSHOT
    # Engine, node type and maxmemory policy default to the snapshot's; replicas are the
    # request's (none here).
    assert cluster["replicas_per_shard"] == 0
    assert cluster["maxmemory_policy"] == "allkeys-lru"
    assert "From snapshot:" in ok(cairnctl(plane, "cluster", "get", "restored")).stdout
    port = cluster["endpoints"]["primary"]["port"]
    assert redis_cli(port, "get", "greeting") == "hello"
    assert redis_cli(port, "hget", "user:1", "lang") == "en"
    assert redis_cli(port, "lrange", "queue", "0", "-1") == "a\nb\nc"
    assert 0 < int(redis_cli(port, "ttl", "session")) <= 86400
    ok(cairnctl(plane, "cluster", "delete", "restored", "--wait"))


def test_restore_from_a_missing_snapshot_fails(plane):
    result = cairnctl(plane, "cluster", "create", "nowhere-restored", "--from-snapshot",
                      "no-such-snapshot", "--wait")
    assert result.returncode in (1, 3), result.stderr
    assert "error: " in result.stderr, result.stderr


# ---------------------------------------------------------------------------------------------
# Import


@pytest.fixture(scope="module")
def redis_rdb():
    """An RDB file written by stock redis-server 7.0 (uncompressed, larger than one chunk)."""
    server = ServerProcess(redis_server_bin(), name="redis-rdb", persistence=True,
                           args=["--rdbcompression", "no"])
    out_dir = tempfile.mkdtemp(prefix="cairnctl-rdb-")
    try:
        server.start()
        assert redis_cli(server.port, "set", "from", "redis") == "OK"
        assert redis_cli(server.port, "sadd", "tags", "x", "y") == "2"
        assert redis_cli(server.port, "setrange", "blob", str(BIG_VALUE_BYTES - 1), "z") == str(
            BIG_VALUE_BYTES)
        assert redis_cli(server.port, "save") == "OK"
        path = os.path.join(out_dir, "redis.rdb")
        shutil.copyfile(os.path.join(server.dir, "dump.rdb"), path)
        yield path
    finally:
        server.cleanup()
        shutil.rmtree(out_dir, ignore_errors=True)


def test_import_a_redis_rdb_then_restore_it(plane, redis_rdb):
    size = os.path.getsize(redis_rdb)
    assert size > 3 * (1 << 20), "several 1 MiB chunks"
    result = ok(cairnctl(plane, "snapshot", "import", "from-redis", "--rdb", redis_rdb))
    table = fields(result.stdout)
    assert table["Status"] == "AVAILABLE" and table["Source"] == "imported", result.stdout
    snapshot = get_snapshot(plane, "from-redis")
    assert snapshot["sha256"] == sha256_file(redis_rdb)
    assert int(snapshot["size_bytes"]) == size
    assert snapshot["cluster_name"] == ""
    assert snapshot["engine"] == "cairn" and snapshot["engine_version"].startswith("7."), snapshot
    listed = as_json(cairnctl(plane, "snapshot", "list", "--source", "imported", "-o", "json"))
    assert "from-redis" in [s["name"] for s in listed["snapshots"]]

    ok(cairnctl(plane, "cluster", "create", "from-redis", "--from-snapshot", "from-redis",
                "--replicas", "0", "--wait"))
    port = primary_port(plane, "from-redis")
    assert redis_cli(port, "get", "from") == "redis"
    assert redis_cli(port, "smembers", "tags").splitlines() in (["x", "y"], ["y", "x"])
    assert redis_cli(port, "strlen", "blob") == str(BIG_VALUE_BYTES)
    ok(cairnctl(plane, "cluster", "delete", "from-redis", "--wait"))
    assert cairnctl(plane, "snapshot", "import", "from-redis", "--rdb", redis_rdb).returncode == 1
    ok(cairnctl(plane, "snapshot", "delete", "from-redis"))


def test_import_rejects_files_that_are_not_rdb(plane, tmp_path, redis_rdb):
    junk = tmp_path / "junk.rdb"
    junk.write_bytes(b"this is not an RDB file\n" * 1000)
    result = cairnctl(plane, "snapshot", "import", "junk", "--rdb", str(junk))
    assert result.returncode == 1 and result.stderr.startswith("error: "), result.stderr
    assert cairnctl(plane, "snapshot", "get", "junk").returncode == 3
    # A truncated real file is refused as well.
    truncated = tmp_path / "truncated.rdb"
    with open(redis_rdb, "rb") as f:
        truncated.write_bytes(f.read(os.path.getsize(redis_rdb) // 2))
    result = cairnctl(plane, "snapshot", "import", "truncated", "--rdb", str(truncated))
    assert result.returncode == 1, result.stderr
    assert cairnctl(plane, "snapshot", "get", "truncated").returncode == 3
    missing = cairnctl(plane, "snapshot", "import", "nofile", "--rdb", str(tmp_path / "nope.rdb"))
    assert missing.returncode == 2 and "nope.rdb" in missing.stderr, missing.stderr


def test_export_of_an_import_round_trips_byte_for_byte(plane, redis_rdb, tmp_path):
    ok(cairnctl(plane, "snapshot", "import", "round-trip", "--rdb", redis_rdb))
    dest = tmp_path / "round-trip.rdb"
    ok(cairnctl(plane, "snapshot", "export", "round-trip", str(dest)))
    with open(redis_rdb, "rb") as a, open(dest, "rb") as b:
        assert a.read() == b.read()
    ok(cairnctl(plane, "snapshot", "delete", "round-trip"))


# ---------------------------------------------------------------------------------------------
# Cluster snapshot settings and the final snapshot


def test_retention_and_window_on_create_and_update(plane):
    cluster = json.loads(ok(cairnctl(
        plane, "cluster", "create", "retained", "--replicas", "0", "--engine", "cairn",
        "--snapshot-retention-days", "3", "--snapshot-window", "23:30-00:30", "--wait",
        "-o", "json")).stdout)
    assert cluster["snapshot_retention_days"] == 3
    assert cluster["snapshot_window"] == "23:30-00:30"
    assert "daily, kept 3 days, window 23:30-00:30 UTC" in ok(
        cairnctl(plane, "cluster", "get", "retained")).stdout
    updated = json.loads(ok(cairnctl(plane, "cluster", "update", "retained", "--snapshot-window",
                                     "02:00-04:00", "--wait", "-o", "json")).stdout)
    assert updated["snapshot_window"] == "02:00-04:00"
    assert updated["snapshot_retention_days"] == 3, "only the given field changes"
    off = json.loads(ok(cairnctl(plane, "cluster", "update", "retained",
                                 "--snapshot-retention-days", "0", "--wait", "-o", "json")).stdout)
    assert off["snapshot_retention_days"] == 0
    assert "Snapshots:" in ok(cairnctl(plane, "cluster", "get", "retained")).stdout
    bad = cairnctl(plane, "cluster", "update", "retained", "--snapshot-window", "05:00-05:30")
    assert bad.returncode == 2 and "60 minutes" in bad.stderr, bad.stderr
    ok(cairnctl(plane, "cluster", "delete", "retained", "--wait"))


def test_delete_with_a_final_snapshot(plane, source_cluster):
    ok(cairnctl(plane, "cluster", "create", "doomed", "--replicas", "0", "--engine", "cairn",
                "--wait"))
    port = primary_port(plane, "doomed")
    assert redis_cli(port, "set", "last", "words") == "OK"
    # A final snapshot name that is taken: the deletion fails and the cluster stays.
    refused = cairnctl(plane, "cluster", "delete", "doomed", "--final-snapshot", SNAPSHOT, "--wait")
    assert refused.returncode == 1 and "error: " in refused.stderr, refused.stderr
    wait_until(lambda: as_json(cairnctl(plane, "cluster", "get", "doomed", "-o", "json"))[
        "status"] == "CLUSTER_STATUS_AVAILABLE", timeout=60, what="doomed AVAILABLE again")
    assert redis_cli(port, "get", "last") == "words"

    result = ok(cairnctl(plane, "cluster", "delete", "doomed", "--final-snapshot",
                         "doomed-final", "--wait"))
    assert "[100%] operation ... SUCCEEDED" in result.stderr, result.stderr
    assert cairnctl(plane, "cluster", "get", "doomed").returncode == 3
    final = get_snapshot(plane, "doomed-final")
    assert final["status"] == "SNAPSHOT_STATUS_AVAILABLE"
    assert final["cluster_name"] == "doomed"
    ok(cairnctl(plane, "cluster", "create", "reborn", "--from-snapshot", "doomed-final", "--wait"))
    assert redis_cli(primary_port(plane, "reborn"), "get", "last") == "words"
    ok(cairnctl(plane, "cluster", "delete", "reborn", "--wait"))
    ok(cairnctl(plane, "snapshot", "delete", "doomed-final"))
