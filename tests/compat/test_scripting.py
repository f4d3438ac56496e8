"""Scripting against redis-server: EVAL/EVALSHA/EVAL_RO return conversions (RESP2 and RESP3,
redis.setresp), errors of failing scripts and redis.call, shebang flags, the sandbox's error
texts, the redis.* helpers, the cjson/bit/struct/cmsgpack libraries, and SCRIPT LOAD / EXISTS /
FLUSH / KILL outputs."""

from cairn_compat import same


def ev(script, *args, numkeys=0):
    return ["EVAL", script, str(numkeys), *args]


def test_return_conversions(pair23):
    same(pair23, ev("return 1"), ev("return 3.99"), ev("return -2.5"), ev("return 'x'"),
         ev("return true"), ev("return false"), ev("return nil"),
         ev("return {1, 2, 3.5, 'x', true, false, nil, 5}"), ev("return {}"),
         ev("return {{1, {2, {'deep'}}}, 'a'}"), ev("return {ok='fine'}"),
         ev("return {err='My Error'}"), ev("return {err='x\\ny'}"), ev("return {ok='a\\r\\nb'}"),
         ev("return {double=3.5}"), ev("return {big_number='123456789012345678901234567890'}"),
         ev("return {map={a=1}}"), ev("return {set={a=true}}"),
         ev("return {verbatim_string={format='txt', string='hello'}}"),
         ev("return redis.status_reply('done')"), ev("return redis.error_reply('oops')"),
         ev("return redis.error_reply('-CODE detail')"), ev("return redis.error_reply(1)"),
         ev("return redis.status_reply()"), ev("return {KEYS[1], KEYS[2], ARGV[1]}", "k1", "k2",
                                                    "a1", numkeys=2))


def test_resp3_scripts(pair23):
    same(pair23, "HSET h a 1", "SADD s x", "SET n 5",
         ev("redis.setresp(3) return redis.call('hgetall', 'h')"),
         ev("redis.setresp(3) return redis.call('smembers', 's')"),
         ev("redis.setresp(3) return redis.call('get', 'missing')"),
         ev("redis.setresp(3) return true"), ev("redis.setresp(3) return false"),
         ev("redis.setresp(3) return {double=1.5}"),
         ev("redis.setresp(3) local r = redis.call('hgetall', 'h') return r.map.a"),
         ev("return redis.call('hgetall', 'h')"), ev("return redis.call('get', 'missing')"),
         ev("return type(redis.call('get', 'missing'))"),
         ev("redis.setresp(3) return type(redis.call('get', 'missing'))"),
         ev("return redis.call('incr', 'n')"), ev("return redis.call('set', 'k', 'v')"),
         ev("return redis.setresp(4)"), ev("return redis.setresp()"))


def test_call_arguments_and_numbers(pair):
    same(pair, ev("redis.call('set', 'x', 0.1) return redis.call('get', 'x')"),
         ev("redis.call('set', 'x', 1e20) return redis.call('get', 'x')"),
         ev("redis.call('set', 'x', 42) return redis.call('get', 'x')"),
         ev("return redis.call('set', 'x', {})"), ev("return redis.call('set', 'x', true)"),
         ev("return redis.call()"), ev("return redis.call('nosuch')"),
         ev("return redis.call('get')"), ev("return redis.call('multi')"),
         ev("return redis.call('eval', 'return 1', 0)"), ev("return redis.call('config')"),
         ev("return redis.call('config', 'nosuch')"))


def test_errors(pair):
    same(pair, "SET s abc", ev("return redis.call('incr', 's')"),
         ev("return redis.pcall('incr', 's')"), ev("error('boom')"), ev("\n\nerror('line3')"),
         ev("error({err='CUSTOM thing'})"), ev("error(nil)"), ev("error(42)"),
         ev("local t = nil; return t.x"), ev("return 1 +"), ev("return 1", numkeys=-1),
         ["EVAL", "return 1", "3", "a"], ["EVAL", "return 1", "x"], ["EVAL", "return 1"],
         ev("return redis.pcall('nosuch')"), ev("local r = redis.pcall('incr', 's') return r.err"),
         ["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"], ["EVALSHA", "abc", "0"],
         ev("return redis.sha1hex()"), ev("return redis.log(1)"), ev("return redis.log('x', 'y')"),
         ev("return redis.log(99, 'y')"), ev("return redis.set_repl(9)"),
         ev("return redis.acl_check_cmd('nosuch')"), ev("return redis.acl_check_cmd('get', 'x')"))


def test_math_random_is_redis_generator(pair):
    # Redis's math.random is drand48 seeded by math.randomseed; the sequence continues across
    # scripts and is shared with functions.
    same(pair, ev("math.randomseed(42) return {math.random(1000000), math.random(10, 20)}"),
         ev("return tostring(math.random())"), ev("math.randomseed(-7) return math.random(100)"),
         ev("return math.random(3, 2)"), ev("return math.random(0)"),
         ev("return math.random(1, 2, 3)"), ev("return math.randomseed('x')"),
         fload("redis.register_function('r', function() return math.random(1000) end)", "rnd"),
         ev("math.randomseed(9) return 1"), "FCALL r 0", ev("return math.random(1000)"),
         "FUNCTION DELETE rnd")


def _error_counts(info):
    """INFO errorstats and the calls/failed/rejected counts of INFO commandstats (no times)."""
    text = info.decode() if isinstance(info, bytes) else info
    keep = []
    for line in text.splitlines():
        if line.startswith("cmdstat_"):
            fields = dict(f.split("=") for f in line.split(":", 1)[1].split(","))
            line = line.split(":")[0] + " " + " ".join(
                f"{k}={fields[k]}" for k in ("calls", "rejected_calls", "failed_calls"))
        if line.startswith(("errorstat_", "cmdstat_", "total_error", "unexpected_error")):
            keep.append(line)
    return sorted(keep)


def test_error_statistics_count_each_error_once(pair):
    # An error of redis.call is counted where it arises; the script passing it on does not count
    # it again, and errors of inner commands are charged to those commands, not to EVAL.
    scripts = ["return redis.error_reply('MY err')", "return redis.pcall('incr', 'x', 'y')",
               "return redis.call('lpush', 's', 'y')", "return redis.pcall('lpush', 's', 'y')",
               "error('boom')", "redis.pcall('nosuch') return 1",
               "redis.pcall('lpush', 's', 'y') return 1", "return redis.call('nosuch')"]
    for script in scripts:
        same(pair, "CONFIG RESETSTAT", "SET s v", ev(script))
        pair.same_by(_error_counts, "INFO stats")
        pair.same_by(_error_counts, "INFO errorstats")
        pair.same_by(_error_counts, "INFO commandstats")


def test_read_only_scripts_and_shebang(pair):
    same(pair, ["EVAL_RO", "return redis.call('set', 'a', 'b')", "0"],
         ["EVAL_RO", "return redis.call('get', 'a')", "0"],
         ev("#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')"),
         ev("#!lua flags=no-writes\nreturn redis.call('get', 'a')"),
         ev("#!lua\nreturn redis.call('set', 'a', 'b')"),
         ["EVAL_RO", "#!lua\nreturn 1", "0"], ["EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"],
         ev("#!lua flags=allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2"),
         ev("#!lua flags=bogus\nreturn 1"), ev("#!lua foo=bar\nreturn 1"), ev("#!py\nreturn 1"),
         ev("#!lua"), ev("#!lua flags=\nreturn 3"), "GET a")


def test_sandbox_errors(pair):
    same(pair, ev("x = 1"), ev("return y"), ev("rawset(_G, 'x', 1)"), ev("setmetatable(_G, nil)"),
         ev("string.upper = nil"), ev("redis.call = nil"), ev("cjson.encode = nil"),
         ev("os.exit()"), ev("return io"), ev("return getfenv"), ev("return require"),
         ev("return dofile"), ev("return loadfile"), ev("return debug"), ev("return print"),
         ev("return loadstring('return 1 + 1')()"), ev("return loadstring('y = 1')()"),
         ev("return loadstring(string.dump(function() return 1 end))"),
         ev("return getmetatable(_G)"), ev("return getmetatable('').__index == string"),
         ev("return ('abc'):upper()"), ev("local t = {} setmetatable(t, {}) return 1"),
         ev("local function f() x = 1 end f()"),
         ev("local t = {} for k in pairs(_G) do t[#t + 1] = k end table.sort(t) return t"),
         ev("local t = {} for k in pairs(redis) do t[#t + 1] = k end table.sort(t) return t"),
         ev("return _VERSION"), ev("return redis.REDIS_VERSION"),
         ev("table.insert(_G, 1) return 1"), ev("table.insert(string, 'x') return 1"),
         ev("table.insert(redis, 1, 2) return #redis"), ev("table.remove(math) return 1"),
         ev("table.sort(_G) return 1"), ev("local t = {} table.insert(t, 5) return t"))


def test_libraries(pair):
    same(pair, ev("return cjson.encode({1, 2, 'x'})"),
         ev("return cjson.encode({a = {b = true}})"),
         ev("local t = cjson.decode('{\"a\":[1,2,{\"b\":null}]}') return {t.a[1], t.a[2]}"),
         ev("return cjson.decode('[1,')"), ev("return bit.band(0xff, 0x0f)"),
         ev("return bit.tohex(65535)"), ev("return bit.bxor(5, 3)"),
         ev("return bit.lshift(1, 40)"))


STRUCT_AND_MSGPACK = [
    "return cmsgpack.pack({1,2,3}, 'abc', {a=1}, 3.5, 0.1, -1, -200, 70000, 2^40, -2^40, true, "
    "false, nil)",
    "return {cmsgpack.unpack(cmsgpack.pack({1,{2,{3}}, 'x', -5, 1.5, {k='v'}}))}",
    "return cmsgpack.unpack(cmsgpack.pack({a=1, b={c=2}})).b.c",
    "return cmsgpack.pack()", "return cmsgpack.unpack(string.char(0x91))",
    "return cmsgpack.unpack(string.char(0xc1))",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3))}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 2)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}",
    "return cmsgpack.pack(string.rep('x', 40), string.rep('y', 300), string.rep('z', 70000))",
    "local t = {} for i = 1, 20 do t[i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 20 do t['k' .. i] = i end "
    "return #cmsgpack.pack(t) .. ':' .. cmsgpack.unpack(cmsgpack.pack(t)).k7",
    "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
    "return struct.pack('>I2', 258)", "return {struct.unpack('<i4h', struct.pack('<i4h', -5, 300))}",
    "return struct.size('!4bi')", "return struct.pack('s', 'ab')",
    "return {struct.unpack('b c0', struct.pack('b c0', 3, 'xyz'))}", "return struct.pack('q', 1)",
    "return {struct.unpack('>I8', 'short')}", "return struct.pack('i40', 1)",
    "return struct.pack('d', 1.5)", "return {struct.unpack('d', struct.pack('d', 1.5))}",
    "return {struct.unpack('>hBxl', struct.pack('>hBxl', -2, 255, 123456789))}",
    "return struct.pack('!8bd', 1, 2.5)", "return {struct.unpack('s', 'abc')}",
]


def test_struct_and_cmsgpack(pair):
    same(pair, *[ev(s) for s in STRUCT_AND_MSGPACK])


def test_script_management(pair):
    sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"  # sha1("return 1")
    same(pair, ["SCRIPT", "LOAD", "return 1"], ["SCRIPT", "EXISTS", sha, "abc", sha.upper()],
         ["EVALSHA", sha, "0"], ["EVALSHA", sha.upper(), "0"], ["EVALSHA_RO", sha, "0"],
         ["SCRIPT", "LOAD", "return +"], ["SCRIPT", "LOAD", "#!lua flags=x\nreturn 1"],
         "SCRIPT FLUSH", ["SCRIPT", "EXISTS", sha], "SCRIPT FLUSH ASYNC", "SCRIPT FLUSH SYNC",
         "SCRIPT FLUSH foo", "SCRIPT FLUSH sync async", "SCRIPT KILL", "SCRIPT HELP",
         "SCRIPT NOSUCH", "SCRIPT", ["SCRIPT", "EXISTS"], ["SCRIPT", "LOAD"],
         ev("return 7"), ["SCRIPT", "EXISTS", "5f5c1e6b2bfcfbb3e5c5bc3a8a6a3d1d0c8e3f2a"])


def test_script_writes_and_select(pair):
    same(pair, ev("redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", "k",
                  "v", numkeys=1),
         ev("redis.call('select', 1) redis.call('set', 'in1', 'x') return redis.call('dbsize')"),
         "GET in1", "SELECT 1", "GET in1", "SELECT 0",
         ev("return redis.call('blpop', 'nolist', 0)"),
         ev("return redis.call('blmpop', 0, 1, 'nolist', 'LEFT')"),
         ev("redis.call('rpush', 'l', 'a') return redis.call('blmpop', 0, 1, 'l', 'LEFT')"))


LIB1 = ("#!lua name=lib1\n"
        "redis.register_function('f', function(keys, args) return {keys, args} end)\n"
        "redis.register_function{function_name='g', callback=function() "
        "return redis.call('set', 'x', '1') end, flags={'no-writes'}, description='desc'}\n")
LIB2 = ("#!lua name=lib2\n"
        "redis.register_function{function_name='w', callback=function(keys, args) "
        "redis.call('set', keys[1], args[1]) return redis.call('get', keys[1]) end, "
        "flags={'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}\n")


def fload(body, name="lib2", replace=False):
    return ["FUNCTION", "LOAD", *(["REPLACE"] if replace else []), f"#!lua name={name}\n{body}"]


def test_function_load_errors(pair):
    same(pair, "FUNCTION FLUSH", ["FUNCTION", "LOAD", "return 1"],
         ["FUNCTION", "LOAD", "#!lua\nreturn 1"], ["FUNCTION", "LOAD", "#!lua name=lib1\nreturn 1"],
         ["FUNCTION", "LOAD", "#!lua name=lib1 foo=bar\nreturn 1"],
         ["FUNCTION", "LOAD", "#!lua name=a name=b\n"], ["FUNCTION", "LOAD", "#!foo name=zz\n"],
         ["FUNCTION", "LOAD", "#!lua name=x"], ["FUNCTION", "LOAD", "#!lua name=lib-1\nreturn 1"],
         ["FUNCTION", "LOAD", LIB1], ["FUNCTION", "LOAD", LIB1],
         fload("redis.register_function('f', function() return 1 end)"),
         fload("redis.register_function('f-x', function() return 1 end)"),
         fload("redis.call('set','a','b')"), fload("error('x')"), fload("return 1 +"),
         fload("redis.register_function('h', 5)"),
         fload("redis.register_function{function_name='h', callback=function() end, flags={'x'}}"),
         fload("redis.register_function{function_name='h', callback=function() end, foo=1}"),
         fload("redis.register_function{function_name=1, callback=function() end}"),
         fload("redis.register_function{callback=function() end}"),
         fload("redis.register_function{function_name='h'}"),
         fload("redis.register_function('h')"), fload("redis.register_function(1, 2, 3)"),
         fload("redis.register_function(1, function() end)"),
         fload("local f = function() end redis.register_function('h', f) "
               "redis.register_function('h', f)"),
         fload("x = 1"), fload("redis.x = 1"), fload("local s = string"),
         fload("redis.log(redis.LOG_NOTICE, 'loading') local v = redis.REDIS_VERSION "
               "redis.register_function('ok', function() return v end)"),
         ["FCALL", "ok", "0"], ["FUNCTION", "LOAD", "REPLACE"], ["FUNCTION", "LOAD", "X", "Y"])


def test_fcall(pair):
    same(pair, "FUNCTION FLUSH", ["FUNCTION", "LOAD", LIB1], ["FUNCTION", "LOAD", LIB2],
         "FCALL f 2 a b c", "FCALL g 0", "FCALL_RO g 0", "FCALL_RO f 0", "FCALL nosuch 0",
         "FCALL f -1", "FCALL f 5", "FCALL f x", "FCALL w 1 k v", "FCALL_RO w 1 k v",
         fload("redis.register_function('probe', function(k, a) return KEYS end)", "lib3"),
         "FCALL probe 0",
         fload("redis.register_function('probe2', function(k, a) x = 1 end)", "lib4"),
         "FCALL probe2 0",
         fload("redis.register_function('probe3', function() error('boom') end)", "lib5"),
         "FCALL probe3 0",
         fload("redis.register_function('probe4', function() return redis.register_function "
               "end)", "lib6"), "FCALL probe4 0",
         fload("redis.register_function('probe5', function() "
               "return {cjson.encode({1}), type(redis.call), string.upper('a')} end)", "lib7"),
         "FCALL probe5 0", "FUNCTION DELETE lib3", "FCALL probe 0", "FUNCTION DELETE nosuch")


def test_function_management(pair):
    # Functions of a library come in hash order in Redis: compare those replies sorted.
    same(pair, "FUNCTION FLUSH", ["FUNCTION", "LOAD", LIB1])
    for listing in ("FUNCTION LIST", "FUNCTION LIST WITHCODE", "FUNCTION LIST LIBRARYNAME lib*"):
        pair.same_sorted(listing)
    same(pair, "FUNCTION LIST LIBRARYNAME x",
         "FUNCTION LIST foo", "FUNCTION LIST LIBRARYNAME", "FUNCTION LIST WITHCODE WITHCODE",
         "FUNCTION LIST LIBRARYNAME a LIBRARYNAME b", "FUNCTION STATS", "FUNCTION KILL",
         "FUNCTION DUMP", "FUNCTION RESTORE", "FUNCTION RESTORE abc foo", "FUNCTION RESTORE abc",
         "FUNCTION FLUSH foo", "FUNCTION DELETE", "FUNCTION HELP",
         ["FUNCTION", "LOAD", "REPLACE", LIB1.replace("'desc'", "'new'")])
    pair.same_sorted("FUNCTION LIST")
    same(pair,
         ["FUNCTION", "LOAD", "#!LUA name=zz\nredis.register_function('zf', function() "
          "return 1 end)"], "FCALL zf 0", "FUNCTION DELETE zz", "FUNCTION FLUSH ASYNC",
         "FUNCTION LIST", "FUNCTION STATS")


def test_function_dump_restore(pair):
    same(pair, "FUNCTION FLUSH", ["FUNCTION", "LOAD", LIB1])
    payload = same(pair, "FUNCTION DUMP")
    body = payload.split(b"\r\n", 1)[1][:-2]
    same(pair, ["FUNCTION", "RESTORE", body], ["FUNCTION", "RESTORE", body, "REPLACE"],
         "FUNCTION FLUSH", ["FUNCTION", "RESTORE", body], "FCALL f 1 a b",
         ["FUNCTION", "RESTORE", body, "FLUSH"], "FUNCTION LIST LIBRARYNAME nothing",
         ["FUNCTION", "RESTORE", body[:-1] + b"x"], ["FUNCTION", "RESTORE", b"\x00" + body[1:]])


def test_command_metadata(pair):
    for name in ("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"):
        same(pair, ["COMMAND", "INFO", name])
    pair.same_sorted("COMMAND INFO script")
    pair.same_sorted("COMMAND INFO function")
    same(pair, ["COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"],
         ["COMMAND", "GETKEYS", "FCALL", "f", "1", "a", "b"],
         ["COMMAND", "GETKEYS", "EVAL", "return 1", "0"])
