"""The fleet suite: cairn-agents in network namespaces as separate hosts (each with its own
address on a bridge), a real cairn-controlplane in the root namespace, real nodes."""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_fleet import RestClient, bin_path  # noqa: E402
from cairn_testlib import HOST, HarnessError, _die_with_parent, _tail, free_port, wait_until  # noqa: E402,E501


def sh(*args):
    subprocess.run(args, check=True, capture_output=True, timeout=30)


class Network:
    """A bridge in the root namespace and one namespace per host, joined by veth pairs.
    Everything it creates carries one random tag and is removed by teardown()."""

    def __init__(self, hosts):
        self.tag = f"{random.randrange(16**4):04x}"
        self.subnet = f"10.{random.randrange(100, 250)}.{random.randrange(0, 250)}"
        self.bridge = f"cbr{self.tag}"
        self.gateway = f"{self.subnet}.1"
        self.namespaces = [f"cairn-{self.tag}-{i}" for i in range(hosts)]
        self.addresses = [f"{self.subnet}.{11 + i}" for i in range(hosts)]

    def setup(self):
        sh("ip", "link", "add", self.bridge, "type", "bridge")
        sh("ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        sh("ip", "link", "set", self.bridge, "up")
        for i, ns in enumerate(self.namespaces):
            outside, inside = f"cv{self.tag}{i}", f"ci{self.tag}{i}"
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            sh("ip", "link", "set", inside, "netns", ns)
            sh("ip", "link", "set", outside, "master", self.bridge)
            sh("ip", "link", "set", outside, "up")
            sh("ip", "-n", ns, "addr", "add", f"{self.addresses[i]}/24", "dev", inside)
            sh("ip", "-n", ns, "link", "set", inside, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "route", "add", "default", "via", self.gateway)

    def teardown(self):
        for i, ns in enumerate(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
            subprocess.run(["ip", "link", "del", f"cv{self.tag}{i}"], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)


class Fleet:
    """The control plane and one agent per namespace."""

    def __init__(self, hosts=3):
        self.net = Network(hosts)
        self.dir = tempfile.mkdtemp(prefix="fleet-", dir="/tmp")
        self.cp_proc = None
        self.agents = {}
        self.addrs = None
        self.rest = None

    def start(self):
        self.net.setup()
        self.addrs = {"http_addr": f"{HOST}:{free_port()}", "grpc_addr": f"{HOST}:{free_port()}",
                      "agent_addr": f"{self.net.gateway}:{free_port()}",
                      "discovery_addr": f"{HOST}:{free_port()}"}
        self.start_control_plane()
        for i in range(len(self.net.namespaces)):
            token = self.rest.post("/v1/joinTokens", {"ttl_seconds": 600})["token"]
            self.start_agent(i, token)
        wait_until(lambda: self.ready_hosts() == len(self.net.namespaces), 30,
                   what="hosts READY")

    def start_control_plane(self):
        log_path = os.path.join(self.dir, "controlplane.log")
        with open(log_path, "ab") as log:
            self.cp_proc = subprocess.Popen(
                [bin_path("cairn-controlplane"), "--data-dir", os.path.join(self.dir, "cp"),
                 "--http-addr", self.addrs["http_addr"], "--grpc-addr", self.addrs["grpc_addr"],
                 "--agent-addr", self.addrs["agent_addr"],
                 "--discovery-addr", self.addrs["discovery_addr"]],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)

        def token():
            if self.cp_proc.poll() is not None:
                raise HarnessError(f"control plane exited\n{_tail(log_path)}")
            match = re.search(r"Admin token \(shown once, stored hashed\): (\S+)",
                              _tail(log_path, 100000))
            healthy = match and os.path.exists(os.path.join(self.dir, "cp", "controlplane.json"))
            return match.group(1) if healthy else None

        if self.rest is None:
            self.rest = RestClient(f"http://{self.addrs['http_addr']}", wait_until(token, 30))
        else:
            wait_until(lambda: os.path.exists(os.path.join(self.dir, "cp", "controlplane.json")),
                       30, what="control plane restart")

    def kill_control_plane(self):
        os.unlink(os.path.join(self.dir, "cp", "controlplane.json"))
        self.cp_proc.kill()
        self.cp_proc.wait()

    def start_agent(self, i, token=None):
        ns = self.net.namespaces[i]
        data = os.path.join(self.dir, f"host-{i}")
        args = ["ip", "netns", "exec", ns, bin_path("cairn-agent"),
                "--control-plane", self.addrs["agent_addr"], "--data-dir", data,
                "--zone", f"zone-{i}", "--host-id", f"host-{i}",
                "--advertise-addr", self.net.addresses[i], "--node-ports", "7000-7099",
                "--memory-mb", "2048"]
        if token:
            args += ["--join-token", token]
        with open(os.path.join(self.dir, f"agent-{i}.log"), "ab") as log:
            self.agents[i] = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                              preexec_fn=_die_with_parent)

    def kill_agent(self, i):
        self.agents[i].send_signal(signal.SIGKILL)
        self.agents[i].wait()

    def ready_hosts(self):
        hosts = self.rest.get("/v1/hosts").get("hosts", [])
        return sum(h["status"] == "HOST_STATUS_READY" for h in hosts)

    def describe(self):
        text = f"controlplane:\n{_tail(os.path.join(self.dir, 'controlplane.log'))}"
        for i in self.agents:
            text += f"\nagent {i}:\n{_tail(os.path.join(self.dir, f'agent-{i}.log'))}"
        return text

    def teardown(self):
        for proc in list(self.agents.values()) + [self.cp_proc]:
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
        # Nodes outlive agents by design; remove every process started from this fleet's dir.
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if self.dir.encode() in f.read():
                        os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        self.net.teardown()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def fleet():
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("the fleet suite needs root and iproute2 for network namespaces")
    f = Fleet(hosts=3)
    try:
        f.start()
        yield f
    except BaseException:
        print(f.describe())
        raise
    finally:
        f.teardown()
