// The interpreter's lifecycle: allocation under a cap, library setup, compiling, running with
// Redis 7.0's error formatting, and the instruction-count hook.
#include "dataplane/scripting/lua_engine.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "dataplane/scripting/lua_internal.h"

extern "C" {
#include <lua-bitop.h>
#include <lua-cjson.h>
}

namespace cairn::scripting {
namespace {

constexpr char kEngineKey[] = "cairn.engine";
constexpr char kScriptsKey[] = "cairn.scripts";
constexpr char kRealGlobalsKey[] = "cairn.globals";

std::vector<std::string_view> SplitWords(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    if (sep == ' ') {
      while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\r') {
        j++;
      }
      if (j > i) {
        out.push_back(s.substr(i, j - i));
      }
      i = j + 1;
      continue;
    }
    j = s.find(sep, i);
    j = j == std::string_view::npos ? s.size() : j;
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

void PushStringArray(lua_State* lua, const std::vector<std::string_view>& items) {
  lua_createtable(lua, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); i++) {
    lua_pushlstring(lua, items[i].data(), items[i].size());
    lua_rawseti(lua, -2, static_cast<int>(i + 1));
  }
}

// Opens a library by calling its luaopen function, as luaL_openlibs does.
void OpenLibrary(lua_State* lua, lua_CFunction open, const char* name) {
  lua_pushcfunction(lua, open);
  lua_pushstring(lua, name);
  lua_call(lua, 1, 1);
  if (lua_istable(lua, -1) && name[0] != '\0') {
    lua_setglobal(lua, name);
  } else {
    lua_pop(lua, 1);
  }
}

std::string FieldString(lua_State* lua, int index, const char* field) {
  lua_getfield(lua, index, field);
  std::string out;
  if (lua_isstring(lua, -1)) {
    size_t len = 0;
    const char* s = lua_tolstring(lua, -1, &len);
    out.assign(s, len);
  }
  lua_pop(lua, 1);
  return out;
}

}  // namespace

Result<uint32_t> ParseFlagName(std::string_view name) {
  static const std::pair<std::string_view, uint32_t> kFlags[] = {
      {"no-writes", kScriptNoWrites},
      {"allow-oom", kScriptAllowOom},
      {"allow-stale", kScriptAllowStale},
      {"no-cluster", kScriptNoCluster},
      {"allow-cross-slot-keys", kScriptAllowCrossSlot}};
  for (const auto& [text, flag] : kFlags) {
    if (name == text) {
      return flag;
    }
  }
  return Status::InvalidArgument("ERR Unexpected flag in script shebang: " + std::string(name));
}

Result<Shebang> ParseShebang(std::string_view body) {
  Shebang out;
  if (!body.starts_with("#!")) {
    return out;
  }
  size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    return Status::InvalidArgument("ERR Invalid script shebang");
  }
  out.length = end;
  std::vector<std::string_view> parts = SplitWords(body.substr(0, end), ' ');
  if (parts.empty()) {
    return Status::InvalidArgument("ERR Invalid engine in script shebang");
  }
  if (parts[0] != "#!lua") {
    return Status::InvalidArgument("ERR Unexpected engine in script shebang: " +
                                   std::string(parts[0]));
  }
  out.flags = 0;
  for (size_t i = 1; i < parts.size(); i++) {
    if (!parts[i].starts_with("flags=")) {
      return Status::InvalidArgument("ERR Unknown lua shebang option: " + std::string(parts[i]));
    }
    std::string_view list = parts[i].substr(6);
    for (std::string_view word : SplitWords(list, ',')) {
      Result<uint32_t> flag = ParseFlagName(word);
      if (!flag.ok()) {
        return flag.status();
      }
      out.flags |= *flag;
    }
  }
  return out;
}

int64_t MonotonicUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

LuaEngine::LuaEngine(size_t max_memory_bytes, bool for_functions, ScriptRandom* random)
    : max_bytes_(max_memory_bytes) {
  lua_ = lua_newstate(&LuaEngine::Allocate, this);
  lua_pushlightuserdata(lua_, this);
  lua_setfield(lua_, LUA_REGISTRYINDEX, kEngineKey);
  lua_newtable(lua_);
  lua_setfield(lua_, LUA_REGISTRYINDEX, kScriptsKey);
  OpenLibraries(random != nullptr ? random : &own_random_);
  if (for_functions) {
    InstallFunctionEnvironment(lua_);
  }
}

LuaEngine::~LuaEngine() {
  if (lua_ != nullptr) {
    lua_close(lua_);
  }
}

LuaEngine* LuaEngine::From(lua_State* lua) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kEngineKey);
  auto* engine = static_cast<LuaEngine*>(lua_touserdata(lua, -1));
  lua_pop(lua, 1);
  return engine;
}

void* LuaEngine::Allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* engine = static_cast<LuaEngine*>(ud);
  if (new_size == 0) {
    std::free(ptr);
    engine->used_bytes_ -= old_size;
    return nullptr;
  }
  if (new_size > old_size && engine->used_bytes_ - old_size + new_size > engine->max_bytes_) {
    return nullptr;  // Lua raises "not enough memory"
  }
  void* fresh = std::realloc(ptr, new_size);
  if (fresh != nullptr) {
    engine->used_bytes_ = engine->used_bytes_ - old_size + new_size;
  }
  return fresh;
}

void LuaEngine::OpenLibraries(ScriptRandom* random) {
  OpenLibrary(lua_, luaopen_base, "");
  OpenLibrary(lua_, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(lua_, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(lua_, luaopen_math, LUA_MATHLIBNAME);
  InstallMathRandom(lua_, random);
  OpenLibrary(lua_, luaopen_cjson, "cjson");
  OpenLibrary(lua_, luaopen_bit, "bit");
  OpenLibrary(lua_, OpenStruct, "struct");
  OpenLibrary(lua_, OpenCmsgpack, "cmsgpack");
  // Not offered to scripts (Redis 7.0's list): files, environments, printing to stdout.
  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy"}) {
    lua_pushnil(lua_);
    lua_setglobal(lua_, name);
  }
  OpenRedisApi(lua_);
  lua_pushcfunction(lua_, ErrorHandler);
  lua_setglobal(lua_, "__redis__err__handler");
  lua_pushvalue(lua_, LUA_GLOBALSINDEX);
  lua_setfield(lua_, LUA_REGISTRYINDEX, kRealGlobalsKey);
  InstallSandbox(lua_);
}

Status LuaEngine::LoadChunk(std::string_view body, const char* chunk_name,
                            std::string_view error_prefix) {
  if (!body.empty() && body[0] == LUA_SIGNATURE[0]) {
    return Status::InvalidArgument(std::string(error_prefix) + (chunk_name + 1) +
                                   ": bad binary format (precompiled chunks are not accepted)");
  }
  if (luaL_loadbuffer(lua_, body.data(), body.size(), chunk_name) != 0) {
    std::string error = lua_isstring(lua_, -1) ? lua_tostring(lua_, -1) : "unknown error";
    lua_pop(lua_, 1);
    return Status::InvalidArgument(std::string(error_prefix) + error);
  }
  return Status::Ok();
}

Status LuaEngine::Compile(const std::string& name, std::string_view body) {
  CAIRN_RETURN_IF_ERROR(
      LoadChunk(body, "@user_script", "ERR Error compiling script (new function): "));
  lua_getfield(lua_, LUA_REGISTRYINDEX, kScriptsKey);
  lua_insert(lua_, -2);
  lua_setfield(lua_, -2, name.c_str());
  lua_pop(lua_, 1);
  return Status::Ok();
}

bool LuaEngine::Has(const std::string& name) const {
  lua_getfield(lua_, LUA_REGISTRYINDEX, kScriptsKey);
  lua_getfield(lua_, -1, name.c_str());
  bool found = lua_isfunction(lua_, -1);
  lua_pop(lua_, 2);
  return found;
}

void LuaEngine::Run(const std::string& name, std::string_view display_name,
                    const std::vector<std::string_view>& keys,
                    const std::vector<std::string_view>& argv, ScriptHost& host,
                    protocol::ReplyWriter& reply) {
  lua_getfield(lua_, LUA_REGISTRYINDEX, kRealGlobalsKey);
  PushStringArray(lua_, keys);
  lua_setfield(lua_, -2, "KEYS");
  PushStringArray(lua_, argv);
  lua_setfield(lua_, -2, "ARGV");
  lua_pop(lua_, 1);
  lua_getfield(lua_, LUA_REGISTRYINDEX, kScriptsKey);
  lua_getfield(lua_, -1, name.c_str());
  lua_remove(lua_, -2);
  CallTop(display_name, 0, host, reply);
}

void LuaEngine::CallTop(std::string_view display_name, int nargs, ScriptHost& host,
                        protocol::ReplyWriter& reply) {
  int base = lua_gettop(lua_) - nargs;  // the function's index
  lua_pushcfunction(lua_, ErrorHandler);
  lua_insert(lua_, base);
  host_ = &host;
  resp_ = 2;
  lua_sethook(lua_, &LuaEngine::Hook, LUA_MASKCOUNT, kHookInstructions);
  int rc = lua_pcall(lua_, nargs, 1, base);
  lua_sethook(lua_, nullptr, 0, 0);
  host_ = nullptr;
  if (rc == 0) {
    WriteReply(lua_, reply, resp_);
  } else if (lua_istable(lua_, -1)) {
    std::string error = FieldString(lua_, -1, "err");
    std::string source = FieldString(lua_, -1, "source");
    std::string line = FieldString(lua_, -1, "line");
    if (!source.empty() && !line.empty()) {
      error += " script: " + std::string(display_name) + ", on " + source + ":" + line + ".";
    }
    WriteErrorOf(lua_, reply, error);
  } else {
    std::string msg = lua_isstring(lua_, -1) ? lua_tostring(lua_, -1) : "execution failure";
    reply.Error("ERR Error running script " + std::string(display_name) + ", " +
                msg.substr(0, 100));
  }
  lua_settop(lua_, base - 1);
  lua_gc(lua_, LUA_GCSTEP, 1);
}

void LuaEngine::Hook(lua_State* lua, lua_Debug* ar) {
  (void)ar;
  LuaEngine* engine = From(lua);
  if (engine != nullptr && engine->load_deadline_us_ != 0) {
    if (MonotonicUs() > engine->load_deadline_us_) {
      lua_sethook(lua, &LuaEngine::Hook, LUA_MASKLINE, 0);
      PushErrorTable(lua, "FUNCTION LOAD timeout");
      RaiseError(lua);
    }
    return;
  }
  if (engine == nullptr || engine->host_ == nullptr) {
    return;
  }
  bool stop = false;
  {  // destroyed before lua_error, which longjmps past C++ destructors
    std::string error = engine->host_->OnHook();
    if (!error.empty()) {
      PushErrorTable(lua, error);
      stop = true;
    }
  }
  if (stop) {
    // Fire on every line from now on, so a pcall in the script cannot swallow the stop.
    lua_sethook(lua, &LuaEngine::Hook, LUA_MASKLINE, 0);
    RaiseError(lua);
  }
}

int ErrorHandler(lua_State* lua) {
  lua_Debug ar;
  bool have = lua_getstack(lua, 1, &ar) != 0 && lua_getinfo(lua, "nSl", &ar) != 0;
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(lua, 2, &ar) != 0 && lua_getinfo(lua, "nSl", &ar) != 0;
  }
  if (!lua_istable(lua, 1)) {
    std::string text = "ERR ";
    if (lua_isstring(lua, 1)) {
      text += lua_tostring(lua, 1);
    } else if (lua_isnil(lua, 1)) {
      text += "nil";
    } else if (lua_isboolean(lua, 1)) {
      text += lua_toboolean(lua, 1) ? "true" : "false";
    } else {
      text += lua_typename(lua, lua_type(lua, 1));
    }
    lua_newtable(lua);
    lua_pushlstring(lua, text.data(), text.size());
    lua_setfield(lua, -2, "err");
    lua_replace(lua, 1);
  }
  if (have) {
    // rawset: the table may be anything the script raised, even a read-only one.
    lua_pushstring(lua, "source");
    lua_pushstring(lua, ar.source);
    lua_rawset(lua, 1);
    lua_pushstring(lua, "line");
    lua_pushinteger(lua, ar.currentline);
    lua_rawset(lua, 1);
  }
  lua_settop(lua, 1);
  return 1;
}

}  // namespace cairn::scripting
