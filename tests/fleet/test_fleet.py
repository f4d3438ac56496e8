"""Hosts as network namespaces: a cluster across three addresses, an agent killed and restarted
adopts its nodes, a control plane killed mid-create finishes the operation after restart."""

import subprocess

from cairn_testlib import REDIS_CLI, wait_until


def cli(host, port, *args):
    out = subprocess.run([REDIS_CLI, "-h", host, "-p", str(port), *args], capture_output=True,
                         text=True, timeout=10)
    return (out.stdout + out.stderr).strip()


def create_and_wait(fleet, name, replicas=2):
    op = fleet.rest.post("/v1/clusters", {"name": name, "replicas_per_shard": replicas})
    done = fleet.rest.wait_operation(op["id"], timeout_s=60)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    return fleet.rest.get(f"/v1/clusters/{name}")


def test_cluster_spans_three_hosts_with_their_own_addresses(fleet):
    cluster = create_and_wait(fleet, "spread")
    nodes = cluster["nodes"]
    assert sorted(n["address"] for n in nodes) == sorted(fleet.net.addresses)
    primary = cluster["endpoints"]["primary"]
    assert primary["address"] in fleet.net.addresses
    assert cli(primary["address"], primary["port"], "set", "k", "v") == "OK"
    for n in nodes:
        wait_until(lambda: cli(n["address"], n["port"], "get", "k") == "v", 15,
                   what=f"k on {n['id']} at {n['address']}")


def test_restarted_agent_adopts_its_running_nodes(fleet):
    cluster = fleet.rest.get("/v1/clusters/spread")
    node = next(n for n in cluster["nodes"] if n["host_id"] == "host-1")
    pid_before = cli(node["address"], node["port"], "info", "server")
    pid_before = next(l for l in pid_before.splitlines() if l.startswith("process_id:"))
    fleet.kill_agent(1)
    # The node keeps serving while its agent is down.
    assert cli(node["address"], node["port"], "get", "k") == "v"
    fleet.start_agent(1)  # no join token: it reuses the certificate it got at join
    wait_until(lambda: fleet.ready_hosts() == 3, 30, what="host-1 back")
    info = cli(node["address"], node["port"], "info", "server")
    assert pid_before in info.splitlines(), "the agent adopted the node instead of restarting it"
    wait_until(lambda: fleet.rest.get("/v1/clusters/spread")["status"] ==
               "CLUSTER_STATUS_AVAILABLE", 15, what="cluster AVAILABLE")


def test_control_plane_killed_mid_create_finishes_after_restart(fleet):
    op = fleet.rest.post("/v1/clusters", {"name": "resumed", "replicas_per_shard": 2})
    fleet.kill_control_plane()
    fleet.start_control_plane()
    done = fleet.rest.wait_operation(op["id"], timeout_s=60)
    assert done["state"] == "OPERATION_STATE_SUCCEEDED", done
    cluster = fleet.rest.get("/v1/clusters/resumed")
    assert len({n["host_id"] for n in cluster["nodes"]}) == 3
    primary = cluster["endpoints"]["primary"]
    assert cli(primary["address"], primary["port"], "ping") == "PONG"


def test_delete_stops_nodes_on_every_host(fleet):
    for name in ("spread", "resumed"):
        cluster = fleet.rest.get(f"/v1/clusters/{name}")
        op = fleet.rest.call("DELETE", f"/v1/clusters/{name}")
        assert fleet.rest.wait_operation(op["id"])["state"] == "OPERATION_STATE_SUCCEEDED"
        for n in cluster["nodes"]:
            wait_until(lambda: "refused" in cli(n["address"], n["port"], "ping").lower(), 15,
                       what=f"{n['id']} stopped")
