// List commands (Redis 7.0 t_list.c): pushes, pops, indexes and ranges, LINSERT/LREM/LTRIM/LPOS,
// LMOVE/RPOPLPUSH/LMPOP and the blocking BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BLMPOP (blocking.h).
// Values live in engine::ListValue; keys are deleted when their list empties.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/engine/types/collection.h"
#include "dataplane/engine/types/list.h"

namespace cairn::commands {
namespace {

using engine::Entry;
using engine::ListValue;
using engine::ValueType;

// The list at `key` (nullptr when missing); replies WRONGTYPE and returns false on a mismatch.
bool LookupList(CommandContext& ctx, std::string_view key, bool write, ListValue** out) {
  Result<Entry*> e = engine::LookupTyped(ctx.db(), key, ValueType::kList, write);
  if (ctx.ReplyIfError(e)) {
    return false;
  }
  *out = *e == nullptr ? nullptr : engine::ValueOf<ListValue>(*e);
  return true;
}

ListValue* CreateList(CommandContext& ctx, std::string_view key) {
  auto* list = new ListValue(ctx.keyspace().config().list_max_listpack_size);
  engine::CreateCollection(ctx.db(), key, ValueType::kList, engine::Encoding::kQuicklist, list);
  return list;
}

// Deletes `key` when its list is empty, with the "del" event.
void DeleteIfEmpty(CommandContext& ctx, std::string_view key, ListValue* list) {
  if (list->empty()) {
    ctx.db().Delete(key);
    ctx.Notify(kNotifyGeneric, "del", key);
  }
}

// LPUSH / RPUSH / LPUSHX / RPUSHX.
void PushGeneric(CommandContext& ctx, bool left, bool only_existing) {
  std::string_view key = ctx.arg(1);
  ListValue* list;
  if (!LookupList(ctx, key, true, &list)) {
    return;
  }
  if (list == nullptr) {
    if (only_existing) {
      ctx.reply().Integer(0);
      return;
    }
    list = CreateList(ctx, key);
  }
  for (size_t i = 2; i < ctx.argc(); i++) {
    left ? list->PushFront(ctx.arg(i)) : list->PushBack(ctx.arg(i));
  }
  ctx.reply().Integer(static_cast<int64_t>(list->size()));
  ctx.SignalModified(key);
  ctx.Notify(kNotifyList, left ? "lpush" : "rpush", key);
  ctx.MarkWritten(static_cast<int64_t>(ctx.argc() - 2));
}

void CmdLPush(CommandContext& ctx) {
  PushGeneric(ctx, true, false);
}
void CmdRPush(CommandContext& ctx) {
  PushGeneric(ctx, false, false);
}
void CmdLPushX(CommandContext& ctx) {
  PushGeneric(ctx, true, true);
}
void CmdRPushX(CommandContext& ctx) {
  PushGeneric(ctx, false, true);
}

// Pops up to `count` elements and replies with them as an array (or a single bulk when
// !as_array), firing the pop event and deleting an emptied key.
void PopAndReply(CommandContext& ctx, std::string_view key, ListValue* list, bool left,
                 int64_t count, bool as_array) {
  auto n = static_cast<int64_t>(std::min<size_t>(list->size(), static_cast<size_t>(count)));
  if (as_array) {
    ctx.reply().ArrayHeader(n);
  }
  for (int64_t i = 0; i < n; i++) {
    ctx.reply().Bulk(left ? list->PopFront() : list->PopBack());
  }
  ctx.Notify(kNotifyList, left ? "lpop" : "rpop", key);
  DeleteIfEmpty(ctx, key, list);
  ctx.SignalModified(key);
}

// LPOP / RPOP key [count].
void PopGeneric(CommandContext& ctx, bool left) {
  if (ctx.argc() > 3) {
    ctx.reply().Error(kErrWrongArgCountPrefix + ctx.spec().name + "' command");
    return;
  }
  int64_t count = 1;
  bool has_count = ctx.argc() == 3;
  if (has_count) {
    std::optional<int64_t> c = ParseRangeInt(ctx, ctx.arg(2), 0, INT64_MAX, kErrMustBePositive);
    if (!c) {
      return;
    }
    count = *c;
  }
  ListValue* list;
  std::string_view key = ctx.arg(1);
  Result<Entry*> e = engine::LookupTyped(ctx.db(), key, ValueType::kList, true);
  if (e.ok() && *e == nullptr) {
    has_count ? ctx.reply().NullArray() : ctx.reply().Null();
    return;
  }
  if (!LookupList(ctx, key, true, &list)) {
    return;
  }
  if (has_count && count == 0) {
    ctx.reply().EmptyArray();
    return;
  }
  PopAndReply(ctx, key, list, left, count, has_count);
  ctx.MarkWritten();
}

void CmdLPop(CommandContext& ctx) {
  PopGeneric(ctx, true);
}
void CmdRPop(CommandContext& ctx) {
  PopGeneric(ctx, false);
}

void CmdLLen(CommandContext& ctx) {
  ListValue* list;
  if (LookupList(ctx, ctx.arg(1), false, &list)) {
    ctx.reply().Integer(list == nullptr ? 0 : static_cast<int64_t>(list->size()));
  }
}

// LRANGE's and LTRIM's start and stop (arguments 2 and 3). Replies Redis's not-an-integer error
// and returns false when either is not an integer.
bool ParseStartStop(CommandContext& ctx, int64_t* start, int64_t* stop) {
  std::optional<int64_t> a = ParseInt64(ctx.arg(2));
  std::optional<int64_t> b = ParseInt64(ctx.arg(3));
  if (!a || !b) {
    ctx.reply().Error(kErrNotInteger);
    return false;
  }
  *start = *a;
  *stop = *b;
  return true;
}

void CmdLRange(CommandContext& ctx) {
  int64_t start;
  int64_t stop;
  if (!ParseStartStop(ctx, &start, &stop)) {
    return;
  }
  ListValue* list;
  if (!LookupList(ctx, ctx.arg(1), false, &list)) {
    return;
  }
  if (list == nullptr || !ClampRange(static_cast<int64_t>(list->size()), &start, &stop)) {
    ctx.reply().EmptyArray();
    return;
  }
  ctx.reply().ArrayHeader(stop - start + 1);
  list->Visit(static_cast<size_t>(start), static_cast<size_t>(stop), false,
              [&](std::string_view v) {
                ctx.reply().Bulk(v);
                return true;
              });
}

// Resolves a possibly negative index; nullopt when out of range.
std::optional<size_t> ResolveIndex(const ListValue& list, int64_t index) {
  auto len = static_cast<int64_t>(list.size());
  if (index < 0) {
    index += len;
  }
  if (index < 0 || index >= len) {
    return std::nullopt;
  }
  return static_cast<size_t>(index);
}

void CmdLIndex(CommandContext& ctx) {
  ListValue* list;
  if (!LookupList(ctx, ctx.arg(1), false, &list)) {
    return;
  }
  std::optional<int64_t> index = ParseInt64(ctx.arg(2));
  if (!index) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  std::optional<size_t> at = list == nullptr ? std::nullopt : ResolveIndex(*list, *index);
  if (!at) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Bulk(list->At(*at));
}

void CmdLSet(CommandContext& ctx) {
  ListValue* list;
  if (!LookupList(ctx, ctx.arg(1), true, &list)) {
    return;
  }
  if (list == nullptr) {
    ctx.reply().Error(kErrNoSuchKey);
    return;
  }
  std::optional<int64_t> index = ParseInt64(ctx.arg(2));
  if (!index) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  std::optional<size_t> at = ResolveIndex(*list, *index);
  if (!at) {
    ctx.reply().Error(kErrOutOfRange);
    return;
  }
  list->Set(*at, ctx.arg(3));
  ctx.reply().Ok();
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyList, "lset", ctx.arg(1));
  ctx.MarkWritten();
}

void CmdLInsert(CommandContext& ctx) {
  bool before;
  if (EqualsIgnoreCase(ctx.arg(2), "before")) {
    before = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "after")) {
    before = false;
  } else {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  ListValue* list;
  if (!LookupList(ctx, ctx.arg(1), true, &list)) {
    return;
  }
  if (list == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  std::optional<size_t> found;
  size_t index = 0;
  list->Visit(0, list->size() - 1, false, [&](std::string_view v) {
    if (v == ctx.arg(3)) {
      found = index;
      return false;
    }
    index++;
    return true;
  });
  if (!found) {
    ctx.reply().Integer(-1);
    return;
  }
  list->InsertAt(before ? *found : *found + 1, ctx.arg(4));
  ctx.reply().Integer(static_cast<int64_t>(list->size()));
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyList, "linsert", ctx.arg(1));
  ctx.MarkWritten();
}

void CmdLRem(CommandContext& ctx) {
  std::optional<int64_t> count = ParseInt64(ctx.arg(2));
  if (!count) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  ListValue* list;
  if (!LookupList(ctx, ctx.arg(1), true, &list)) {
    return;
  }
  if (list == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  int64_t removed = list->Remove(*count, ctx.arg(3));
  ctx.reply().Integer(removed);
  if (removed > 0) {
    ctx.Notify(kNotifyList, "lrem", ctx.arg(1));
    DeleteIfEmpty(ctx, ctx.arg(1), list);
    ctx.SignalModified(ctx.arg(1));
    ctx.MarkWritten(removed);
  }
}

void CmdLTrim(CommandContext& ctx) {
  int64_t start;
  int64_t stop;
  if (!ParseStartStop(ctx, &start, &stop)) {
    return;
  }
  ListValue* list;
  if (!LookupList(ctx, ctx.arg(1), true, &list)) {
    return;
  }
  if (list == nullptr) {
    ctx.reply().Ok();
    return;
  }
  if (ClampRange(static_cast<int64_t>(list->size()), &start, &stop)) {
    list->Trim(static_cast<size_t>(start), static_cast<size_t>(stop));
  } else {
    list->Trim(1, 0);
  }
  ctx.reply().Ok();
  ctx.Notify(kNotifyList, "ltrim", ctx.arg(1));
  DeleteIfEmpty(ctx, ctx.arg(1), list);
  ctx.SignalModified(ctx.arg(1));
  ctx.MarkWritten();
}

struct LposArgs {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT
  int64_t maxlen = 0;
};

bool ParseLposArgs(CommandContext& ctx, LposArgs* a) {
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "rank") && more) {
      std::optional<int64_t> v = ParseRangeInt(ctx, ctx.arg(++j), INT64_MIN, INT64_MAX);
      if (!v) {
        return false;
      }
      // Redis 7.0 negates LONG_MIN into itself: every match then counts, from the tail.
      if (*v == INT64_MIN) {
        *v = -1;
      }
      if (*v == 0) {
        ctx.reply().Error(kErrLposRankZero);
        return false;
      }
      a->rank = *v;
    } else if (EqualsIgnoreCase(opt, "count") && more) {
      std::optional<int64_t> v =
          ParseRangeInt(ctx, ctx.arg(++j), 0, INT64_MAX, kErrLposCountNegative);
      if (!v) {
        return false;
      }
      a->count = *v;
    } else if (EqualsIgnoreCase(opt, "maxlen") && more) {
      std::optional<int64_t> v =
          ParseRangeInt(ctx, ctx.arg(++j), 0, INT64_MAX, kErrLposMaxlenNegative);
      if (!v) {
        return false;
      }
      a->maxlen = *v;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

void CmdLPos(CommandContext& ctx) {
  LposArgs a;
  if (!ParseLposArgs(ctx, &a)) {
    return;
  }
  ListValue* list;
  if (!LookupList(ctx, ctx.arg(1), false, &list)) {
    return;
  }
  if (list == nullptr || list->empty()) {
    a.count != -1 ? ctx.reply().EmptyArray() : ctx.reply().Null();
    return;
  }
  bool reverse = a.rank < 0;
  int64_t rank = reverse ? -a.rank : a.rank;
  auto len = static_cast<int64_t>(list->size());
  std::vector<int64_t> found;
  int64_t index = 0;
  int64_t matches = 0;
  list->Visit(0, list->size() - 1, reverse, [&](std::string_view v) {
    if (a.maxlen != 0 && index >= a.maxlen) {
      return false;
    }
    if (v == ctx.arg(2) && ++matches >= rank) {
      found.push_back(reverse ? len - index - 1 : index);
      if (a.count == -1 || (a.count != 0 && matches - rank + 1 >= a.count)) {
        return false;
      }
    }
    index++;
    return true;
  });
  if (a.count == -1) {
    found.empty() ? ctx.reply().Null() : ctx.reply().Integer(found[0]);
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(found.size()));
  for (int64_t i : found) {
    ctx.reply().Integer(i);
  }
}

// Moves one element from `src` (non-empty, already type checked) to `dst`, as
// lmoveGenericCommand after its checks. Replies with the element.
void MoveElement(CommandContext& ctx, ListValue* src, bool from_left, bool to_left) {
  std::string_view src_key = ctx.arg(1);
  std::string_view dst_key = ctx.arg(2);
  std::string value = from_left ? src->PopFront() : src->PopBack();
  ListValue* dst;
  LookupList(ctx, dst_key, true, &dst);  // checked by the caller
  if (dst == nullptr) {
    dst = CreateList(ctx, dst_key);
  }
  to_left ? dst->PushFront(value) : dst->PushBack(value);
  ctx.SignalModified(dst_key);
  ctx.Notify(kNotifyList, to_left ? "lpush" : "rpush", dst_key);
  ctx.reply().Bulk(value);
  ctx.Notify(kNotifyList, from_left ? "lpop" : "rpop", src_key);
  DeleteIfEmpty(ctx, src_key, src);
  ctx.SignalModified(src_key);
}

// LMOVE / RPOPLPUSH / BLMOVE / BRPOPLPUSH. `timeout_arg` is 0 for the non-blocking ones.
void MoveGeneric(CommandContext& ctx, bool from_left, bool to_left, size_t timeout_arg) {
  std::optional<int64_t> deadline = 0;
  if (timeout_arg != 0 && !(deadline = ParseBlockTimeout(ctx, ctx.arg(timeout_arg)))) {
    return;
  }
  ListValue* src;
  if (!LookupList(ctx, ctx.arg(1), true, &src)) {
    return;
  }
  if (src == nullptr) {
    if (timeout_arg == 0 || ctx.client().has_flag(kClientMulti)) {
      ctx.reply().Null();
      return;
    }
    ctx.server().blocked().Block(ctx.client(), ctx.spec(), ctx.args(), ctx.client().db_index,
                                 {ctx.arg(1)}, *deadline, TimeoutReply::kNullArray);
    return;
  }
  ListValue* dst;
  if (!LookupList(ctx, ctx.arg(2), true, &dst)) {
    return;
  }
  MoveElement(ctx, src, from_left, to_left);
  std::string from(from_left ? "LEFT" : "RIGHT");
  std::string to(to_left ? "LEFT" : "RIGHT");
  if (ctx.spec().name == "brpoplpush") {
    ctx.MarkWrittenAs({"RPOPLPUSH", std::string(ctx.arg(1)), std::string(ctx.arg(2))});
  } else if (ctx.spec().name == "blmove") {
    ctx.MarkWrittenAs({"LMOVE", std::string(ctx.arg(1)), std::string(ctx.arg(2)), from, to});
  } else {
    ctx.MarkWritten();
  }
}

void CmdLMove(CommandContext& ctx) {
  std::optional<bool> from = ParseLeftRight(ctx, ctx.arg(3));
  std::optional<bool> to = from ? ParseLeftRight(ctx, ctx.arg(4)) : std::nullopt;
  if (from && to) {
    MoveGeneric(ctx, *from, *to, 0);
  }
}

void CmdRPopLPush(CommandContext& ctx) {
  MoveGeneric(ctx, false, true, 0);
}

void CmdBLMove(CommandContext& ctx) {
  std::optional<bool> from = ParseLeftRight(ctx, ctx.arg(3));
  std::optional<bool> to = from ? ParseLeftRight(ctx, ctx.arg(4)) : std::nullopt;
  if (from && to) {
    MoveGeneric(ctx, *from, *to, 5);
  }
}

void CmdBRPopLPush(CommandContext& ctx) {
  MoveGeneric(ctx, false, true, 3);
}

// Pops from the first non-empty list of `keys`; replies [key, element] (BLPOP/BRPOP, !mpop) or
// [key, [elements]] (LMPOP/BLMPOP) and returns true, or returns false when all are empty (no
// reply). A WRONGTYPE key replies the error and returns true.
bool PopFirstNonEmpty(CommandContext& ctx, const std::vector<std::string_view>& keys, bool left,
                      int64_t count, bool mpop) {
  for (std::string_view key : keys) {
    ListValue* list;
    if (!LookupList(ctx, key, true, &list)) {
      return true;
    }
    if (list == nullptr || list->empty()) {
      continue;
    }
    int64_t n = std::min<int64_t>(count, static_cast<int64_t>(list->size()));
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(key);
    std::string k(key);
    PopAndReply(ctx, k, list, left, count, mpop);
    ctx.MarkWrittenAs(mpop ? std::vector<std::string>{left ? "LPOP" : "RPOP", k, std::to_string(n)}
                           : std::vector<std::string>{left ? "LPOP" : "RPOP", k});
    return true;
  }
  return false;
}

// Pops as PopFirstNonEmpty does; when every key is empty, replies a null array (not
// `blocking`, or inside MULTI, as Redis) or blocks the client until `deadline_ms`.
void PopOrBlock(CommandContext& ctx, const std::vector<std::string_view>& keys, bool left,
                int64_t count, bool mpop, bool blocking, int64_t deadline_ms) {
  if (PopFirstNonEmpty(ctx, keys, left, count, mpop)) {
    return;
  }
  if (!blocking || ctx.client().has_flag(kClientMulti)) {
    ctx.reply().NullArray();
    return;
  }
  ctx.server().blocked().Block(ctx.client(), ctx.spec(), ctx.args(), ctx.client().db_index, keys,
                               deadline_ms, TimeoutReply::kNullArray);
}

// BLPOP / BRPOP key [key ...] timeout.
void BlockingPop(CommandContext& ctx, bool left) {
  std::optional<int64_t> deadline = ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1));
  if (!deadline) {
    return;
  }
  std::vector<std::string_view> keys(ctx.args().begin() + 1, ctx.args().end() - 1);
  PopOrBlock(ctx, keys, left, 1, /*mpop=*/false, /*blocking=*/true, *deadline);
}

void CmdBLPop(CommandContext& ctx) {
  BlockingPop(ctx, true);
}
void CmdBRPop(CommandContext& ctx) {
  BlockingPop(ctx, false);
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]; BLMPOP has the timeout first.
void MPopGeneric(CommandContext& ctx, bool blocking) {
  std::optional<int64_t> deadline = 0;
  if (blocking && !(deadline = ParseBlockTimeout(ctx, ctx.arg(1)))) {
    return;
  }
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
  std::optional<bool> left = ParseLeftRight(ctx, ctx.arg(where_idx));
  if (!left) {
    return;
  }
  std::optional<int64_t> count = ParseMPopCount(ctx, where_idx + 1);
  if (!count) {
    return;
  }
  std::vector<std::string_view> keys(ctx.args().begin() + static_cast<ptrdiff_t>(numkeys_idx) + 1,
                                     ctx.args().begin() + static_cast<ptrdiff_t>(where_idx));
  PopOrBlock(ctx, keys, *left, *count, /*mpop=*/true, blocking, *deadline);
}

void CmdLMPop(CommandContext& ctx) {
  MPopGeneric(ctx, false);
}
void CmdBLMPop(CommandContext& ctx) {
  MPopGeneric(ctx, true);
}

void RegisterWriters(CommandTable& table) {
  uint64_t list = kAclList;
  KeyPositions one{1, 1, 1};
  uint32_t push = kWrite | kDenyOom | kFast;
  // clang-format off
  table.Add({.name = "lpush", .arity = -3, .flags = push, .categories = list, .keys = one,
             .handler = CmdLPush});
  table.Add({.name = "rpush", .arity = -3, .flags = push, .categories = list, .keys = one,
             .handler = CmdRPush});
  table.Add({.name = "lpushx", .arity = -3, .flags = push, .categories = list, .keys = one,
             .handler = CmdLPushX});
  table.Add({.name = "rpushx", .arity = -3, .flags = push, .categories = list, .keys = one,
             .handler = CmdRPushX});
  table.Add({.name = "lpop", .arity = -2, .flags = kWrite | kFast, .categories = list,
             .keys = one, .handler = CmdLPop});
  table.Add({.name = "rpop", .arity = -2, .flags = kWrite | kFast, .categories = list,
             .keys = one, .handler = CmdRPop});
  table.Add({.name = "lset", .arity = 4, .flags = kWrite | kDenyOom, .categories = list,
             .keys = one, .handler = CmdLSet});
  table.Add({.name = "linsert", .arity = 5, .flags = kWrite | kDenyOom, .categories = list,
             .keys = one, .handler = CmdLInsert});
  table.Add({.name = "lrem", .arity = 4, .flags = kWrite, .categories = list, .keys = one,
             .handler = CmdLRem});
  table.Add({.name = "ltrim", .arity = 4, .flags = kWrite, .categories = list, .keys = one,
             .handler = CmdLTrim});
  table.Add({.name = "lmove", .arity = 5, .flags = kWrite | kDenyOom, .categories = list,
             .keys = {1, 2, 1}, .handler = CmdLMove});
  table.Add({.name = "rpoplpush", .arity = 3, .flags = kWrite | kDenyOom, .categories = list,
             .keys = {1, 2, 1}, .handler = CmdRPopLPush});
  table.Add({.name = "lmpop", .arity = -4, .flags = kWrite, .categories = list,
             .handler = CmdLMPop, .get_keys = NumkeysKeys(1)});
  // clang-format on
}

void RegisterReaders(CommandTable& table) {
  uint64_t list = kAclList;
  KeyPositions one{1, 1, 1};
  // clang-format off
  table.Add({.name = "llen", .arity = 2, .flags = kReadOnly | kFast, .categories = list,
             .keys = one, .handler = CmdLLen});
  table.Add({.name = "lrange", .arity = 4, .flags = kReadOnly, .categories = list, .keys = one,
             .handler = CmdLRange});
  table.Add({.name = "lindex", .arity = 3, .flags = kReadOnly, .categories = list, .keys = one,
             .handler = CmdLIndex});
  table.Add({.name = "lpos", .arity = -3, .flags = kReadOnly, .categories = list, .keys = one,
             .handler = CmdLPos});
  // clang-format on
}

void RegisterBlocking(CommandTable& table) {
  uint64_t list = kAclList;
  uint32_t flags = kWrite | kBlocking;
  // clang-format off
  table.Add({.name = "blpop", .arity = -3, .flags = flags | kNoScript, .categories = list,
             .keys = {1, -2, 1}, .handler = CmdBLPop});
  table.Add({.name = "brpop", .arity = -3, .flags = flags | kNoScript, .categories = list,
             .keys = {1, -2, 1}, .handler = CmdBRPop});
  table.Add({.name = "blmove", .arity = 6, .flags = flags | kDenyOom | kNoScript, .categories = list,
             .keys = {1, 2, 1}, .handler = CmdBLMove});
  table.Add({.name = "brpoplpush", .arity = 4, .flags = flags | kDenyOom | kNoScript, .categories = list,
             .keys = {1, 2, 1}, .handler = CmdBRPopLPush});
  table.Add({.name = "blmpop", .arity = -5, .flags = flags, .categories = list,
             .handler = CmdBLMPop, .get_keys = NumkeysKeys(2)});
  // clang-format on
}

}  // namespace

void RegisterListFamily(CommandTable& table) {
  RegisterWriters(table);
  RegisterReaders(table);
  RegisterBlocking(table);
}

}  // namespace cairn::commands
