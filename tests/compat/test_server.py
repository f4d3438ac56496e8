"""Connection and server commands: PING ECHO QUIT RESET TIME LASTSAVE CLIENT CONFIG COMMAND INFO
SLOWLOG LATENCY DEBUG MONITOR SHUTDOWN.

Replies that carry ids, addresses, timestamps, durations or allocator figures are compared by
shape (field names, types, the deterministic fields) rather than by bytes; each such place says
why. CONFIG GET returns parameters in hash-table order, so its pairs are compared sorted."""

import re
import time

import pytest

from cairn_compat import running_pair, same, same_raw, same_until_closed
from cairn_testlib import (RespMap, RespVerbatim, decode, decode_all, parse_info,
                           keyspace_line_re)

# ---------------------------------------------------------------------------------------------
# PING ECHO QUIT RESET TIME LASTSAVE


def test_ping_echo(pair23):
    same(pair23, "PING", "PING hello", ["PING", ""], "PING a b", ["ECHO", "x y"], ["ECHO", ""],
         ["ECHO", b"\x00\xff"], "ECHO", "ECHO a b")


def test_quit(pair):
    same_until_closed(pair, b"*1\r\n$4\r\nQUIT\r\n")


def test_quit_with_arguments(pair):
    same_until_closed(pair, b"QUIT now please\r\n")


def test_reset_restores_connection_state(pair):
    same(pair, "CLIENT SETNAME conn", "SELECT 3", "SET k db3", "MULTI", "SET k queued", "RESET",
         "CLIENT GETNAME", "GET k", "EXEC", "RESET x")
    pair.hello3()
    same(pair, "RESET", "GET missing")
    # RESET also turns replies back on: its own +RESET and the PING's reply arrive.
    same_raw(pair, b"CLIENT REPLY OFF\r\nRESET\r\nPING\r\n", replies=2)


def test_time_shape(pair23):
    # TIME is the server clock: compare the reply type and that it is close to ours.
    def shape(value):
        seconds, micros = value
        assert re.fullmatch(rb"\d+", seconds) and re.fullmatch(rb"\d+", micros), value
        return abs(int(seconds) - time.time()) < 5 and 0 <= int(micros) < 1000000
    pair23.same_by(shape, "TIME")
    same(pair23, "TIME extra")


def test_lastsave_shape(pair):
    # The time of the last save (or of the start) differs per process: compare the shape.
    pair.same_by(lambda v: isinstance(v, int) and 0 < v <= time.time() + 1, "LASTSAVE")
    same(pair, "LASTSAVE x")


# ---------------------------------------------------------------------------------------------
# CLIENT

DETERMINISTIC_CLIENT_FIELDS = ("name", "db", "flags", "sub", "psub", "ssub", "multi", "cmd",
                               "user", "resp", "redir", "obl", "oll")


def _client_lines(value):
    """CLIENT INFO/LIST text -> list of (field names in order, deterministic field values)."""
    lines = []
    for line in value.decode().splitlines():
        fields = dict(item.split("=", 1) for item in line.split(" "))
        lines.append((list(fields), {k: fields.get(k) for k in DETERMINISTIC_CLIENT_FIELDS}))
    return lines


def test_client_setname_getname(pair23):
    same(pair23, "CLIENT GETNAME", "CLIENT SETNAME worker-1", "CLIENT GETNAME",
         ["CLIENT", "SETNAME", "has space"], ["CLIENT", "SETNAME", "new\nline"],
         ["CLIENT", "SETNAME", "caf\xe9"], ["CLIENT", "SETNAME", "ü"], "CLIENT GETNAME",
         ["CLIENT", "SETNAME", ""], "CLIENT GETNAME", "CLIENT SETNAME", "CLIENT SETNAME a b",
         "CLIENT GETNAME x")


def test_client_id_shape(pair):
    # Ids are per-process counters: compare that each is an integer, matches CLIENT INFO, and
    # grows with each new connection.
    ids = {}
    for client in pair.clients():
        own = decode(client.call("CLIENT ID"))
        info = decode(client.call("CLIENT INFO")).decode()
        assert isinstance(own, int) and f"id={own} " in info, (client.name, own, info)
        ids[client.name] = own
    later = pair.new_pair()
    for client in later.clients():
        assert decode(client.call("CLIENT ID")) > ids[client.name], client.name
    same(pair, "CLIENT ID x")


def test_client_info_and_list_shape(pair):
    # Addresses, fds, ages and buffer sizes differ: compare field names and deterministic fields.
    same(pair, "CLIENT SETNAME lister", "SELECT 2")
    pair.same_by(_client_lines, "CLIENT INFO")
    pair.hello3()
    pair.same_by(_client_lines, "CLIENT INFO")
    # The admin connection of the harness and this one.
    pair.same_by(lambda v: sorted(_client_lines(v), key=repr), "CLIENT LIST")
    pair.same_by(lambda v: sorted(_client_lines(v), key=repr), "CLIENT LIST TYPE normal")
    same(pair, "CLIENT LIST TYPE pubsub", "CLIENT LIST TYPE master", "CLIENT LIST TYPE foo",
         "CLIENT LIST ID abc", "CLIENT LIST ID 999999", "CLIENT LIST FOO", "CLIENT INFO x")


def test_client_list_by_own_id(pair):
    replies = []
    for client in pair.clients():
        own = decode(client.call("CLIENT ID"))
        replies.append(_client_lines(decode(client.call(["CLIENT", "LIST", "ID", own, 999999]))))
    assert replies[0] == replies[1]


def test_client_reply(pair):
    request = (b"CLIENT REPLY OFF\r\nSET k v\r\nGET k\r\nNOSUCHCOMMAND\r\n"
               b"CLIENT REPLY ON\r\nGET k\r\n"
               b"CLIENT REPLY SKIP\r\nSET k w\r\nGET k\r\n")
    c, r = pair.both_raw(request, replies=3)
    assert c == r, (c, r)
    same(pair, "CLIENT REPLY", "CLIENT REPLY maybe", "CLIENT REPLY ON x", "CLIENT REPLY on")


def test_client_no_evict(pair):
    same(pair, "CLIENT NO-EVICT on", "CLIENT NO-EVICT off", "CLIENT NO-EVICT ON",
         "CLIENT NO-EVICT maybe", "CLIENT NO-EVICT", "CLIENT NO-EVICT on off")


def test_client_kill_errors(pair):
    same(pair, "CLIENT KILL 1.2.3.4:5", "CLIENT KILL nonsense", "CLIENT KILL ID 999999",
         "CLIENT KILL ID abc", "CLIENT KILL ID 0", "CLIENT KILL ID -1", "CLIENT KILL foo bar",
         "CLIENT KILL ID", "CLIENT KILL TYPE foo", "CLIENT KILL USER nosuchuser",
         "CLIENT KILL ADDR 1.2.3.4:5", "CLIENT KILL SKIPME maybe", "CLIENT KILL",
         "CLIENT KILL ID 999999 SKIPME yes", "CLIENT FOO")


@pytest.mark.parametrize("how", ["ID", "ADDR", "OLD-STYLE"])
def test_client_kill_other_connection(pair, how):
    victim = pair.new_pair()
    replies = []
    for killer, target in zip(pair.clients(), victim.clients()):
        info = decode(target.call("CLIENT INFO")).decode()
        fields = dict(item.split("=", 1) for item in info.split())
        if how == "ID":
            command = ["CLIENT", "KILL", "ID", fields["id"]]
        elif how == "ADDR":
            command = ["CLIENT", "KILL", "ADDR", fields["addr"], "SKIPME", "yes"]
        else:
            command = ["CLIENT", "KILL", fields["addr"]]
        replies.append(killer.call(command))
        replies.append(target.read_until_closed())
    assert replies[0:2] == replies[2:4], replies
    same(pair, "PING")


# ---------------------------------------------------------------------------------------------
# CONFIG

# Parameters whose values are the same on both servers (not port, dir, logfile, pidfile).
CONFIG_GLOBS = ["maxmemory*", "lfu-*", "slowlog-*", "latency*", "hz", "databases",
                "notify-keyspace-events", "proto-max-bulk-len", "timeout", "save", "appendonly",
                "maxclients", "tcp-keepalive", "bind", "protected-mode", "lazyfree-*",
                "enable-debug-command", "client-query-buffer-limit", "active-expire-effort",
                "requirepass", "io-threads", "dynamic-hz", "append*", "*aof*",
                "no-appendfsync-on-rewrite", "jemalloc*"]


def _config_pairs(value):
    if isinstance(value, RespMap):
        return ("map", sorted(value))
    return ("array", sorted(zip(value[::2], value[1::2])))


@pytest.mark.parametrize("glob", CONFIG_GLOBS)
def test_config_get(pair23, glob):
    pair23.same_by(_config_pairs, ["CONFIG", "GET", glob])


def test_config_get_multiple_and_missing(pair23):
    pair23.same_by(_config_pairs, "CONFIG GET hz databases maxmemory-policy")
    pair23.same_by(_config_pairs, "CONFIG GET hz hz h?")
    same(pair23, "CONFIG GET nosuchparam", "CONFIG GET", "CONFIG GET nosuch*")


@pytest.mark.parametrize("name", ["jemalloc-bg-thread", "activerehashing"])
def test_config_set_yes_no_switches(pair, name):
    pair.servers.remember_config(name)
    same(pair, f"CONFIG GET {name}", f"CONFIG SET {name} no", f"CONFIG GET {name}",
         f"CONFIG SET {name} maybe", f"CONFIG SET {name} yes", f"CONFIG GET {name}")


def test_config_get_port_dir_shape(pair):
    # Each server has its own port and temp dir: compare the keys and the value types.
    def shape(value):
        fields = dict(zip(value[::2], value[1::2]))
        return sorted(fields), fields[b"port"].isdigit(), fields[b"dir"].startswith(b"/")
    pair.same_by(shape, "CONFIG GET port dir")


def test_config_set_single_and_multiple(pair):
    pair.servers.remember_config("hz", "maxmemory-samples", "maxmemory", "maxmemory-policy",
                                 "slowlog-max-len", "notify-keyspace-events")
    same(pair, "CONFIG SET hz 20", "CONFIG SET hz 15 maxmemory-samples 7",
         "CONFIG SET maxmemory 1mb", "CONFIG SET maxmemory 2GB", "CONFIG SET maxmemory 100k",
         "CONFIG SET maxmemory-policy ALLKEYS-LRU", "CONFIG SET slowlog-max-len 5",
         "CONFIG SET notify-keyspace-events KEA")
    pair.same_by(_config_pairs, "CONFIG GET hz maxmemory-samples maxmemory maxmemory-policy "
                                "slowlog-max-len notify-keyspace-events")
    same(pair, "CONFIG SET maxmemory 0")


@pytest.mark.parametrize("args", [
    ["hz", "x"], ["hz", "-1"], ["hz", "1.5"], ["nosuch", "1"], ["hz", "10", "hz", "11"],
    ["daemonize", "yes"], ["hz", "5", "maxmemory-policy", "bad"],
    ["maxmemory", "1zb"], ["maxmemory", "-1"], ["hz"], [], ["hz", "10", "maxmemory"],
    ["appendonly", "maybe"], ["databases", "32"], ["maxmemory-samples", "99999999999999999999"],
    ["notify-keyspace-events", "KQ"], ["slowlog-max-len", "-1"],
    ["appendfsync", "bad"], ["auto-aof-rewrite-percentage", "-1"], ["appenddirname", "x"],
    ["appendfilename", "x"], ["aof-use-rdb-preamble", "maybe"],
])
def test_config_set_errors_are_atomic(pair, args):
    pair.servers.remember_config("hz", "maxmemory-policy", "maxmemory", "appendonly")
    same(pair, ["CONFIG", "SET", *args])
    pair.same_by(_config_pairs, "CONFIG GET hz maxmemory-policy maxmemory appendonly")


# Process and redis.conf-compatibility parameters: values, errors and immutability.
PROCESS_PARAMETERS = [
    "oom-score-adj", "oom-score-adj-values", "disable-thp", "activedefrag",
    "active-defrag-cycle-min", "active-defrag-cycle-max", "active-defrag-ignore-bytes",
    "active-defrag-max-scan-fields", "active-defrag-threshold-lower",
    "active-defrag-threshold-upper", "bgsave_cpulist", "bio_cpulist", "server_cpulist",
    "bind-source-addr", "crash-log-enabled", "crash-memcheck-enabled", "enable-module-command",
    "ignore-warnings", "proc-title-template", "propagation-error-behavior", "rdb-del-sync-files",
    "rdb-save-incremental-fsync", "repl-disable-tcp-nodelay", "repl-diskless-load",
    "repl-diskless-sync-max-replicas", "replica-announce-ip", "replica-announce-port",
    "replica-announced", "replica-ignore-disk-write-errors", "replica-ignore-maxmemory",
    "replica-lazy-flush", "sanitize-dump-payload", "socket-mark-id", "syslog-enabled",
    "syslog-facility", "syslog-ident", "tracking-table-max-keys", "slave-announce-ip",
    "slave-announce-port", "slave-ignore-maxmemory", "slave-lazy-flush", "slave-priority",
    "min-slaves-to-write", "min-slaves-max-lag", "repl-ping-slave-period", "rdb-key-save-delay",
    "key-load-delay", "loading-process-events-interval-bytes",
]


@pytest.mark.parametrize("name", PROCESS_PARAMETERS)
def test_process_parameters_read_alike(pair23, name):
    pair23.same_by(_config_pairs, ["CONFIG", "GET", name])


@pytest.mark.parametrize("args", [
    ["activedefrag", "yes"], ["activedefrag", "no"], ["oom-score-adj-values", "1"],
    ["oom-score-adj-values", "1 2 x"], ["oom-score-adj-values", "5000 0 0"],
    ["oom-score-adj-values", "1 2 3 4"], ["oom-score-adj-values", "  1   2  3 "],
    ["oom-score-adj-values", ""], ["oom-score-adj", "maybe"], ["oom-score-adj", "no"],
    ["proc-title-template", ""], ["proc-title-template", "{title"],
    ["proc-title-template", "{}"], ["proc-title-template", "{Title}"],
    ["proc-title-template", "{title}"], ["proc-title-template", " {title} "],
    ["proc-title-template", "{server-mode}"], ["proc-title-template", "{{x"],
    ["proc-title-template", "a{unixsocket}"], ["proc-title-template", "}"],
    ["proc-title-template", "{title} {listen-addr} {port} {tls-port} {config-file}"],
    ["sanitize-dump-payload", "bad"], ["sanitize-dump-payload", "clients"],
    ["propagation-error-behavior", "bad"], ["propagation-error-behavior", "panic-on-replicas"],
    ["repl-diskless-load", "bad"], ["repl-diskless-load", "swapdb"],
    ["tracking-table-max-keys", "-1"], ["active-defrag-cycle-max", "100"],
    ["active-defrag-cycle-min", "0"], ["active-defrag-threshold-lower", "1001"],
    ["active-defrag-ignore-bytes", "1k"], ["active-defrag-max-scan-fields", "0"],
    ["ignore-warnings", "ARM64-COW-BUG"], ["replica-announce-port", "70000"],
    ["slave-announce-port", "6380"], ["repl-diskless-sync-max-replicas", "-1"],
    ["crash-log-enabled", "maybe"], ["bind-source-addr", "127.0.0.1"],
    ["slave-priority", "-1"], ["min-slaves-to-write", "0"], ["repl-ping-slave-period", "0"],
    ["disable-thp", "yes"], ["syslog-enabled", "no"], ["syslog-facility", "local1"],
    ["syslog-ident", "x"], ["socket-mark-id", "0"], ["bio_cpulist", ""],
    ["enable-module-command", "no"],
])
def test_process_parameters_set_alike(pair, args):
    pair.servers.remember_config(args[0])
    same(pair, ["CONFIG", "SET", *args])
    pair.same_by(_config_pairs, ["CONFIG", "GET", args[0]])


def test_replication_and_shutdown_parameters(pair):
    names = ("repl-backlog-ttl", "replica-serve-stale-data", "shutdown-timeout",
             "shutdown-on-sigterm", "shutdown-on-sigint")
    pair.servers.remember_config(*names)
    pair.same_by(_config_pairs, "CONFIG GET " + " ".join(names))
    same(pair, "CONFIG SET repl-backlog-ttl 0", "CONFIG SET repl-backlog-ttl -1",
         "CONFIG SET repl-backlog-ttl x", "CONFIG SET replica-serve-stale-data no",
         "CONFIG SET slave-serve-stale-data maybe", "CONFIG SET shutdown-timeout -1",
         "CONFIG SET shutdown-timeout 0", "CONFIG SET shutdown-on-sigterm later",
         "CONFIG SET shutdown-on-sigint save nosave", "CONFIG SET shutdown-on-sigint",
         ["CONFIG", "SET", "shutdown-on-sigint", "save nosave"],
         ["CONFIG", "SET", "shutdown-on-sigterm", "nosave now"],
         ["CONFIG", "SET", "shutdown-on-sigint", "default force"], "SHUTDOWN ABORT")
    pair.same_by(_config_pairs, "CONFIG GET " + " ".join(names))


def test_config_resetstat_rewrite_and_errors(pair):
    same(pair, "CONFIG RESETSTAT", "CONFIG RESETSTAT x", "CONFIG REWRITE", "CONFIG FOO",
         "CONFIG")


# ---------------------------------------------------------------------------------------------
# COMMAND

COMMANDS = """select del unlink exists type rename renamenx copy move swapdb keys scan randomkey
dbsize flushdb flushall expire pexpire expireat pexpireat ttl pttl expiretime pexpiretime persist
touch set get getex getdel getset mget mset msetnx setnx setex psetex append strlen incr decr
incrby decrby incrbyfloat getrange setrange substr lcs setbit getbit bitcount bitpos bitop
bitfield bitfield_ro multi exec discard watch unwatch subscribe unsubscribe psubscribe
punsubscribe publish ping echo quit reset auth hello time lastsave monitor shutdown debug
info""".split()

SUBCOMMANDS = {
    "object": ["encoding", "freq", "idletime", "refcount"],
    "memory": ["usage"],
    "pubsub": ["channels", "numsub", "numpat"],
    "client": ["setname", "getname", "id", "reply", "no-evict", "kill", "info", "list"],
    "config": ["get", "set", "resetstat", "rewrite"],
    "command": ["count", "info", "getkeys", "getkeysandflags", "list"],
    "slowlog": ["get", "len", "reset"],
    "latency": ["latest", "history", "reset", "doctor", "graph", "histogram"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_command_info(pair23, name):
    same(pair23, ["COMMAND", "INFO", name], ["COMMAND", "INFO", name.upper()])


@pytest.mark.parametrize("container", sorted(SUBCOMMANDS))
def test_command_info_of_containers(pair, container):
    # The container's own entry is compared without its subcommand list (which names every
    # subcommand, including ones outside this suite); each subcommand in scope is compared whole.
    def head_and_names(value):
        entry = value[0]
        names = {sub[0] for sub in entry[9]}
        assert {f"{container}|{s}".encode() for s in SUBCOMMANDS[container]} <= names
        return entry[:9]
    pair.same_by(head_and_names, ["COMMAND", "INFO", container])
    for sub in SUBCOMMANDS[container]:
        same(pair, ["COMMAND", "INFO", f"{container}|{sub}"])


def test_command_info_multiple_and_unknown(pair23):
    same(pair23, "COMMAND INFO get nosuchcommand set", "COMMAND INFO nosuch",
         "COMMAND INFO client|nosuch", "COMMAND INFO get|x")


def test_command_count_and_list_shape(pair):
    # The full table holds commands outside this suite: compare that COMMAND COUNT, COMMAND LIST
    # (which also names every "container|subcommand") and COMMAND agree on each server, and that
    # every command here is listed.
    for client in pair.clients():
        count = decode(client.call("COMMAND COUNT"))
        listed = decode(client.call("COMMAND LIST"))
        table = decode(client.call("COMMAND"))
        top_level = [name for name in listed if b"|" not in name]
        assert isinstance(count, int) and count == len(top_level) == len(table), client.name
        names = set(listed)
        missing_subcommands = [f"{c}|{s}" for c, subs in SUBCOMMANDS.items() for s in subs
                               if f"{c}|{s}".encode() not in names]
        assert not missing_subcommands, f"{client.name}: COMMAND LIST lacks {missing_subcommands}"
        missing = [c for c in COMMANDS + sorted(SUBCOMMANDS) if c.encode() not in names]
        assert not missing, f"{client.name}: COMMAND LIST lacks {missing}"
    same(pair, "COMMAND COUNT x", "COMMAND LIST FILTERBY", "COMMAND LIST FILTERBY FOO x",
         "COMMAND LIST FOO")


@pytest.mark.parametrize("pattern", ["set*", "incr*", "bit*", "*expire*", "get*", "m*et*",
                                     "ps*", "*subscribe", "nosuch*"])
def test_command_list_filterby_pattern(pair, pattern):
    pair.same_sorted(["COMMAND", "LIST", "FILTERBY", "PATTERN", pattern])


@pytest.mark.parametrize("command", [
    "SET k v", "SET k v EX 10 GET", "GET k", "MSET a 1 b 2 c 3", "MGET a b c", "DEL a b",
    "RENAME a b", "COPY a b DB 1", "BITOP AND d a b c", "LCS a b", "EXISTS a a",
    "EXPIRE k 10", "BITFIELD_RO k GET u8 0", "GETEX k PERSIST", "MSETNX a 1 b 2",
    "SETRANGE k 0 x", "OBJECT ENCODING k", "MEMORY USAGE k", "TOUCH a b", "WATCH a b",
    "SUBSCRIBE c", "PUBLISH c m", "PING", "GET", "MSET a", "NOSUCHCOMMAND k", "SET k",
])
def test_command_getkeys(pair, command):
    same(pair, ["COMMAND", "GETKEYS", *command.split()],
         ["COMMAND", "GETKEYSANDFLAGS", *command.split()])


# ---------------------------------------------------------------------------------------------
# INFO

INFO_KEY_FIELDS = {
    "server": ["redis_version", "redis_mode", "os", "arch_bits", "process_id", "run_id",
               "tcp_port", "uptime_in_seconds", "uptime_in_days", "hz", "executable",
               "config_file"],
    "clients": ["connected_clients", "blocked_clients", "maxclients"],
    "memory": ["used_memory", "used_memory_human", "used_memory_rss", "used_memory_peak",
               "maxmemory", "maxmemory_policy", "mem_fragmentation_ratio", "mem_allocator"],
    "persistence": ["loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
                    "rdb_last_save_time", "aof_enabled"],
    "stats": ["total_connections_received", "total_commands_processed",
              "instantaneous_ops_per_sec", "total_net_input_bytes", "rejected_connections",
              "expired_keys", "evicted_keys", "keyspace_hits", "keyspace_misses",
              "pubsub_channels", "pubsub_patterns", "total_error_replies"],
    "replication": ["role", "connected_slaves", "master_replid", "master_repl_offset"],
    "cpu": ["used_cpu_sys", "used_cpu_user"],
}

# Values that are the same on both servers in this suite's setup.
INFO_SAME_VALUES = ["redis_mode", "arch_bits", "connected_clients", "blocked_clients",
                    "maxclients", "maxmemory", "maxmemory_policy", "loading", "aof_enabled",
                    "rdb_bgsave_in_progress", "role", "connected_slaves", "pubsub_channels",
                    "pubsub_patterns", "config_file"]


def _section_names(value):
    return [line[2:].strip() for line in value.decode().splitlines() if line.startswith("# ")]


@pytest.mark.parametrize("args", [(), ("default",), ("all",), ("everything",), ("server",),
                                  ("server", "clients"), ("SERVER",), ("keyspace",),
                                  ("commandstats",), ("errorstats",), ("latencystats",),
                                  ("nosuchsection",), ("memory", "nosuch", "cpu")],
                         ids=lambda a: "-".join(a) or "plain")
def test_info_section_names(pair, args):
    # INFO contents are live figures: compare the section headers, in order.
    pair.same_by(_section_names, ["INFO", *args])


def test_info_key_fields(pair):
    pair.same_by(lambda v: isinstance(v, bytes), "INFO")
    per_server = {}
    for client, server in zip(pair.clients(), pair.servers.servers()):
        sections = parse_info(decode(client.call("INFO everything")))
        for section, fields in INFO_KEY_FIELDS.items():
            missing = [f for f in fields if f not in sections.get(section, {})]
            assert not missing, f"{client.name}: INFO {section} lacks {missing}"
        flat = {k: v for s in sections.values() for k, v in s.items()}
        assert flat["tcp_port"] == str(server.port), client.name
        assert flat["process_id"] == str(server.pid), client.name
        assert int(flat["used_memory"]) > 0 and int(flat["used_memory_rss"]) > 0, client.name
        assert flat["redis_version"].startswith("7."), client.name
        per_server[client.name] = {k: flat.get(k) for k in INFO_SAME_VALUES}
    assert per_server["cairn"] == per_server["redis"]


def test_info_persistence_field_names_and_bgrewriteaof_arity(pair):
    # The field names in order (values are live figures), AOF off as in the suite's setup.
    def names(value):
        return [line.split(":")[0] for line in value.decode().splitlines()]
    pair.same_by(names, "INFO persistence")
    same(pair, "BGREWRITEAOF x")


def test_info_keyspace_line(pair):
    same(pair, "MSET a 1 b 2 c 3", "EXPIRE a 100", "PEXPIRE b 200000", "SELECT 2", "SET x 1",
         "SELECT 0")
    pattern = keyspace_line_re()

    def keyspace(value):
        lines = parse_info(value).get("keyspace", {})
        out = []
        for db, text in lines.items():
            match = pattern.match(f"{db}:{text}")
            assert match, text
            # avg_ttl is an estimate sampled by the expiry cycle: compare only its presence.
            out.append(match.group(1, 2, 3))
        return out
    pair.same_by(keyspace, "INFO keyspace")
    same(pair, "FLUSHALL")
    pair.same_by(keyspace, "INFO keyspace")


def test_info_stats_after_resetstat(pair):
    # CONFIG RESETSTAT zeroes the counters, so hits, misses, errors and per-command calls
    # are deterministic afterwards (timings are not: usec fields are dropped).
    same(pair, "SET k v", "RPUSH l x", "CONFIG RESETSTAT", "GET k", "GET k", "GET missing",
         "EXISTS k", "INCR k", "GET l", "NOSUCHCOMMAND", "SET k", "SET k v NX XX")

    def stats(value):
        sections = parse_info(value)
        picked = {k: sections["stats"][k] for k in
                  ("keyspace_hits", "keyspace_misses", "total_error_replies", "expired_keys",
                   "evicted_keys", "unexpected_error_replies")
                  if k in sections["stats"]}
        errors = dict(sections.get("errorstats", {}))
        calls = {}
        for name, text in sections.get("commandstats", {}).items():
            fields = dict(item.split("=") for item in text.split(","))
            calls[name] = (fields["calls"], fields.get("rejected_calls"),
                           fields.get("failed_calls"))
        calls.pop("cmdstat_info", None)
        return picked, errors, calls
    pair.same_by(stats, "INFO everything")


# ---------------------------------------------------------------------------------------------
# SLOWLOG


def _slowlog_entries(value):
    """SLOWLOG GET -> (id relative to the oldest entry returned, args, client name) per entry.
    Timestamps, durations and addresses differ between the servers, and so do absolute ids
    (the id counter survives SLOWLOG RESET and counts the harness's own commands)."""
    out = []
    for entry in value:
        entry_id, timestamp, micros, args, addr, name = entry
        assert isinstance(timestamp, int) and isinstance(micros, int), entry
        assert re.fullmatch(rb"127\.0\.0\.1:\d+", addr), entry
        out.append((entry_id - value[-1][0], args, name))
    return out


def test_slowlog(pair):
    pair.servers.config_set("slowlog-log-slower-than", "0")
    same(pair, "SLOWLOG RESET", "CLIENT SETNAME slow", "SET k v", ["SET", "big", "x" * 200],
         ["MSET"] + [f"k{i}" for i in range(40)], "GET k")
    pair.same_by(_slowlog_entries, "SLOWLOG GET")
    pair.same_by(_slowlog_entries, "SLOWLOG GET 2")
    pair.same_by(_slowlog_entries, "SLOWLOG GET -1")
    pair.same_by(_slowlog_entries, "SLOWLOG GET 0")
    same(pair, "SLOWLOG LEN", "SLOWLOG RESET", "SLOWLOG LEN", "SLOWLOG GET x", "SLOWLOG GET -5",
         "SLOWLOG LEN x", "SLOWLOG RESET x", "SLOWLOG FOO", "SLOWLOG")


def test_slowlog_max_len_and_threshold(pair):
    pair.servers.config_set("slowlog-log-slower-than", "0")
    pair.servers.config_set("slowlog-max-len", "3")
    same(pair, "SLOWLOG RESET", *[f"SET k{i} v" for i in range(10)], "SLOWLOG LEN")
    pair.same_by(_slowlog_entries, "SLOWLOG GET")
    pair.servers.config_set("slowlog-log-slower-than", "-1")
    same(pair, "SLOWLOG RESET", "SET k v", "SLOWLOG LEN")


# ---------------------------------------------------------------------------------------------
# LATENCY


def test_latency_without_samples(pair):
    same(pair, "LATENCY RESET", "LATENCY LATEST", "LATENCY HISTORY command", "LATENCY RESET",
         "LATENCY RESET command fork", "LATENCY GRAPH command", "LATENCY HISTORY", "LATENCY FOO",
         "LATENCY")
    # The doctor's text is free-form: compare that both answer with a (verbatim) string.
    pair.same_by(lambda v: isinstance(v, bytes) and len(v) > 0, "LATENCY DOCTOR")


def test_latency_with_samples(pair23):
    pair = pair23
    pair.servers.config_set("latency-monitor-threshold", "1")
    # How many event types the reset clears depends on what was slow so far (under ASan and a
    # loaded machine, CONFIG SET itself can take over 1 ms): compare the reply's type only.
    pair.same_by(lambda v: isinstance(v, int), "LATENCY RESET")
    same(pair, "DEBUG SLEEP 0.01")

    # Timestamps and milliseconds differ: compare the "command" event and its value types
    # (other events, such as a slow expire cycle, depend on the machine's load).
    def latest(value):
        return [(e[0], all(isinstance(x, int) for x in e[1:])) for e in value
                if e[0] == b"command"]
    pair.same_by(latest, "LATENCY LATEST")
    pair.same_by(lambda v: [len(e) for e in v], "LATENCY HISTORY command")
    pair.same_by(lambda v: isinstance(v, (bytes, RespVerbatim)), "LATENCY GRAPH command")
    pair.same_by(lambda v: isinstance(v, bytes), "LATENCY DOCTOR")
    same(pair, "LATENCY RESET command")
    pair.same_by(latest, "LATENCY LATEST")


def test_latency_histogram(pair23):
    pair = pair23
    pair.servers.admin("cairn").call("CONFIG RESETSTAT")
    pair.servers.admin("redis").call("CONFIG RESETSTAT")
    same(pair, "SET a 1", "SET b 2", "GET a")

    # Bucket counts depend on timing: compare the commands, their call counts and field names.
    def histogram(value):
        entries = value if isinstance(value, RespMap) else list(zip(value[::2], value[1::2]))
        out = []
        for name, body in entries:
            fields = body if isinstance(body, RespMap) else list(zip(body[::2], body[1::2]))
            fields = dict(fields)
            out.append((name, fields[b"calls"], sorted(fields)))
        return sorted(out)
    pair.same_by(histogram, "LATENCY HISTOGRAM set get")
    pair.same_by(histogram, "LATENCY HISTOGRAM nosuch")
    pair.same_by(lambda v: sorted(v[::2]) if isinstance(v, list) and not isinstance(v, RespMap)
                 else sorted(k for k, _ in v), "LATENCY HISTOGRAM get")


# ---------------------------------------------------------------------------------------------
# DEBUG (both servers run with enable-debug-command yes)


def test_debug_object_shape(pair):
    # "Value at:" is a pointer and lru a clock: compare the field names, refcount and encoding.
    def fields(value):
        parsed = dict(item.split(":", 1) for item in value.decode().replace("Value at", "at")
                      .split(" "))
        return list(parsed), parsed["refcount"], parsed["encoding"]
    for value in ("v", "123", "x" * 100):
        same(pair, ["SET", "k", value])
        pair.same_by(fields, "DEBUG OBJECT k")
    same(pair, "DEBUG OBJECT missing", "DEBUG OBJECT")


def test_debug_digest_shape(pair):
    # The digest algorithm is Redis's own: compare 40 hex digits, all zero for an empty
    # dataset, and that it changes with the data and returns when the data does.
    same(pair, "DEBUG DIGEST")
    hexdigest = re.compile(rb"[0-9a-f]{40}")
    digests = {}
    for client in pair.clients():
        empty = decode(client.call("DEBUG DIGEST"))
        client.call("SET k v")
        full = decode(client.call("DEBUG DIGEST"))
        value_digest = decode(client.call("DEBUG DIGEST-VALUE k missing"))
        client.call("DEL k")
        again = decode(client.call("DEBUG DIGEST"))
        assert hexdigest.fullmatch(full) and full != empty == again, client.name
        assert len(value_digest) == 2 and all(hexdigest.fullmatch(d) for d in value_digest)
        digests[client.name] = (empty, value_digest[1])
    assert digests["cairn"] == digests["redis"]


def test_debug_misc(pair):
    same(pair, "DEBUG SLEEP 0", "DEBUG SLEEP 0.001", "DEBUG SET-ACTIVE-EXPIRE 1",
         "DEBUG SET-ACTIVE-EXPIRE", "DEBUG CHANGE-REPL-ID", "DEBUG FOO", "DEBUG",
         "DEBUG SLEEP")


def test_debug_reload_keeps_data(pair):
    same(pair, "MSET a 1 b hello", "SET t v EX 1000", "SETBIT bits 5 1", "DEBUG RELOAD",
         "MGET a b", "TTL t", "GETBIT bits 5", "OBJECT ENCODING a", "DBSIZE")


# ---------------------------------------------------------------------------------------------
# MONITOR


def _monitor_lines(raw):
    """MONITOR lines without the timestamp and client address: "[db] args"."""
    out = []
    for value in decode_all(raw):
        match = re.fullmatch(rb"\d+\.\d{6} \[(\d+) [^\]]+\] (.*)", value, re.S)
        assert match, value
        out.append((match.group(1), match.group(2)))
    return out


def test_monitor(pair):
    monitor = pair
    worker = pair.new_pair()
    same(monitor, "MONITOR")
    same(worker, "SET k v", ["SET", "bin", b"\x00\"\\\r\n\xff"], "SELECT 5", "GET k",
         "MULTI", "INCR n", "EXEC", "AUTH secretpassword", "ECHO done")
    streams = [c.read_replies_until(b'"done"') for c in monitor.clients()]
    assert _monitor_lines(b"".join(streams[0])) == _monitor_lines(b"".join(streams[1]))
    assert len(streams[1]) == 9
    # A monitoring client accepts QUIT and RESET; other commands are refused.
    same(monitor, "GET k", "RESET", "GET k")


# ---------------------------------------------------------------------------------------------
# SHUTDOWN (its own pair of servers, since it stops them)


@pytest.fixture
def shutdown_pair():
    """A fresh ServerPair and a ClientPair on it; the servers are expected to stop in the test."""
    with running_pair() as servers:
        yield servers.client_pair()


def test_shutdown(shutdown_pair):
    pair = shutdown_pair
    # These servers run without enable-debug-command: DEBUG is refused.
    same(pair, "DEBUG SLEEP 0", "SHUTDOWN FOO", "SHUTDOWN NOSAVE SAVE", "SHUTDOWN ABORT",
         "SHUTDOWN NOW FOO", "SHUTDOWN ABORT NOW", "MULTI", "SHUTDOWN NOSAVE", "EXEC", "PING")
    same_until_closed(pair, b"SHUTDOWN NOSAVE\r\n")
    for server in pair.servers.servers():
        server.proc.wait(timeout=10)
        assert server.proc.returncode == 0, server.describe()
