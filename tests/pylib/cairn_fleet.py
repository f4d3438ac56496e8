"""Control-plane test helpers: a real cairn-controlplane (dev mode: real agents and nodes) and a
small REST client. Standard library only, for Debian's /usr/bin/python3."""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from cairn_testlib import HOST, HarnessError, _die_with_parent, _tail, wait_until


def bin_path(name):
    bin_dir = os.environ.get("CAIRN_BIN_DIR")
    if not bin_dir:
        raise HarnessError("set CAIRN_BIN_DIR (the build's bin folder)")
    return os.path.abspath(os.path.join(bin_dir, name))


def port_is_listening(port, host=HOST):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class RestClient:
    """JSON over HTTP with the bearer token; raises ApiError for non-2xx replies."""

    def __init__(self, base_url, token):
        self.base_url = base_url
        self.token = token

    def call(self, method, path, body=None, token=None, raw_body=None, timeout=30):
        data = raw_body if raw_body is not None else (
            json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        auth = self.token if token is None else token
        if auth:
            request.add_header("Authorization", f"Bearer {auth}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                return json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise ApiError(e.code, json.loads(e.read() or b"{}")) from None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def download(self, path, timeout=60):
        """GET returning (body bytes, headers); ApiError for non-2xx replies."""
        request = urllib.request.Request(self.base_url + path, method="GET")
        request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                return reply.read(), dict(reply.headers)
        except urllib.error.HTTPError as e:
            raise ApiError(e.code, json.loads(e.read() or b"{}")) from None

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body if body is not None else {}, **kw)

    def wait_operation(self, op_id, timeout_s=30):
        """Blocks (server side, WaitOperation) until the operation ends; returns it."""
        deadline = time.monotonic() + timeout_s
        while True:
            left_ms = max(100, int((deadline - time.monotonic()) * 1000))
            op = self.post(f"/v1/operations/{op_id}:wait?timeout_ms={min(left_ms, 5000)}")
            if op["state"] in ("OPERATION_STATE_SUCCEEDED", "OPERATION_STATE_FAILED",
                               "OPERATION_STATE_CANCELLED"):
                return op
            if time.monotonic() >= deadline:
                raise HarnessError(f"operation {op_id} still {op['state']} after {timeout_s}s")


class ControlPlaneProcess:
    """cairn-controlplane --dev on free ports with its own data dir and node-port range."""

    def __init__(self, hosts=3, extra_args=(), data_dir=None):
        self.hosts = hosts
        self.extra_args = list(extra_args)
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="cairn-cp-")
        os.makedirs(self.data_dir, exist_ok=True)
        # Below Linux's ephemeral range (32768+), where outgoing connections take local ports.
        self.node_port_base = random.randrange(10000, 32000, 500)
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "controlplane.log")
        self.addrs = None
        self.rest = None

    def start(self, timeout=30):
        bound = os.path.join(self.data_dir, "controlplane.json")
        if os.path.exists(bound):
            os.unlink(bound)
        # A restart keeps the addresses of the first start: agents reconnect to the same one.
        addrs = self.addrs or {"http_addr": f"{HOST}:0", "grpc_addr": f"{HOST}:0",
                               "agent_addr": f"{HOST}:0", "discovery_addr": f"{HOST}:0"}
        args = [bin_path("cairn-controlplane"), "--dev", "--data-dir", self.data_dir,
                "--http-addr", addrs["http_addr"], "--grpc-addr", addrs["grpc_addr"],
                "--agent-addr", addrs["agent_addr"], "--discovery-addr", addrs["discovery_addr"],
                "--dev-hosts", str(self.hosts),
                "--dev-node-port-base", str(self.node_port_base)] + self.extra_args
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        log.close()

        def ready():
            if self.proc.poll() is not None:
                raise HarnessError(f"cairn-controlplane exited {self.proc.returncode}\n"
                                   f"{_tail(self.log_path)}")
            try:
                with open(bound) as f:
                    return json.load(f)
            except (OSError, ValueError):
                return None

        self.addrs = wait_until(ready, timeout, what="controlplane.json")
        with open(os.path.join(self.data_dir, "admin-token")) as f:
            token = f.read().strip()
        self.rest = RestClient(f"http://{self.addrs['http_addr']}", token)
        wait_until(self._hosts_ready, timeout, what=f"{self.hosts} hosts READY")
        return self

    def _hosts_ready(self):
        hosts = self.rest.get("/v1/hosts").get("hosts", [])
        return len([h for h in hosts if h["status"] == "HOST_STATUS_READY"]) >= self.hosts

    @property
    def discovery(self):
        """(host, port) of the Sentinel-compatible discovery endpoint."""
        host, port = self.addrs["discovery_addr"].rsplit(":", 1)
        return host, int(port)

    @property
    def token(self):
        return self.rest.token

    def kill(self):
        """SIGKILL: no cleanup, as a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self, timeout=30):
        """SIGTERM (dev mode stops its agents and their nodes); returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise HarnessError(f"cairn-controlplane ignored SIGTERM\n{_tail(self.log_path)}")

    def kill_leftovers(self):
        """Kills any process still running from this data dir (agents, nodes), for teardown."""
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read().decode(errors="replace")
            except OSError:
                continue
            if self.data_dir in cmdline:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass

    def describe(self):
        text = f"controlplane log:\n{_tail(self.log_path)}"
        hosts_dir = os.path.join(self.data_dir, "hosts")
        for host in sorted(os.listdir(hosts_dir)) if os.path.isdir(hosts_dir) else []:
            text += f"\n{host} agent log:\n{_tail(os.path.join(hosts_dir, host, 'agent.log'))}"
        return text

    def cleanup(self):
        self.kill_leftovers()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def running_control_plane(**kwargs):
    """Generator for a module fixture: a started ControlPlaneProcess(**kwargs), yielded once; it
    must stop cleanly (exit 0) afterwards; its log is printed when anything fails; its files
    are removed either way. Use: ``yield from running_control_plane(hosts=3)``."""
    plane = ControlPlaneProcess(**kwargs)
    try:
        plane.start()
        yield plane
        assert plane.stop() == 0, plane.describe()
    except BaseException:
        print(plane.describe())
        raise
    finally:
        plane.cleanup()
