"""Hash commands against redis-server: HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS
HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, encodings and WRONGTYPE."""

from cairn_compat import same

BIG = "9223372036854775807"


def test_set_get(pair23):
    same(pair23, "HSET h a 1 b 2", "HSET h a 3", "HGET h a", "HGET h x", "HGET missing a",
         "HMGET h a x b", "HMGET missing a", "HSETNX h a 9", "HSETNX h c 9", "HMSET h d 4 e 5",
         "HLEN h", "HLEN missing", "HSTRLEN h a", "HSTRLEN h x", "HSTRLEN missing x",
         "HEXISTS h a", "HEXISTS h x", "HEXISTS missing a", "HSET h a", "HMSET h a 1 b",
         "HSET h", ["HSET", "h", "", ""], ["HGET", "h", ""])


def test_getall_order_and_del(pair23):
    same(pair23, "HSET h f1 v1 f2 v2 f3 v3", "HKEYS h", "HVALS h", "HGETALL h", "HDEL h f2 x",
         "HGETALL h", "HKEYS missing", "HVALS missing", "HGETALL missing", "HDEL h f1 f3",
         "EXISTS h", "HDEL missing a")


def test_counters(pair):
    same(pair, "HINCRBY h n 5", "HINCRBY h n -10", f"HINCRBY h n {BIG}", "HINCRBY h n x",
         "HINCRBY h n 1.5", "HSET h s abc", "HINCRBY h s 1", "HINCRBYFLOAT h f 1.5",
         "HINCRBYFLOAT h f 1e3", "HINCRBYFLOAT h f -0.0001", "HINCRBYFLOAT h s 1",
         "HINCRBYFLOAT h f x", "HINCRBYFLOAT h f inf", "HINCRBYFLOAT h f nan",
         "HSET h big 1.7976931348623157e308", "HINCRBYFLOAT h big 1.7976931348623157e308",
         "HINCRBY h f 1", "OBJECT ENCODING h", "HINCRBY newkey n 1",
         "HINCRBYFLOAT newkey2 n 2.5")
    pair.same_sorted("HGETALL h")


def test_encoding_thresholds(pair):
    pair.servers.config_set("hash-max-listpack-entries", "4")
    pair.servers.config_set("hash-max-listpack-value", "8")
    same(pair, "HSET h a 1 b 2 c 3 d 4", "OBJECT ENCODING h", "HSET h e 5", "OBJECT ENCODING h",
         "HSET g a 123456789", "OBJECT ENCODING g", "HSET k 123456789 a", "OBJECT ENCODING k",
         "HSET j a 12345678", "OBJECT ENCODING j", "CONFIG GET hash-max-ziplist-entries")
    pair.same_sorted("HGETALL h")
    pair.same_sorted("HKEYS h")


def test_randfield(pair23):
    same(pair23, "HRANDFIELD missing", "HRANDFIELD missing 5", "HRANDFIELD missing -5 WITHVALUES",
         "HSET h a 1", "HRANDFIELD h", "HRANDFIELD h 0", "HRANDFIELD h -3", "HRANDFIELD h 3",
         "HRANDFIELD h -2 WITHVALUES", "HRANDFIELD h 2 WITHVALUES", "HRANDFIELD h 1 FOO",
         "HRANDFIELD h 1 WITHVALUES x", "HRANDFIELD h x", "HRANDFIELD h -9223372036854775808")
    same(pair23, "HSET h b 2 c 3 d 4")
    pair23.same_sorted("HRANDFIELD h 10 WITHVALUES")
    pair23.same_by(len, "HRANDFIELD h -20")
    pair23.same_by(len, "HRANDFIELD h 3")


def test_hscan(pair):
    same(pair, "HSCAN missing 0", "HSET h a 1 b 2 ab 3", "HSCAN h 0", "HSCAN h 0 MATCH a*",
         "HSCAN h 0 COUNT 1", "HSCAN h x", "HSCAN h 0 COUNT 0", "HSCAN h 0 COUNT x",
         "HSCAN h 0 FOO bar", "HSCAN h 0 TYPE string", "HSCAN h 0 MATCH", "HSCAN missing x",
         "HSCAN missing 0 FOO")
    pair.servers.config_set("hash-max-listpack-entries", "2")
    same(pair, ["HSET", "big"] + [f"f{i}" for i in range(200) for _ in (0, 1)])
    keys = {}
    for client, name in ((pair.cairn, "cairn"), (pair.redis, "redis")):
        seen, cursor = set(), b"0"
        while True:
            reply = client.value("HSCAN", "big", cursor, "COUNT", "7")
            cursor = reply[0]
            seen.update(reply[1][0::2])
            if cursor == b"0":
                break
        keys[name] = seen
    assert keys["cairn"] == keys["redis"] and len(keys["cairn"]) == 200


def test_wrongtype(pair):
    same(pair, "SET s v", "HSET s a 1", "HSETNX s a 1", "HGET s a", "HMGET s a", "HMSET s a 1",
         "HDEL s a", "HLEN s", "HSTRLEN s a", "HEXISTS s a", "HKEYS s", "HVALS s", "HGETALL s",
         "HINCRBY s a 1", "HINCRBYFLOAT s a 1", "HINCRBY s a x", "HRANDFIELD s",
         "HRANDFIELD s 2", "HSCAN s 0", "GET s")


def test_keyspace_ops(pair):
    same(pair, "HSET h a 1", "TYPE h", "EXPIRE h 100", "TTL h", "RENAME h g", "HGETALL g",
         "COPY g c", "HSET c b 2", "HLEN g", "HLEN c", "MOVE c 2", "SELECT 2", "HGETALL c",
         "SELECT 0", "PERSIST g", "TTL g")
