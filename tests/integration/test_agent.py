"""cairn-agent against a real AgentHub (agent_hub_harness): join, heartbeats, node supervision
with real cairn-server and redis-server processes, restart after a crash, adoption after an agent
restart, replication wiring, TLS nodes, and refusals; fencing (held primaries), fast heartbeats,
primary probes and FailoverNode."""

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_testlib import HarnessError, _die_with_parent, free_port, wait_until  # noqa: E402

TIMEOUT = 20


def bin_path(name):
    bin_dir = os.environ.get("CAIRN_BIN_DIR")
    if not bin_dir:
        raise HarnessError("set CAIRN_BIN_DIR (the build's bin folder)")
    return os.path.abspath(os.path.join(bin_dir, name))


def redis_cli(port, *args, tls_ca=None, password=None):
    cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
    if tls_ca:
        cmd += ["--tls", "--cacert", tls_ca]
    if password:
        cmd += ["-a", password, "--no-auth-warning"]
    out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=10)
    return out.stdout.strip() + out.stderr.strip()


def port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


class Hub:
    """agent_hub_harness: an AgentHub whose events arrive as JSON lines."""

    def __init__(self, workdir, addr="127.0.0.1:0"):
        self.proc = subprocess.Popen(
            [bin_path("agent_hub_harness"), "--ca-dir", os.path.join(workdir, "ca"), "--addr",
             addr],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(
                os.path.join(workdir, "hub.log"), "a"), text=True, preexec_fn=_die_with_parent)
        self.events = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.wait_event(lambda e: e["event"] == "listening", what="hub listening")
        self.addr = first["addr"]
        self.fingerprint = first["ca_fingerprint"]

    def _read(self):
        for line in self.proc.stdout:
            event = json.loads(line)
            event["_t"] = time.monotonic()  # arrival time, for latency checks
            with self.cond:
                self.events.append(event)
                self.cond.notify_all()

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def token(self, token_id="tok1", secret="s3cret"):
        self.send(f"token {token_id} {secret}")
        return f"cjt1.{self.fingerprint}.{token_id}.{secret}"

    def task(self, host, task):
        self.send(f"task {host} {json.dumps(task)}")

    def wait_event(self, predicate, timeout=TIMEOUT, what="event", since=0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for e in self.events[since:]:
                    if predicate(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HarnessError(f"timed out waiting for {what}")
                self.cond.wait(left)

    def result(self, task_id, timeout=TIMEOUT):
        return self.wait_event(lambda e: e["event"] == "task_result" and
                               e["result"].get("task_id") == task_id,
                               timeout=timeout, what=f"result of {task_id}")["result"]

    def node_status(self, node_id, predicate, timeout=TIMEOUT, what="node status"):
        """Waits for a heartbeat whose status of node_id satisfies predicate; returns it."""
        def match(e):
            if e["event"] != "heartbeat":
                return False
            for n in e["heartbeat"].get("nodes", []):
                if n.get("node_id") == node_id and predicate(n):
                    return True
            return False
        e = self.wait_event(match, timeout=timeout, what=what, since=max(0, len(self.events) - 1))
        return next(n for n in e["heartbeat"]["nodes"] if n["node_id"] == node_id)

    def issue(self, cn, sans):
        mark = len(self.events)
        self.send(f"issue {cn} {','.join(sans)}")
        return self.wait_event(lambda e: e["event"] == "keypair", since=mark, what="keypair")

    def stop(self):
        if self.proc.poll() is None:
            self.send("quit")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Agent:
    def __init__(self, hub, data_dir, host_id="host-a", zone="a", extra=()):
        self.hub, self.data_dir, self.host_id, self.zone = hub, data_dir, host_id, zone
        self.extra = list(extra)
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(data_dir), f"agent-{host_id}.log")

    def start(self, token=None):
        cmd = [bin_path("cairn-agent"), "--control-plane", self.hub.addr, "--data-dir",
               self.data_dir, "--host-id", self.host_id, "--zone", self.zone,
               "--advertise-addr", "127.0.0.1", "--node-ports", "1024-65535", "--memory-mb",
               "512"] + self.extra
        if token:
            cmd += ["--join-token", token]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log_path, "a"), preexec_fn=_die_with_parent)
        return self

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode if self.proc else None


@pytest.fixture
def env():
    # Short paths: node sockets live under the data dir and sun_path holds 107 bytes.
    workdir = tempfile.mkdtemp(prefix="cairn-agent-")
    hub = Hub(workdir)
    node_pids = set()
    state = {"workdir": workdir, "hub": hub, "agents": [], "node_pids": node_pids}
    yield state
    for agent in state["agents"]:
        agent.stop(signal.SIGKILL)
    for e in hub.events:
        if e["event"] == "heartbeat":
            node_pids.update(n["pid"] for n in e["heartbeat"].get("nodes", []) if n.get("pid"))
        if e["event"] == "task_result" and e["result"].get("node", {}).get("pid"):
            node_pids.add(e["result"]["node"]["pid"])
    for old in state.get("old_hubs", []):
        node_pids.update(old)
    hub.stop()
    # Nodes run in their own sessions and outlive agents on purpose; end them by pid.
    for pid in node_pids:
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(workdir, ignore_errors=True)


def new_agent(env, host_id="host-a", zone="a", extra=()):
    agent = Agent(env["hub"], os.path.join(env["workdir"], host_id), host_id, zone, extra)
    env["agents"].append(agent)
    return agent


def start_task(task_id, node_id, port, engine="redis", **spec):
    body = {"node_id": node_id, "cluster_name": "demo", "engine": engine, "port": port,
            "maxmemory_bytes": 64 << 20, "generation": 1}
    body.update(spec)
    return {"id": task_id, "start_node": {"spec": body}}


def test_join_then_heartbeats_with_facts_and_credentials(env):
    hub = env["hub"]
    agent = new_agent(env).start(hub.token())
    hb = hub.wait_event(lambda e: e["event"] == "heartbeat", what="first heartbeat")
    facts = hb["heartbeat"]["facts"]
    assert hb["host"] == "host-a"
    assert facts["host_id"] == "host-a" and facts["zone"] == "a"
    assert facts["advertise_addr"] == "127.0.0.1"
    assert int(facts["memory_bytes"]) == 512 << 20
    engines = {e["engine"]: e for e in facts.get("engines", [])}
    assert engines["cairn"]["version"] == "0.1.0"
    assert engines["redis"]["version"].startswith("7.")
    assert os.path.isabs(engines["cairn"]["path"])
    # Heartbeats keep coming about once a second.
    count = len(hub.events)
    hub.wait_event(lambda e: e["event"] == "heartbeat", since=count, timeout=5)
    for name in ("ca.crt", "agent.crt", "agent.key"):
        assert os.path.exists(os.path.join(agent.data_dir, name))
    assert os.stat(os.path.join(agent.data_dir, "agent.key")).st_mode & 0o777 == 0o600
    assert "s3cret" not in agent.log()
    # Restart without a token: the saved certificate is enough.
    agent.stop()
    mark = len(hub.events)
    agent.start()
    hub.wait_event(lambda e: e["event"] == "heartbeat", since=mark, what="heartbeat after restart")


@pytest.mark.parametrize("engine", ["redis", "cairn"])
def test_node_runs_restarts_survives_agent_and_stops(env, engine):
    hub = env["hub"]
    agent = new_agent(env).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat")
    port = free_port()
    hub.task("host-a", start_task("t-start", "demo-0001-001", port, engine,
                                  auth_token="pw d", maxmemory_policy="allkeys-lru"))
    result = hub.result("t-start")
    assert result.get("ok"), result
    assert result["node"]["state"] == "NODE_STATE_RUNNING"
    pid = result["node"]["pid"]
    env["node_pids"].add(pid)
    assert redis_cli(port, "PING", password="pw d") == "PONG"
    assert "NOAUTH" in redis_cli(port, "PING")
    assert "pw d" not in agent.log()
    node_dir = os.path.join(agent.data_dir, "nodes", "demo-0001-001")
    assert os.stat(os.path.join(node_dir, "node.conf")).st_mode & 0o777 == 0o600

    # Crash of a primary: held for the control plane (fencing), reported at once, not restarted.
    mark = len(hub.events)
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    hb = hub.wait_event(lambda e: e["event"] == "heartbeat" and any(
        n["node_id"] == "demo-0001-001" and n.get("held") for n in e["heartbeat"]["nodes"]),
        since=mark, what="held primary")
    assert hb["_t"] - killed_at < 0.5, hb["_t"] - killed_at
    status = next(n for n in hb["heartbeat"]["nodes"] if n["node_id"] == "demo-0001-001")
    assert status["state"] == "NODE_STATE_CRASHED"
    assert status["last_exit_reason"] == "exited 137; primary held for the control plane"
    assert not status.get("pid")
    # Still held after longer than the first restart delay would have been.
    hub.wait_event(lambda e: e["event"] == "heartbeat", since=len(hub.events))
    hub.wait_event(lambda e: e["event"] == "heartbeat", since=len(hub.events))
    assert hub.node_status("demo-0001-001", lambda n: True).get("held")
    assert port_is_free(port)

    # A StartNode task (the control plane's decision) starts it again.
    hub.task("host-a", start_task("t-start-2", "demo-0001-001", port, engine,
                                  auth_token="pw d", maxmemory_policy="allkeys-lru"))
    result = hub.result("t-start-2")
    assert result.get("ok"), result
    assert not result["node"].get("held")
    new_pid = result["node"]["pid"]
    assert new_pid != pid
    env["node_pids"].add(new_pid)
    wait_until(lambda: redis_cli(port, "PING", password="pw d") == "PONG", timeout=TIMEOUT)

    # Agent killed: the node keeps serving; a restarted agent adopts it (same pid).
    agent.stop(signal.SIGKILL)
    assert redis_cli(port, "SET", "k", "v", password="pw d") == "OK"
    mark = len(hub.events)
    agent.start()
    hub.wait_event(lambda e: e["event"] == "heartbeat", since=mark)
    status = hub.node_status("demo-0001-001", lambda n: n.get("state") == "NODE_STATE_RUNNING")
    assert status["pid"] == new_pid
    assert "adopted running node node_id=demo-0001-001" in agent.log()
    assert redis_cli(port, "GET", "k", password="pw d") == "v"

    # Stop: process gone, port free, directory removed.
    hub.task("host-a", {"id": "t-stop", "stop_node": {"node_id": "demo-0001-001"}})
    assert hub.result("t-stop").get("ok")
    wait_until(lambda: not pid_alive(new_pid), timeout=TIMEOUT, what="node exit")
    assert port_is_free(port)
    assert not os.path.exists(node_dir)
    hb = hub.wait_event(lambda e: e["event"] == "heartbeat", since=len(hub.events))
    assert all(n["node_id"] != "demo-0001-001" for n in hb["heartbeat"].get("nodes", []))


def test_configure_node_wires_replication_with_redis(env):
    hub = env["hub"]
    new_agent(env).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat")
    p1, p2 = free_port(), free_port()
    hub.task("host-a", start_task("s1", "r-0001-001", p1, auth_token="pw"))
    hub.task("host-a", start_task("s2", "r-0001-002", p2, auth_token="pw"))
    assert hub.result("s1").get("ok") and hub.result("s2").get("ok")
    replica = start_task("c2", "r-0001-002", p2, auth_token="pw", replicaof_host="127.0.0.1",
                         replicaof_port=p1, generation=2)["start_node"]["spec"]
    hub.task("host-a", {"id": "c2", "configure_node": {"spec": replica}})
    assert hub.result("c2").get("ok")
    assert redis_cli(p1, "SET", "shared", "yes", password="pw") == "OK"
    status = hub.node_status("r-0001-002", lambda n: n.get("role") == "replica" and
                             n.get("link_status") == "up", timeout=30, what="replica link up")
    assert status["replicaof"] == f"127.0.0.1:{p1}"
    assert int(status["spec_generation"]) == 2
    wait_until(lambda: redis_cli(p2, "GET", "shared", password="pw") == "yes", timeout=TIMEOUT)
    primary = hub.node_status("r-0001-001", lambda n: int(n.get("replication_offset", 0)) > 0)
    assert primary["role"] == "primary"


def test_tls_node_serves_only_tls(env):
    hub = env["hub"]
    new_agent(env).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat")
    pair = hub.issue("demo-0001-001", ["127.0.0.1", "localhost"])
    ca_file = os.path.join(env["workdir"], "ca", "ca.crt")
    port = free_port()
    hub.task("host-a", start_task("t", "t-0001-001", port, tls=True, tls_cert_pem=pair["cert"],
                                  tls_key_pem=pair["key"], tls_ca_pem=pair["ca"]))
    result = hub.result("t")
    assert result.get("ok"), result
    assert redis_cli(port, "PING", tls_ca=ca_file) == "PONG"
    assert redis_cli(port, "PING") != "PONG"


def test_bad_join_tokens_are_refused(env):
    hub = env["hub"]
    hub.token("tok1", "right")
    wrong_secret = f"cjt1.{hub.fingerprint}.tok1.wrong"
    agent = new_agent(env, "host-b").start(wrong_secret)
    assert agent.proc.wait(timeout=TIMEOUT) != 0
    assert "join refused" in agent.log()
    assert "wrong" not in agent.log().replace("join refused", "")
    assert not os.path.exists(os.path.join(agent.data_dir, "agent.crt"))
    # A token for another CA: the agent refuses the server (pinning), nothing is sent.
    other_ca = "cjt1." + "0" * 64 + ".tok1.right"
    agent = new_agent(env, "host-c").start(other_ca)
    assert agent.proc.wait(timeout=TIMEOUT) != 0
    assert "does not hold the CA named in the join token" in agent.log()
    malformed = new_agent(env, "host-d").start("not-a-token")
    assert malformed.proc.wait(timeout=TIMEOUT) != 0
    assert "--join-token" in malformed.log()
    # The good token still works once.
    good = new_agent(env, "host-e").start(f"cjt1.{hub.fingerprint}.tok1.right")
    hub.wait_event(lambda e: e["event"] == "heartbeat" and e["host"] == "host-e")


def test_stop_nodes_on_exit(env):
    hub = env["hub"]
    agent = new_agent(env, extra=["--stop-nodes-on-exit"]).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat")
    port = free_port()
    hub.task("host-a", start_task("s", "x-0001-001", port))
    result = hub.result("s")
    assert result.get("ok"), result
    pid = result["node"]["pid"]
    assert agent.stop(signal.SIGTERM) == 0
    assert not pid_alive(pid)
    assert port_is_free(port)


def test_nodes_serve_while_control_plane_is_down_and_agent_reconnects(env):
    hub = env["hub"]
    agent = new_agent(env).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat")
    port = free_port()
    hub.task("host-a", start_task("s", "d-0001-001", port))
    result = hub.result("s")
    assert result.get("ok"), result
    pid = result["node"]["pid"]
    env.setdefault("old_hubs", []).append({pid})
    hub.stop()
    assert redis_cli(port, "PING") == "PONG"
    # A control plane back on the same address (same CA) gets the session back.
    hub = Hub(env["workdir"], addr=hub.addr)
    env["hub"] = hub
    status = hub.node_status("d-0001-001", lambda n: n.get("state") == "NODE_STATE_RUNNING",
                             timeout=30, what="heartbeat after control plane restart")
    assert status["pid"] == pid
    assert agent.proc.poll() is None


def replicated_pair(env, engine, prefix="f"):
    """Agent host-a with <prefix>-0001-001 primary and <prefix>-0001-002 its replica, link up."""
    hub = env["hub"]
    agent = new_agent(env).start(hub.token())
    hub.wait_event(lambda e: e["event"] == "heartbeat")
    p1, p2 = free_port(), free_port()
    n1, n2 = f"{prefix}-0001-001", f"{prefix}-0001-002"
    hub.task("host-a", start_task("s1", n1, p1, engine, auth_token="pw"))
    r1 = hub.result("s1")
    assert r1.get("ok"), r1
    hub.task("host-a", start_task("s2", n2, p2, engine, auth_token="pw",
                                  replicaof_host="127.0.0.1", replicaof_port=p1))
    r2 = hub.result("s2")
    assert r2.get("ok"), r2
    env["node_pids"].update({r1["node"]["pid"], r2["node"]["pid"]})
    hub.node_status(n2, lambda n: n.get("link_status") == "up" and n.get("primary_reachable"),
                    timeout=30, what="replica link up and primary reachable")
    return agent, (n1, p1), (n2, p2)


@pytest.mark.parametrize("engine", ["redis", "cairn"])
def test_held_primary_restarted_replica_and_primary_probes(env, engine):
    hub = env["hub"]
    agent, (n1, p1), (n2, p2) = replicated_pair(env, engine)
    # A replica that crashes is restarted with backoff.
    replica_pid = hub.node_status(n2, lambda n: n.get("pid"))["pid"]
    os.kill(replica_pid, signal.SIGKILL)
    status = hub.node_status(n2, lambda n: n.get("restart_count") == 1 and
                             n.get("state") == "NODE_STATE_RUNNING", what="replica restarted")
    assert not status.get("held")
    env["node_pids"].add(status["pid"])

    # The primary crashes: held within 500 ms, the replica's probes fail with a growing streak.
    primary_pid = hub.node_status(n1, lambda n: n.get("pid"))["pid"]
    mark = len(hub.events)
    killed_at = time.monotonic()
    os.kill(primary_pid, signal.SIGKILL)
    held = hub.wait_event(lambda e: e["event"] == "heartbeat" and any(
        n["node_id"] == n1 and n.get("held") for n in e["heartbeat"]["nodes"]),
        since=mark, what="held primary")
    assert held["_t"] - killed_at < 0.5, held["_t"] - killed_at
    down = hub.wait_event(lambda e: e["event"] == "heartbeat" and any(
        n["node_id"] == n2 and not n.get("primary_reachable") for n in e["heartbeat"]["nodes"]),
        since=mark, what="primary unreachable")
    assert down["_t"] - killed_at < 1.0, down["_t"] - killed_at
    first = hub.node_status(n2, lambda n: int(n.get("primary_unreachable_ms", 0)) > 0)
    later = hub.node_status(n2, lambda n: int(n.get("primary_unreachable_ms", 0)) >= 1500,
                            what="unreachable streak grows")
    assert int(later["primary_unreachable_ms"]) > int(first["primary_unreachable_ms"])
    assert not later.get("primary_reachable")
    status = hub.node_status(n1, lambda n: True)
    assert status.get("held") and not status.get("pid") and port_is_free(p1)

    # An agent restarted meanwhile keeps holding it.
    agent.stop(signal.SIGKILL)
    mark = len(hub.events)
    agent.start()
    hb = hub.wait_event(lambda e: e["event"] == "heartbeat", since=mark)
    status = next(n for n in hb["heartbeat"]["nodes"] if n["node_id"] == n1)
    assert status.get("held") and status["state"] == "NODE_STATE_CRASHED"
    assert port_is_free(p1)

    # StartNode releases it; the replica sees its primary again.
    hub.task("host-a", start_task("s1-again", n1, p1, engine, auth_token="pw"))
    result = hub.result("s1-again")
    assert result.get("ok"), result
    env["node_pids"].add(result["node"]["pid"])
    status = hub.node_status(n2, lambda n: n.get("primary_reachable"), what="reachable again")
    assert not status.get("primary_unreachable_ms")


@pytest.mark.parametrize("engine", ["redis", "cairn"])
def test_failover_node_swaps_roles_without_losing_a_write(env, engine):
    hub = env["hub"]
    agent, (n1, p1), (n2, p2) = replicated_pair(env, engine, prefix="g")
    assert redis_cli(p1, "SET", "last", "written-just-before", password="pw") == "OK"
    hub.task("host-a", {"id": "fo", "failover_node": {"node_id": n1, "target_host": "127.0.0.1",
                                                      "target_port": p2, "timeout_ms": 5000}})
    result = hub.result("fo", timeout=30)
    assert result.get("ok"), result
    assert result["node"]["role"] == "replica"
    assert result["node"]["replicaof"] == f"127.0.0.1:{p2}"
    assert "role:master" in redis_cli(p2, "INFO", "replication", password="pw")
    assert redis_cli(p2, "GET", "last", password="pw") == "written-just-before"
    assert redis_cli(p2, "SET", "after", "yes", password="pw") == "OK"
    wait_until(lambda: redis_cli(p1, "GET", "after", password="pw") == "yes", timeout=TIMEOUT)
    conf = open(os.path.join(agent.data_dir, "nodes", n1, "node.conf")).read()
    assert f"replicaof 127.0.0.1 {p2}" in conf
    # Heartbeats follow: the old primary reports itself a replica of the new one.
    hub.node_status(n1, lambda n: n.get("role") == "replica" and n.get("link_status") == "up" and
                    n.get("primary_reachable"), what="old primary is a replica")
    # Its spec says replica now: a crash restarts it instead of holding it.
    pid = hub.node_status(n1, lambda n: n.get("pid"))["pid"]
    os.kill(pid, signal.SIGKILL)
    status = hub.node_status(n1, lambda n: n.get("state") == "NODE_STATE_RUNNING" and
                             n.get("pid") not in (None, pid), what="old primary restarted")
    env["node_pids"].add(status["pid"])
    assert not status.get("held")
    wait_until(lambda: redis_cli(p1, "GET", "last", password="pw") == "written-just-before",
               timeout=TIMEOUT)
    # A failover to something that is not its replica fails with the engine's reason.
    hub.task("host-a", {"id": "fo-bad", "failover_node": {
        "node_id": n1, "target_host": "127.0.0.1", "target_port": p1}})
    bad = hub.result("fo-bad")
    assert not bad.get("ok") and bad["reason"] == "FailoverFailed", bad
