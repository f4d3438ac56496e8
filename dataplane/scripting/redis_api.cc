// The `redis` table scripts see (Redis 7.0's script_lua.c API): call, pcall, error_reply,
// status_reply, sha1hex, log, setresp, set_repl, replicate_commands, acl_check_cmd, and the
// debugger entry points (breakpoint, debug) as no-ops since there is no debugger.
#include <cstdio>
#include <string>
#include <vector>

#include <openssl/sha.h>

#include "dataplane/scripting/lua_engine.h"
#include "dataplane/scripting/lua_internal.h"

namespace cairn::scripting {
namespace {

// Raises the error `text` as a script error table ({err="ERR text"}). Lua errors longjmp: no
// C++ object with a destructor may be alive in the frames between here and the script.
int Fail(lua_State* lua, std::string_view text) {
  PushErrorTable(lua, text);
  return RaiseError(lua);
}

// The arguments of a redis.call as strings: numbers printed with %.17g as Redis 7.0 does.
bool CollectArgs(lua_State* lua, std::vector<std::string>* args) {
  int argc = lua_gettop(lua);
  args->reserve(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; i++) {
    int type = lua_type(lua, i);
    if (type == LUA_TNUMBER) {
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(lua, i)));
      args->emplace_back(buf, static_cast<size_t>(n));
    } else if (type == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(lua, i, &len);
      args->emplace_back(s, len);
    } else {
      return false;
    }
  }
  return true;
}

// redis.call / pcall without raising: returns the result count, or -1 with the error table on
// the stack for the caller to raise once every C++ object here is gone (lua_error longjmps).
int CallWithoutRaising(lua_State* lua, bool raise) {
  LuaEngine* engine = LuaEngine::From(lua);
  if (engine->host() == nullptr) {
    PushErrorTable(lua, "redis.call/pcall can only be called inside a script invocation");
    return -1;
  }
  if (lua_gettop(lua) == 0) {
    PushErrorTable(lua, "Please specify at least one argument for this redis lib call");
    return -1;
  }
  std::vector<std::string> args;
  if (!CollectArgs(lua, &args)) {
    PushErrorTable(lua, "Lua redis lib command arguments must be strings or integers");
    return -1;
  }
  std::string reply = engine->host()->Call(args, engine->resp());
  lua_settop(lua, 0);
  if (!lua_checkstack(lua, 8) || !PushReply(lua, reply)) {
    PushErrorTable(lua, "reached lua stack limit");
    return -1;
  }
  return raise && !reply.empty() && reply[0] == '-' ? -1 : 1;
}

int GenericCall(lua_State* lua, bool raise) {
  int results = CallWithoutRaising(lua, raise);
  return results < 0 ? RaiseError(lua) : results;
}

int Call(lua_State* lua) {
  return GenericCall(lua, true);
}
int PCall(lua_State* lua) {
  return GenericCall(lua, false);
}

// redis.error_reply(msg): {err="-..."} normalised as luaPushErrorBuff does; bad arguments return
// (not raise) an error table, as Redis 7.0.
int ErrorReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    PushErrorTable(lua, "wrong number or type of arguments");
    return 1;
  }
  size_t len = 0;
  const char* s = lua_tolstring(lua, 1, &len);
  std::string text(s, len);
  PushErrorTable(lua, text.starts_with('-') ? text : "-" + text);
  return 1;
}

int StatusReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    PushErrorTable(lua, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(lua);
  lua_pushstring(lua, "ok");
  lua_pushvalue(lua, 1);
  lua_rawset(lua, -3);
  return 1;
}

int Sha1Hex(lua_State* lua) {
  if (lua_gettop(lua) != 1) {
    return Fail(lua, "wrong number of arguments");
  }
  size_t len = 0;
  const char* s = lua_tolstring(lua, 1, &len);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s == nullptr ? "" : s), s == nullptr ? 0 : len,
       digest);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; i++) {
    std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  }
  lua_pushlstring(lua, hex, 2 * SHA_DIGEST_LENGTH);
  return 1;
}

int Log(lua_State* lua) {
  int argc = lua_gettop(lua);
  if (argc < 2) {
    return Fail(lua, "redis.log() requires two arguments or more.");
  }
  if (!lua_isnumber(lua, 1)) {
    return Fail(lua, "First argument must be a number (log level).");
  }
  int level = static_cast<int>(lua_tonumber(lua, 1));
  if (level < 0 || level > 3) {
    return Fail(lua, "Invalid debug level.");
  }
  std::string message;
  for (int i = 2; i <= argc; i++) {
    size_t len = 0;
    const char* s = lua_tolstring(lua, i, &len);
    if (s != nullptr) {
      message += (i > 2 ? " " : "") + std::string(s, len);
    }
  }
  LuaEngine* engine = LuaEngine::From(lua);
  if (engine->host() != nullptr) {
    engine->host()->Log(level, message);
  }
  return 0;
}

int SetResp(lua_State* lua) {
  if (lua_gettop(lua) != 1) {
    return Fail(lua, "redis.setresp() requires one argument.");
  }
  int resp = static_cast<int>(lua_tonumber(lua, 1));
  if (resp != 2 && resp != 3) {
    return Fail(lua, "RESP version must be 2 or 3.");
  }
  LuaEngine::From(lua)->set_resp(resp);
  return 0;
}

int SetRepl(lua_State* lua) {
  if (lua_gettop(lua) != 1) {
    return Fail(lua, "redis.set_repl() requires one argument.");
  }
  int flags = static_cast<int>(lua_tonumber(lua, 1));
  if ((flags & ~3) != 0) {
    return Fail(lua,
                "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  LuaEngine* engine = LuaEngine::From(lua);
  if (engine->host() != nullptr) {
    engine->host()->SetReplication(flags);
  }
  return 0;
}

// True when the command exists; false with the error table pushed.
bool AclCheckWithoutRaising(lua_State* lua) {
  std::vector<std::string> args;
  if (lua_gettop(lua) == 0) {
    PushErrorTable(lua, "Please specify at least one argument for this redis lib call");
    return false;
  }
  if (!CollectArgs(lua, &args)) {
    PushErrorTable(lua, "Lua redis lib command arguments must be strings or integers");
    return false;
  }
  LuaEngine* engine = LuaEngine::From(lua);
  if (engine->host() == nullptr || !engine->host()->CommandExists(args)) {
    PushErrorTable(lua, "Invalid command passed to redis.acl_check_cmd()");
    return false;
  }
  return true;
}

int AclCheckCmd(lua_State* lua) {
  if (!AclCheckWithoutRaising(lua)) {
    return RaiseError(lua);
  }
  std::vector<std::string> args;
  CollectArgs(lua, &args);  // succeeded in AclCheckWithoutRaising
  LuaEngine* engine = LuaEngine::From(lua);
  lua_pushboolean(lua, engine->host()->CommandAllowed(args) ? 1 : 0);
  return 1;
}

int ReplicateCommands(lua_State* lua) {
  lua_pushboolean(lua, 1);  // effects replication is the only mode in 7.0
  return 1;
}

int Breakpoint(lua_State* lua) {
  lua_pushboolean(lua, 0);  // no debugger session: like Redis outside SCRIPT DEBUG
  return 1;
}

int Debug(lua_State* lua) {
  (void)lua;
  return 0;
}

void SetInteger(lua_State* lua, const char* name, lua_Integer value) {
  lua_pushinteger(lua, value);
  lua_setfield(lua, -2, name);
}

}  // namespace

void OpenRedisApi(lua_State* lua) {
  static const luaL_Reg kFunctions[] = {{"call", Call},
                                        {"pcall", PCall},
                                        {"error_reply", ErrorReply},
                                        {"status_reply", StatusReply},
                                        {"sha1hex", Sha1Hex},
                                        {"log", Log},
                                        {"setresp", SetResp},
                                        {"set_repl", SetRepl},
                                        {"replicate_commands", ReplicateCommands},
                                        {"acl_check_cmd", AclCheckCmd},
                                        {"breakpoint", Breakpoint},
                                        {"debug", Debug},
                                        {nullptr, nullptr}};
  lua_newtable(lua);
  luaL_register(lua, nullptr, kFunctions);
  SetInteger(lua, "LOG_DEBUG", 0);
  SetInteger(lua, "LOG_VERBOSE", 1);
  SetInteger(lua, "LOG_NOTICE", 2);
  SetInteger(lua, "LOG_WARNING", 3);
  SetInteger(lua, "REPL_NONE", 0);
  SetInteger(lua, "REPL_AOF", 1);
  SetInteger(lua, "REPL_SLAVE", 2);
  SetInteger(lua, "REPL_REPLICA", 2);
  SetInteger(lua, "REPL_ALL", 3);
  lua_pushstring(lua, "7.0.15");
  lua_setfield(lua, -2, "REDIS_VERSION");
  SetInteger(lua, "REDIS_VERSION_NUM", 0x0007000f);
  lua_setglobal(lua, "redis");
}

void PushErrorTable(lua_State* lua, std::string_view error) {
  std::string code = "ERR";
  std::string msg;
  if (error.starts_with('-')) {
    size_t space = error.find(' ');
    if (space == std::string_view::npos) {
      msg = error.substr(1);
    } else {
      code = error.substr(1, space - 1);
      msg = error.substr(space + 1);
    }
  } else {
    msg = error;
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) {
    msg.pop_back();
  }
  std::string text = code + " " + msg;
  lua_newtable(lua);
  lua_pushstring(lua, "err");
  lua_pushlstring(lua, text.data(), text.size());
  lua_rawset(lua, -3);
}

int RaiseError(lua_State* lua) {
  return lua_error(lua);
}

}  // namespace cairn::scripting
