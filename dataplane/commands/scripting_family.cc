// Scripting commands (Redis 7.0 eval.c): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD /
// EXISTS / FLUSH / KILL / HELP. The runtime (cache, checks, replication, busy state) is in
// scripting.cc, the interpreter in dataplane/scripting/.
#include <charconv>
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

void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  std::vector<std::string_view> keys;
  std::vector<std::string_view> argv;
  if (!SplitKeysAndArgs(ctx, &keys, &argv, kErrNotInteger)) {
    return;
  }
  Scripting& scripting = GetScripting(ctx.server());
  std::string sha;
  if (by_sha) {
    sha = std::string(ctx.arg(1));
    for (char& c : sha) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (sha.size() != 40 || scripting.Find(sha) == nullptr) {
      ctx.reply().Error(kErrNoScript);
      return;
    }
  } else {
    Result<std::string> loaded = scripting.Load(ctx.arg(1));
    if (ctx.ReplyIfError(loaded)) {
      return;
    }
    sha = *loaded;
  }
  scripting.RunEval(ctx, sha, read_only, keys, argv);
}

void CmdEval(CommandContext& ctx) {
  EvalGeneric(ctx, false, false);
}
void CmdEvalSha(CommandContext& ctx) {
  EvalGeneric(ctx, true, false);
}
void CmdEvalRo(CommandContext& ctx) {
  EvalGeneric(ctx, false, true);
}
void CmdEvalShaRo(CommandContext& ctx) {
  EvalGeneric(ctx, true, true);
}

// SCRIPT LOAD script: caches and replies with its SHA1.
void CmdScriptLoad(CommandContext& ctx) {
  Result<std::string> sha = GetScripting(ctx.server()).Load(ctx.arg(2));
  if (ctx.ReplyIfError(sha)) {
    return;
  }
  ctx.reply().Bulk(*sha);
}

// SCRIPT EXISTS sha [sha ...]: 1 or 0 for each.
void CmdScriptExists(CommandContext& ctx) {
  Scripting& scripting = GetScripting(ctx.server());
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    ctx.reply().Integer(scripting.Find(ctx.arg(i)) != nullptr ? 1 : 0);
  }
}

// SCRIPT FLUSH [ASYNC|SYNC]: both empty the cache at once (the interpreter is small).
void CmdScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
                         !EqualsIgnoreCase(ctx.arg(2), "async"))) {
    ctx.reply().Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  GetScripting(ctx.server()).Flush();
  ctx.reply().Ok();
}

// SCRIPT KILL: stops a busy script that has not written (NOTBUSY / UNKILLABLE otherwise).
void CmdScriptKill(CommandContext& ctx) {
  std::string error = GetScripting(ctx.server()).Kill(/*is_eval=*/true);
  if (!error.empty()) {
    ctx.reply().Error(error);
    return;
  }
  ctx.reply().Ok();
}

// SCRIPT DEBUG: there is no Lua debugger in cairn-server.
void CmdScriptDebug(CommandContext& ctx) {
  ctx.reply().Error("ERR SCRIPT DEBUG is not supported by cairn-server");
}

void CmdScriptHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "SCRIPT",
            {"DEBUG (YES|SYNC|NO)", "    Set the debug mode for subsequent scripts executed.",
             "EXISTS <sha1> [<sha1> ...]",
             "    Return information about the existence of the scripts in the script cache.",
             "FLUSH [ASYNC|SYNC]", "    Flush the Lua scripts cache. Very dangerous on replicas.",
             "    When called without the optional mode argument, the behavior is determined by "
             "the",
             "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
             "    * ASYNC: Asynchronously flush the scripts cache.",
             "    * SYNC: Synchronously flush the scripts cache.", "KILL",
             "    Kill the currently executing Lua script.", "LOAD <script>",
             "    Load a script into the scripts cache without executing it."});
}

}  // namespace

// Splits `args[2]` numkeys and the keys / arguments after it. Replies with the error (Redis's
// texts) and returns false when numkeys is bad.
bool SplitKeysAndArgs(CommandContext& ctx, std::vector<std::string_view>* keys,
                      std::vector<std::string_view>* argv, std::string_view not_integer) {
  std::optional<int64_t> numkeys = ParseInt64(ctx.arg(2));
  if (!numkeys) {
    ctx.reply().Error(not_integer);
    return false;
  }
  if (*numkeys > static_cast<int64_t>(ctx.argc()) - 3) {
    ctx.reply().Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (*numkeys < 0) {
    ctx.reply().Error("ERR Number of keys can't be negative");
    return false;
  }
  size_t first_arg = 3 + static_cast<size_t>(*numkeys);
  keys->assign(ctx.args().begin() + 3, ctx.args().begin() + static_cast<ptrdiff_t>(first_arg));
  argv->assign(ctx.args().begin() + static_cast<ptrdiff_t>(first_arg), ctx.args().end());
  return true;
}

// Keys of EVAL-like commands: the numkeys arguments after argv[2].
std::vector<int> EvalKeys(const std::vector<std::string_view>& args) {
  std::vector<int> out;
  std::optional<int64_t> n = args.size() > 2 ? ParseInt64(args[2]) : std::nullopt;
  if (!n || *n < 0 || *n > static_cast<int64_t>(args.size()) - 3) {
    return out;
  }
  for (int64_t i = 0; i < *n; i++) {
    out.push_back(static_cast<int>(3 + i));
  }
  return out;
}

void RegisterScriptingFamily(CommandTable& table) {
  const uint64_t cat = kAclScripting;
  const uint32_t eval = kNoScript | kSkipMonitor | kNoMandatoryKeys | kStale;
  struct Variant {
    const char* name;
    Handler handler;
    uint32_t flags;
  };
  for (const Variant& v : {Variant{"eval", CmdEval, eval | kMayReplicate},
                           Variant{"evalsha", CmdEvalSha, eval | kMayReplicate},
                           Variant{"eval_ro", CmdEvalRo, eval | kReadOnly},
                           Variant{"evalsha_ro", CmdEvalShaRo, eval | kReadOnly}}) {
    table.Add({.name = v.name,
               .arity = -3,
               .flags = v.flags,
               .categories = cat,
               .handler = v.handler,
               .get_keys = EvalKeys});
  }
  table.Add({.name = "script", .arity = -2});
  struct Sub {
    const char* name;
    int arity;
    uint32_t flags;
    Handler handler;
    std::vector<std::string> tips;
  };
  for (const Sub& s : {Sub{"load",
                           3,
                           kNoScript | kStale,
                           CmdScriptLoad,
                           {"request_policy:all_nodes", "response_policy:all_succeeded"}},
                       Sub{"exists",
                           -3,
                           kNoScript,
                           CmdScriptExists,
                           {"request_policy:all_shards", "response_policy:agg_logical_and"}},
                       Sub{"flush",
                           -2,
                           kNoScript,
                           CmdScriptFlush,
                           {"request_policy:all_nodes", "response_policy:all_succeeded"}},
                       Sub{"kill",
                           2,
                           kNoScript | kAllowBusy,
                           CmdScriptKill,
                           {"request_policy:all_shards", "response_policy:one_succeeded"}},
                       Sub{"debug", 3, kNoScript, CmdScriptDebug, {}},
                       Sub{"help", 2, kLoading | kStale, CmdScriptHelp, {}}}) {
    table.AddSubcommand("script", {.name = s.name,
                                   .arity = s.arity,
                                   .flags = s.flags,
                                   .categories = cat,
                                   .handler = s.handler,
                                   .tips = s.tips});
  }
}

}  // namespace cairn::commands
