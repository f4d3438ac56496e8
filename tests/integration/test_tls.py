"""TLS end to end with real processes and certificates made by the openssl CLI: redis-cli and
redis-py over TLS, mutual TLS (tls-auth-clients yes/optional), tls-protocols, the handshake
timeout, certificate reload with CONFIG SET, a bad certificate at start-up, TLS replication
cairn -> cairn (with partial resync) and both ways with Debian's redis-server, and large values
and deep pipelines through TLS."""

import os
import socket
import ssl
import subprocess
import threading

import pytest
import redis

from cairn_testlib import (HOST, REDIS_CLI, ServerProcess, cairn_server_bin, free_port,
                           redis_server_bin, run_server_expecting_exit, wait_until)
from cairn_tls import OPENSSL, Certs, TlsServer

SYNC_TIMEOUT = 30


@pytest.fixture(scope="module")
def certs():
    c = Certs()
    yield c
    c.cleanup()


def _start(certs, binary=None, auth_clients="no", args=(), name="cairn-tls"):
    server = TlsServer(binary or cairn_server_bin(), certs, args=args, auth_clients=auth_clients,
                       name=name)
    server.start()
    return server


@pytest.fixture
def tls_server(certs):
    server = _start(certs)
    yield server
    code = server.stop()
    assert code in (0, None), server.describe()
    server.cleanup()


def _client(server, certs, with_cert=True, **kw):
    args = dict(host=HOST, port=server.port, ssl=True, ssl_ca_certs=certs.ca_crt,
                ssl_cert_reqs="required", socket_timeout=10)
    if with_cert:
        args.update(ssl_certfile=certs.client_crt, ssl_keyfile=certs.client_key)
    args.update(kw)
    return redis.Redis(**args)


def _cli(server, certs, *command, with_cert=False):
    argv = [REDIS_CLI, "-h", HOST, "-p", str(server.port), "--tls", "--cacert", certs.ca_crt]
    if with_cert:
        argv += ["--cert", certs.client_crt, "--key", certs.client_key]
    return subprocess.run(argv + list(command), capture_output=True, text=True, timeout=20)


def _served_cert(server, certs, *extra):
    """`openssl s_client` against the server: (exit code, its output)."""
    argv = [OPENSSL, "s_client", "-connect", f"{HOST}:{server.port}", "-CAfile", certs.ca_crt,
            "-verify_return_error", *extra]
    proc = subprocess.run(argv, input="", capture_output=True, text=True, timeout=20)
    return proc.returncode, proc.stdout + proc.stderr


def test_redis_cli_over_tls(tls_server, certs):
    assert _cli(tls_server, certs, "PING").stdout.strip() == "PONG"
    assert _cli(tls_server, certs, "SET", "k", "v").stdout.strip() == "OK"
    assert _cli(tls_server, certs, "GET", "k", with_cert=True).stdout.strip() == "v"


def test_redis_py_large_values_and_deep_pipelines(tls_server, certs):
    r = _client(tls_server, certs)
    big = os.urandom(10 * 1024 * 1024)
    assert r.set("big", big)
    assert r.get("big") == big
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.set(f"k{i}", f"v{i}" * 10)
    for i in range(20000):
        pipe.get(f"k{i}")
    replies = pipe.execute()
    assert replies[:20000] == [True] * 20000
    assert replies[20000:] == [f"v{i}".encode() * 10 for i in range(20000)]
    assert r.strlen("big") == len(big)


def test_mutual_tls_requires_a_client_certificate(certs):
    server = _start(certs, auth_clients="yes")
    try:
        with pytest.raises((redis.ConnectionError, ssl.SSLError, OSError)):
            _client(server, certs, with_cert=False).ping()
        assert _client(server, certs).ping() is True
        assert _cli(server, certs, "PING", with_cert=True).stdout.strip() == "PONG"
        # optional: both kinds of client are served
        assert _client(server, certs).config_set("tls-auth-clients", "optional")
        assert _client(server, certs, with_cert=False).ping() is True
        assert _client(server, certs).ping() is True
        assert _client(server, certs).config_get("tls-auth-clients") == {
            "tls-auth-clients": "optional"}
    finally:
        server.cleanup()


def test_tls_protocols_tls13_only_refuses_tls12(certs):
    server = _start(certs, args=["--tls-protocols", "TLSv1.3"])
    try:
        code, out = _served_cert(server, certs, "-tls1_2")
        assert code != 0, out
        code, out = _served_cert(server, certs, "-tls1_3")
        assert code == 0, out
        assert "TLSv1.3" in out
    finally:
        server.cleanup()


def test_silent_client_is_dropped_after_handshake_timeout(tls_server, certs):
    r = _client(tls_server, certs)
    assert r.config_set("tls-handshake-timeout", "500")
    with socket.create_connection((HOST, tls_server.port), timeout=10) as silent:
        # Served meanwhile: the silent handshake holds nobody up.
        other = _client(tls_server, certs)
        for i in range(50):
            assert other.set(f"x{i}", i)
        silent.settimeout(10)
        assert silent.recv(1) == b"", "the server closes the connection"
    assert other.get("x49") == b"49"


def test_config_set_cert_reloads_for_new_connections(tls_server, certs):
    old = _client(tls_server, certs)
    assert old.ping()
    code, out = _served_cert(tls_server, certs)
    assert code == 0 and "subject=CN = cairn-server\n" in out, out
    assert old.execute_command("CONFIG", "SET", "tls-cert-file", certs.server2_crt,
                               "tls-key-file", certs.server2_key) == b"OK"
    code, out = _served_cert(tls_server, certs)
    assert code == 0 and "subject=CN = cairn-server-2\n" in out, out
    assert old.ping(), "the existing connection keeps its session"
    # A bad path fails, names the parameter, and the node keeps serving the previous cert.
    with pytest.raises(redis.ResponseError) as err:
        old.config_set("tls-cert-file", "/nonexistent/server.crt")
    assert str(err.value) == ("CONFIG SET failed (possibly related to argument 'tls-cert-file') "
                              "- Unable to update TLS configuration. Check server logs.")
    assert old.config_get("tls-cert-file") == {"tls-cert-file": certs.server2_crt}
    code, out = _served_cert(tls_server, certs)
    assert code == 0 and "subject=CN = cairn-server-2\n" in out, out
    # A key that does not match the certificate is refused the same way.
    with pytest.raises(redis.ResponseError):
        old.config_set("tls-key-file", certs.client_key)
    assert _client(tls_server, certs).ping()


def test_bad_certificate_at_startup_exits_with_a_clear_error(certs):
    code, out = run_server_expecting_exit(cairn_server_bin(), [
        "--port", "0", "--tls-port", "1", "--save", "", "--tls-cert-file", "/nonexistent.crt",
        "--tls-key-file", certs.server_key, "--tls-ca-cert-file", certs.ca_crt])
    assert code not in (0, None)
    assert "Failed to configure TLS: Failed to load certificate: /nonexistent.crt" in out
    code, out = run_server_expecting_exit(cairn_server_bin(), [
        "--port", "0", "--tls-port", "1", "--save", "", "--tls-cert-file", certs.server_crt,
        "--tls-key-file", certs.client_key, "--tls-ca-cert-file", certs.ca_crt])
    assert code not in (0, None)
    assert "Failed to load private key" in out


def _replica_args(certs):
    return ["--tls-replication", "yes", "--tls-client-cert-file", certs.client_crt,
            "--tls-client-key-file", certs.client_key]


def _info(server, certs, section="replication"):
    return _client(server, certs).info(section)


def _caught_up(primary, replica, certs):
    def done():
        want = _info(primary, certs)["master_repl_offset"]
        return _info(replica, certs).get("slave_repl_offset", -1) >= want
    wait_until(done, timeout=SYNC_TIMEOUT, what="the replica to catch up")


def _attach(replica, primary, certs):
    assert _client(replica, certs).execute_command("REPLICAOF", HOST, primary.port) == b"OK"
    wait_until(lambda: _info(replica, certs).get("master_link_status") == "up",
               timeout=SYNC_TIMEOUT, what="the replica to sync")


@pytest.mark.parametrize("diskless", ["no", "yes"])
def test_cairn_replica_of_cairn_over_tls(certs, diskless):
    primary = _start(certs, auth_clients="yes", name="primary",
                     args=["--repl-diskless-sync", diskless])
    replica = _start(certs, auth_clients="yes", name="replica", args=_replica_args(certs))
    try:
        p = _client(primary, certs)
        big = os.urandom(3 * 1024 * 1024)
        p.set("big", big)
        for i in range(1000):
            p.set(f"k{i}", i)
        _attach(replica, primary, certs)
        r = _client(replica, certs)
        assert r.get("big") == big and r.get("k999") == b"999"
        p.set("streamed", "yes")
        _caught_up(primary, replica, certs)
        assert r.get("streamed") == b"yes"
        full = p.info("stats")["sync_full"]
        assert p.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
        p.set("while-down", "1")
        wait_until(lambda: _info(primary, certs)["connected_slaves"] == 1, timeout=SYNC_TIMEOUT,
                   what="the replica to reconnect")
        _caught_up(primary, replica, certs)
        assert r.get("while-down") == b"1"
        assert p.info("stats")["sync_partial_ok"] >= 1
        assert p.info("stats")["sync_full"] == full, "no second full sync"
        assert _info(primary, certs)["slave0"]["port"] == replica.port
    finally:
        replica.cleanup()
        primary.cleanup()


def _check_replication_over_tls(primary, replica, certs):
    """Attaches `replica` to `primary` over TLS and checks keys from before and after the full
    sync arrive; stops both."""
    try:
        p = _client(primary, certs)
        p.set("before", "1")
        _attach(replica, primary, certs)
        p.set("after", "2")
        _caught_up(primary, replica, certs)
        assert _client(replica, certs).mget("before", "after") == [b"1", b"2"]
    finally:
        replica.cleanup()
        primary.cleanup()


def test_redis_server_replica_of_cairn_over_tls(certs):
    primary = _start(certs, auth_clients="yes", name="cairn-primary")
    replica = _start(certs, binary=redis_server_bin(), auth_clients="yes", name="redis-replica",
                     args=["--tls-replication", "yes"])
    _check_replication_over_tls(primary, replica, certs)


def test_cairn_replica_of_redis_server_over_tls(certs):
    primary = _start(certs, binary=redis_server_bin(), auth_clients="yes", name="redis-primary")
    replica = _start(certs, auth_clients="yes", name="cairn-replica", args=_replica_args(certs))
    _check_replication_over_tls(primary, replica, certs)


def test_plain_port_and_tls_port_side_by_side(certs):
    server = ServerProcess(cairn_server_bin(), name="both")
    try:
        tls_port = free_port()
        server.extra_args += ["--tls-port", str(tls_port)] + certs.server_args()
        server.start()
        plain = redis.Redis(host=HOST, port=server.port, socket_timeout=10)
        assert plain.set("shared", "1")
        secure = redis.Redis(host=HOST, port=tls_port, ssl=True, ssl_ca_certs=certs.ca_crt,
                             socket_timeout=10)
        assert secure.get("shared") == b"1"
        # Many TLS clients at once, each pipelining, while plain clients work too.
        errors = []

        def worker(n):
            try:
                c = redis.Redis(host=HOST, port=tls_port, ssl=True, ssl_ca_certs=certs.ca_crt,
                                socket_timeout=10)
                pipe = c.pipeline(transaction=False)
                for i in range(500):
                    pipe.incr(f"counter{n}")
                assert pipe.execute()[-1] == 500
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert plain.get("counter7") == b"500"
    finally:
        server.cleanup()
