// Pieces of the Lua engine shared between its files (not for use outside dataplane/scripting).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "dataplane/protocol/reply_writer.h"

namespace cairn::scripting {

// Registers the `redis` table (call, pcall, error_reply, ...) as a global.
void OpenRedisApi(lua_State* lua);
// Makes the library tables and the globals read-only and closes the escapes (sandbox.cc).
void InstallSandbox(lua_State* lua);
// Replaces the table at the top of the stack by a read-only proxy of it; `strict`: reading a
// missing key from script code errors as for an undefined global.
void MakeReadonly(lua_State* lua, bool strict);
// __index helper for undefined globals: returns 1 (the nil already on the stack stays the
// result) when read from C, else raises "Script attempted to access nonexistent global
// variable '<key>'" at the reading line. `key`: the key's stack index.
int RaiseIfUndefinedGlobal(lua_State* lua, int key);
// __newindex of read-only tables: "Attempt to modify a readonly table" at the writing line.
int ReadonlyNewIndex(lua_State* lua);
// The globals and load API of function libraries (lua_functions.cc).
void InstallFunctionEnvironment(lua_State* lua);
// Monotonic microseconds (the load timeout).
int64_t MonotonicUs();
class ScriptRandom;
// Replaces math.random and math.randomseed with Redis's, drawing from `random` (script_random.cc).
void InstallMathRandom(lua_State* lua, ScriptRandom* random);
// Our struct and cmsgpack libraries (Redis bundles them; Debian has no package).
int OpenStruct(lua_State* lua);
int OpenCmsgpack(lua_State* lua);

// Pushes the Lua value of one RESP reply (redisProtocolToLuaType). Returns false, pushing
// nothing, when `resp` is not one complete reply.
bool PushReply(lua_State* lua, std::string_view resp);
// Writes the value at the top of the stack as a reply (luaReplyToRedisReply); `script_resp` is
// the protocol the script chose with redis.setresp (booleans differ). Pops nothing.
void WriteReply(lua_State* lua, protocol::ReplyWriter& reply, int script_resp);
// The error-table field marking an error INFO errorstats has counted already (Redis's name).
inline constexpr char kIgnoreErrorStats[] = "ignore_error_stats_update";
// Writes `text` as the error reply of the error table at the top of the stack, counted in INFO
// errorstats unless the table carries kIgnoreErrorStats. Pops nothing.
void WriteErrorOf(lua_State* lua, protocol::ReplyWriter& reply, std::string_view text);
// Pushes {err="CODE msg"} from "-CODE msg" or "msg" (code ERR), as Redis's luaPushErrorBuff.
void PushErrorTable(lua_State* lua, std::string_view error);
// Raises the error table on the top of the stack.
int RaiseError(lua_State* lua);
// The message handler of every run: turns the error into {err=..., source=..., line=...}.
int ErrorHandler(lua_State* lua);

}  // namespace cairn::scripting
