// Sorted-set commands, part 3 (Redis 7.0 t_zset.c genericZpopCommand, zmpopGenericCommand and
// blockingGenericZpopCommand): ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX and
// BZMPOP (blocking.h). Replicas get ZPOPMIN/ZPOPMAX key [count] for the blocking and the
// multi-key forms, as Redis rewrites them.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/blocking.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/server_state.h"
#include "dataplane/commands/zset_common.h"

namespace cairn::commands::zsets {
namespace {

using engine::ZSetValue;

// How a pop replies: ZPOPMIN (flat pairs, or RESP3 nested with a count), BZPOPMIN (key then
// member, score), ZMPOP/BZMPOP ([key, [[member, score], ...]]).
struct PopShape {
  bool emitkey = false;
  bool nested = false;
};

// Pops up to `count` elements of the non-empty `z` at `key` from the low (or `max`) end and
// replies them in `shape`; fires zpopmin/zpopmax and "del" when emptied.
void PopAndReply(CommandContext& ctx, std::string_view key, ZSetValue* z, bool max, int64_t count,
                 PopShape shape) {
  size_t n = std::min(static_cast<size_t>(count), z->size());
  std::vector<Element> popped =
      max ? Collect(*z, z->size() - n, z->size(), true) : Collect(*z, 0, n, false);
  auto len = static_cast<int64_t>(n);
  if (!shape.emitkey) {
    ctx.reply().ArrayHeader(shape.nested ? len : len * 2);
  } else if (!shape.nested) {
    ctx.reply().ArrayHeader(len * 2 + 1);
    ctx.reply().Bulk(key);
  } else {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(key);
    ctx.reply().ArrayHeader(len);
  }
  for (const Element& e : popped) {
    if (shape.nested) {
      ctx.reply().ArrayHeader(2);
    }
    ctx.reply().Bulk(e.first);
    ctx.reply().Double(e.second);
    z->Erase(e.first);
  }
  std::string k(key);
  ctx.Notify(kNotifyZset, max ? "zpopmax" : "zpopmin", k);
  DeleteIfEmpty(ctx, k, z);
  ctx.SignalModified(k);
}

// The first non-empty sorted set of `keys`. Returns false after replying WRONGTYPE; *found is
// nullptr when every key is missing.
bool FirstNonEmpty(CommandContext& ctx, const std::vector<std::string_view>& keys,
                   ZSetValue** found, std::string_view* key) {
  *found = nullptr;
  for (std::string_view k : keys) {
    ZSetValue* z;
    if (!LookupZSet(ctx, k, true, &z)) {
      return false;
    }
    if (z != nullptr && z->size() > 0) {
      *found = z;
      *key = k;
      return true;
    }
  }
  return true;
}

// ZPOPMIN / ZPOPMAX key [count].
void PopMinMax(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  int64_t count = -1;
  if (ctx.argc() == 3) {
    std::optional<int64_t> c = ParseRangeInt(ctx, ctx.arg(2), 0, INT64_MAX, kErrMustBePositive);
    if (!c) {
      return;
    }
    count = *c;
  }
  ZSetValue* z;
  std::string_view key;
  if (!FirstNonEmpty(ctx, {ctx.arg(1)}, &z, &key)) {
    return;
  }
  if (z == nullptr || count == 0) {
    ctx.reply().EmptyArray();
    return;
  }
  bool nested = ctx.client().resp() > 2 && count != -1;
  int64_t n = std::min<int64_t>(count == -1 ? 1 : count, static_cast<int64_t>(z->size()));
  PopAndReply(ctx, key, z, max, count == -1 ? 1 : count, {.emitkey = false, .nested = nested});
  ctx.MarkWritten(n);
}

void CmdZPopMin(CommandContext& ctx) {
  PopMinMax(ctx, false);
}
void CmdZPopMax(CommandContext& ctx) {
  PopMinMax(ctx, true);
}

// Pops from the first non-empty key or blocks (blockingGenericZpopCommand). `count` is -1 for
// BZPOPMIN/BZPOPMAX (no COUNT). Returns after replying, blocking or failing.
void PopOrBlock(CommandContext& ctx, const std::vector<std::string_view>& keys, bool max,
                int64_t count, bool blocking, std::string_view timeout) {
  std::optional<int64_t> deadline = 0;
  if (blocking && !(deadline = ParseBlockTimeout(ctx, timeout))) {
    return;
  }
  ZSetValue* z;
  std::string_view key;
  if (!FirstNonEmpty(ctx, keys, &z, &key)) {
    return;
  }
  if (z != nullptr) {
    std::string k(key);
    int64_t n = std::min<int64_t>(count == -1 ? 1 : count, static_cast<int64_t>(z->size()));
    PopAndReply(ctx, k, z, max, count == -1 ? 1 : count, {.emitkey = true, .nested = count != -1});
    std::vector<std::string> rewritten{max ? "ZPOPMAX" : "ZPOPMIN", k};
    if (count != -1) {
      rewritten.push_back(std::to_string(count));
    }
    ctx.MarkWrittenAs(rewritten, n);
    return;
  }
  if (!blocking || ctx.client().has_flag(kClientMulti)) {
    ctx.reply().NullArray();
    return;
  }
  ctx.server().blocked().Block(ctx.client(), ctx.spec(), ctx.args(), ctx.client().db_index, keys,
                               *deadline, TimeoutReply::kNullArray, engine::ValueType::kZSet);
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout.
void BlockingPopMinMax(CommandContext& ctx, bool max) {
  std::vector<std::string_view> keys(ctx.args().begin() + 1, ctx.args().end() - 1);
  PopOrBlock(ctx, keys, max, -1, true, ctx.arg(ctx.argc() - 1));
}

void CmdBZPopMin(CommandContext& ctx) {
  BlockingPopMinMax(ctx, false);
}
void CmdBZPopMax(CommandContext& ctx) {
  BlockingPopMinMax(ctx, true);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]; BZMPOP has the timeout first.
void MPopGeneric(CommandContext& ctx, bool blocking) {
  size_t numkeys_idx = blocking ? 2 : 1;
  std::optional<int64_t> numkeys =
      ParseRangeInt(ctx, ctx.arg(numkeys_idx), 1, INT64_MAX, kErrNumkeysPositive);
  if (!numkeys) {
    return;
  }
  if (*numkeys >= static_cast<int64_t>(ctx.argc() - numkeys_idx)) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  size_t where_idx = numkeys_idx + static_cast<size_t>(*numkeys) + 1;
  bool min = EqualsIgnoreCase(ctx.arg(where_idx), "min");
  if (!min && !EqualsIgnoreCase(ctx.arg(where_idx), "max")) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  std::optional<int64_t> count = ParseMPopCount(ctx, where_idx + 1);
  if (!count) {
    return;
  }
  std::vector<std::string_view> keys(ctx.args().begin() + static_cast<ptrdiff_t>(numkeys_idx) + 1,
                                     ctx.args().begin() + static_cast<ptrdiff_t>(where_idx));
  PopOrBlock(ctx, keys, !min, *count, blocking, ctx.arg(1));
}

void CmdZMPop(CommandContext& ctx) {
  MPopGeneric(ctx, false);
}
void CmdBZMPop(CommandContext& ctx) {
  MPopGeneric(ctx, true);
}

}  // namespace

void RegisterZSetPops(CommandTable& table) {
  uint64_t zset = kAclSortedSet;
  uint32_t blocking = kWrite | kBlocking;
  // clang-format off
  table.Add({.name = "zpopmin", .arity = -2, .flags = kWrite | kFast, .categories = zset,
             .keys = {1, 1, 1}, .handler = CmdZPopMin});
  table.Add({.name = "zpopmax", .arity = -2, .flags = kWrite | kFast, .categories = zset,
             .keys = {1, 1, 1}, .handler = CmdZPopMax});
  table.Add({.name = "zmpop", .arity = -4, .flags = kWrite, .categories = zset,
             .handler = CmdZMPop, .get_keys = NumkeysKeys(1)});
  table.Add({.name = "bzpopmin", .arity = -3, .flags = blocking | kNoScript | kFast,
             .categories = zset, .keys = {1, -2, 1}, .handler = CmdBZPopMin});
  table.Add({.name = "bzpopmax", .arity = -3, .flags = blocking | kNoScript | kFast,
             .categories = zset, .keys = {1, -2, 1}, .handler = CmdBZPopMax});
  table.Add({.name = "bzmpop", .arity = -5, .flags = blocking, .categories = zset,
             .handler = CmdBZMPop, .get_keys = NumkeysKeys(2)});
  // clang-format on
}

}  // namespace cairn::commands::zsets
