// Replication commands: REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC, WAIT, ROLE, FAILOVER. The work
// lives in the replication layer, reached through ServerState::replication (node_hooks.h); without
// it (the in-process harness) they reply with an error.
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

ReplicationHooks* Hooks(CommandContext& ctx) {
  ReplicationHooks* hooks = ctx.server().replication;
  if (hooks == nullptr) {
    ctx.reply().Error("ERR replication is not available in this context");
  }
  return hooks;
}

void CmdReplicaOf(CommandContext& ctx) {
  if (ReplicationHooks* h = Hooks(ctx)) {
    h->ReplicaOf(ctx);
  }
}

void CmdReplconf(CommandContext& ctx) {
  if (ReplicationHooks* h = Hooks(ctx)) {
    h->Replconf(ctx);
  }
}

void CmdPsync(CommandContext& ctx) {
  if (ReplicationHooks* h = Hooks(ctx)) {
    h->Psync(ctx);
  }
}

void CmdWait(CommandContext& ctx) {
  if (ReplicationHooks* h = Hooks(ctx)) {
    h->Wait(ctx);
  }
}

void CmdRole(CommandContext& ctx) {
  if (ReplicationHooks* h = Hooks(ctx)) {
    h->Role(ctx);
  }
}

void CmdFailover(CommandContext& ctx) {
  if (ReplicationHooks* h = Hooks(ctx)) {
    h->Failover(ctx);
  }
}

}  // namespace

void RegisterReplicationFamily(CommandTable& table) {
  const uint32_t admin = kAdmin | kNoScript;
  table.Add({.name = "replicaof",
             .arity = 3,
             .flags = admin | kStale | kNoAsyncLoading,
             .handler = CmdReplicaOf});
  table.Add({.name = "slaveof",
             .arity = 3,
             .flags = admin | kStale | kNoAsyncLoading,
             .handler = CmdReplicaOf});
  table.Add({.name = "replconf",
             .arity = -1,
             .flags = admin | kLoading | kStale | kAllowBusy,
             .handler = CmdReplconf});
  table.Add({.name = "psync",
             .arity = -3,
             .flags = admin | kNoAsyncLoading | kNoMulti,
             .handler = CmdPsync});
  table.Add({.name = "sync",
             .arity = 1,
             .flags = admin | kNoAsyncLoading | kNoMulti,
             .handler = CmdPsync});
  table.Add({.name = "wait",
             .arity = 3,
             .flags = kNoScript,
             .categories = kAclConnection,
             .handler = CmdWait,
             .tips = {"request_policy:all_shards", "response_policy:agg_min"}});
  table.Add({.name = "failover", .arity = -1, .flags = admin | kStale, .handler = CmdFailover});
  table.Add({.name = "role",
             .arity = 1,
             .flags = kNoScript | kLoading | kStale | kFast,
             .categories = kAclAdmin | kAclDangerous,
             .handler = CmdRole});
}

}  // namespace cairn::commands
