// LuaEngine: one sandboxed Lua 5.1 interpreter set up as Redis 7.0 sets up its EVAL engine: the
// base, table, string, math and coroutine libraries, cjson and bit (Debian's packages), struct and
// cmsgpack (ours), the `redis` API, read-only globals and library tables, and compiled scripts
// kept by name. Knows nothing of commands: redis.call and friends go through a ScriptHost.
// Single-threaded (the command thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/protocol/reply_writer.h"
#include "dataplane/scripting/script_random.h"

struct lua_State;
struct lua_Debug;

namespace cairn::scripting {

// Shebang flags (`#!lua flags=...`), as Redis 7.0's SCRIPT_FLAG_*.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlot = 1 << 4,
  // No shebang: EVAL's backwards-compatible mode (checks per command, not up front).
  kScriptEvalCompat = 1 << 5,
};

// A parsed `#!lua` first line: the flags and how many bytes of the body it takes (the newline
// stays in the body so that line numbers in errors count it, as in Redis).
struct Shebang {
  uint32_t flags = kScriptEvalCompat;
  size_t length = 0;
};
// Errors (Redis's texts): "ERR Unexpected engine in script shebang: #!py", "ERR Unknown lua
// shebang option: x", "ERR Unexpected flag in script shebang: x".
Result<Shebang> ParseShebang(std::string_view body);
// Same flag words for redis.register_function's flags table; error text as above.
Result<uint32_t> ParseFlagName(std::string_view name);

// What the scripts reach outside the interpreter. Implemented by the commands layer.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // redis.call / redis.pcall: runs `args` (args[0] the command) and returns its reply as RESP
  // bytes in protocol `resp` (2 or 3). A rejection before running (unknown command, write from
  // a read-only script, ...) is an error reply ("-ERR Unknown Redis command ...\r\n").
  virtual std::string Call(const std::vector<std::string>& args, int resp) = 0;
  // redis.log: level 0 debug, 1 verbose, 2 notice, 3 warning.
  virtual void Log(int level, std::string_view message) = 0;
  // redis.set_repl: REPL_NONE 0, REPL_AOF 1, REPL_REPLICA 2, REPL_ALL 3.
  virtual void SetReplication(int flags) = 0;
  // redis.acl_check_cmd: true when the calling user may run `args`; false when the command is
  // unknown (the caller raises the error).
  virtual bool CommandExists(const std::vector<std::string>& args) = 0;
  // redis.acl_check_cmd's answer for a command that exists: true when the calling user's ACL
  // allows `args` (command, keys and channels).
  virtual bool CommandAllowed(const std::vector<std::string>& args) {
    (void)args;
    return true;
  }
  // Called every kHookInstructions Lua instructions while a script runs. A non-empty return is
  // the error the script is stopped with (SCRIPT KILL: "Script killed by user with SCRIPT
  // KILL...").
  virtual std::string OnHook() = 0;
};

// A function registered by a library's code (redis.register_function).
struct RegisteredFunction {
  std::string name;
  std::string description;
  bool has_description = false;
  uint32_t flags = 0;  // ScriptFlag
};

// How long a library's code may run at FUNCTION LOAD ("FUNCTION LOAD timeout" after).
inline constexpr int64_t kLoadTimeoutUs = 500 * 1000;

// Instructions between two ScriptHost::OnHook calls (Redis's LUA_MASKCOUNT period).
inline constexpr int kHookInstructions = 100000;
// Cap on the interpreter's heap: an allocation past it fails with Lua's "not enough memory".
inline constexpr size_t kDefaultMaxLuaMemoryBytes = 1024ULL * 1024 * 1024;

class LuaEngine {
 public:
  // `for_functions`: an engine for function libraries (LoadLibrary, CallFunction) instead of
  // EVAL scripts; Redis 7.0 keeps the two in separate interpreters too. `random` feeds
  // math.random; it must outlive the engine (null: the engine's own generator).
  explicit LuaEngine(size_t max_memory_bytes = kDefaultMaxLuaMemoryBytes,
                     bool for_functions = false, ScriptRandom* random = nullptr);
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // Compiles `body` (without its shebang) as the function `name`. The chunk is named
  // "@user_script" as in Redis. Error text: "ERR Error compiling script (new function): ...".
  Status Compile(const std::string& name, std::string_view body);
  bool Has(const std::string& name) const;

  // Runs the compiled function `name` with KEYS and ARGV set, and writes its return value (or its
  // error, "ERR ... script: <display_name>, on @user_script:<line>.") to `reply`. `host` serves
  // the redis.* calls for this run. REQUIRES: Has(name), no other Run in progress.
  void Run(const std::string& name, std::string_view display_name,
           const std::vector<std::string_view>& keys, const std::vector<std::string_view>& argv,
           ScriptHost& host, protocol::ReplyWriter& reply);

  // Calls the Lua function at the top of the stack with `args` strings (FCALL: keys table, args
  // table), sharing Run's error handling and reply conversion. REQUIRES: a function on the stack.
  void CallTop(std::string_view display_name, int nargs, ScriptHost& host,
               protocol::ReplyWriter& reply);

  // Function libraries (for_functions engines). LoadLibrary runs `code` (without its shebang
  // line, whose newline stays) with the load API and lists what it registered in `out`; the
  // library is kept pending until CommitLibrary(name) (or dropped by AbortLibrary). Errors:
  // "ERR Error compiling function: ...", "ERR Error registering functions: ...".
  Status LoadLibrary(std::string_view code, std::vector<RegisteredFunction>* out);
  void CommitLibrary(const std::string& library);
  void AbortLibrary();
  void DropLibrary(const std::string& library);
  // FCALL: runs `function` of `library` with (keys, args) tables; replies like Run.
  // REQUIRES: the library was committed with that function.
  void CallFunction(const std::string& library, const std::string& function,
                    const std::vector<std::string_view>& keys,
                    const std::vector<std::string_view>& args, ScriptHost& host,
                    protocol::ReplyWriter& reply);

  lua_State* state() { return lua_; }
  // Bytes the interpreter's heap uses (INFO used_memory_lua).
  size_t used_memory() const { return used_bytes_; }
  // The host of the run in progress (null between runs). For the redis.* C functions.
  ScriptHost* host() const { return host_; }
  // RESP protocol for redis.call replies (redis.setresp), 2 unless the script changed it.
  int resp() const { return resp_; }
  void set_resp(int resp) { resp_ = resp; }

  // The engine a lua_State belongs to.
  static LuaEngine* From(lua_State* lua);

 private:
  static void* Allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void Hook(lua_State* lua, lua_Debug* ar);
  void OpenLibraries(ScriptRandom* random);
  // Compiles `body` as chunk `chunk_name` onto the stack; refuses precompiled chunks. Errors:
  // `error_prefix` + Lua's message.
  Status LoadChunk(std::string_view body, const char* chunk_name, std::string_view error_prefix);

  lua_State* lua_ = nullptr;
  size_t max_bytes_;
  ScriptRandom own_random_;
  size_t used_bytes_ = 0;
  ScriptHost* host_ = nullptr;
  int resp_ = 2;
  int64_t load_deadline_us_ = 0;  // while a library loads: when it times out
};

}  // namespace cairn::scripting
