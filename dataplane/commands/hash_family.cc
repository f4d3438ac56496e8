// Hash commands (Redis 7.0 t_hash.c): HSET/HMSET/HSETNX, reads, HDEL, HINCRBY/HINCRBYFLOAT,
// HRANDFIELD and HSCAN over engine::HashValue (listpack, then hashtable past the limits).
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/engine/types/collection.h"
#include "dataplane/engine/types/hash.h"

namespace cairn::commands {
namespace {

using engine::Entry;
using engine::HashValue;
using engine::ValueType;

engine::HashLimits Limits(CommandContext& ctx) {
  const engine::KeyspaceConfig& c = ctx.keyspace().config();
  return {.max_entries = c.hash_max_listpack_entries, .max_value = c.hash_max_listpack_value};
}

// The hash at `key`, nullptr when missing; replies WRONGTYPE and returns false on a mismatch.
bool LookupHash(CommandContext& ctx, std::string_view key, bool write, HashValue** out,
                Entry** entry = nullptr) {
  Result<Entry*> e = engine::LookupTyped(ctx.db(), key, ValueType::kHash, write);
  if (ctx.ReplyIfError(e)) {
    return false;
  }
  *out = *e == nullptr ? nullptr : engine::ValueOf<HashValue>(*e);
  if (entry != nullptr) {
    *entry = *e;
  }
  return true;
}

// hashTypeLookupWriteOrCreate: the hash at `key`, created when missing.
HashValue* LookupOrCreate(CommandContext& ctx, std::string_view key, Entry** entry) {
  HashValue* h;
  if (!LookupHash(ctx, key, true, &h, entry)) {
    return nullptr;
  }
  if (h == nullptr) {
    h = new HashValue();
    *entry =
        engine::CreateCollection(ctx.db(), key, ValueType::kHash, engine::Encoding::kListpack, h);
  }
  return h;
}

// Sets a field and keeps the entry's encoding byte in step with the value.
bool SetField(CommandContext& ctx, Entry* e, HashValue* h, std::string_view f, std::string_view v) {
  bool added = h->Set(f, v, Limits(ctx));
  e->set_encoding(h->encoding());
  return added;
}

void Written(CommandContext& ctx, std::string_view event, int64_t changes = 1) {
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyHash, event, ctx.arg(1));
  ctx.MarkWritten(changes);
}

// HSET / HMSET key field value [field value ...].
void SetGeneric(CommandContext& ctx, bool hmset) {
  if (ctx.argc() % 2 == 1) {
    ctx.reply().Error(kErrWrongArgCountPrefix + ctx.spec().name + "' command");
    return;
  }
  Entry* e;
  HashValue* h = LookupOrCreate(ctx, ctx.arg(1), &e);
  if (h == nullptr) {
    return;
  }
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    created += SetField(ctx, e, h, ctx.arg(i), ctx.arg(i + 1)) ? 1 : 0;
  }
  hmset ? ctx.reply().Ok() : ctx.reply().Integer(created);
  Written(ctx, "hset", static_cast<int64_t>(ctx.argc() - 2) / 2);
}

void CmdHSet(CommandContext& ctx) {
  SetGeneric(ctx, false);
}
void CmdHMSet(CommandContext& ctx) {
  SetGeneric(ctx, true);
}

void CmdHSetNx(CommandContext& ctx) {
  Entry* e;
  HashValue* h = LookupOrCreate(ctx, ctx.arg(1), &e);
  if (h == nullptr) {
    return;
  }
  if (h->Get(ctx.arg(2))) {
    ctx.reply().Integer(0);
    return;
  }
  SetField(ctx, e, h, ctx.arg(2), ctx.arg(3));
  ctx.reply().Integer(1);
  Written(ctx, "hset");
}

void CmdHGet(CommandContext& ctx) {
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), false, &h)) {
    return;
  }
  std::optional<std::string_view> v = h == nullptr ? std::nullopt : h->Get(ctx.arg(2));
  v ? ctx.reply().Bulk(*v) : ctx.reply().Null();
}

void CmdHMGet(CommandContext& ctx) {
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), false, &h)) {
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::optional<std::string_view> v = h == nullptr ? std::nullopt : h->Get(ctx.arg(i));
    v ? ctx.reply().Bulk(*v) : ctx.reply().Null();
  }
}

void CmdHDel(CommandContext& ctx) {
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), true, &h)) {
    return;
  }
  int64_t deleted = 0;
  for (size_t i = 2; h != nullptr && i < ctx.argc(); i++) {
    deleted += h->Erase(ctx.arg(i)) ? 1 : 0;
  }
  ctx.reply().Integer(deleted);
  if (deleted > 0) {
    bool empty = h->size() == 0;
    Written(ctx, "hdel", deleted);
    if (empty) {
      ctx.db().Delete(ctx.arg(1));
      ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
    }
  }
}

void CmdHLen(CommandContext& ctx) {
  HashValue* h;
  if (LookupHash(ctx, ctx.arg(1), false, &h)) {
    ctx.reply().Integer(h == nullptr ? 0 : static_cast<int64_t>(h->size()));
  }
}

void CmdHStrLen(CommandContext& ctx) {
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), false, &h)) {
    return;
  }
  std::optional<std::string_view> v = h == nullptr ? std::nullopt : h->Get(ctx.arg(2));
  ctx.reply().Integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void CmdHExists(CommandContext& ctx) {
  HashValue* h;
  if (LookupHash(ctx, ctx.arg(1), false, &h)) {
    ctx.reply().Integer(h != nullptr && h->Get(ctx.arg(2)) ? 1 : 0);
  }
}

// HKEYS / HVALS / HGETALL (a map in RESP3).
void GetAllGeneric(CommandContext& ctx, bool keys, bool values) {
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), false, &h)) {
    return;
  }
  auto n = static_cast<int64_t>(h == nullptr ? 0 : h->size());
  if (keys && values) {
    ctx.reply().MapHeader(n);
  } else {
    ctx.reply().ArrayHeader(n);
  }
  if (h != nullptr) {
    h->ForEach([&](std::string_view f, std::string_view v) {
      if (keys) {
        ctx.reply().Bulk(f);
      }
      if (values) {
        ctx.reply().Bulk(v);
      }
    });
  }
}

void CmdHKeys(CommandContext& ctx) {
  GetAllGeneric(ctx, true, false);
}
void CmdHVals(CommandContext& ctx) {
  GetAllGeneric(ctx, false, true);
}
void CmdHGetAll(CommandContext& ctx) {
  GetAllGeneric(ctx, true, true);
}

void CmdHIncrBy(CommandContext& ctx) {
  std::optional<int64_t> incr = ParseInt64(ctx.arg(3));
  if (!incr) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  Entry* e;
  HashValue* h = LookupOrCreate(ctx, ctx.arg(1), &e);
  if (h == nullptr) {
    return;
  }
  int64_t value = 0;
  if (std::optional<std::string_view> old = h->Get(ctx.arg(2))) {
    std::optional<int64_t> parsed = ParseInt64(*old);
    if (!parsed) {
      ctx.reply().Error(kErrHashNotInteger);
      return;
    }
    value = *parsed;
  }
  if (__builtin_add_overflow(value, *incr, &value)) {
    ctx.reply().Error(kErrOverflow);
    return;
  }
  SetField(ctx, e, h, ctx.arg(2), FormatInt64(value));
  ctx.reply().Integer(value);
  Written(ctx, "hincrby");
}

void CmdHIncrByFloat(CommandContext& ctx) {
  std::optional<long double> incr = ParseLongDouble(ctx.arg(3));
  if (!incr) {
    ctx.reply().Error(kErrNotFloat);
    return;
  }
  if (std::isnan(*incr) || std::isinf(*incr)) {
    ctx.reply().Error(kErrValueNanInf);
    return;
  }
  Entry* e;
  HashValue* h = LookupOrCreate(ctx, ctx.arg(1), &e);
  if (h == nullptr) {
    return;
  }
  long double value = 0;
  if (std::optional<std::string_view> old = h->Get(ctx.arg(2))) {
    std::optional<long double> parsed = ParseLongDouble(*old);
    if (!parsed) {
      ctx.reply().Error(kErrHashNotFloat);
      return;
    }
    value = *parsed;
  }
  value += *incr;
  std::optional<std::string> text = FormatLongDoubleHuman(value);
  if (std::isnan(value) || std::isinf(value) || !text) {
    ctx.reply().Error(kErrIncrFloatNanInf);
    return;
  }
  SetField(ctx, e, h, ctx.arg(2), *text);
  ctx.reply().Bulk(*text);
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyHash, "hincrbyfloat", ctx.arg(1));
  // Replicas get the result, not the increment (float formatting may differ), as Redis.
  ctx.MarkWrittenAs({"HSET", std::string(ctx.arg(1)), std::string(ctx.arg(2)), *text});
}

void ReplyPair(CommandContext& ctx, std::string_view f, std::string_view v, bool with_values) {
  if (with_values && ctx.client().resp() > 2) {
    ctx.reply().ArrayHeader(2);
  }
  ctx.reply().Bulk(f);
  if (with_values) {
    ctx.reply().Bulk(v);
  }
}

// HRANDFIELD key count [WITHVALUES], as hrandfieldWithCountCommand: negative counts may repeat.
void RandFieldWithCount(CommandContext& ctx) {
  std::optional<int64_t> count = ParseRangeInt(ctx, ctx.arg(2), -INT64_MAX, INT64_MAX);
  if (!count) {
    return;
  }
  bool with_values = false;
  if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(3), "withvalues")) {
    with_values = true;
  } else if (ctx.argc() >= 4) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), false, &h)) {
    return;
  }
  if (h == nullptr || *count == 0) {
    ctx.reply().EmptyArray();
    return;
  }
  std::mt19937_64& rng = ctx.keyspace().rng();
  auto size = static_cast<int64_t>(h->size());
  int64_t mult = with_values && ctx.client().resp() == 2 ? 2 : 1;
  if (*count < 0) {
    if (-*count > kMaxRandomRepeats) {
      ctx.reply().Error(kErrValueOutOfRange);
      return;
    }
    ctx.reply().ArrayHeader(-*count * mult);
    for (int64_t i = 0; i < -*count; i++) {
      auto [f, v] = h->Random(rng);
      ReplyPair(ctx, f, v, with_values);
    }
    return;
  }
  std::vector<std::pair<std::string, std::string>> all;
  all.reserve(h->size());
  h->ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  if (*count < size) {
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(static_cast<size_t>(*count));
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(all.size()) * mult);
  for (const auto& [f, v] : all) {
    ReplyPair(ctx, f, v, with_values);
  }
}

void CmdHRandField(CommandContext& ctx) {
  if (ctx.argc() >= 3) {
    RandFieldWithCount(ctx);
    return;
  }
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), false, &h)) {
    return;
  }
  if (h == nullptr) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Bulk(h->Random(ctx.keyspace().rng()).first);
}

void CmdHScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursorText(ctx.arg(2));
  if (!cursor) {
    ctx.reply().Error(kErrInvalidCursor);
    return;
  }
  HashValue* h;
  if (!LookupHash(ctx, ctx.arg(1), false, &h)) {
    return;
  }
  int64_t count = 10;
  std::optional<std::string_view> pattern;
  if (h != nullptr && !ParseCollectionScanArgs(ctx, &count, &pattern)) {
    return;
  }
  std::vector<std::pair<std::string, std::string>> found;
  uint64_t next = 0;
  if (h != nullptr) {
    next = *cursor;
    int64_t budget = count * 10;
    do {
      next = h->Scan(next, [&](std::string_view f, std::string_view v) {
        if (ScanMatches(pattern, f)) {
          found.emplace_back(f, v);
        }
      });
    } while (next != 0 && --budget > 0 && static_cast<int64_t>(found.size()) < count);
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().BulkInteger(static_cast<int64_t>(next));
  ctx.reply().ArrayHeader(static_cast<int64_t>(found.size()) * 2);
  for (const auto& [f, v] : found) {
    ctx.reply().Bulk(f);
    ctx.reply().Bulk(v);
  }
}

}  // namespace

void RegisterHashFamily(CommandTable& table) {
  uint64_t hash = kAclHash;
  KeyPositions one{1, 1, 1};
  uint32_t write = kWrite | kDenyOom | kFast;
  uint32_t read = kReadOnly | kFast;
  // clang-format off
  table.Add({.name = "hset", .arity = -4, .flags = write, .categories = hash, .keys = one,
             .handler = CmdHSet});
  table.Add({.name = "hmset", .arity = -4, .flags = write, .categories = hash, .keys = one,
             .handler = CmdHMSet});
  table.Add({.name = "hsetnx", .arity = 4, .flags = write, .categories = hash, .keys = one,
             .handler = CmdHSetNx});
  table.Add({.name = "hget", .arity = 3, .flags = read, .categories = hash, .keys = one,
             .handler = CmdHGet});
  table.Add({.name = "hmget", .arity = -3, .flags = read, .categories = hash, .keys = one,
             .handler = CmdHMGet});
  table.Add({.name = "hdel", .arity = -3, .flags = kWrite | kFast, .categories = hash,
             .keys = one, .handler = CmdHDel});
  table.Add({.name = "hlen", .arity = 2, .flags = read, .categories = hash, .keys = one,
             .handler = CmdHLen});
  table.Add({.name = "hstrlen", .arity = 3, .flags = read, .categories = hash, .keys = one,
             .handler = CmdHStrLen});
  table.Add({.name = "hexists", .arity = 3, .flags = read, .categories = hash, .keys = one,
             .handler = CmdHExists});
  table.Add({.name = "hkeys", .arity = 2, .flags = kReadOnly, .categories = hash, .keys = one,
             .handler = CmdHKeys, .tips = {"nondeterministic_output_order"}});
  table.Add({.name = "hvals", .arity = 2, .flags = kReadOnly, .categories = hash, .keys = one,
             .handler = CmdHVals, .tips = {"nondeterministic_output_order"}});
  table.Add({.name = "hgetall", .arity = 2, .flags = kReadOnly, .categories = hash, .keys = one,
             .handler = CmdHGetAll, .tips = {"nondeterministic_output_order"}});
  table.Add({.name = "hincrby", .arity = 4, .flags = write, .categories = hash, .keys = one,
             .handler = CmdHIncrBy});
  table.Add({.name = "hincrbyfloat", .arity = 4, .flags = write, .categories = hash,
             .keys = one, .handler = CmdHIncrByFloat});
  table.Add({.name = "hrandfield", .arity = -2, .flags = kReadOnly, .categories = hash,
             .keys = one, .handler = CmdHRandField, .tips = {"nondeterministic_output"}});
  table.Add({.name = "hscan", .arity = -3, .flags = kReadOnly, .categories = hash, .keys = one,
             .handler = CmdHScan, .tips = {"nondeterministic_output"}});
  // clang-format on
}

}  // namespace cairn::commands
