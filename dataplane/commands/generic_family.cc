// Generic keyspace commands (Redis 7.0 db.c semantics): DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME,
// RENAMENX, COPY, MOVE, SWAPDB, KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL. The expire and
// introspection commands of the family live in expire_family.cc and object_family.cc.
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/memory.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/engine/keyspace_ops.h"

namespace cairn::commands {

// Registered from RegisterGenericFamily (defined in expire_family.cc and object_family.cc).
void RegisterExpireCommands(CommandTable& table);
void RegisterObjectCommands(CommandTable& table);

namespace {

namespace keys = engine::keys;

// Parses a database index as getIntFromObjectOrReply + selectDb do: replies `not_int_error` when
// it is not an int, "ERR DB index is out of range" when no such database. nullopt after a reply.
std::optional<int> ParseDbIndex(CommandContext& ctx, std::string_view text,
                                std::string_view not_int_error) {
  std::optional<int64_t> v = ParseInt64(text);
  if (!v || *v < INT_MIN || *v > INT_MAX) {
    ctx.reply().Error(not_int_error);
    return std::nullopt;
  }
  if (*v < 0 || *v >= ctx.keyspace().db_count()) {
    ctx.reply().Error(kErrInvalidDbIndex);
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// DEL key [key ...] / UNLINK: deletes synchronously either way (frees are cheap here); replies
// the number of keys removed.
void DelGeneric(CommandContext& ctx) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (keys::Delete(ctx.db(), ctx.arg(i))) {
      ctx.SignalModified(ctx.arg(i));
      ctx.Notify(kNotifyGeneric, "del", ctx.arg(i));
      ctx.MarkWritten();
      deleted++;
    }
  }
  ctx.reply().Integer(deleted);
}
void CmdDel(CommandContext& ctx) {
  DelGeneric(ctx);
}
void CmdUnlink(CommandContext& ctx) {
  DelGeneric(ctx);
}

// EXISTS key [key ...]: counts every argument that names a live key, repeats included.
void CmdExists(CommandContext& ctx) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (ctx.db().LookupRead(ctx.arg(i), engine::Db::kLookupNoTouch) != nullptr) {
      found++;
    }
  }
  ctx.reply().Integer(found);
}

// TOUCH key [key ...]: a read of each key (updating its access clock); replies how many exist.
void CmdTouch(CommandContext& ctx) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (ctx.db().LookupRead(ctx.arg(i)) != nullptr) {
      found++;
    }
  }
  ctx.reply().Integer(found);
}

// TYPE key: +string, +list, ... or +none.
void CmdType(CommandContext& ctx) {
  engine::Entry* e = ctx.db().LookupRead(ctx.arg(1), engine::Db::kLookupNoTouch);
  if (e == nullptr) {
    ctx.reply().Simple("none");
    return;
  }
  ctx.reply().Simple(engine::TypeName(e->type()));
}

// RENAME key newkey / RENAMENX key newkey.
void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view from = ctx.arg(1);
  std::string_view to = ctx.arg(2);
  Result<keys::RenameOutcome> r = keys::Rename(ctx.db(), from, to, nx);
  if (!r.ok()) {
    ctx.reply().Error(r.status().message());
    return;
  }
  if (*r != keys::RenameOutcome::kRenamed) {
    nx ? ctx.reply().Integer(0) : ctx.reply().Ok();  // same key: RENAME still says OK
    return;
  }
  ctx.SignalModified(from);
  ctx.SignalModified(to);
  ctx.Notify(kNotifyGeneric, "rename_from", from);
  ctx.Notify(kNotifyGeneric, "rename_to", to);
  ctx.MarkWritten();
  nx ? ctx.reply().Integer(1) : ctx.reply().Ok();
}
void CmdRename(CommandContext& ctx) {
  RenameGeneric(ctx, false);
}
void CmdRenameNx(CommandContext& ctx) {
  RenameGeneric(ctx, true);
}

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CommandContext& ctx) {
  int src_index = ctx.client().db_index;
  int dst_index = src_index;
  bool replace = false;
  for (size_t i = 3; i < ctx.argc(); i++) {
    bool has_next = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(i), "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.arg(i), "db") && has_next) {
      std::optional<int> index = ParseDbIndex(ctx, ctx.arg(i + 1), kErrNotInteger);
      if (!index) {
        return;
      }
      dst_index = *index;
      i++;
    } else {
      ctx.reply().Error(kErrSyntax);
      return;
    }
  }
  std::string_view from = ctx.arg(1);
  std::string_view to = ctx.arg(2);
  engine::Db& dst = ctx.keyspace().db(dst_index);
  Result<keys::CopyOutcome> r = keys::Copy(ctx.db(), dst, from, to, replace);
  if (!r.ok()) {
    ctx.reply().Error(r.status().message());
    return;
  }
  if (*r != keys::CopyOutcome::kCopied) {
    ctx.reply().Integer(0);
    return;
  }
  ServerState& server = ctx.server();
  server.TouchWatchedKey(dst_index, to);
  server.Notify(kNotifyGeneric, "copy_to", to, dst_index);
  ctx.MarkWritten();
  ctx.reply().Integer(1);
}

// MOVE key db
void CmdMove(CommandContext& ctx) {
  std::optional<int> dst_index = ParseDbIndex(ctx, ctx.arg(2), kErrNotInteger);
  if (!dst_index) {
    return;
  }
  std::string_view key = ctx.arg(1);
  Result<bool> moved = keys::Move(ctx.db(), ctx.keyspace().db(*dst_index), key);
  if (!moved.ok()) {
    ctx.reply().Error(moved.status().message());
    return;
  }
  if (!*moved) {
    ctx.reply().Integer(0);
    return;
  }
  ServerState& server = ctx.server();
  ctx.SignalModified(key);
  server.TouchWatchedKey(*dst_index, key);
  ctx.Notify(kNotifyGeneric, "move_from", key);
  server.Notify(kNotifyGeneric, "move_to", key, *dst_index);
  ctx.MarkWritten();
  ctx.reply().Integer(1);
}

// SWAPDB index1 index2: clients keep their selected index and see the other contents.
void CmdSwapDb(CommandContext& ctx) {
  std::optional<int> first = ParseDbIndex(ctx, ctx.arg(1), kErrInvalidFirstDbIndex);
  if (!first) {
    return;
  }
  std::optional<int> second = ParseDbIndex(ctx, ctx.arg(2), kErrInvalidSecondDbIndex);
  if (!second) {
    return;
  }
  if (*first != *second) {
    ctx.server().TouchAllWatchedKeysInDb(*first, *second);  // before the swap, as it requires
    ctx.keyspace().SwapDbs(*first, *second);
  }
  ctx.MarkWritten();  // Redis counts a change even when both indexes are the same
  ctx.reply().Ok();
}

// KEYS pattern: every live matching key, in table order.
void CmdKeys(CommandContext& ctx) {
  std::vector<std::string> found = keys::MatchingKeys(ctx.db(), ctx.arg(1), ctx.now_ms());
  ctx.reply().ArrayHeader(static_cast<int64_t>(found.size()));
  for (const std::string& key : found) {
    ctx.reply().Bulk(key);
  }
}

// Parses a SCAN cursor as Redis's parseScanCursorOrReply (strtoul): no leading space, optional
// sign ("-1" wraps), an empty string is 0, no trailing bytes, no overflow.
std::optional<uint64_t> ParseScanCursor(std::string_view text) {
  if (!text.empty() && std::isspace(static_cast<unsigned char>(text[0])) != 0) {
    return std::nullopt;
  }
  std::string copy(text);  // NUL-terminated for strtoull; an embedded NUL ends it, as in Redis
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(copy.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(v);
}

// Parses SCAN's options from argument 2; replies and returns false on error.
bool ParseScanOptions(CommandContext& ctx, keys::ScanOptions* out) {
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    if (i + 1 >= ctx.argc()) {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
    if (EqualsIgnoreCase(opt, "count")) {
      std::optional<int64_t> count = ParseInt64(ctx.arg(i + 1));
      if (!count) {
        ctx.reply().Error(kErrNotInteger);
        return false;
      }
      if (*count < 1) {
        ctx.reply().Error(kErrSyntax);
        return false;
      }
      out->count = *count;
    } else if (EqualsIgnoreCase(opt, "match")) {
      out->pattern = ctx.arg(i + 1);
    } else if (EqualsIgnoreCase(opt, "type")) {
      out->type = ctx.arg(i + 1);
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: [next-cursor, [key ...]].
void CmdScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursor(ctx.arg(1));
  if (!cursor) {
    ctx.reply().Error(kErrInvalidCursor);
    return;
  }
  keys::ScanOptions options;
  if (!ParseScanOptions(ctx, &options)) {
    return;
  }
  keys::ScanPage page = keys::Scan(ctx.db(), *cursor, options);
  ctx.reply().ArrayHeader(2);
  // Redis prints the cursor through a long long; cursors stay far below 2^63 in practice.
  ctx.reply().BulkInteger(static_cast<int64_t>(page.cursor));
  ctx.reply().ArrayHeader(static_cast<int64_t>(page.keys.size()));
  for (const std::string& key : page.keys) {
    ctx.reply().Bulk(key);
  }
}

// RANDOMKEY: a random live key, or null.
void CmdRandomKey(CommandContext& ctx) {
  std::optional<std::string> key = keys::RandomKey(ctx.keyspace(), ctx.db());
  if (!key) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Bulk(*key);
}

// DBSIZE: keys in the table, including expired ones not yet deleted (as Redis's dictSize).
void CmdDbSize(CommandContext& ctx) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.db().size()));
}

// FLUSHDB / FLUSHALL take [ASYNC|SYNC]. Returns whether the flush is synchronous; nullopt after
// replying a syntax error. Both modes free at once here (no lazy-free thread); SYNC also asks the
// allocator to return memory, as Redis does.
std::optional<bool> ParseFlushMode(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.reply().Error(kErrSyntax);
    return std::nullopt;
  }
  if (ctx.argc() == 1 || EqualsIgnoreCase(ctx.arg(1), "sync")) {
    return true;
  }
  if (EqualsIgnoreCase(ctx.arg(1), "async")) {
    return false;
  }
  ctx.reply().Error(kErrSyntax);
  return std::nullopt;
}

// FLUSHDB [ASYNC|SYNC]
void CmdFlushDb(CommandContext& ctx) {
  std::optional<bool> sync = ParseFlushMode(ctx);
  if (!sync) {
    return;
  }
  // WATCHed keys are touched while they still exist.
  ctx.server().TouchAllWatchedKeysInDb(ctx.client().db_index);
  auto removed = static_cast<int64_t>(ctx.db().size());
  ctx.db().Clear();
  ctx.MarkWritten(removed);  // propagated even when nothing was removed
  ctx.reply().Ok();
  if (*sync) {
    PurgeAllocator();
  }
}

// True when save points are configured (the "save" parameter is not empty).
bool HasSavePoints(CommandContext& ctx) {
  const Parameter* save = ctx.server().parameters().Find("save");
  return save != nullptr && save->get && !save->get().empty();
}

// FLUSHALL [ASYNC|SYNC]
void CmdFlushAll(CommandContext& ctx) {
  std::optional<bool> sync = ParseFlushMode(ctx);
  if (!sync) {
    return;
  }
  ctx.server().TouchAllWatchedKeysInDb(-1);
  engine::Keyspace& keyspace = ctx.keyspace();
  int64_t removed = 0;
  for (int i = 0; i < keyspace.db_count(); i++) {
    removed += static_cast<int64_t>(keyspace.db(i).size());
  }
  keyspace.FlushAll();
  ctx.MarkWritten(removed);  // propagated even when nothing was removed
  if (HasSavePoints(ctx)) {
    // Redis 7.0 saves the now empty dataset here (rdbSave), which resets the change counter and
    // LASTSAVE.
    if (ctx.server().snapshots != nullptr) {
      ctx.server().snapshots->SaveAfterFlushAll();
    }
    ctx.server().stats().dirty = 0;
    ctx.server().last_save_s = ctx.now_ms() / 1000;
  }
  ctx.reply().Ok();
  if (*sync) {
    PurgeAllocator();
  }
}

void RegisterKeyCommands(CommandTable& table) {
  uint64_t ks = kAclKeyspace;
  KeyPositions one{1, 1, 1};
  KeyPositions all{1, -1, 1};
  std::vector<std::string> multi_sum = {"request_policy:multi_shard", "response_policy:agg_sum"};
  table.Add({.name = "del",
             .arity = -2,
             .flags = kWrite,
             .categories = ks,
             .keys = all,
             .handler = CmdDel,
             .tips = multi_sum});
  table.Add({.name = "unlink",
             .arity = -2,
             .flags = kWrite | kFast,
             .categories = ks,
             .keys = all,
             .handler = CmdUnlink,
             .tips = multi_sum});
  table.Add({.name = "exists",
             .arity = -2,
             .flags = kReadOnly | kFast,
             .categories = ks,
             .keys = all,
             .handler = CmdExists,
             .tips = multi_sum});
  table.Add({.name = "touch",
             .arity = -2,
             .flags = kReadOnly | kFast,
             .categories = ks,
             .keys = all,
             .handler = CmdTouch,
             .tips = multi_sum});
  table.Add({.name = "type",
             .arity = 2,
             .flags = kReadOnly | kFast,
             .categories = ks,
             .keys = one,
             .handler = CmdType});
  table.Add({.name = "rename",
             .arity = 3,
             .flags = kWrite,
             .categories = ks,
             .keys = {1, 2, 1},
             .handler = CmdRename});
  table.Add({.name = "renamenx",
             .arity = 3,
             .flags = kWrite | kFast,
             .categories = ks,
             .keys = {1, 2, 1},
             .handler = CmdRenameNx});
  table.Add({.name = "copy",
             .arity = -3,
             .flags = kWrite | kDenyOom,
             .categories = ks,
             .keys = {1, 2, 1},
             .handler = CmdCopy});
  table.Add({.name = "move",
             .arity = 3,
             .flags = kWrite | kFast,
             .categories = ks,
             .keys = one,
             .handler = CmdMove});
  table.Add({.name = "swapdb",
             .arity = 3,
             .flags = kWrite | kFast,
             .categories = ks | kAclDangerous,
             .handler = CmdSwapDb});
  table.Add({.name = "keys",
             .arity = 2,
             .flags = kReadOnly,
             .categories = ks | kAclDangerous,
             .handler = CmdKeys,
             .tips = {"request_policy:all_shards", "nondeterministic_output_order"}});
  table.Add({.name = "scan",
             .arity = -2,
             .flags = kReadOnly,
             .categories = ks,
             .handler = CmdScan,
             .tips = {"nondeterministic_output", "request_policy:special"}});
  table.Add({.name = "randomkey",
             .arity = 1,
             .flags = kReadOnly,
             .categories = ks,
             .handler = CmdRandomKey,
             .tips = {"request_policy:all_shards", "nondeterministic_output"}});
  table.Add({.name = "dbsize",
             .arity = 1,
             .flags = kReadOnly | kFast,
             .categories = ks,
             .handler = CmdDbSize,
             .tips = {"request_policy:all_shards", "response_policy:agg_sum"}});
  std::vector<std::string> all_ok = {"request_policy:all_shards", "response_policy:all_succeeded"};
  table.Add({.name = "flushdb",
             .arity = -1,
             .flags = kWrite,
             .categories = ks | kAclDangerous,
             .handler = CmdFlushDb,
             .tips = all_ok});
  table.Add({.name = "flushall",
             .arity = -1,
             .flags = kWrite,
             .categories = ks | kAclDangerous,
             .handler = CmdFlushAll,
             .tips = all_ok});
}

}  // namespace

void RegisterGenericFamily(CommandTable& table) {
  RegisterKeyCommands(table);
  RegisterExpireCommands(table);
  RegisterObjectCommands(table);
}

}  // namespace cairn::commands
