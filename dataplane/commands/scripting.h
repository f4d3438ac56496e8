// Scripting: the server's script state (Redis 7.0 eval.c + script.c): the Lua engine, the script
// cache by SHA1, and the run in progress with its checks on redis.call (Redis's scriptCall), its
// effects replication (the writes a script makes reach replicas as commands, inside MULTI/EXEC
// when there are several) and the busy-script state (busy-reply-threshold, SCRIPT KILL).
// Owned by ServerState (created on first use); command thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/commands/client.h"
#include "dataplane/commands/functions.h"
#include "dataplane/commands/server_state.h"
#include "dataplane/scripting/lua_engine.h"

namespace cairn::commands {

class CommandContext;

// Error texts of the scripting commands (Redis 7.0's).
inline constexpr char kErrNoScript[] = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr char kErrBusyEval[] =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr char kErrBusyFunction[] =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
inline constexpr char kErrNotBusy[] = "NOTBUSY No scripts in execution right now.";
inline constexpr char kErrUnkillable[] =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr char kErrScriptKilled[] = "Script killed by user with SCRIPT KILL...";

// A cached EVAL script.
struct CachedScript {
  std::string body;
  uint32_t flags = 0;  // scripting::ScriptFlag
};

// One script or function run: what it may do and what it did.
struct ScriptRun {
  Client* caller = nullptr;
  bool is_eval = true;
  bool read_only = false;  // EVAL_RO / FCALL_RO / no-writes
  uint32_t flags = 0;
  bool wrote = false;  // a write command ran (SCRIPT KILL then refuses)
  bool oom = false;    // over maxmemory when the script started
  int repl_flags = 3;  // redis.set_repl
  int64_t start_us = 0;
  bool busy = false;                 // past busy-reply-threshold: other clients get -BUSY
  bool kill = false;                 // SCRIPT KILL / FUNCTION KILL asked to stop it
  std::string name;                  // the function's name (FUNCTION STATS); the SHA1 for EVAL
  std::vector<std::string> command;  // the caller's command (FUNCTION STATS)
  // Writes to propagate when the script ends: (db, argv).
  std::vector<std::pair<int, std::vector<std::string>>> effects;
};

class Scripting final : public scripting::ScriptHost {
 public:
  explicit Scripting(ServerState& server);
  ~Scripting() override;

  // The script cache (SCRIPT LOAD / EXISTS / FLUSH). Load compiles `body` unless cached and
  // returns its SHA1; errors are the reply text (compile errors, shebang errors).
  Result<std::string> Load(std::string_view body);
  const CachedScript* Find(std::string_view sha) const;
  // SCRIPT FLUSH: drops every script and starts a fresh interpreter.
  void Flush();
  size_t script_count() const { return scripts_.size(); }
  size_t memory_bytes() const;
  // Bytes of the cached scripts' bodies (INFO used_memory_scripts_eval).
  size_t scripts_bytes() const;

  // Runs the script `sha` (cached) for ctx's client: KEYS/ARGV from the arguments after
  // numkeys. `read_only`: EVAL_RO / EVALSHA_RO.
  void RunEval(CommandContext& ctx, const std::string& sha, bool read_only,
               const std::vector<std::string_view>& keys,
               const std::vector<std::string_view>& argv);

  // FCALL / FCALL_RO of `function` for ctx's client.
  void RunFunction(CommandContext& ctx, const FunctionInfo& function, bool read_only,
                   const std::vector<std::string_view>& keys,
                   const std::vector<std::string_view>& args);
  // The function libraries (created on first use).
  FunctionStore& functions();
  bool has_functions() const { return functions_ != nullptr; }

  // The run in progress, or null.
  ScriptRun* running() { return run_.get(); }
  // SCRIPT KILL / FUNCTION KILL: the reply text ("" = OK).
  std::string Kill(bool is_eval);

  // The command flags EVAL, EVALSHA, FCALL (and their _RO forms) run with, as Redis's
  // getCommandFlags: a script with a shebang (or any function) replaces the table's write,
  // deny-oom and stale flags by what its own flags imply (no-writes, allow-oom, allow-stale); a
  // script without one, or one not cached (EVALSHA) or not found (FCALL), keeps `spec`'s.
  // Other commands get `spec.flags`. `args` is the whole command; `scripting` may be null (no
  // script or function used yet).
  static uint32_t CommandFlags(const Scripting* scripting, const CommandSpec& spec,
                               const std::vector<std::string_view>& args);

  // The checks of CheckCommand that apply to write commands (read-only script, MISCONF,
  // READONLY replica, OOM); the error reply or "".
  std::string CheckWrite(const CommandSpec& spec);

  // Checks the run-level conditions Redis checks before a flagged script starts
  // (scriptPrepareForRun); returns the error reply text or "".
  std::string CheckBeforeRun(const Client& caller, uint32_t flags, bool read_only);
  // Starts and ends a run for `caller` (used by EVAL and FCALL).
  void BeginRun(CommandContext& ctx, bool is_eval, bool read_only, uint32_t flags);
  void EndRun();
  scripting::LuaEngine& engine() { return *engine_; }

  // scripting::ScriptHost.
  std::string Call(const std::vector<std::string>& args, int resp) override;
  void Log(int level, std::string_view message) override;
  void SetReplication(int flags) override;
  bool CommandExists(const std::vector<std::string>& args) override;
  bool CommandAllowed(const std::vector<std::string>& args) override;
  std::string OnHook() override;

 private:
  std::string CheckCommand(const CommandSpec& spec, const std::vector<std::string_view>& argv);
  std::string CheckAcl(const CommandSpec& spec, const std::vector<std::string_view>& argv);
  std::string Rejected(std::string error);
  void PropagateEffects();
  std::string TakeOutput();

  ServerState& server_;
  // math.random's generator, shared by the EVAL and function interpreters as in Redis.
  scripting::ScriptRandom random_;
  std::unique_ptr<scripting::LuaEngine> engine_;
  std::map<std::string, CachedScript, std::less<>> scripts_;
  std::unique_ptr<ScriptRun> run_;
  std::unique_ptr<FunctionStore> functions_;
  // The client redis.call runs commands as (Redis's script client): never in the registry.
  std::unique_ptr<Client> script_client_;
};

// EVAL / FCALL arguments: numkeys at args[2], then the keys, then the arguments. Replies with
// Redis's error and returns false when numkeys is bad.
// `not_integer` is the error for a numkeys that is no integer (EVAL and FCALL differ).
bool SplitKeysAndArgs(CommandContext& ctx, std::vector<std::string_view>* keys,
                      std::vector<std::string_view>* argv, std::string_view not_integer);
// Key positions of EVAL-like commands (COMMAND GETKEYS).
std::vector<int> EvalKeys(const std::vector<std::string_view>& args);

// The server's Scripting, created on first use.
Scripting& GetScripting(ServerState& server);
// SHA1 of `body` as 40 lower-case hex digits.
std::string Sha1Hex(std::string_view body);

}  // namespace cairn::commands
