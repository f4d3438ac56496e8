// Set commands (Redis 7.0 t_set.c): SADD/SREM/SMOVE, membership, SPOP/SRANDMEMBER, the algebra
// (SINTER, SUNION, SDIFF, their STORE forms, SINTERCARD) and SSCAN over engine::SetValue
// (intset, then hashtable). Set-valued replies use the RESP3 set type, as Redis.
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/engine/types/collection.h"
#include "dataplane/engine/types/set.h"

namespace cairn::commands {
namespace {

using engine::Entry;
using engine::SetValue;
using engine::ValueType;

int64_t MaxIntset(CommandContext& ctx) {
  return ctx.keyspace().config().set_max_intset_entries;
}

bool LookupSet(CommandContext& ctx, std::string_view key, bool write, SetValue** out,
               Entry** entry = nullptr) {
  Result<Entry*> e = engine::LookupTyped(ctx.db(), key, ValueType::kSet, write);
  if (ctx.ReplyIfError(e)) {
    return false;
  }
  *out = *e == nullptr ? nullptr : engine::ValueOf<SetValue>(*e);
  if (entry != nullptr) {
    *entry = *e;
  }
  return true;
}

Entry* CreateSet(CommandContext& ctx, std::string_view key, SetValue** out) {
  *out = new SetValue();
  return engine::CreateCollection(ctx.db(), key, ValueType::kSet, engine::Encoding::kIntset, *out);
}

void DeleteKey(CommandContext& ctx, std::string_view key) {
  ctx.db().Delete(key);
  ctx.Notify(kNotifyGeneric, "del", key);
}

void CmdSAdd(CommandContext& ctx) {
  SetValue* s;
  Entry* e;
  if (!LookupSet(ctx, ctx.arg(1), true, &s, &e)) {
    return;
  }
  if (s == nullptr) {
    e = CreateSet(ctx, ctx.arg(1), &s);
  }
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i++) {
    added += s->Add(ctx.arg(i), MaxIntset(ctx)) ? 1 : 0;
  }
  e->set_encoding(s->encoding());
  ctx.reply().Integer(added);
  if (added > 0) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifySet, "sadd", ctx.arg(1));
    ctx.MarkWritten(added);
  }
}

void CmdSRem(CommandContext& ctx) {
  SetValue* s;
  if (!LookupSet(ctx, ctx.arg(1), true, &s)) {
    return;
  }
  int64_t removed = 0;
  for (size_t i = 2; s != nullptr && i < ctx.argc() && s->size() > 0; i++) {
    removed += s->Remove(ctx.arg(i)) ? 1 : 0;
  }
  ctx.reply().Integer(removed);
  if (removed > 0) {
    bool empty = s->size() == 0;
    ctx.Notify(kNotifySet, "srem", ctx.arg(1));
    if (empty) {
      DeleteKey(ctx, ctx.arg(1));
    }
    ctx.SignalModified(ctx.arg(1));
    ctx.MarkWritten(removed);
  }
}

void CmdSCard(CommandContext& ctx) {
  SetValue* s;
  if (LookupSet(ctx, ctx.arg(1), false, &s)) {
    ctx.reply().Integer(s == nullptr ? 0 : static_cast<int64_t>(s->size()));
  }
}

void CmdSIsMember(CommandContext& ctx) {
  SetValue* s;
  if (LookupSet(ctx, ctx.arg(1), false, &s)) {
    ctx.reply().Integer(s != nullptr && s->Contains(ctx.arg(2)) ? 1 : 0);
  }
}

void CmdSMIsMember(CommandContext& ctx) {
  SetValue* s;
  if (!LookupSet(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    ctx.reply().Integer(s != nullptr && s->Contains(ctx.arg(i)) ? 1 : 0);
  }
}

void ReplySet(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply().SetHeader(static_cast<int64_t>(members.size()));
  for (const std::string& m : members) {
    ctx.reply().Bulk(m);
  }
}

std::vector<std::string> Members(const SetValue& s) {
  std::vector<std::string> out;
  out.reserve(s.size());
  s.ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

void CmdSMembers(CommandContext& ctx) {
  SetValue* s;
  if (!LookupSet(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  ReplySet(ctx, s == nullptr ? std::vector<std::string>{} : Members(*s));
}

void CmdSMove(CommandContext& ctx) {
  SetValue* src;
  SetValue* dst;
  Result<Entry*> se = engine::LookupTyped(ctx.db(), ctx.arg(1), ValueType::kSet, true);
  Result<Entry*> de = engine::LookupTyped(ctx.db(), ctx.arg(2), ValueType::kSet, true);
  if (se.ok() && *se == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  if (!LookupSet(ctx, ctx.arg(1), true, &src) || !LookupSet(ctx, ctx.arg(2), true, &dst)) {
    return;
  }
  (void)de;
  std::string member(ctx.arg(3));
  if (src == dst) {
    ctx.reply().Integer(src->Contains(member) ? 1 : 0);
    return;
  }
  if (!src->Remove(member)) {
    ctx.reply().Integer(0);
    return;
  }
  ctx.Notify(kNotifySet, "srem", ctx.arg(1));
  if (src->size() == 0) {
    DeleteKey(ctx, ctx.arg(1));
  }
  Entry* e;
  LookupSet(ctx, ctx.arg(2), true, &dst, &e);
  if (dst == nullptr) {
    e = CreateSet(ctx, ctx.arg(2), &dst);
  }
  ctx.SignalModified(ctx.arg(1));
  if (dst->Add(member, MaxIntset(ctx))) {
    e->set_encoding(dst->encoding());
    ctx.SignalModified(ctx.arg(2));
    ctx.Notify(kNotifySet, "sadd", ctx.arg(2));
  }
  ctx.reply().Integer(1);
  ctx.MarkWritten();
}

// SPOP key [count]: the members are removed; replicas get SREM (or DEL when all went).
void CmdSPop(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count) {
    std::optional<int64_t> c = ParseRangeInt(ctx, ctx.arg(2), 0, INT64_MAX, kErrMustBePositive);
    if (!c) {
      return;
    }
    count = *c;
  }
  SetValue* s;
  if (!LookupSet(ctx, ctx.arg(1), true, &s)) {
    return;
  }
  if (s == nullptr || (has_count && count == 0)) {
    has_count ? ctx.reply().SetHeader(0) : ctx.reply().Null();
    return;
  }
  std::vector<std::string> popped;
  std::mt19937_64& rng = ctx.keyspace().rng();
  bool all = count >= static_cast<int64_t>(s->size());
  if (all) {
    popped = Members(*s);
  } else {
    while (static_cast<int64_t>(popped.size()) < count) {
      popped.push_back(s->Random(rng));
      s->Remove(popped.back());
    }
  }
  has_count ? ReplySet(ctx, popped) : ctx.reply().Bulk(popped[0]);
  std::string key(ctx.arg(1));
  ctx.Notify(kNotifySet, "spop", key);
  if (all) {
    DeleteKey(ctx, key);
    ctx.MarkWrittenAs({"DEL", key}, static_cast<int64_t>(popped.size()));
  } else {
    std::vector<std::string> srem{"SREM", key};
    srem.insert(srem.end(), popped.begin(), popped.end());
    ctx.MarkWrittenAs(srem, static_cast<int64_t>(popped.size()));
  }
  ctx.SignalModified(key);
}

void RandMemberWithCount(CommandContext& ctx) {
  std::optional<int64_t> count = ParseRangeInt(ctx, ctx.arg(2), -INT64_MAX, INT64_MAX);
  if (!count) {
    return;
  }
  SetValue* s;
  if (!LookupSet(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  if (s == nullptr || *count == 0) {
    ctx.reply().EmptyArray();
    return;
  }
  std::mt19937_64& rng = ctx.keyspace().rng();
  if (*count < 0) {
    if (-*count > kMaxRandomRepeats) {
      ctx.reply().Error(kErrValueOutOfRange);
      return;
    }
    ctx.reply().ArrayHeader(-*count);
    for (int64_t i = 0; i < -*count; i++) {
      ctx.reply().Bulk(s->Random(rng));
    }
    return;
  }
  std::vector<std::string> all = Members(*s);
  if (*count < static_cast<int64_t>(all.size())) {
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(static_cast<size_t>(*count));
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(all.size()));
  for (const std::string& m : all) {
    ctx.reply().Bulk(m);
  }
}

void CmdSRandMember(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  if (ctx.argc() == 3) {
    RandMemberWithCount(ctx);
    return;
  }
  SetValue* s;
  if (!LookupSet(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  s == nullptr ? ctx.reply().Null() : ctx.reply().Bulk(s->Random(ctx.keyspace().rng()));
}

// Looks up every key of `keys` (nullptr for missing ones); replies WRONGTYPE and returns false
// when one holds another type. Stores read lookups except for the STORE forms (`write`).
bool LookupSets(CommandContext& ctx, const std::vector<std::string_view>& keys, bool write,
                std::vector<SetValue*>* out) {
  for (std::string_view key : keys) {
    SetValue* s;
    if (!LookupSet(ctx, key, write, &s)) {
      return false;
    }
    out->push_back(s);
  }
  return true;
}

enum class SetOp { kInter, kUnion, kDiff };

std::vector<std::string> Compute(SetOp op, std::vector<SetValue*> sets, int64_t limit = 0) {
  std::vector<std::string> out;
  if (op == SetOp::kInter) {
    if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
      return out;
    }
    std::sort(sets.begin(), sets.end(),
              [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
    sets[0]->ForEach([&](std::string_view m) {
      if (limit != 0 && static_cast<int64_t>(out.size()) >= limit) {
        return;
      }
      for (size_t i = 1; i < sets.size(); i++) {
        if (!sets[i]->Contains(m)) {
          return;
        }
      }
      out.emplace_back(m);
    });
    return out;
  }
  if (op == SetOp::kUnion) {
    std::unordered_set<std::string> seen;
    for (const SetValue* s : sets) {
      if (s != nullptr) {
        s->ForEach([&](std::string_view m) {
          if (seen.emplace(m).second) {
            out.emplace_back(m);
          }
        });
      }
    }
    return out;
  }
  if (sets[0] != nullptr) {
    sets[0]->ForEach([&](std::string_view m) {
      for (size_t i = 1; i < sets.size(); i++) {
        if (sets[i] != nullptr && sets[i]->Contains(m)) {
          return;
        }
      }
      out.emplace_back(m);
    });
  }
  return out;
}

// SINTER/SUNION/SDIFF key [key ...] and the STORE forms (destination first).
void SetOpGeneric(CommandContext& ctx, SetOp op, bool store) {
  size_t first = store ? 2 : 1;
  std::vector<std::string_view> keys(ctx.args().begin() + static_cast<ptrdiff_t>(first),
                                     ctx.args().end());
  std::vector<SetValue*> sets;
  if (!LookupSets(ctx, keys, store, &sets)) {
    return;
  }
  std::vector<std::string> result = Compute(op, sets);
  if (!store) {
    ReplySet(ctx, result);
    return;
  }
  std::string dst(ctx.arg(1));
  if (result.empty()) {
    StoreEmptyResult(ctx, dst);
    return;
  }
  auto* value = new SetValue();
  for (const std::string& m : result) {
    value->Add(m, MaxIntset(ctx));
  }
  ctx.db().Upsert(Entry::NewObject(dst, ValueType::kSet, value->encoding(), value, false, 0));
  ctx.reply().Integer(static_cast<int64_t>(result.size()));
  ctx.SignalModified(dst);
  static constexpr const char* kEvents[] = {"sinterstore", "sunionstore", "sdiffstore"};
  ctx.Notify(kNotifySet, kEvents[static_cast<int>(op)], dst);
  ctx.MarkWritten();
}

void CmdSInter(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kInter, false);
}
void CmdSInterStore(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kInter, true);
}
void CmdSUnion(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kUnion, false);
}
void CmdSUnionStore(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kUnion, true);
}
void CmdSDiff(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kDiff, false);
}
void CmdSDiffStore(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kDiff, true);
}

// SINTERCARD numkeys key [key ...] [LIMIT limit].
void CmdSInterCard(CommandContext& ctx) {
  std::optional<int64_t> numkeys =
      ParseRangeInt(ctx, ctx.arg(1), 1, INT64_MAX, kErrNumkeysPositive);
  if (!numkeys) {
    return;
  }
  if (*numkeys > static_cast<int64_t>(ctx.argc() - 2)) {
    ctx.reply().Error(kErrNumkeysTooBig);
    return;
  }
  int64_t limit = 0;
  for (size_t j = 2 + static_cast<size_t>(*numkeys); j < ctx.argc(); j++) {
    if (EqualsIgnoreCase(ctx.arg(j), "limit") && j + 1 < ctx.argc()) {
      std::optional<int64_t> l = ParseRangeInt(ctx, ctx.arg(++j), 0, INT64_MAX, kErrLimitNegative);
      if (!l) {
        return;
      }
      limit = *l;
    } else {
      ctx.reply().Error(kErrSyntax);
      return;
    }
  }
  std::vector<std::string_view> keys(ctx.args().begin() + 2,
                                     ctx.args().begin() + 2 + static_cast<ptrdiff_t>(*numkeys));
  std::vector<SetValue*> sets;
  if (!LookupSets(ctx, keys, false, &sets)) {
    return;
  }
  ctx.reply().Integer(static_cast<int64_t>(Compute(SetOp::kInter, sets, limit).size()));
}

void CmdSScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursorText(ctx.arg(2));
  if (!cursor) {
    ctx.reply().Error(kErrInvalidCursor);
    return;
  }
  SetValue* s;
  if (!LookupSet(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  int64_t count = 10;
  std::optional<std::string_view> pattern;
  if (s != nullptr && !ParseCollectionScanArgs(ctx, &count, &pattern)) {
    return;
  }
  std::vector<std::string> found;
  uint64_t next = 0;
  if (s != nullptr) {
    next = *cursor;
    int64_t budget = count * 10;
    do {
      next = s->Scan(next, [&](std::string_view m) {
        if (ScanMatches(pattern, m)) {
          found.emplace_back(m);
        }
      });
    } while (next != 0 && --budget > 0 && static_cast<int64_t>(found.size()) < count);
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().BulkInteger(static_cast<int64_t>(next));
  ctx.reply().ArrayHeader(static_cast<int64_t>(found.size()));
  for (const std::string& m : found) {
    ctx.reply().Bulk(m);
  }
}

std::vector<int> SInterCardKeys(const std::vector<std::string_view>& args) {
  std::vector<int> out;
  std::optional<int64_t> n = args.size() > 1 ? ParseInt64(args[1]) : std::nullopt;
  for (int64_t i = 0; n && i < *n && 2 + i < static_cast<int64_t>(args.size()); i++) {
    out.push_back(2 + static_cast<int>(i));
  }
  return out;
}

}  // namespace

void RegisterSetFamily(CommandTable& table) {
  uint64_t set = kAclSet;
  KeyPositions one{1, 1, 1};
  KeyPositions all{1, -1, 1};
  uint32_t read = kReadOnly | kFast;
  // clang-format off
  table.Add({.name = "sadd", .arity = -3, .flags = kWrite | kDenyOom | kFast, .categories = set,
             .keys = one, .handler = CmdSAdd});
  table.Add({.name = "srem", .arity = -3, .flags = kWrite | kFast, .categories = set,
             .keys = one, .handler = CmdSRem});
  table.Add({.name = "scard", .arity = 2, .flags = read, .categories = set, .keys = one,
             .handler = CmdSCard});
  table.Add({.name = "sismember", .arity = 3, .flags = read, .categories = set, .keys = one,
             .handler = CmdSIsMember});
  table.Add({.name = "smismember", .arity = -3, .flags = read, .categories = set, .keys = one,
             .handler = CmdSMIsMember});
  table.Add({.name = "smembers", .arity = 2, .flags = kReadOnly, .categories = set, .keys = one,
             .handler = CmdSMembers, .tips = {"nondeterministic_output_order"}});
  table.Add({.name = "smove", .arity = 4, .flags = kWrite | kFast, .categories = set,
             .keys = {1, 2, 1}, .handler = CmdSMove});
  table.Add({.name = "spop", .arity = -2, .flags = kWrite | kFast, .categories = set,
             .keys = one, .handler = CmdSPop, .tips = {"nondeterministic_output"}});
  table.Add({.name = "srandmember", .arity = -2, .flags = kReadOnly, .categories = set,
             .keys = one, .handler = CmdSRandMember, .tips = {"nondeterministic_output"}});
  table.Add({.name = "sinter", .arity = -2, .flags = kReadOnly, .categories = set, .keys = all,
             .handler = CmdSInter, .tips = {"nondeterministic_output_order"}});
  table.Add({.name = "sintercard", .arity = -3, .flags = kReadOnly, .categories = set,
             .handler = CmdSInterCard, .get_keys = SInterCardKeys});
  table.Add({.name = "sinterstore", .arity = -3, .flags = kWrite | kDenyOom, .categories = set,
             .keys = all, .handler = CmdSInterStore});
  table.Add({.name = "sunion", .arity = -2, .flags = kReadOnly, .categories = set, .keys = all,
             .handler = CmdSUnion, .tips = {"nondeterministic_output_order"}});
  table.Add({.name = "sunionstore", .arity = -3, .flags = kWrite | kDenyOom, .categories = set,
             .keys = all, .handler = CmdSUnionStore});
  table.Add({.name = "sdiff", .arity = -2, .flags = kReadOnly, .categories = set, .keys = all,
             .handler = CmdSDiff, .tips = {"nondeterministic_output_order"}});
  table.Add({.name = "sdiffstore", .arity = -3, .flags = kWrite | kDenyOom, .categories = set,
             .keys = all, .handler = CmdSDiffStore});
  table.Add({.name = "sscan", .arity = -3, .flags = kReadOnly, .categories = set, .keys = one,
             .handler = CmdSScan, .tips = {"nondeterministic_output"}});
  // clang-format on
}

}  // namespace cairn::commands
