// The sandbox. Redis 7.0 builds its Lua with read-only tables; Debian's Lua 5.1 has none, so the
// globals and every library table are replaced by empty proxies whose metatable reads through to
// the real table and refuses writes ("Attempt to modify a readonly table"). The raw functions
// (rawset, rawget, next, pairs, ipairs, setmetatable, getmetatable) are wrapped so that they see
// through proxies for reading and refuse to write through them, and never hand out the real
// table. Reading an undefined global from script code errors as Redis does. loadstring/load
// refuse precompiled chunks (crafted bytecode can break out of any Lua sandbox).
#include <cstring>
#include <string>

#include "dataplane/scripting/lua_internal.h"

namespace cairn::scripting {
namespace {

constexpr char kProxiesKey[] = "cairn.proxies";  // weak: proxy -> real table
constexpr char kReadonlyError[] = "Attempt to modify a readonly table";

// Pushes the real table behind the proxy at `index` and returns true, or pushes nothing.
bool PushReal(lua_State* lua, int index) {
  if (!lua_istable(lua, index)) {
    return false;
  }
  lua_getfield(lua, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(lua, index);
  lua_rawget(lua, -2);
  lua_remove(lua, -2);
  if (lua_isnil(lua, -1)) {
    lua_pop(lua, 1);
    return false;
  }
  return true;
}

// Replaces argument `index` by its real table when it is a proxy.
void Unwrap(lua_State* lua, int index) {
  if (PushReal(lua, index)) {
    lua_replace(lua, index);
  }
}

std::string KeyText(lua_State* lua, int index) {
  if (lua_type(lua, index) == LUA_TSTRING || lua_type(lua, index) == LUA_TNUMBER) {
    return lua_tostring(lua, index);
  }
  return lua_typename(lua, lua_type(lua, index));
}

}  // namespace

int RaiseIfUndefinedGlobal(lua_State* lua, int key) {
  lua_Debug ar;
  if (lua_getstack(lua, 1, &ar) == 0 || lua_getinfo(lua, "S", &ar) == 0 ||
      std::strcmp(ar.what, "C") == 0) {
    return 1;  // read from C (a library looking a name up): nil, no error
  }
  luaL_where(lua, 1);
  {  // destroyed before lua_error, which longjmps past C++ destructors
    std::string msg =
        "Script attempted to access nonexistent global variable '" + KeyText(lua, key) + "'";
    lua_pushlstring(lua, msg.data(), msg.size());
  }
  lua_concat(lua, 2);
  return lua_error(lua);
}

int ReadonlyNewIndex(lua_State* lua) {
  luaL_where(lua, 1);
  lua_pushstring(lua, kReadonlyError);
  lua_concat(lua, 2);
  return lua_error(lua);
}

namespace {

// __index of a proxy: upvalue 1 the real table, upvalue 2 true for the globals (strict).
int ProxyIndex(lua_State* lua) {
  lua_pushvalue(lua, 2);
  lua_rawget(lua, lua_upvalueindex(1));
  if (lua_isnil(lua, -1) && lua_toboolean(lua, lua_upvalueindex(2))) {
    return RaiseIfUndefinedGlobal(lua, 2);
  }
  return 1;
}

// Raised from inside a raw function (rawset, setmetatable): no position, as Redis's lua_rawset.
int ReadonlyError(lua_State* lua) {
  lua_pushstring(lua, kReadonlyError);
  return lua_error(lua);
}

// Replaces the table at the top of the stack by a read-only proxy of it.
void MakeProxy(lua_State* lua, bool strict) {
  int real = lua_gettop(lua);
  lua_newtable(lua);  // proxy
  lua_newtable(lua);  // its metatable
  lua_pushvalue(lua, real);
  lua_pushboolean(lua, strict ? 1 : 0);
  lua_pushcclosure(lua, ProxyIndex, 2);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyNewIndex);
  lua_setfield(lua, -2, "__newindex");
  lua_setmetatable(lua, -2);
  lua_getfield(lua, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(lua, -2);
  lua_pushvalue(lua, real);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
  lua_replace(lua, real);
}

bool IsProxy(lua_State* lua, int index) {
  if (PushReal(lua, index)) {
    lua_pop(lua, 1);
    return true;
  }
  return false;
}

int SafeRawset(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checkany(lua, 2);
  luaL_checkany(lua, 3);
  if (IsProxy(lua, 1)) {
    return ReadonlyError(lua);
  }
  lua_settop(lua, 3);
  lua_rawset(lua, 1);
  return 1;
}

// Calls the original function (upvalue 1) with every argument, real tables for proxies at
// argument 1 when `unwrap`.
int CallOriginal(lua_State* lua) {
  int n = lua_gettop(lua);
  lua_pushvalue(lua, lua_upvalueindex(1));
  lua_insert(lua, 1);
  lua_call(lua, n, LUA_MULTRET);
  return lua_gettop(lua);
}

// setmetatable and table.insert: refused on a proxy, else the original (upvalue 1).
int SafeSetmetatable(lua_State* lua) {
  if (IsProxy(lua, 1)) {
    return ReadonlyError(lua);
  }
  return CallOriginal(lua);
}

// getmetatable(_G) is an empty read-only table (Redis's _G has a metatable it does not show);
// library tables have none.
int SafeGetmetatable(lua_State* lua) {
  if (IsProxy(lua, 1)) {
    if (lua_rawequal(lua, 1, LUA_GLOBALSINDEX)) {
      lua_newtable(lua);
      MakeProxy(lua, false);
    } else {
      lua_pushnil(lua);
    }
    return 1;
  }
  return CallOriginal(lua);
}

int SafeRawget(lua_State* lua) {
  Unwrap(lua, 1);
  return CallOriginal(lua);
}

int SafeNext(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  Unwrap(lua, 1);
  lua_settop(lua, 2);
  if (lua_next(lua, 1) != 0) {
    return 2;
  }
  lua_pushnil(lua);
  return 1;
}

int SafePairs(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_pushvalue(lua, lua_upvalueindex(1));  // SafeNext
  lua_pushvalue(lua, 1);
  lua_pushnil(lua);
  return 3;
}

int IpairsStep(lua_State* lua) {
  lua_Integer i = luaL_checkinteger(lua, 2) + 1;
  luaL_checktype(lua, 1, LUA_TTABLE);
  Unwrap(lua, 1);
  lua_pushinteger(lua, i);
  lua_rawgeti(lua, 1, static_cast<int>(i));
  return lua_isnil(lua, -1) ? 0 : 2;
}

int SafeIpairs(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_pushcfunction(lua, IpairsStep);
  lua_pushvalue(lua, 1);
  lua_pushinteger(lua, 0);
  return 3;
}

// loadstring(s [, name]) without precompiled chunks.
int SafeLoadstring(lua_State* lua) {
  size_t len = 0;
  const char* s = luaL_checklstring(lua, 1, &len);
  const char* name = luaL_optstring(lua, 2, s);
  if (len > 0 && s[0] == LUA_SIGNATURE[0]) {
    lua_pushnil(lua);
    lua_pushstring(lua, "precompiled chunks are not accepted");
    return 2;
  }
  if (luaL_loadbuffer(lua, s, len, name) != 0) {
    lua_pushnil(lua);
    lua_insert(lua, -2);
    return 2;
  }
  return 1;
}

// load(f [, name]): gathers the pieces `f` returns, then loads them as loadstring does.
int SafeLoad(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(lua, 2, "=(load)");
  luaL_Buffer buffer;
  luaL_buffinit(lua, &buffer);
  for (;;) {
    lua_pushvalue(lua, 1);
    lua_call(lua, 0, 1);
    if (lua_isnil(lua, -1) || (lua_isstring(lua, -1) && lua_objlen(lua, -1) == 0)) {
      lua_pop(lua, 1);
      break;
    }
    if (!lua_isstring(lua, -1)) {
      return luaL_error(lua, "reader function must return a string");
    }
    luaL_addvalue(&buffer);
  }
  luaL_pushresult(&buffer);
  lua_pushcfunction(lua, SafeLoadstring);
  lua_insert(lua, -2);
  lua_pushstring(lua, name);
  lua_call(lua, 2, 2);
  return lua_isnil(lua, -2) ? 2 : 1;
}

void Wrap(lua_State* lua, const char* name, lua_CFunction fn) {
  lua_getglobal(lua, name);
  lua_pushcclosure(lua, fn, 1);
  lua_setglobal(lua, name);
}

}  // namespace

void MakeReadonly(lua_State* lua, bool strict) {
  MakeProxy(lua, strict);
}

void InstallSandbox(lua_State* lua) {
  lua_newtable(lua);
  lua_newtable(lua);
  lua_pushstring(lua, "k");
  lua_setfield(lua, -2, "__mode");
  lua_setmetatable(lua, -2);
  lua_setfield(lua, LUA_REGISTRYINDEX, kProxiesKey);

  // table.insert writes with raw access (lua_rawseti): into a proxy it would store values that
  // outlive the script, where Redis's read-only tables refuse. (table.remove and table.sort
  // write only within #t, which is 0 for a proxy.)
  lua_getglobal(lua, "table");
  lua_getfield(lua, -1, "insert");
  lua_pushcclosure(lua, SafeSetmetatable, 1);  // refuses a proxy, else calls the original
  lua_setfield(lua, -2, "insert");
  lua_pop(lua, 1);
  for (const char* name :
       {"string", "math", "table", "coroutine", "bit", "cjson", "struct", "cmsgpack", "redis"}) {
    lua_getglobal(lua, name);
    if (lua_istable(lua, -1)) {
      MakeProxy(lua, false);
      lua_setglobal(lua, name);
    } else {
      lua_pop(lua, 1);
    }
  }
  // ("x"):upper() goes through the string proxy; getmetatable("") gives a read-only copy.
  lua_pushliteral(lua, "");
  lua_getmetatable(lua, -1);
  lua_getglobal(lua, "string");
  lua_setfield(lua, -2, "__index");
  lua_pushvalue(lua, -1);
  MakeProxy(lua, false);
  lua_setfield(lua, -2, "__metatable");
  lua_pop(lua, 2);

  Wrap(lua, "setmetatable", SafeSetmetatable);
  Wrap(lua, "getmetatable", SafeGetmetatable);
  Wrap(lua, "rawget", SafeRawget);
  lua_register(lua, "rawset", SafeRawset);
  lua_register(lua, "next", SafeNext);
  lua_pushcfunction(lua, SafeNext);
  lua_pushcclosure(lua, SafePairs, 1);
  lua_setglobal(lua, "pairs");
  lua_register(lua, "ipairs", SafeIpairs);
  lua_register(lua, "loadstring", SafeLoadstring);
  lua_register(lua, "load", SafeLoad);

  lua_pushvalue(lua, LUA_GLOBALSINDEX);
  MakeProxy(lua, true);
  lua_pushvalue(lua, -1);
  lua_setglobal(lua, "_G");  // the real table's _G is the proxy
  lua_replace(lua, LUA_GLOBALSINDEX);
}

}  // namespace cairn::scripting
