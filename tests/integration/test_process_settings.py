"""Process-level settings and redis.conf compatibility, cairn-server beside redis-server.

- Debian's stock /etc/redis/redis.conf starts both servers, and every directive in it reads back
  the same through CONFIG GET.
- oom-score-adj / oom-score-adj-values move the process (and a BGSAVE child) to the configured
  OOM-killer score and back, as Redis's setOOMScoreAdj does; disable-thp turns transparent huge
  pages off for the process.
"""

import os

import pytest
import redis

from cairn_testlib import HOST, ServerProcess, cairn_server_bin, redis_server_bin, wait_until

STOCK_CONF = "/etc/redis/redis.conf"
# Directives the harness overrides on the command line (each server's own port, dir, log...).
OVERRIDDEN = {"port", "bind", "dir", "logfile", "daemonize", "pidfile", "save", "appendonly"}


def _binary(engine):
    return cairn_server_bin() if engine == "cairn" else redis_server_bin()


def _client(server):
    return redis.Redis(host=HOST, port=server.port, decode_responses=True, socket_timeout=10)


def _directives(text):
    """The parameter names a redis.conf sets, in file order, without repeats."""
    names = []
    for line in text.splitlines():
        words = line.strip().split()
        if words and not words[0].startswith("#") and words[0].lower() not in names:
            names.append(words[0].lower())
    return names


def _oom_score(pid):
    with open(f"/proc/{pid}/oom_score_adj", encoding="ascii") as f:
        return int(f.read())


def _children(pid):
    """Pids whose parent is ``pid``."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


def test_debian_stock_redis_conf_starts_both_servers_alike():
    if not os.access(STOCK_CONF, os.R_OK):
        pytest.skip(f"{STOCK_CONF} is not installed (Debian's redis-server package)")
    with open(STOCK_CONF, encoding="utf-8") as f:
        text = f.read()
    names = [n for n in _directives(text) if n not in OVERRIDDEN]
    assert len(names) > 40, "the stock file sets most of Redis's parameters"
    servers = {}
    try:
        for engine in ("cairn", "redis"):
            server = ServerProcess(_binary(engine), config_text=text, name=engine)
            server.extra_args = ["--pidfile", os.path.join(server.dir, "server.pid")]
            servers[engine] = server.start()
        values = {engine: {} for engine in servers}
        for engine, server in servers.items():
            r = _client(server)
            for name in names:
                values[engine][name] = r.config_get(name)
        differing = {n: (values["cairn"][n], values["redis"][n]) for n in names
                     if values["cairn"][n] != values["redis"][n]}
        assert not differing, f"CONFIG GET differs (cairn, redis): {differing}"
    finally:
        for server in servers.values():
            server.cleanup()


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_oom_score_adj_follows_the_process_class(engine):
    base = _oom_score("self")  # inherited by the server
    args = ["--oom-score-adj", "absolute", "--oom-score-adj-values", "100", "200", "800",
            "--rdb-key-save-delay", "2000"]
    with ServerProcess(_binary(engine), args, name=engine, persistence=True) as server:
        r = _client(server)
        assert r.config_get("oom-score-adj") == {"oom-score-adj": "absolute"}
        assert r.config_get("oom-score-adj-values") == {"oom-score-adj-values": "100 200 800"}
        wait_until(lambda: _oom_score(server.pid) == 100, what="the primary's score")

        # A BGSAVE child (held by rdb-key-save-delay: 2 ms per key) takes the third value.
        r.mset({f"k{i}": i for i in range(500)})
        assert r.bgsave()
        child = wait_until(lambda: _children(server.pid), what="the BGSAVE child")[0]
        # (Redis's child sets it just after the fork; cairn's before fork() returns.)
        wait_until(lambda: _oom_score(child) == 800, what="the child's score")
        assert _oom_score(server.pid) == 100
        r.config_set("rdb-key-save-delay", 0)
        wait_until(lambda: r.info("persistence")["rdb_bgsave_in_progress"] == 0, timeout=30,
                   what="the BGSAVE to finish")

        # relative adds to the score the process started with; no restores it.
        r.config_set("oom-score-adj", "relative")
        assert r.config_get("oom-score-adj") == {"oom-score-adj": "yes"}
        assert _oom_score(server.pid) == min(1000, base + 100)
        r.config_set("oom-score-adj-values", "300 400 900")
        assert _oom_score(server.pid) == min(1000, base + 300)
        r.config_set("oom-score-adj", "no")
        assert _oom_score(server.pid) == base


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_disable_thp_turns_transparent_huge_pages_off(engine):
    with ServerProcess(_binary(engine), ["--disable-thp", "yes"], name=engine) as server:
        r = _client(server)
        assert r.config_get("disable-thp") == {"disable-thp": "yes"}
        with pytest.raises(redis.ResponseError, match="can't set immutable config"):
            r.config_set("disable-thp", "no")
        with open(f"/proc/{server.pid}/status", encoding="ascii") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        if "THP_enabled" not in status:
            pytest.skip("this kernel does not report THP_enabled")
        # Redis only asks the kernel when THP is set to always; cairn asks every time.
        try:
            with open("/sys/kernel/mm/transparent_hugepage/enabled", encoding="ascii") as f:
                thp_mode = f.read()
        except OSError:
            thp_mode = ""
        if engine == "cairn" or "[always]" in thp_mode:
            assert status["THP_enabled"].strip() == "0"


def _cmdline(pid):
    """/proc/<pid>/cmdline as text (NULs kept; trailing ones dropped)."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().rstrip(b"\0").decode(errors="replace")


def _title(pid):
    """The process title: the command line's first NUL-terminated string (redis-server leaves
    stray bytes of its old command line after it)."""
    return _cmdline(pid).split("\0")[0]


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_proc_title_follows_the_template(engine):
    binary = _binary(engine)
    template = "{title} {listen-addr} {port} [{unixsocket}] {tls-port}"
    with ServerProcess(binary, ["--proc-title-template", template], name=engine) as server:
        r = _client(server)
        # {title} is argv[0] as the server was started; {listen-addr} the first bind address.
        expected = f"{binary} {HOST}:{server.port} {server.port} [] 0"
        wait_until(lambda: _title(server.pid) == expected, what="the process title")
        r.config_set("proc-title-template", "node {port}")
        assert _title(server.pid) == f"node {server.port}"
        with pytest.raises(redis.ResponseError, match="template format is invalid"):
            r.config_set("proc-title-template", "{title}")  # blank once expanded with no title
        with pytest.raises(redis.ResponseError, match="can't set immutable config"):
            r.config_set("set-proc-title", "no")


@pytest.mark.parametrize("engine", ["cairn", "redis"])
def test_set_proc_title_no_keeps_the_command_line(engine):
    binary = _binary(engine)
    with ServerProcess(binary, ["--set-proc-title", "no"], name=engine) as server:
        assert _cmdline(server.pid).startswith(f"{binary}\0--port\0{server.port}\0")
