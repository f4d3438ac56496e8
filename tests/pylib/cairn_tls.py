"""TLS helpers for the suites and benchmarks: certificates made with the ``openssl`` CLI (a CA,
server certificates with SAN 127.0.0.1/localhost, a client certificate) and a server process
that listens on a TLS port only. Standard library only (Debian's /usr/bin/python3)."""

import os
import shutil
import ssl
import socket
import subprocess
import tempfile
import time

from cairn_testlib import HOST, HarnessError, ServerProcess

OPENSSL = shutil.which("openssl", path="/usr/bin:/usr/local/bin") or "openssl"


def _openssl(*args, cwd):
    proc = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HarnessError(f"openssl {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


class Certs:
    """A temp dir holding ca.crt/ca.key, server.crt/key (serial 1001, CN cairn-server),
    server2.crt/key (serial 2002, CN cairn-server-2), client.crt/key (CN cairn-client) and
    other-ca.crt (a CA that signed none of them). Paths are attributes; ``cleanup()`` removes
    the dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-tls-")
        d = self.dir
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                 "ca.crt", "-days", "2", "-subj", "/CN=Cairn Test CA", cwd=d)
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key",
                 "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=Other CA", cwd=d)
        with open(os.path.join(d, "san.cnf"), "w", encoding="utf-8") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        self._sign("server", "cairn-server", 1001, "san.cnf")
        self._sign("server2", "cairn-server-2", 2002, "san.cnf")
        self._sign("client", "cairn-client", 3003, None)
        for name in ("ca", "other-ca", "server", "server2", "client"):
            setattr(self, name.replace("-", "_") + "_crt", os.path.join(d, f"{name}.crt"))
            setattr(self, name.replace("-", "_") + "_key", os.path.join(d, f"{name}.key"))

    def _sign(self, name, cn, serial, ext):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                 f"{name}.csr", "-subj", f"/CN={cn}", cwd=self.dir)
        args = ["x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-set_serial", str(serial), "-out", f"{name}.crt", "-days", "2"]
        if ext:
            args += ["-extfile", ext]
        _openssl(*args, cwd=self.dir)

    def server_args(self, auth_clients="no", cert="server"):
        """The tls-* options of a server presenting ``cert`` and trusting our CA."""
        return ["--tls-cert-file", os.path.join(self.dir, f"{cert}.crt"),
                "--tls-key-file", os.path.join(self.dir, f"{cert}.key"),
                "--tls-ca-cert-file", self.ca_crt, "--tls-auth-clients", auth_clients]

    def client_context(self, with_cert=True, protocol=None):
        """An ssl.SSLContext trusting our CA, presenting the client certificate if asked."""
        ctx = ssl.create_default_context(cafile=self.ca_crt)
        if with_cert:
            ctx.load_cert_chain(self.client_crt, self.client_key)
        if protocol is not None:
            ctx.minimum_version = protocol
            ctx.maximum_version = protocol
        return ctx

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class TlsServer(ServerProcess):
    """A server listening on a TLS port only (``port 0``); ``port`` is its TLS port. The
    readiness probe is a PING over TLS with the client certificate."""

    def __init__(self, binary, certs, args=(), auth_clients="no", **kw):
        super().__init__(binary, args=list(args), **kw)
        self.certs = certs
        self.auth_clients = auth_clients

    def command_line(self, port):
        argv = super().command_line(port)
        return argv + ["--port", "0", "--tls-port", str(port)] + self.certs.server_args(
            self.auth_clients)

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        ctx = self.certs.client_context()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection((HOST, self.port), timeout=1.0) as raw:
                    with ctx.wrap_socket(raw, server_hostname=HOST) as s:
                        s.sendall(b"PING\r\n")
                        if s.recv(64).startswith((b"+PONG", b"-NOAUTH", b"-LOADING")):
                            return True
            except (OSError, ssl.SSLError):
                pass
            time.sleep(0.02)
        return False
