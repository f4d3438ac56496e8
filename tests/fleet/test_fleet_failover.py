"""Failover across hosts in network namespaces: a whole host dies (its agent and nodes), and a
partition that cuts only the control plane from the primary's host (no failover: the other
hosts still reach the primary)."""

import os
import signal
import subprocess
import time

from cairn_testlib import REDIS_CLI, wait_until


def cli(host, port, *args, ns=None):
    prefix = ["ip", "netns", "exec", ns] if ns else []
    out = subprocess.run(prefix + [REDIS_CLI, "-h", host, "-p", str(port), *args],
                         capture_output=True, text=True, timeout=10)
    return (out.stdout + out.stderr).strip()


def create_and_wait(fleet, name):
    op = fleet.rest.post("/v1/clusters", {"name": name, "replicas_per_shard": 2})
    done = fleet.rest.wait_operation(op["id"], timeout_s=60)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    return fleet.rest.get(f"/v1/clusters/{name}")


def host_index(fleet, address):
    return fleet.net.addresses.index(address)


def test_partition_from_control_plane_alone_causes_no_failover(fleet):
    cluster = create_and_wait(fleet, "part")
    primary = cluster["endpoints"]["primary"]
    i = host_index(fleet, primary["address"])
    ns = fleet.net.namespaces[i]
    # Only the control plane's address becomes unreachable from the primary's host.
    subprocess.run(["ip", "-n", ns, "route", "add", "blackhole", f"{fleet.net.gateway}/32"],
                   check=True)
    try:
        other = fleet.net.namespaces[(i + 1) % 3]
        assert cli(primary["address"], primary["port"], "set", "k", "v", ns=other) == "OK"
        deadline = time.monotonic() + 6  # three times down_after_ms
        while time.monotonic() < deadline:
            assert fleet.rest.get("/v1/clusters/part")["endpoints"]["primary"] == primary
            time.sleep(0.2)
        ops = fleet.rest.get("/v1/operations?resource=clusters/part")["operations"]
        assert all(op["type"] != "FailoverShard" for op in ops)
        assert cli(primary["address"], primary["port"], "get", "k", ns=other) == "v"
    finally:
        subprocess.run(["ip", "-n", ns, "route", "del", "blackhole", f"{fleet.net.gateway}/32"])
    wait_until(lambda: fleet.ready_hosts() == 3, 30, what="host back")


def kill_host(fleet, i):
    """SIGKILL the host's agent and every node it started (the host is gone)."""
    fleet.kill_agent(i)
    host_dir = os.path.join(fleet.dir, f"host-{i}")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd").startswith(host_dir):
                os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass


def test_dead_host_fails_over_and_replaces_its_nodes(fleet):
    cluster = create_and_wait(fleet, "dead")
    primary = cluster["endpoints"]["primary"]
    other = next(n for n in cluster["nodes"] if n["address"] != primary["address"])
    assert cli(primary["address"], primary["port"], "set", "k", "v") == "OK"
    wait_until(lambda: cli(other["address"], other["port"], "get", "k") == "v", 10,
               what="k replicated")
    i = host_index(fleet, primary["address"])
    kill_host(fleet, i)

    def promoted():
        p = fleet.rest.get("/v1/clusters/dead")["endpoints"]["primary"]
        return p if p["address"] != primary["address"] else None

    new = wait_until(promoted, 30, what="a replica promoted")
    wait_until(lambda: cli(new["address"], new["port"], "set", "k2", "v2") == "OK", 15,
               what="writes on the new primary")
    assert cli(new["address"], new["port"], "get", "k") == "v"

    def replaced():
        c = fleet.rest.get("/v1/clusters/dead")
        live = [n for n in c["nodes"] if n["status"] == "NODE_STATUS_AVAILABLE"]
        on_dead = [n for n in live if n["address"] == primary["address"]]
        return c if len(live) == 3 and not on_dead else None

    cluster = wait_until(replaced, 60, what="three available nodes on the remaining hosts")
    for n in cluster["nodes"]:
        if n["status"] == "NODE_STATUS_AVAILABLE":
            wait_until(lambda: cli(n["address"], n["port"], "get", "k2") == "v2", 15,
                       what=f"data on {n['id']}")
