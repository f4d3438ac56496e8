// Function libraries (Redis 7.0 function_lua.c) on a LuaEngine made for them. A library's code
// runs once at FUNCTION LOAD with only a small `redis` table in reach (register_function, log,
// LOG_*, REDIS_VERSION*); the callbacks it registers later run with the full API, their globals
// read-only like EVAL's, and get (keys, args) tables instead of KEYS/ARGV. Both phases share one
// globals table whose lookups switch between the two APIs, as Redis switches its metatable.
#include <cstring>
#include <string>
#include <vector>

#include "dataplane/scripting/lua_engine.h"
#include "dataplane/scripting/lua_internal.h"

namespace cairn::scripting {
namespace {

constexpr char kLibrariesKey[] = "cairn.libraries";  // library -> {function -> callback}
constexpr char kPendingKey[] = "cairn.pending";      // the load in progress: name -> record
constexpr char kEnvKey[] = "cairn.fenv";             // the shared function globals
constexpr char kLoadApiKey[] = "cairn.loadapi";      // what library code sees while loading
constexpr char kRealGlobalsKey[] = "cairn.globals";
constexpr char kBadName[] =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

bool ValidName(const char* s, size_t len) {
  if (len == 0) {
    return false;
  }
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

int Fail(lua_State* lua, const char* text) {
  PushErrorTable(lua, text);
  return RaiseError(lua);
}

// Reads the flags table at `index` into a ScriptFlag mask; -1 on an unknown flag.
int64_t ReadFlags(lua_State* lua, int index) {
  int64_t flags = 0;
  for (int i = 1;; i++) {
    lua_rawgeti(lua, index, i);
    if (lua_isnil(lua, -1)) {
      lua_pop(lua, 1);
      return flags;
    }
    size_t len = 0;
    const char* s = lua_type(lua, -1) == LUA_TSTRING ? lua_tolstring(lua, -1, &len) : "";
    Result<uint32_t> flag = ParseFlagName(std::string_view(s, len));
    lua_pop(lua, 1);
    if (!flag.ok()) {
      return -1;
    }
    flags |= *flag;
  }
}

// redis.register_function{function_name=, callback=, flags=, description=}: leaves name,
// callback, flags (number), description on the stack (positions 2..5), or returns an error text.
const char* ReadNamedArgs(lua_State* lua) {
  lua_settop(lua, 1);
  lua_pushnil(lua);         // 2 name
  lua_pushnil(lua);         // 3 callback
  lua_pushinteger(lua, 0);  // 4 flags
  lua_pushnil(lua);         // 5 description
  lua_pushnil(lua);
  while (lua_next(lua, 1) != 0) {
    if (lua_type(lua, -2) != LUA_TSTRING) {
      return "named argument key given to redis.register_function is not a string";
    }
    const char* key = lua_tostring(lua, -2);
    int slot = 0;
    if (std::strcmp(key, "function_name") == 0) {
      if (!lua_isstring(lua, -1)) {
        return "function_name argument given to redis.register_function must be a string";
      }
      slot = 2;
    } else if (std::strcmp(key, "description") == 0) {
      if (!lua_isstring(lua, -1)) {
        return "description argument given to redis.register_function must be a string";
      }
      slot = 5;
    } else if (std::strcmp(key, "callback") == 0) {
      if (lua_type(lua, -1) != LUA_TFUNCTION) {
        return "callback argument given to redis.register_function must be a function";
      }
      slot = 3;
    } else if (std::strcmp(key, "flags") == 0) {
      if (lua_type(lua, -1) != LUA_TTABLE) {
        return "flags argument to redis.register_function must be a table representing "
               "function flags";
      }
      int64_t flags = ReadFlags(lua, lua_gettop(lua));
      if (flags < 0) {
        return "unknown flag given";
      }
      lua_pop(lua, 1);
      lua_pushinteger(lua, static_cast<lua_Integer>(flags));
      slot = 4;
    } else {
      return "unknown argument given to redis.register_function";
    }
    lua_replace(lua, slot);
  }
  if (lua_isnil(lua, 2)) {
    return "redis.register_function must get a function name argument";
  }
  if (lua_isnil(lua, 3)) {
    return "redis.register_function must get a callback argument";
  }
  return nullptr;
}

const char* ReadArgs(lua_State* lua) {
  int argc = lua_gettop(lua);
  if (argc < 1 || argc > 2) {
    return "wrong number of arguments to redis.register_function";
  }
  if (argc == 1) {
    if (lua_type(lua, 1) != LUA_TTABLE) {
      return "calling redis.register_function with a single argument is only applicable to Lua "
             "table (representing named arguments).";
    }
    return ReadNamedArgs(lua);
  }
  if (!lua_isstring(lua, 1)) {
    return "first argument to redis.register_function must be a string";
  }
  if (lua_type(lua, 2) != LUA_TFUNCTION) {
    return "second argument to redis.register_function must be a function";
  }
  lua_pushnil(lua);
  lua_insert(lua, 1);  // 1 placeholder, 2 name, 3 callback
  lua_pushinteger(lua, 0);
  lua_pushnil(lua);
  return nullptr;
}

int RegisterFunction(lua_State* lua) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kPendingKey);
  bool loading = lua_istable(lua, -1);
  lua_pop(lua, 1);
  if (!loading) {
    return Fail(lua, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  const char* error = ReadArgs(lua);
  if (error != nullptr) {
    return Fail(lua, error);
  }
  size_t len = 0;
  const char* name = lua_tolstring(lua, 2, &len);
  if (!ValidName(name, len)) {
    return Fail(lua, kBadName);
  }
  lua_getfield(lua, LUA_REGISTRYINDEX, kPendingKey);
  lua_pushvalue(lua, 2);
  lua_rawget(lua, -2);
  if (!lua_isnil(lua, -1)) {
    return Fail(lua, "Function already exists in the library");
  }
  lua_pop(lua, 1);
  lua_pushvalue(lua, 2);
  lua_createtable(lua, 0, 3);
  lua_pushvalue(lua, 3);
  lua_setfield(lua, -2, "callback");
  lua_pushvalue(lua, 4);
  lua_setfield(lua, -2, "flags");
  lua_pushvalue(lua, 5);
  lua_setfield(lua, -2, "description");
  lua_rawset(lua, -3);
  return 0;
}

// Globals of library code: upvalue 1 holds {target table, strict} switched between the load API
// and the real globals.
int EnvIndex(lua_State* lua) {
  lua_rawgeti(lua, lua_upvalueindex(1), 1);
  lua_pushvalue(lua, 2);
  lua_rawget(lua, -2);
  if (!lua_isnil(lua, -1)) {
    return 1;
  }
  return RaiseIfUndefinedGlobal(lua, 2);
}

void SetEnvTarget(lua_State* lua, const char* registry_key) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kEnvKey);
  lua_getmetatable(lua, -1);
  lua_getfield(lua, -1, "holder");
  lua_getfield(lua, LUA_REGISTRYINDEX, registry_key);
  lua_rawseti(lua, -2, 1);
  lua_pop(lua, 3);
}

}  // namespace

void InstallFunctionEnvironment(lua_State* lua) {
  lua_newtable(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, kLibrariesKey);
  // The load API: {redis = read-only {register_function, log, LOG_*, REDIS_VERSION*}}.
  lua_newtable(lua);  // load api
  lua_newtable(lua);  // its redis
  lua_pushcfunction(lua, RegisterFunction);
  lua_setfield(lua, -2, "register_function");
  lua_getfield(lua, LUA_REGISTRYINDEX, kRealGlobalsKey);
  lua_getfield(lua, -1, "redis");
  for (const char* field : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                            "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(lua, -1, field);
    lua_setfield(lua, -4, field);
  }
  lua_pop(lua, 2);
  MakeReadonly(lua, true);
  lua_setfield(lua, -2, "redis");
  lua_setfield(lua, LUA_REGISTRYINDEX, kLoadApiKey);
  // The shared globals: an empty table reading through the holder's target.
  lua_newtable(lua);  // env
  lua_newtable(lua);  // metatable
  lua_newtable(lua);  // holder
  lua_pushvalue(lua, -1);
  lua_setfield(lua, -3, "holder");
  lua_pushcclosure(lua, EnvIndex, 1);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyNewIndex);
  lua_setfield(lua, -2, "__newindex");
  lua_setmetatable(lua, -2);
  lua_setfield(lua, LUA_REGISTRYINDEX, kEnvKey);
  SetEnvTarget(lua, kRealGlobalsKey);
}

Status LuaEngine::LoadLibrary(std::string_view code, std::vector<RegisteredFunction>* out) {
  CAIRN_RETURN_IF_ERROR(LoadChunk(code, "@user_function", "ERR Error compiling function: "));
  lua_getfield(lua_, LUA_REGISTRYINDEX, kEnvKey);
  lua_setfenv(lua_, -2);
  lua_newtable(lua_);
  lua_setfield(lua_, LUA_REGISTRYINDEX, kPendingKey);
  SetEnvTarget(lua_, kLoadApiKey);
  int base = lua_gettop(lua_);
  lua_pushcfunction(lua_, ErrorHandler);
  lua_insert(lua_, base);
  load_deadline_us_ = MonotonicUs() + kLoadTimeoutUs;
  lua_sethook(lua_, &LuaEngine::Hook, LUA_MASKCOUNT, kHookInstructions);
  int rc = lua_pcall(lua_, 0, 0, base);
  load_deadline_us_ = 0;
  lua_sethook(lua_, nullptr, 0, 0);
  SetEnvTarget(lua_, kRealGlobalsKey);
  if (rc != 0) {
    std::string error = "unknown error";
    if (lua_istable(lua_, -1)) {
      lua_getfield(lua_, -1, "err");
      error = lua_isstring(lua_, -1) ? lua_tostring(lua_, -1) : error;
      lua_pop(lua_, 1);
    } else if (lua_isstring(lua_, -1)) {
      error = lua_tostring(lua_, -1);
    }
    lua_settop(lua_, base - 1);
    AbortLibrary();
    return Status::InvalidArgument("ERR Error registering functions: " + error);
  }
  lua_settop(lua_, base - 1);
  lua_getfield(lua_, LUA_REGISTRYINDEX, kPendingKey);
  lua_pushnil(lua_);
  while (lua_next(lua_, -2) != 0) {
    RegisteredFunction f;
    f.name = lua_tostring(lua_, -2);
    lua_getfield(lua_, -1, "flags");
    f.flags = static_cast<uint32_t>(lua_tointeger(lua_, -1));
    lua_getfield(lua_, -2, "description");
    f.has_description = lua_isstring(lua_, -1) != 0;
    f.description = f.has_description ? lua_tostring(lua_, -1) : "";
    lua_pop(lua_, 3);
    out->push_back(std::move(f));
  }
  lua_pop(lua_, 1);
  return Status::Ok();
}

void LuaEngine::CommitLibrary(const std::string& library) {
  lua_getfield(lua_, LUA_REGISTRYINDEX, kLibrariesKey);
  lua_newtable(lua_);
  lua_getfield(lua_, LUA_REGISTRYINDEX, kPendingKey);
  lua_pushnil(lua_);
  while (lua_next(lua_, -2) != 0) {
    lua_getfield(lua_, -1, "callback");
    lua_pushvalue(lua_, -3);
    lua_insert(lua_, -2);
    lua_rawset(lua_, -6);  // functions[name] = callback
    lua_pop(lua_, 1);
  }
  lua_pop(lua_, 1);
  lua_setfield(lua_, -2, library.c_str());
  lua_pop(lua_, 1);
  AbortLibrary();
}

void LuaEngine::AbortLibrary() {
  lua_pushnil(lua_);
  lua_setfield(lua_, LUA_REGISTRYINDEX, kPendingKey);
}

void LuaEngine::DropLibrary(const std::string& library) {
  lua_getfield(lua_, LUA_REGISTRYINDEX, kLibrariesKey);
  lua_pushnil(lua_);
  lua_setfield(lua_, -2, library.c_str());
  lua_pop(lua_, 1);
}

void LuaEngine::CallFunction(const std::string& library, const std::string& function,
                             const std::vector<std::string_view>& keys,
                             const std::vector<std::string_view>& args, ScriptHost& host,
                             protocol::ReplyWriter& reply) {
  lua_getfield(lua_, LUA_REGISTRYINDEX, kLibrariesKey);
  lua_getfield(lua_, -1, library.c_str());
  lua_getfield(lua_, -1, function.c_str());
  lua_replace(lua_, -3);
  lua_pop(lua_, 1);
  for (const auto* list : {&keys, &args}) {
    lua_createtable(lua_, static_cast<int>(list->size()), 0);
    for (size_t i = 0; i < list->size(); i++) {
      lua_pushlstring(lua_, (*list)[i].data(), (*list)[i].size());
      lua_rawseti(lua_, -2, static_cast<int>(i + 1));
    }
  }
  CallTop(function, 2, host, reply);
}

}  // namespace cairn::scripting
