"""ACL end to end with real clients: redis-cli --user/--pass and redis-py username/password
against users from config `user` lines, a connected client dropped when its user is deleted,
ACL SAVE / LOAD with an aclfile (and across a restart), start-up errors, and a replica that
authenticates to its primary with masteruser + masterauth."""

import os
import subprocess

import pytest
import redis

from cairn_testlib import (HOST, RespClient, ServerProcess, cairn_server_bin,
                           run_server_expecting_exit, wait_until)

USERS = ("user alice on >apass ~app:* &news +@all -flushall\n"
         "user bob on >bpass ~* +get +acl|whoami\n")


def _cli(server, *args, user=None, password=None):
    argv = ["redis-cli", "-h", HOST, "-p", str(server.port)]
    if user is not None:
        argv += ["--user", user, "--pass", password, "--no-auth-warning"]
    out = subprocess.run(argv + list(args), capture_output=True, text=True, timeout=10)
    return (out.stdout + out.stderr).strip()


@pytest.fixture
def server():
    with ServerProcess(cairn_server_bin(), config_text=USERS, name="acl") as s:
        yield s


def test_redis_cli_users(server):
    assert _cli(server, "SET", "app:1", "v", user="alice", password="apass") == "OK"
    assert _cli(server, "GET", "app:1", user="alice", password="apass") == "v"
    assert _cli(server, "ACL", "WHOAMI", user="bob", password="bpass") == "bob"
    assert "NOPERM" in _cli(server, "SET", "app:1", "x", user="bob", password="bpass")
    assert "NOPERM" in _cli(server, "GET", "other", user="alice", password="apass")
    assert "NOPERM" in _cli(server, "FLUSHALL", user="alice", password="apass")
    assert "WRONGPASS" in _cli(server, "PING", user="alice", password="nope")
    listing = _cli(server, "ACL", "LIST")
    assert "user alice on #" in listing and "apass" not in listing


def test_config_rewrite_keeps_users(server):
    admin = redis.Redis(host=HOST, port=server.port)
    admin.execute_command("ACL", "SETUSER", "carol", "on", ">cpass", "~c:*", "+@read")
    before = [u for u in admin.acl_list() if not u.startswith("user default ")]
    assert admin.config_rewrite()
    with open(os.path.join(server.dir, "server.conf"), encoding="utf-8") as f:
        text = f.read()
    assert "user carol on #" in text and "cpass" not in text
    server.stop()
    server.config_text = text  # start() writes config_text to server.conf
    server.start()
    carol = redis.Redis(host=HOST, port=server.port, username="carol", password="cpass")
    assert carol.get("c:1") is None
    after = redis.Redis(host=HOST, port=server.port).acl_list()
    assert [u for u in after if not u.startswith("user default ")] == before


def test_redis_py_username_password(server):
    alice = redis.Redis(host=HOST, port=server.port, username="alice", password="apass")
    alice.set("app:k", "1")
    assert alice.incr("app:k") == 2
    assert alice.publish("news", "hello") == 0
    with pytest.raises(redis.exceptions.NoPermissionError):
        alice.get("elsewhere")
    with pytest.raises(redis.exceptions.NoPermissionError):
        alice.publish("sports", "x")
    with pytest.raises((redis.exceptions.AuthenticationError, redis.exceptions.ResponseError),
                       match="WRONGPASS"):
        redis.Redis(host=HOST, port=server.port, username="alice", password="bad").ping()
    info = alice.client_info()
    assert info["user"] == "alice"
    log = redis.Redis(host=HOST, port=server.port).acl_log()
    assert {(e["reason"], e["object"]) for e in log} >= {("key", "elsewhere"),
                                                          ("channel", "sports"),
                                                          ("auth", "AUTH")}


def test_deleted_user_is_disconnected(server):
    admin = redis.Redis(host=HOST, port=server.port)
    with RespClient(HOST, server.port) as bob:
        assert bob.call("AUTH", "bob", "bpass") == b"+OK\r\n"
        assert bob.call("ACL", "WHOAMI") == b"$3\r\nbob\r\n"
        assert any(c["user"] == "bob" for c in admin.client_list())
        assert admin.acl_deluser("bob") == 1
        wait_until(lambda: not any(c["user"] == "bob" for c in admin.client_list()),
                   what="bob's connection to be closed")
        bob.sock.settimeout(5)
        assert bob.sock.recv(100) == b""  # closed by the server
    # A user deleting itself gets its reply, then the connection closes.
    with RespClient(HOST, server.port) as alice:
        alice.call("AUTH", "alice", "apass")
        assert alice.call("ACL", "DELUSER", "alice") == b":1\r\n"
        alice.sock.settimeout(5)
        assert alice.sock.recv(100) == b""


@pytest.mark.parametrize("rule", ["off", "reset"])
def test_disabled_user_is_disconnected(server, rule):
    # The issue asks for it: a disabled user's connections end at once (Redis 7.0 would let them
    # run until they reconnect). Other users' connections stay.
    admin = redis.Redis(host=HOST, port=server.port)
    admin.acl_setuser("carol", enabled=True, passwords=["+cpass"], commands=["+@all"],
                      keys=["*"])
    with RespClient(HOST, server.port) as carol, RespClient(HOST, server.port) as other:
        assert carol.call("AUTH", "carol", "cpass") == b"+OK\r\n"
        assert admin.execute_command("ACL", "SETUSER", "carol", rule) == b"OK"
        carol.sock.settimeout(5)
        assert carol.sock.recv(100) == b""  # closed by the server
        assert other.call("PING") == b"+PONG\r\n"
    with RespClient(HOST, server.port) as carol:
        assert carol.call("AUTH", "carol", "cpass").startswith(b"-WRONGPASS")
    admin.acl_deluser("carol")


def test_acl_save_and_load_with_aclfile(tmp_path):
    aclfile = tmp_path / "users.acl"
    aclfile.write_text("user alice on >apass ~k* +get\n")
    with ServerProcess(cairn_server_bin(), args=["--aclfile", str(aclfile)],
                       name="aclfile") as s:
        admin = redis.Redis(host=HOST, port=s.port)
        assert admin.acl_users() == ["alice", "default"]
        admin.acl_setuser("bob", enabled=True, passwords=["+bpass"], commands=["+ping"])
        assert admin.execute_command("ACL", "SAVE") == b"OK"
        saved = aclfile.read_text()
        assert saved.splitlines()[1].startswith("user bob on #")
        assert "bpass" not in saved
        with RespClient(HOST, s.port) as alice:
            assert alice.call("AUTH", "alice", "apass") == b"+OK\r\n"
            aclfile.write_text(saved + "user carol on nopass +@all ~*\n")
            assert admin.execute_command("ACL", "LOAD") == b"OK"
            alice.sock.settimeout(5)
            assert alice.sock.recv(100) == b""  # users were replaced: their clients dropped
        assert admin.acl_users() == ["alice", "bob", "carol", "default"]
        aclfile.write_text("user x +nosuch\n")
        with pytest.raises(redis.exceptions.ResponseError, match="Error in applying operation"):
            admin.execute_command("ACL", "LOAD")
        assert admin.acl_users() == ["alice", "bob", "carol", "default"]
        aclfile.write_text(saved)
    with ServerProcess(cairn_server_bin(), args=["--aclfile", str(aclfile)],
                       name="aclfile2") as s:
        bob = redis.Redis(host=HOST, port=s.port, username="bob", password="bpass")
        assert bob.ping()


def test_startup_errors(tmp_path):
    aclfile = tmp_path / "users.acl"
    aclfile.write_text("user bob on\n")
    code, out = run_server_expecting_exit(
        cairn_server_bin(), ["--port", "0", "--aclfile", str(aclfile), "--user", "alice", "on"],
        cwd=tmp_path)
    assert code == 1 and "not both" in out
    code, out = run_server_expecting_exit(
        cairn_server_bin(), ["--port", "0", "--aclfile", str(tmp_path / "missing.acl")],
        cwd=tmp_path)
    assert code == 1 and "Error loading ACLs, opening file" in out
    code, out = run_server_expecting_exit(
        cairn_server_bin(), ["--port", "0", "--user", "alice", "on", "--user", "alice", "off"],
        cwd=tmp_path)
    assert code == 1 and "Duplicate user found" in out


def _replication(server):
    return redis.Redis(host=HOST, port=server.port, password="dpass").info("replication")


def test_replica_authenticates_with_masteruser():
    primary_conf = ("user default on >dpass ~* &* +@all\n"
                    "user repl on >rpass +psync +replconf +ping\n")
    replica_conf = "masteruser repl\nmasterauth rpass\nrequirepass dpass\n"
    with ServerProcess(cairn_server_bin(), config_text=primary_conf, name="primary") as primary, \
            ServerProcess(cairn_server_bin(), config_text=replica_conf, name="replica") as replica:
        p = redis.Redis(host=HOST, port=primary.port, password="dpass")
        p.set("k", "v")
        r = redis.Redis(host=HOST, port=replica.port, password="dpass")
        r.execute_command("REPLICAOF", HOST, primary.port)
        wait_until(lambda: _replication(replica).get("master_link_status") == "up", timeout=20,
                   what="the replica to sync as user repl")
        wait_until(lambda: r.get("k") == b"v", timeout=20, what="the key to reach the replica")
        assert any(c["user"] == "repl" for c in p.client_list())
        assert p.acl_log() == []
        # A masteruser without PSYNC permission cannot sync.
        p.execute_command("ACL", "SETUSER", "repl", "-psync")
        p.client_kill_filter(user="repl")
        wait_until(lambda: any(e["object"] == "psync" for e in p.acl_log()), timeout=20,
                   what="the denied PSYNC in the primary's ACL log")
        assert _replication(replica)["master_link_status"] == "down"
