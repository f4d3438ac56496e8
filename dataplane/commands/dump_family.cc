// DUMP and RESTORE: a key's value as Redis's serialized payload and back. The payload format
// lives in the persistence layer, reached through ServerState::snapshots (node_hooks.h).
#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

// DUMP key: the payload, or nil for a missing key.
void CmdDump(CommandContext& ctx) {
  engine::Entry* e = ctx.db().LookupRead(ctx.arg(1));
  if (e == nullptr) {
    ctx.reply().Null();
    return;
  }
  if (ctx.server().snapshots == nullptr) {
    ctx.reply().Error("ERR DUMP is not available in this context");
    return;
  }
  Result<std::string> payload = ctx.server().snapshots->Dump(*e);
  if (ctx.ReplyIfError(payload)) {
    return;
  }
  ctx.reply().Bulk(*payload);
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idle_s = -1;
  int64_t freq = -1;
};

// Parses REPLACE, ABSTTL, IDLETIME s, FREQ f (Redis's restoreCommand checks, in its order).
bool ParseRestoreOptions(CommandContext& ctx, RestoreOptions* o) {
  for (size_t j = 4; j < ctx.argc(); j++) {
    std::string_view a = ctx.arg(j);
    bool has_value = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(a, "replace")) {
      o->replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      o->absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && has_value && o->freq == -1) {
      std::optional<int64_t> v = ParseInt64(ctx.arg(++j));
      if (!v) {
        ctx.reply().Error(kErrNotInteger);
        return false;
      }
      if (*v < 0) {
        ctx.reply().Error("ERR Invalid IDLETIME value, must be >= 0");
        return false;
      }
      o->idle_s = *v;
    } else if (EqualsIgnoreCase(a, "freq") && has_value && o->idle_s == -1) {
      std::optional<int64_t> v = ParseInt64(ctx.arg(++j));
      if (!v) {
        ctx.reply().Error(kErrNotInteger);
        return false;
      }
      if (*v < 0 || *v > 255) {
        ctx.reply().Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return false;
      }
      o->freq = *v;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]
void CmdRestore(CommandContext& ctx) {
  RestoreOptions o;
  if (!ParseRestoreOptions(ctx, &o)) {
    return;
  }
  std::string_view key = ctx.arg(1);
  engine::Db& db = ctx.db();
  if (!o.replace && db.LookupWrite(key) != nullptr) {
    ctx.reply().Error(kErrBusyKey);
    return;
  }
  std::optional<int64_t> ttl = ParseInt64(ctx.arg(2));
  if (!ttl) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  if (*ttl < 0) {
    ctx.reply().Error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  if (ctx.server().snapshots == nullptr) {
    ctx.reply().Error("ERR RESTORE is not available in this context");
    return;
  }
  int64_t expire_at = *ttl != 0 && !o.absttl ? *ttl + ctx.now_ms() : *ttl;
  Result<engine::Entry*> e = ctx.server().snapshots->Restore(key, ctx.arg(3), *ttl != 0, expire_at);
  if (ctx.ReplyIfError(e)) {
    return;
  }
  bool deleted = o.replace && db.Delete(key);
  if (*ttl != 0 && expire_at < ctx.now_ms() && ctx.keyspace().expiry_deletes()) {
    engine::Entry::Free(*e);  // already expired: nothing to add (a replaced key is gone)
    if (deleted) {
      ctx.SignalModified(key);
      ctx.Notify(kNotifyGeneric, "del", key);
      ctx.MarkWrittenAs({"DEL", std::string(key)});
    }
    ctx.reply().Ok();
    return;
  }
  // IDLETIME and FREQ are validated; the access clock starts fresh (a documented difference).
  db.Insert(*e);
  ctx.SignalModified(key);
  ctx.Notify(kNotifyGeneric, "restore", key);
  std::vector<std::string> args(ctx.args().begin(), ctx.args().end());
  if (*ttl != 0 && !o.absttl) {
    args[2] = std::to_string(expire_at);  // replicas get the absolute time, as Redis sends it
    args.push_back("ABSTTL");
  }
  ctx.MarkWrittenAs(args);
  ctx.reply().Ok();
}

}  // namespace

void RegisterDumpFamily(CommandTable& table) {
  table.Add({.name = "dump",
             .arity = 2,
             .flags = kReadOnly,
             .categories = kAclKeyspace,
             .keys = {1, 1, 1},
             .handler = CmdDump,
             .tips = {"nondeterministic_output"}});
  table.Add({.name = "restore",
             .arity = -4,
             .flags = kWrite | kDenyOom,
             .categories = kAclKeyspace | kAclDangerous,
             .keys = {1, 1, 1},
             .handler = CmdRestore});
}

}  // namespace cairn::commands
