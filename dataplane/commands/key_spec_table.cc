// Redis 7.0's key specifications of every command it has, as its COMMAND INFO reports them
// (read from redis-server 7.0.15). Commands cairn-server does not register are never looked up.
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dataplane/commands/key_specs.h"

namespace cairn::commands {
namespace {

struct BeginSearch {
  KeySpec::Begin type;
  int index = 0;
  std::string_view keyword;
  int startfrom = 0;
};

struct FindKeys {
  KeySpec::Find type;
  int a = 0;  // lastkey | keynumidx
  int b = 0;  // keystep | firstkey
  int c = 0;  // limit | keystep
};

BeginSearch Index(int index) {
  return {KeySpec::Begin::kIndex, index, {}, 0};
}
BeginSearch Keyword(std::string_view keyword, int startfrom) {
  return {KeySpec::Begin::kKeyword, 0, keyword, startfrom};
}
BeginSearch UnknownBegin() {
  return {KeySpec::Begin::kUnknown};
}
FindKeys Range(int lastkey, int keystep, int limit) {
  return {KeySpec::Find::kRange, lastkey, keystep, limit};
}
FindKeys Keynum(int keynumidx, int firstkey, int keystep) {
  return {KeySpec::Find::kKeynum, keynumidx, firstkey, keystep};
}
FindKeys UnknownFind() {
  return {KeySpec::Find::kUnknown};
}

KeySpec Spec(uint32_t flags, BeginSearch begin, FindKeys find, std::string_view notes = {}) {
  KeySpec s;
  s.flags = flags;
  s.notes = notes;
  s.begin = begin.type;
  s.index = begin.index;
  s.keyword = begin.keyword;
  s.startfrom = begin.startfrom;
  s.find = find.type;
  if (find.type == KeySpec::Find::kRange) {
    s.lastkey = find.a;
    s.keystep = find.b;
    s.limit = find.c;
  } else if (find.type == KeySpec::Find::kKeynum) {
    s.keynumidx = find.a;
    s.firstkey = find.b;
    s.keystep = find.c;
  }
  return s;
}

}  // namespace

const std::unordered_map<std::string_view, std::vector<KeySpec>>& RedisKeySpecTable() {
  static const std::unordered_map<std::string_view, std::vector<KeySpec>> kTable{
      {"append", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"bitcount", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"bitfield",
       {Spec(kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags, Index(1), Range(0, 1, 0),
             "This command allows both access and modification of the key")}},
      {"bitfield_ro", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"bitop",
       {Spec(kKeyOW | kKeyUpdate, Index(2), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(3), Range(-1, 1, 0))}},
      {"bitpos", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"blmove",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0)),
        Spec(kKeyRW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"blmpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(2), Keynum(0, 1, 1))}},
      {"blpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(-2, 1, 0))}},
      {"brpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(-2, 1, 0))}},
      {"brpoplpush",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0)),
        Spec(kKeyRW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"bzmpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(2), Keynum(0, 1, 1))}},
      {"bzpopmax", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(-2, 1, 0))}},
      {"bzpopmin", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(-2, 1, 0))}},
      {"copy",
       {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0)),
        Spec(kKeyOW | kKeyUpdate, Index(2), Range(0, 1, 0))}},
      {"decr", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"decrby", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"del", {Spec(kKeyRM | kKeyDelete, Index(1), Range(-1, 1, 0))}},
      {"dump", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"eval",
       {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(2), Keynum(0, 1, 1),
             "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")}},
      {"eval_ro",
       {Spec(kKeyRO | kKeyAccess, Index(2), Keynum(0, 1, 1),
             "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS")}},
      {"evalsha", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(2), Keynum(0, 1, 1))}},
      {"evalsha_ro", {Spec(kKeyRO | kKeyAccess, Index(2), Keynum(0, 1, 1))}},
      {"exists", {Spec(kKeyRO, Index(1), Range(-1, 1, 0))}},
      {"expire", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"expireat", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"expiretime", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"fcall",
       {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(2), Keynum(0, 1, 1),
             "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")}},
      {"fcall_ro",
       {Spec(kKeyRO | kKeyAccess, Index(2), Keynum(0, 1, 1),
             "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS")}},
      {"geoadd", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"geodist", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"geohash", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"geopos", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"georadius",
       {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0)),
        Spec(kKeyOW | kKeyUpdate, Keyword("STORE", 6), Range(0, 1, 0)),
        Spec(kKeyOW | kKeyUpdate, Keyword("STOREDIST", 6), Range(0, 1, 0))}},
      {"georadius_ro", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"georadiusbymember",
       {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0)),
        Spec(kKeyOW | kKeyUpdate, Keyword("STORE", 5), Range(0, 1, 0)),
        Spec(kKeyOW | kKeyUpdate, Keyword("STOREDIST", 5), Range(0, 1, 0))}},
      {"georadiusbymember_ro", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"geosearch", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"geosearchstore",
       {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Range(0, 1, 0))}},
      {"get", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"getbit", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"getdel", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"getex",
       {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0),
             "RW and UPDATE because it changes the TTL")}},
      {"getrange", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"getset", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"hdel", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"hexists", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"hget", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"hgetall", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"hincrby", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"hincrbyfloat", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"hkeys", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"hlen", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"hmget", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"hmset", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"hrandfield", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"hscan", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"hset", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"hsetnx", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"hstrlen", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"hvals", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"incr", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"incrby", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"incrbyfloat", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"lcs", {Spec(kKeyRO | kKeyAccess, Index(1), Range(1, 1, 0))}},
      {"lindex", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"linsert", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"llen", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"lmove",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0)),
        Spec(kKeyRW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"lmpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Keynum(0, 1, 1))}},
      {"lpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"lpos", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"lpush", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"lpushx", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"lrange", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"lrem", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"lset", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"ltrim", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"memory|usage", {Spec(kKeyRO, Index(2), Range(0, 1, 0))}},
      {"mget", {Spec(kKeyRO | kKeyAccess, Index(1), Range(-1, 1, 0))}},
      {"migrate",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(3), Range(0, 1, 0)),
        Spec(kKeyRW | kKeyAccess | kKeyDelete | kKeyIncomplete, Keyword("KEYS", -2),
             Range(-1, 1, 0))}},
      {"move", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"mset", {Spec(kKeyOW | kKeyUpdate, Index(1), Range(-1, 2, 0))}},
      {"msetnx", {Spec(kKeyOW | kKeyInsert, Index(1), Range(-1, 2, 0))}},
      {"object|encoding", {Spec(kKeyRO, Index(2), Range(0, 1, 0))}},
      {"object|freq", {Spec(kKeyRO, Index(2), Range(0, 1, 0))}},
      {"object|idletime", {Spec(kKeyRO, Index(2), Range(0, 1, 0))}},
      {"object|refcount", {Spec(kKeyRO, Index(2), Range(0, 1, 0))}},
      {"persist", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"pexpire", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"pexpireat", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"pexpiretime", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"pfadd", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"pfcount",
       {Spec(kKeyRW | kKeyAccess, Index(1), Range(-1, 1, 0),
             "RW because it may change the internal representation of the key, and propagate to "
             "replicas")}},
      {"pfdebug", {Spec(kKeyRW | kKeyAccess, Index(2), Range(0, 1, 0))}},
      {"pfmerge",
       {Spec(kKeyRW | kKeyAccess | kKeyInsert, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Range(-1, 1, 0))}},
      {"psetex", {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"pttl", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"rename",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0)),
        Spec(kKeyOW | kKeyUpdate, Index(2), Range(0, 1, 0))}},
      {"renamenx",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0)),
        Spec(kKeyOW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"restore", {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"restore-asking", {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"rpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"rpoplpush",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0)),
        Spec(kKeyRW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"rpush", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"rpushx", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"sadd", {Spec(kKeyRW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"scard", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"sdiff", {Spec(kKeyRO | kKeyAccess, Index(1), Range(-1, 1, 0))}},
      {"sdiffstore",
       {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Range(-1, 1, 0))}},
      {"set",
       {Spec(kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags, Index(1), Range(0, 1, 0),
             "RW and ACCESS due to the optional `GET` argument")}},
      {"setbit", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"setex", {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"setnx", {Spec(kKeyOW | kKeyInsert, Index(1), Range(0, 1, 0))}},
      {"setrange", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"sinter", {Spec(kKeyRO | kKeyAccess, Index(1), Range(-1, 1, 0))}},
      {"sintercard", {Spec(kKeyRO | kKeyAccess, Index(1), Keynum(0, 1, 1))}},
      {"sinterstore",
       {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Range(-1, 1, 0))}},
      {"sismember", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"smembers", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"smismember", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"smove",
       {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0)),
        Spec(kKeyRW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"sort",
       {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, UnknownBegin(), UnknownFind(),
             "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive "
             "from the content of the key we sort"),
        Spec(kKeyOW | kKeyUpdate, UnknownBegin(), UnknownFind(),
             "For the optional STORE keyword. It is marked 'unknown' because the keyword can "
             "appear anywhere in the argument array")}},
      {"sort_ro",
       {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, UnknownBegin(), UnknownFind(),
             "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive "
             "from the content of the key we sort")}},
      {"spop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"spublish", {Spec(kKeyNotKey, Index(1), Range(0, 1, 0))}},
      {"srandmember", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"srem", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"sscan", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"ssubscribe", {Spec(kKeyNotKey, Index(1), Range(-1, 1, 0))}},
      {"strlen", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"substr", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"sunion", {Spec(kKeyRO | kKeyAccess, Index(1), Range(-1, 1, 0))}},
      {"sunionstore",
       {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Range(-1, 1, 0))}},
      {"sunsubscribe", {Spec(kKeyNotKey, Index(1), Range(-1, 1, 0))}},
      {"touch", {Spec(kKeyRO, Index(1), Range(-1, 1, 0))}},
      {"ttl", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"type", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"unlink", {Spec(kKeyRM | kKeyDelete, Index(1), Range(-1, 1, 0))}},
      {"watch", {Spec(kKeyRO, Index(1), Range(-1, 1, 0))}},
      {"xack", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"xadd",
       {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0),
             "UPDATE instead of INSERT because of the optional trimming feature")}},
      {"xautoclaim", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"xclaim", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"xdel", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"xgroup|create", {Spec(kKeyRW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"xgroup|createconsumer", {Spec(kKeyRW | kKeyInsert, Index(2), Range(0, 1, 0))}},
      {"xgroup|delconsumer", {Spec(kKeyRW | kKeyDelete, Index(2), Range(0, 1, 0))}},
      {"xgroup|destroy", {Spec(kKeyRW | kKeyDelete, Index(2), Range(0, 1, 0))}},
      {"xgroup|setid", {Spec(kKeyRW | kKeyUpdate, Index(2), Range(0, 1, 0))}},
      {"xinfo|consumers", {Spec(kKeyRO | kKeyAccess, Index(2), Range(0, 1, 0))}},
      {"xinfo|groups", {Spec(kKeyRO | kKeyAccess, Index(2), Range(0, 1, 0))}},
      {"xinfo|stream", {Spec(kKeyRO | kKeyAccess, Index(2), Range(0, 1, 0))}},
      {"xlen", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"xpending", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"xrange", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"xread", {Spec(kKeyRO | kKeyAccess, Keyword("STREAMS", 1), Range(-1, 1, 2))}},
      {"xreadgroup", {Spec(kKeyRO | kKeyAccess, Keyword("STREAMS", 4), Range(-1, 1, 2))}},
      {"xrevrange", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"xsetid", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"xtrim", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"zadd", {Spec(kKeyRW | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"zcard", {Spec(kKeyRO, Index(1), Range(0, 1, 0))}},
      {"zcount", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zdiff", {Spec(kKeyRO | kKeyAccess, Index(1), Keynum(0, 1, 1))}},
      {"zdiffstore",
       {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Keynum(0, 1, 1))}},
      {"zincrby", {Spec(kKeyRW | kKeyAccess | kKeyUpdate, Index(1), Range(0, 1, 0))}},
      {"zinter", {Spec(kKeyRO | kKeyAccess, Index(1), Keynum(0, 1, 1))}},
      {"zintercard", {Spec(kKeyRO | kKeyAccess, Index(1), Keynum(0, 1, 1))}},
      {"zinterstore",
       {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Keynum(0, 1, 1))}},
      {"zlexcount", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zmpop", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Keynum(0, 1, 1))}},
      {"zmscore", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zpopmax", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"zpopmin", {Spec(kKeyRW | kKeyAccess | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"zrandmember", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrange", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrangebylex", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrangebyscore", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrangestore",
       {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Range(0, 1, 0))}},
      {"zrank", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrem", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"zremrangebylex", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"zremrangebyrank", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"zremrangebyscore", {Spec(kKeyRW | kKeyDelete, Index(1), Range(0, 1, 0))}},
      {"zrevrange", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrevrangebylex", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrevrangebyscore", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zrevrank", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zscan", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zscore", {Spec(kKeyRO | kKeyAccess, Index(1), Range(0, 1, 0))}},
      {"zunion", {Spec(kKeyRO | kKeyAccess, Index(1), Keynum(0, 1, 1))}},
      {"zunionstore",
       {Spec(kKeyOW | kKeyUpdate, Index(1), Range(0, 1, 0)),
        Spec(kKeyRO | kKeyAccess, Index(2), Keynum(0, 1, 1))}},
  };
  return kTable;
}

}  // namespace cairn::commands
