"""Set commands against redis-server: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SPOP
SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN,
intset/hashtable encodings and WRONGTYPE."""

from cairn_compat import same

BIG = "9223372036854775807"


def test_add_remove_membership(pair23):
    same(pair23, "SADD s 3 1 2 2", "SMEMBERS s", "SCARD s", "SISMEMBER s 1", "SISMEMBER s 01",
         "SISMEMBER s x", "SMISMEMBER s 1 x 3", "SMISMEMBER missing a", "SCARD missing",
         "SMEMBERS missing", "SREM s 1 x", "SREM missing a", "SREM s 2 3", "EXISTS s",
         "SADD s -5 70000 9000000000 -9223372036854775808", "SMEMBERS s", "OBJECT ENCODING s")


def test_encodings(pair):
    pair.servers.config_set("set-max-intset-entries", "3")
    same(pair, "SADD s 1 2 3", "OBJECT ENCODING s", "SADD s 4", "OBJECT ENCODING s",
         "SADD t 1 x", "OBJECT ENCODING t", "SADD u 01", "OBJECT ENCODING u", "SADD v +1",
         "OBJECT ENCODING v", "SADD w 9223372036854775808", "OBJECT ENCODING w")
    pair.same_sorted("SMEMBERS s")


def test_algebra(pair23):
    same(pair23, "SADD a 1 2 3 4", "SADD b 3 4 5", "SADD c x 4", "SINTER a b", "SINTER a b c",
         "SINTER a missing", "SDIFF a b", "SDIFF a b c", "SDIFF missing a", "SINTERCARD 2 a b",
         "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 2 a b LIMIT 0", "SINTERCARD 0 a",
         "SINTERCARD x a", "SINTERCARD 3 a b", "SINTERCARD 1 a LIMIT -1", "SINTERCARD 1 a FOO",
         "SINTERCARD 1 a LIMIT", "SINTERCARD 2 a missing", "SINTERSTORE d a b", "SMEMBERS d",
         "OBJECT ENCODING d", "SDIFFSTORE d a b", "SMEMBERS d", "SINTERSTORE d a missing",
         "EXISTS d", "SET str v", "SINTERSTORE str a b", "TYPE str", "SDIFFSTORE e missing a",
         "EXISTS e")
    pair23.same_sorted("SUNION a b c")
    same(pair23, "SUNIONSTORE u a b c", "SCARD u", "OBJECT ENCODING u")
    pair23.same_sorted("SUNION a missing")


def test_pop_and_random(pair23):
    same(pair23, "SPOP missing", "SPOP missing 3", "SRANDMEMBER missing", "SRANDMEMBER missing 3",
         "SRANDMEMBER missing -3", "SADD s a", "SPOP s 0", "SPOP s -1", "SPOP s x",
         "SPOP s 1 2", "SRANDMEMBER s", "SRANDMEMBER s 0", "SRANDMEMBER s -3", "SRANDMEMBER s 3",
         "SRANDMEMBER s x", "SRANDMEMBER s 1 2", "SPOP s", "EXISTS s", "SADD s a", "SPOP s 5",
         "EXISTS s")
    same(pair23, "SADD s 1 2 3 4 5 6 7 8 9 10")
    pair23.same_by(len, "SRANDMEMBER s -30")
    pair23.same_by(len, "SRANDMEMBER s 4")
    pair23.same_by(len, "SPOP s 4")
    same(pair23, "SCARD s")
    pair23.same_by(len, "SPOP s 100")
    same(pair23, "EXISTS s")


def test_smove(pair):
    same(pair, "SADD a 1 2", "SADD b x", "SMOVE a b 1", "SMOVE a b 9", "SMOVE a a 2",
         "SMOVE a a 9", "SMOVE missing b 1", "SMOVE a c 2", "EXISTS a", "SMEMBERS c",
         "SET s v", "SMOVE c s 2", "SMOVE s c 2", "SMOVE missing s 1", "SMEMBERS c")


def test_sscan(pair):
    same(pair, "SSCAN missing 0", "SADD s 1 2 3", "SSCAN s 0", "SSCAN s 0 MATCH 1*",
         "SSCAN s x", "SSCAN s 0 COUNT 0", "SSCAN s 0 TYPE set", "SADD t a b",
         "SSCAN t 0 MATCH a")
    same(pair, ["SADD", "big"] + [f"m{i}" for i in range(300)])
    found = {}
    for client, name in ((pair.cairn, "cairn"), (pair.redis, "redis")):
        seen, cursor = set(), b"0"
        while True:
            reply = client.value("SSCAN", "big", cursor, "COUNT", "20")
            cursor = reply[0]
            seen.update(reply[1])
            if cursor == b"0":
                break
        found[name] = seen
    assert found["cairn"] == found["redis"] and len(found["cairn"]) == 300


def test_wrongtype(pair):
    same(pair, "SET s v", "SADD set a", "SADD s a", "SREM s a", "SCARD s", "SISMEMBER s a",
         "SMISMEMBER s a", "SMEMBERS s", "SPOP s", "SPOP s 2", "SRANDMEMBER s",
         "SRANDMEMBER s 2", "SMOVE s set a", "SMOVE set s a", "SINTER set s", "SINTER s missing",
         "SINTERCARD 2 set s", "SINTERSTORE d set s", "SUNION set s", "SUNIONSTORE d s",
         "SDIFF set s", "SDIFF missing s", "SDIFFSTORE d set s", "SSCAN s 0", "EXISTS d")


def test_keyspace_ops(pair):
    same(pair, "SADD s a b", "TYPE s", "RENAME s t", "SCARD t", "COPY t u", "SADD u c",
         "SCARD t", "SCARD u", "EXPIRE u 100", "TTL u", "DEL t u", "EXISTS t u")
