// Transaction commands (Redis 7.0 multi.c semantics): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
// The dispatcher queues commands inside MULTI and flags queue-time rejections (kClientDirtyExec);
// ServerState keeps the WATCH bookkeeping and flags invalidated watchers (kClientDirtyCas).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/commands/access_control.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/dispatch.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

// Redis 7.0 checks the ACL again at EXEC: the user's rules may have changed since queueing.
// Returns false after replying the NOPERM error in place of the command's reply.
bool StillPermitted(ServerState& server, Client& client, const CommandSpec& spec,
                    const std::vector<std::string_view>& args) {
  if (client.has_flag(kClientPrimary)) {
    return true;
  }
  security::AclVerdict v = CheckPermission(ClientUser(server, client), spec, args);
  if (v.ok()) {
    return true;
  }
  LogDenial(server, client, spec, args, v, "multi");
  const char* reason = v.denial == security::AclDenial::kCommand
                           ? "no permission to execute the command or subcommand"
                       : v.denial == security::AclDenial::kKey
                           ? "no permission to touch the specified keys"
                           : "no permission to access one of the channels used as arguments";
  client.reply().Error(
      std::string("NOPERM ACLs rules changed between the moment the transaction was accumulated "
                  "and the EXEC call. This command is no longer allowed for the following "
                  "reason: ") +
      reason);
  return false;
}

// MULTI: starts queueing. Nested MULTI is an error that leaves the transaction intact.
void CmdMulti(CommandContext& ctx) {
  if (ctx.client().has_flag(kClientMulti)) {
    ctx.reply().Error(kErrMultiNested);
    return;
  }
  ctx.client().set_flag(kClientMulti);
  ctx.reply().Ok();
}

// DISCARD: drops the queue and every WATCH.
void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client().has_flag(kClientMulti)) {
    ctx.reply().Error(kErrDiscardNoMulti);
    return;
  }
  ctx.server().DiscardTransaction(&ctx.client());
  ctx.reply().Ok();
}

// Runs the queued commands; the reply is an array of their replies (an error inside is that
// command's reply, the others still run). The command time the dispatcher set for EXEC holds for
// every queued command, so they all see the same clock for TTLs.
void RunQueue(CommandContext& ctx) {
  Client& client = ctx.client();
  ServerState& server = ctx.server();
  // Moved out so that a queued command cannot disturb the list being run.
  std::vector<QueuedCommand> queue = std::move(client.multi_queue);
  client.multi_queue.clear();
  // No watch matters any more; dropping them now also spares touching our own keys.
  server.UnwatchAll(&client);
  ctx.reply().ArrayHeader(static_cast<int64_t>(queue.size()));
  std::vector<std::string_view> args;
  for (const QueuedCommand& q : queue) {
    args.assign(q.args.begin(), q.args.end());
    // kClientMulti stays set while they run, as in Redis: commands that would block do not.
    if (StillPermitted(server, client, *q.spec, args)) {
      Call(server, client, *q.spec, args);
    }
  }
}

// EXEC: null array when a watched key changed (or expired since WATCH), EXECABORT after a
// queue-time error, else the queued commands' replies.
void CmdExec(CommandContext& ctx) {
  Client& client = ctx.client();
  ServerState& server = ctx.server();
  if (!client.has_flag(kClientMulti)) {
    ctx.reply().Error(kErrExecNoMulti);
    return;
  }
  if (server.WatchedKeyExpired(&client)) {
    client.set_flag(kClientDirtyCas);
  }
  if (client.has_flag(kClientDirtyExec)) {
    ctx.reply().Error(kErrExecAbort);
  } else if (client.has_flag(kClientDirtyCas)) {
    ctx.reply().NullArray();
  } else {
    // The writes among the queued commands reach replicas (and the AOF) inside MULTI ... EXEC.
    ReplicationHooks* replication = server.replication;
    if (replication != nullptr) {
      replication->BeginTransaction();
    }
    RunQueue(ctx);
    if (replication != nullptr) {
      replication->EndTransaction();
    }
  }
  server.DiscardTransaction(&client);
}

// WATCH key [key ...]: only outside MULTI. A client already invalidated watches nothing more.
void CmdWatch(CommandContext& ctx) {
  Client& client = ctx.client();
  if (client.has_flag(kClientMulti)) {
    ctx.reply().Error(kErrWatchInMulti);
    return;
  }
  if (!client.has_flag(kClientDirtyCas)) {
    for (size_t i = 1; i < ctx.argc(); i++) {
      ctx.server().Watch(&client, client.db_index, ctx.arg(i));
    }
  }
  ctx.reply().Ok();
}

// UNWATCH: forgets every WATCH and a pending invalidation (queued when inside MULTI).
void CmdUnwatch(CommandContext& ctx) {
  ctx.server().UnwatchAll(&ctx.client());
  ctx.client().clear_flag(kClientDirtyCas);
  ctx.reply().Ok();
}

}  // namespace

void RegisterTransactionFamily(CommandTable& table) {
  const uint64_t txn = kAclTransaction;
  const uint32_t common = kNoScript | kLoading | kStale;
  table.Add({.name = "multi",
             .arity = 1,
             .flags = common | kFast | kAllowBusy,
             .categories = txn,
             .handler = CmdMulti});
  table.Add({.name = "exec",
             .arity = 1,
             .flags = common | kSkipSlowlog,
             .categories = txn,
             .handler = CmdExec});
  table.Add({.name = "discard",
             .arity = 1,
             .flags = common | kFast | kAllowBusy,
             .categories = txn,
             .handler = CmdDiscard});
  table.Add({.name = "watch",
             .arity = -2,
             .flags = common | kFast | kAllowBusy,
             .categories = txn,
             .keys = {.first = 1, .last = -1, .step = 1},
             .handler = CmdWatch});
  table.Add({.name = "unwatch",
             .arity = 1,
             .flags = common | kFast | kAllowBusy,
             .categories = txn,
             .handler = CmdUnwatch});
}

}  // namespace cairn::commands
