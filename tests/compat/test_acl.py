"""ACL: ACL SETUSER rules printed back by ACL LIST / GETUSER, rule errors, ACL CAT, WHOAMI,
DRYRUN, GENPASS, LOG, AUTH / HELLO AUTH texts, NOPERM texts for commands, keys and channels
(also inside MULTI and from scripts), selectors and requirepass, against redis-server."""

import pytest

from cairn_compat import same
from cairn_testlib import decode

HASH_A = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"  # sha256("a")


@pytest.fixture
def acl(servers):
    """A RESP2 pair; afterwards every user but default is deleted, the default user gets its
    start-up rules back and the ACL log is emptied, on both servers."""
    servers.ensure_running()
    servers.reset()
    servers.remember_config("requirepass")
    yield servers.client_pair()
    for which in ("cairn", "redis"):
        admin = servers.admin(which)
        for name in decode(admin.call("ACL", "USERS")):
            if name != b"default":
                admin.call("ACL", "DELUSER", name)
        admin.call("ACL", "SETUSER", "default", "on", "nopass", "~*", "&*", "+@all",
                   "clearselectors")
        admin.call("ACL", "LOG", "RESET")
    servers.restore_config()
    servers.close_clients()


def test_default_user(acl):
    same(acl, "ACL LIST", "ACL USERS", "ACL WHOAMI", "ACL GETUSER default", "ACL GETUSER nosuch")


def test_getuser_resp3(servers, acl):
    """GETUSER is a map with a set of flags in RESP3."""
    pair3 = servers.client_pair(resp=3)
    same(pair3, ["ACL", "SETUSER", "u", "on", ">a", "~k*", "&c", "+get", "(+set ~s*)"],
         "ACL GETUSER u", "ACL GETUSER default", "ACL GETUSER nosuch")


RULES = [
    [],
    ["reset"],
    ["on", ">p1", ">p2", ">p1", "<p1"],
    ["on", "nopass", "allkeys", "allchannels", "allcommands"],
    ["nopass", ">a"],
    ["#" + HASH_A, "#" + HASH_A],
    ["#" + HASH_A, "!" + HASH_A],
    ["resetpass"],
    ["skip-sanitize-payload"],
    ["sanitize-payload", "off"],
    ["~k*", "%R~r*", "%W~w*", "%RW~rw*", "&ch*", "&ch*", "+get"],
    ["resetkeys", "%R~*"],
    ["%R~*", "%W~*"],
    ["%R~k", "%W~k", "~other"],
    ["%R", "~", "%W~"],
    ["%RW"],
    ["allkeys", "resetkeys", "~x"],
    ["allchannels", "resetchannels", "&x"],
    ["+@all", "-@hash", "+hget"],
    ["-@all", "+@read", "+@write", "-set"],
    ["-@all", "+@hash", "-@all"],
    ["nocommands", "+@string"],
    ["-@all", "+config|get"],
    ["-@all", "+config|get", "+config"],
    ["-@all", "+config", "-config|set"],
    ["-@all", "+select|0"],
    ["+@all", "-debug"],
    ["+@all", "-@dangerous"],
    ["+@all", "-@all", "+get"],
    ["+GET", "+@READ", "-@Write"],
    ["", "on"],
    ["on", "(+get ~k*)", "(+set", "~s*", "&c)"],
    ["(+get ~k*)", "(%R~r* &* +@all)", "clearselectors"],
    ["(+get ~k*)", "reset"],
    ["()", "(~* +@all)"],
]


@pytest.mark.parametrize("rules", RULES, ids=[" ".join(r) or "none" for r in RULES])
def test_rules_printed_back(acl, rules):
    same(acl, ["ACL", "SETUSER", "u", *rules], "ACL LIST", "ACL GETUSER u")


def test_setuser_applies_to_an_existing_user(acl):
    same(acl, "ACL SETUSER u on >a ~k* +get", "ACL SETUSER u %R~r* -get +set", "ACL LIST",
         "ACL SETUSER u reset", "ACL LIST")


BAD_RULES = [
    ["foo"],
    ["+nosuch"],
    ["+@nosuch"],
    ["-@nosuch"],
    ["%~x"],
    ["%X~x"],
    ["%"],
    ["%RR~x"],
    ["~*", "~x"],
    ["allkeys", "%R~x"],
    ["&*", "&x"],
    ["<nopw"],
    ["!nopw"],
    ["#abc"],
    ["#" + HASH_A.upper()],
    ["+select|0|1"],
    ["+config|get|x"],
    ["+get|"],
    ["-select|0"],
    ["+config|nosuch"],
    ["(+get"],
    ["on", "(+get ~k*", "off"],
    ["(+get foo)"],
    ["(&* &x)"],
    [")"],
    ["on", "+get", "bad"],
]


@pytest.mark.parametrize("rules", BAD_RULES, ids=[" ".join(r) for r in BAD_RULES])
def test_rule_errors(acl, rules):
    same(acl, ["ACL", "SETUSER", "u", *rules], "ACL USERS")


def test_user_name_errors_and_deluser(acl):
    same(acl, ["ACL", "SETUSER", "a b"], ["ACL", "SETUSER", "a\x00b"], "ACL SETUSER x",
         "ACL SETUSER y", "ACL DELUSER default", "ACL DELUSER x default", "ACL DELUSER x y nosuch",
         "ACL USERS", "ACL DELUSER nosuch")


def test_cat(acl):
    same(acl, "ACL CAT", "ACL CAT nosuch", "ACL CAT a b")


def _commands_in(admin, category):
    return set(decode(admin.call("ACL", "CAT", category)))


def test_cat_matches_command_info(servers, acl):
    """Every category lists the commands COMMAND INFO tags with it, and the same commands as
    redis-server for the commands both servers have."""
    cairn = servers.admin("cairn")
    redis = servers.admin("redis")
    names = {}
    for which, admin in (("cairn", cairn), ("redis", redis)):
        info = decode(admin.call("COMMAND", "INFO"))
        tagged = {}
        for entry in info:
            for sub in [entry] + list(entry[9]):
                for cat in sub[6]:
                    tagged.setdefault(cat.decode()[1:], set()).add(sub[0])
        names[which] = {n for e in info for n in [e[0]] + [s[0] for s in e[9]]}
        if which == "cairn":
            cairn_tagged = tagged
    common = names["cairn"] & names["redis"]
    for category in decode(redis.call("ACL", "CAT")):
        category = category.decode()
        in_cairn = _commands_in(cairn, category)
        assert in_cairn == cairn_tagged.get(category, set()), category
        assert in_cairn & common == _commands_in(redis, category) & common, category


def test_whoami_auth_and_wrongpass(acl):
    same(acl, "AUTH x", "AUTH a b c", "AUTH nosuch p", "ACL SETUSER u on >p1 +acl|whoami",
         "AUTH u wrong", "AUTH u p1", "ACL WHOAMI", "AUTH default anything", "ACL WHOAMI",
         "ACL SETUSER off1 off >p", "AUTH off1 p", "ACL SETUSER np on nopass +@all",
         "AUTH np whatever", "ACL WHOAMI")


def test_hello_auth(acl):
    same(acl, "ACL SETUSER u on >p1 +@all", "HELLO 2 AUTH u wrong", "HELLO 2 AUTH nosuch x",
         "ACL WHOAMI")
    c, r = acl.both("HELLO 2 AUTH u p1")
    assert c.startswith(b"*14\r\n") and r.startswith(b"*14\r\n")
    same(acl, "ACL WHOAMI")


def test_requirepass_is_the_default_users_password(acl):
    other = acl.new_pair()
    same(acl, "CONFIG SET requirepass secret", "ACL LIST", "ACL GETUSER default")
    same(other, "PING", "AUTH wrong", "AUTH secret", "PING", "ACL WHOAMI")
    fresh = acl.new_pair()
    same(fresh, "GET k", "HELLO 3", "AUTH default secret", "GET k")
    same(acl, "CONFIG SET requirepass", "ACL LIST", "AUTH x")


def _as_user(acl, *rules):
    """A new pair authenticated as user u with `rules` (plus on >pw)."""
    same(acl, ["ACL", "SETUSER", "u", "on", ">pw", *rules])
    user = acl.new_pair()
    same(user, "AUTH u pw")
    return user


def test_revoked_channel_drops_subscriber(acl):
    user = _as_user(acl, "+@all", "&a*", "&b*")
    same(user, "SUBSCRIBE a1", "PSUBSCRIBE b*")
    same(acl, "ACL SETUSER u resetchannels &a*", "PUBLISH a1 m", "PUBLISH b1 m")
    for client in user.clients():
        client.sock.settimeout(5)
        assert client.sock.recv(100) == b"", client.name


def test_noperm_commands_and_subcommands(acl):
    user = _as_user(acl, "allkeys", "+get", "+config|get", "+client", "-client|kill",
                    "+select|0", "+@hash", "-hset")
    same(user, "GET k", "SET k v", "CONFIG GET maxclients", "CONFIG SET maxclients 10",
         "CLIENT GETNAME", "CLIENT KILL ID 999999", "SELECT 0", "SELECT 1", "HGET h f",
         "HSET h f v", "ACL WHOAMI", "PING", "ECHO x")


def test_noperm_keys(acl):
    user = _as_user(acl, "+@all", "~k*", "%R~r*", "%W~w*")
    same(user, "SET k1 v", "GET k1", "GET x", "SET r1 v", "GET r1", "SET w1 v", "GET w1",
         "MGET k1 k2", "MGET k1 x", "MSET k1 v x v", "COPY r1 w1", "LMOVE r1 w1 LEFT RIGHT",
         "LMOVE w1 w1 LEFT RIGHT", "DEL k1 w1", "DEL r1", "EXISTS r1 w1 x", "KEYS *",
         "OBJECT ENCODING x", "ZUNIONSTORE k3 2 k1 x", "RENAME k1 x")


@pytest.mark.parametrize("keys", [("~k*",), ("%R~*",), ("~*",), ("%W~*",), ("allkeys",),
                                  ("~k*", "(+sort ~*)")])
def test_sort_by_and_get_need_every_key(acl, keys):
    same(acl, "RPUSH k1 3 1 2", "SET w_1 9", "SET w_2 8", "SET w_3 7")
    user = _as_user(acl, "+@all", *keys)
    same(user, "SORT k1", "SORT k1 BY nosort", "SORT k1 BY w_*", "SORT k1 GET #",
         "SORT k1 BY w_* GET # GET w_*", "SORT_RO k1 GET w_*", "SORT k1 LIMIT 0 1 BY w_*",
         ["EVAL", "return redis.pcall('sort', 'k1', 'by', 'w_*')", "0"])


def test_noperm_channels(acl):
    user = _as_user(acl, "+@all", "allkeys", "&ch*", "&lit*")
    same(user, "PUBLISH ch1 m", "PUBLISH zz m", "SPUBLISH ch1 m", "SPUBLISH zz m")
    same(user, "SUBSCRIBE zz ch1", "PSUBSCRIBE ch1*", "SSUBSCRIBE zz")
    same(user, "PSUBSCRIBE lit*", "PUNSUBSCRIBE lit*", replies=1)
    same(user, "SUBSCRIBE ch1 ch2", replies=2)
    same(user, "UNSUBSCRIBE ch1 ch2", replies=2)


def test_selectors(acl):
    user = _as_user(acl, "~k*", "+get", "(+set ~s*)", "(+hget ~h* %R~r*)")
    same(user, "GET k1", "SET s1 v", "SET k1 v", "GET s1", "HGET h1 f", "HGET r1 f", "HSET h1 f v",
         "MGET k1 s1")
    same(acl, "ACL DRYRUN u GET k1", "ACL DRYRUN u SET k1 v", "ACL DRYRUN u HGET r1 f",
         "ACL DRYRUN u HSET h1 f v", "ACL DRYRUN u MGET k1 s1")


def test_dryrun(acl):
    same(acl, ["ACL", "SETUSER", "u", "on", ">p", "~k*", "%R~r*", "%W~w*", "&ch*", "+@all",
               "-set"],
         "ACL DRYRUN u GET k1", "ACL DRYRUN u GET x1", "ACL DRYRUN u GET w1",
         "ACL DRYRUN u SET k1 v", "ACL DRYRUN u GETSET w1 v", "ACL DRYRUN u MGET k1 x1",
         "ACL DRYRUN u PUBLISH ch1 x", "ACL DRYRUN u PUBLISH zz x",
         "ACL DRYRUN u PSUBSCRIBE ch*", "ACL DRYRUN u PSUBSCRIBE ch1*",
         "ACL DRYRUN u CONFIG GET x", "ACL DRYRUN nosuch GET x", "ACL DRYRUN u nosuchcmd x",
         "ACL DRYRUN u GET", "ACL DRYRUN u CONFIG", "ACL DRYRUN u CONFIG nosuch",
         "ACL DRYRUN u", "ACL DRYRUN u AUTH x", "ACL DRYRUN u COPY r1 w1")


def test_multi_denied_at_queue_time(acl):
    user = _as_user(acl, "allkeys", "+multi", "+exec", "+get", "+discard")
    same(user, "MULTI", "GET k", "SET k v", "GET k", "EXEC", "GET k")
    same(user, "MULTI", "DISCARD")
    denied = _as_user(acl, "allkeys", "+get")
    same(denied, "MULTI", "EXEC")


@pytest.mark.parametrize("revoke", ["-get", "resetkeys"])
def test_rules_changed_before_exec(acl, revoke):
    user = _as_user(acl, "allkeys", "+multi", "+exec", "+get", "+set")
    same(user, "MULTI", "GET k", "SET k v")
    same(acl, ["ACL", "SETUSER", "u", revoke])
    same(user, "EXEC")
    acl.same_by(_log_entries, "ACL LOG 1")


def test_scripts_check_the_callers_permissions(acl):
    user = _as_user(acl, "~k*", "+eval", "+get", "+publish", "&c1")
    same(user, ["EVAL", "return redis.call('set','k1','v')", "0"],
         ["EVAL", "return redis.call('get','zz')", "0"],
         ["EVAL", "return redis.pcall('get','zz')", "0"],
         ["EVAL", "return redis.call('get','k1')", "0"],
         ["EVAL", "return redis.call('publish','c2','m')", "0"],
         ["EVAL", "return redis.call('publish','c1','m')", "0"],
         ["EVAL", "return redis.acl_check_cmd('get','zz')", "0"],
         ["EVAL", "return redis.acl_check_cmd('get','k1')", "0"],
         ["EVAL", "return redis.acl_check_cmd('set','k1','v')", "0"])


def _log_entries(reply):
    """ACL LOG without age-seconds and client-info (they differ by connection and time)."""
    out = []
    for entry in reply:
        fields = dict(zip(entry[::2], entry[1::2]))
        out.append({k: v for k, v in fields.items()
                    if k not in (b"age-seconds", b"client-info")})
        assert set(fields) >= {b"age-seconds", b"client-info"}
    return out


def test_log(acl):
    same(acl, "ACL LOG", "ACL LOG x", "ACL LOG 1 2", "ACL LOG -1")
    user = _as_user(acl, "~k*", "+get", "+multi", "+exec", "+eval", "&c", "+publish")
    same(user, "AUTH u wrong", "AUTH nosuch x", "GET x", "GET x", "SET k v", "PUBLISH zz m",
         "MULTI", "GET y", "EXEC", ["EVAL", "return redis.call('get','z')", "0"])
    acl.same_by(_log_entries, "ACL LOG")
    acl.same_by(_log_entries, "ACL LOG 2")
    same(acl, "ACL LOG RESET", "ACL LOG")


def test_log_client_info_names_the_user(acl):
    user = _as_user(acl, "+get")
    same(user, "GET k")
    for which in ("cairn", "redis"):
        entry = decode(acl.servers.admin(which).call("ACL", "LOG", "1"))[0]
        info = dict(zip(entry[::2], entry[1::2]))[b"client-info"]
        assert b" cmd=get user=u " in info, (which, info)


def test_genpass(acl):
    same(acl, "ACL GENPASS 0", "ACL GENPASS 4097", "ACL GENPASS abc", "ACL GENPASS -5",
         "ACL GENPASS 1 2")
    for bits, length in (("", 64), ("1", 1), ("5", 2), ("128", 32), ("4096", 1024)):
        c, r = acl.both(f"ACL GENPASS {bits}".strip())
        assert len(decode(c)) == len(decode(r)) == length
        int(decode(c), 16)


def test_help_and_errors(acl):
    same(acl, "ACL HELP", "ACL", "ACL nosuch", "ACL WHOAMI x", "ACL LIST x", "ACL USERS x",
         "ACL GETUSER", "ACL SETUSER", "ACL DELUSER", "ACL SAVE", "ACL LOAD")
