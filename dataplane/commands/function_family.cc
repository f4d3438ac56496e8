// Function commands (Redis 7.0 functions.c): FCALL, FCALL_RO and FUNCTION LOAD / DELETE / FLUSH
// / LIST / DUMP / RESTORE / STATS / KILL / HELP. Libraries live in FunctionStore (functions.h);
// runs share the script runtime (scripting.h).
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/commands/scripting.h"

namespace cairn::commands {
namespace {

void FcallGeneric(CommandContext& ctx, bool read_only) {
  Scripting& scripting = GetScripting(ctx.server());
  const FunctionInfo* function = scripting.functions().Find(ctx.arg(1));
  if (function == nullptr) {
    ctx.reply().Error("ERR Function not found");
    return;
  }
  std::vector<std::string_view> keys;
  std::vector<std::string_view> args;
  if (!SplitKeysAndArgs(ctx, &keys, &args, "ERR Bad number of keys provided")) {
    return;
  }
  scripting.RunFunction(ctx, *function, read_only, keys, args);
}

void CmdFcall(CommandContext& ctx) {
  FcallGeneric(ctx, false);
}
void CmdFcallRo(CommandContext& ctx) {
  FcallGeneric(ctx, true);
}

// FUNCTION LOAD [REPLACE] code: replies with the library name; replicas get the command.
void CmdFunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t at = 2;
  while (at < ctx.argc() - 1) {
    std::string_view option = ctx.arg(at++);
    if (!EqualsIgnoreCase(option, "replace")) {
      ctx.reply().Error("ERR Unknown option given: " + std::string(option));
      return;
    }
    replace = true;
  }
  Result<std::string> name = GetScripting(ctx.server()).functions().Load(ctx.arg(at), replace);
  if (ctx.ReplyIfError(name)) {
    return;
  }
  ctx.MarkWritten();
  ctx.reply().Bulk(*name);
}

void CmdFunctionDelete(CommandContext& ctx) {
  Status s = GetScripting(ctx.server()).functions().Delete(ctx.arg(2));
  if (!s.ok()) {
    ctx.reply().Error(s.message());
    return;
  }
  ctx.MarkWritten();
  ctx.reply().Ok();
}

void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
                         !EqualsIgnoreCase(ctx.arg(2), "async"))) {
    ctx.reply().Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    return;
  }
  GetScripting(ctx.server()).functions().Flush();
  ctx.MarkWritten();
  ctx.reply().Ok();
}

void ReplyFlags(protocol::ReplyWriter& r, uint32_t flags) {
  static const std::pair<uint32_t, const char*> kNames[] = {
      {scripting::kScriptNoWrites, "no-writes"},
      {scripting::kScriptAllowOom, "allow-oom"},
      {scripting::kScriptAllowStale, "allow-stale"},
      {scripting::kScriptNoCluster, "no-cluster"},
      {scripting::kScriptAllowCrossSlot, "allow-cross-slot-keys"}};
  int64_t n = 0;
  for (const auto& [flag, name] : kNames) {
    n += (flags & flag) != 0 ? 1 : 0;
  }
  r.SetHeader(n);
  for (const auto& [flag, name] : kNames) {
    if ((flags & flag) != 0) {
      r.Simple(name);
    }
  }
}

void ReplyLibrary(protocol::ReplyWriter& r, const FunctionStore& store,
                  const FunctionLibrary& library, bool with_code) {
  r.MapHeader(with_code ? 4 : 3);
  r.Bulk("library_name");
  r.Bulk(library.name);
  r.Bulk("engine");
  r.Bulk("LUA");
  r.Bulk("functions");
  r.ArrayHeader(static_cast<int64_t>(library.functions.size()));
  for (const std::string& name : library.functions) {
    const FunctionInfo* f = store.Find(name);
    r.MapHeader(3);
    r.Bulk("name");
    r.Bulk(f->name);
    r.Bulk("description");
    if (f->has_description) {
      r.Bulk(f->description);
    } else {
      r.Null();
    }
    r.Bulk("flags");
    ReplyFlags(r, f->flags);
  }
  if (with_code) {
    r.Bulk("library_code");
    r.Bulk(library.code);
  }
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: libraries by name.
void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false;
  std::optional<std::string_view> pattern;
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (!with_code && EqualsIgnoreCase(ctx.arg(i), "withcode")) {
      with_code = true;
    } else if (!pattern && EqualsIgnoreCase(ctx.arg(i), "libraryname")) {
      if (i + 1 >= ctx.argc()) {
        ctx.reply().Error("ERR library name argument was not given");
        return;
      }
      pattern = ctx.arg(++i);
    } else {
      ctx.reply().Error("ERR Unknown argument " + std::string(ctx.arg(i)));
      return;
    }
  }
  const FunctionStore& store = GetScripting(ctx.server()).functions();
  std::vector<const FunctionLibrary*> shown;
  for (const auto& [name, library] : store.libraries()) {
    if (!pattern || GlobMatch(*pattern, name, /*nocase=*/true)) {
      shown.push_back(&library);
    }
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(shown.size()));
  for (const FunctionLibrary* library : shown) {
    ReplyLibrary(ctx.reply(), store, *library, with_code);
  }
}

void CmdFunctionDump(CommandContext& ctx) {
  if (ctx.server().snapshots == nullptr) {
    ctx.reply().Error("ERR FUNCTION DUMP needs the persistence layer");
    return;
  }
  Result<std::string> payload =
      ctx.server().snapshots->DumpFunctions(GetScripting(ctx.server()).functions().Codes());
  if (ctx.ReplyIfError(payload)) {
    return;
  }
  ctx.reply().Bulk(*payload);
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE].
void CmdFunctionRestore(CommandContext& ctx) {
  RestorePolicy policy = RestorePolicy::kAppend;
  if (ctx.argc() == 4) {
    std::string_view p = ctx.arg(3);
    if (EqualsIgnoreCase(p, "flush")) {
      policy = RestorePolicy::kFlush;
    } else if (EqualsIgnoreCase(p, "replace")) {
      policy = RestorePolicy::kReplace;
    } else if (!EqualsIgnoreCase(p, "append")) {
      ctx.reply().Error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
      return;
    }
  }
  if (ctx.server().snapshots == nullptr) {
    ctx.reply().Error("ERR FUNCTION RESTORE needs the persistence layer");
    return;
  }
  Result<std::vector<std::string>> codes = ctx.server().snapshots->RestoreFunctions(ctx.arg(2));
  if (ctx.ReplyIfError(codes)) {
    return;
  }
  Status s = GetScripting(ctx.server()).functions().Restore(*codes, policy);
  if (!s.ok()) {
    ctx.reply().Error(s.message());
    return;
  }
  ctx.MarkWritten();
  ctx.reply().Ok();
}

// FUNCTION STATS: the running script (null when none) and the engine's counts.
void CmdFunctionStats(CommandContext& ctx) {
  Scripting& scripting = GetScripting(ctx.server());
  protocol::ReplyWriter& r = ctx.reply();
  r.MapHeader(2);
  r.Bulk("running_script");
  ScriptRun* run = scripting.running();
  if (run == nullptr) {
    r.Null();
  } else {
    r.MapHeader(3);
    r.Bulk("name");
    r.Bulk(run->name);
    r.Bulk("command");
    r.ArrayHeader(static_cast<int64_t>(run->command.size()));
    for (const std::string& a : run->command) {
      r.Bulk(a);
    }
    r.Bulk("duration_ms");
    r.Integer((ctx.server().clock().MonotonicUs() - run->start_us) / 1000);
  }
  r.Bulk("engines");
  r.MapHeader(1);
  r.Bulk("LUA");
  r.MapHeader(2);
  r.Bulk("libraries_count");
  r.Integer(static_cast<int64_t>(scripting.functions().libraries().size()));
  r.Bulk("functions_count");
  r.Integer(static_cast<int64_t>(scripting.functions().function_count()));
}

void CmdFunctionKill(CommandContext& ctx) {
  std::string error = GetScripting(ctx.server()).Kill(/*is_eval=*/false);
  if (!error.empty()) {
    ctx.reply().Error(error);
    return;
  }
  ctx.reply().Ok();
}

void CmdFunctionHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx.reply(), "FUNCTION",
      {"LOAD [REPLACE] <FUNCTION CODE>",
       "    Create a new library with the given library name and code.",
       "DELETE <LIBRARY NAME>",
       "    Delete the given library.",
       "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
       "    Return general information on all the libraries:",
       "    * Library name",
       "    * The engine used to run the Library",
       "    * Library description",
       "    * Functions list",
       "    * Library code (if WITHCODE is given)",
       "    It also possible to get only function that matches a pattern using LIBRARYNAME "
       "argument.",
       "STATS",
       "    Return information about the current function running:",
       "    * Function name",
       "    * Command used to run the function",
       "    * Duration in MS that the function is running",
       "    If no function is running, return nil",
       "    In addition, returns a list of available engines.",
       "KILL",
       "    Kill the current running function.",
       "FLUSH [ASYNC|SYNC]",
       "    Delete all the libraries.",
       "    When called without the optional mode argument, the behavior is determined by the",
       "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
       "    * ASYNC: Asynchronously flush the libraries.",
       "    * SYNC: Synchronously flush the libraries.",
       "DUMP",
       "    Return a serialized payload representing the current libraries, can be restored "
       "using FUNCTION RESTORE command",
       "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
       "    Restore the libraries represented by the given payload, it is possible to give a "
       "restore policy to",
       "    control how to handle existing libraries (default APPEND):",
       "    * FLUSH: delete all existing libraries.",
       "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
       "abort.",
       "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
       "replace the old",
       "      libraries with the new libraries (notice that even on this option there is a "
       "chance of failure",
       "      in case of functions name collision with another library)."});
}

}  // namespace

void RegisterFunctionFamily(CommandTable& table) {
  const uint64_t cat = kAclScripting;
  const uint32_t fcall = kNoScript | kSkipMonitor | kNoMandatoryKeys | kStale;
  table.Add({.name = "fcall",
             .arity = -3,
             .flags = fcall | kMayReplicate,
             .categories = cat,
             .handler = CmdFcall,
             .get_keys = EvalKeys});
  table.Add({.name = "fcall_ro",
             .arity = -3,
             .flags = fcall | kReadOnly,
             .categories = cat,
             .handler = CmdFcallRo,
             .get_keys = EvalKeys});
  table.Add({.name = "function", .arity = -2});
  struct Sub {
    const char* name;
    int arity;
    uint32_t flags;
    Handler handler;
    std::vector<std::string> tips;
  };
  const std::vector<std::string> all_shards = {"request_policy:all_shards",
                                               "response_policy:all_succeeded"};
  const std::vector<std::string> one = {"request_policy:all_shards",
                                        "response_policy:one_succeeded"};
  for (const Sub& s :
       {Sub{"load", -3, kWrite | kDenyOom | kNoScript, CmdFunctionLoad, all_shards},
        Sub{"delete", 3, kWrite | kNoScript, CmdFunctionDelete, all_shards},
        Sub{"flush", -2, kWrite | kNoScript, CmdFunctionFlush, all_shards},
        Sub{"list", -2, kNoScript, CmdFunctionList, {"nondeterministic_output_order"}},
        Sub{"dump", 2, kNoScript, CmdFunctionDump, {}},
        Sub{"restore", -3, kWrite | kDenyOom | kNoScript, CmdFunctionRestore, all_shards},
        Sub{"stats",
            2,
            kNoScript | kAllowBusy,
            CmdFunctionStats,
            {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}},
        Sub{"kill", 2, kNoScript | kAllowBusy, CmdFunctionKill, one},
        Sub{"help", 2, kLoading | kStale, CmdFunctionHelp, {}}}) {
    table.AddSubcommand("function", {.name = s.name,
                                     .arity = s.arity,
                                     .flags = s.flags,
                                     .categories = cat,
                                     .handler = s.handler,
                                     .tips = s.tips});
  }
}

}  // namespace cairn::commands
