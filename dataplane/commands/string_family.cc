// String commands (Redis 7.0 t_string.c semantics): SET and its variants, GET and its variants,
// counters, APPEND/STRLEN, ranges and LCS.
#include <optional>
#include <string>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/engine/types/string.h"

namespace cairn::commands {
namespace {

namespace strings = engine::strings;

std::string InvalidExpireError(const CommandContext& ctx) {
  return kErrInvalidExpirePrefix + ctx.spec().name + "' command";
}

// Turns an EX/PX/EXAT/PXAT argument into absolute ms, as getExpireMillisecondsOrReply does.
// Replies with the error and returns nullopt when invalid.
std::optional<int64_t> ParseExpireAt(CommandContext& ctx, std::string_view text, bool seconds,
                                     bool relative) {
  std::optional<int64_t> v = ParseInt64(text);
  if (!v) {
    ctx.reply().Error(kErrNotInteger);
    return std::nullopt;
  }
  int64_t ms = *v;
  if (ms <= 0 || (seconds && ms > INT64_MAX / 1000)) {
    ctx.reply().Error(InvalidExpireError(ctx));
    return std::nullopt;
  }
  if (seconds) {
    ms *= 1000;
  }
  if (relative && __builtin_add_overflow(ms, ctx.now_ms(), &ms)) {
    ctx.reply().Error(InvalidExpireError(ctx));
    return std::nullopt;
  }
  return ms;
}

// Options of SET and GETEX (Redis's OBJ_* flags of parseExtendedStringArgumentsOrReply).
enum ExtendedFlag : uint32_t {
  kOptNx = 1 << 0,
  kOptXx = 1 << 1,
  kOptGet = 1 << 2,
  kOptKeepTtl = 1 << 3,
  kOptPersist = 1 << 4,
  kOptEx = 1 << 5,
  kOptPx = 1 << 6,
  kOptExAt = 1 << 7,
  kOptPxAt = 1 << 8,
};
constexpr uint32_t kOptAnyExpire = kOptEx | kOptPx | kOptExAt | kOptPxAt;

struct ExtendedArgs {
  uint32_t flags = 0;
  std::string_view expire;              // the EX/PX/EXAT/PXAT argument
  std::optional<int64_t> expire_at_ms;  // ... resolved to absolute ms
};

uint32_t ExpireOptionFlag(std::string_view opt) {
  if (EqualsIgnoreCase(opt, "ex")) {
    return kOptEx;
  }
  if (EqualsIgnoreCase(opt, "px")) {
    return kOptPx;
  }
  if (EqualsIgnoreCase(opt, "exat")) {
    return kOptExAt;
  }
  return EqualsIgnoreCase(opt, "pxat") ? uint32_t{kOptPxAt} : 0;
}

// Parses SET (`is_set`, options from argument 3) or GETEX (from argument 2) options. As in
// Redis, repeating an option is allowed (the last expire wins) but conflicting ones are a syntax
// error. Replies and returns false on error.
bool ParseExtendedArgs(CommandContext& ctx, bool is_set, ExtendedArgs* out) {
  for (size_t i = is_set ? 3 : 2; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    uint32_t f = out->flags;
    uint32_t expire_flag = ExpireOptionFlag(opt);
    if (is_set && EqualsIgnoreCase(opt, "nx") && (f & kOptXx) == 0) {
      out->flags |= kOptNx;
    } else if (is_set && EqualsIgnoreCase(opt, "xx") && (f & kOptNx) == 0) {
      out->flags |= kOptXx;
    } else if (is_set && EqualsIgnoreCase(opt, "get")) {
      out->flags |= kOptGet;
    } else if (is_set && EqualsIgnoreCase(opt, "keepttl") &&
               (f & (kOptPersist | kOptAnyExpire)) == 0) {
      out->flags |= kOptKeepTtl;
    } else if (!is_set && EqualsIgnoreCase(opt, "persist") &&
               (f & (kOptKeepTtl | kOptAnyExpire)) == 0) {
      out->flags |= kOptPersist;
    } else if (expire_flag != 0 && i + 1 < ctx.argc() &&
               (f & (kOptKeepTtl | kOptPersist | (kOptAnyExpire & ~expire_flag))) == 0) {
      out->flags |= expire_flag;
      out->expire = ctx.arg(++i);
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Validates the expire option (if any) into args->expire_at_ms; replies and returns false on error.
bool ResolveExpire(CommandContext& ctx, ExtendedArgs* args) {
  if ((args->flags & kOptAnyExpire) == 0) {
    return true;
  }
  bool seconds = (args->flags & (kOptEx | kOptExAt)) != 0;
  bool relative = (args->flags & (kOptEx | kOptPx)) != 0;
  args->expire_at_ms = ParseExpireAt(ctx, args->expire, seconds, relative);
  return args->expire_at_ms.has_value();
}

void ReplyOptionalBulk(CommandContext& ctx, const std::optional<std::string_view>& v) {
  if (v) {
    ctx.reply().Bulk(*v);
  } else {
    ctx.reply().Null();
  }
}

// Stores after the GET and NX/XX checks (setGenericCommand); shared by SET, SETEX, PSETEX and
// GETSET. With GET the old value is the reply, written before the store.
void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const ExtendedArgs& args) {
  engine::Db& db = ctx.db();
  bool get = (args.flags & kOptGet) != 0;
  if (get) {
    Result<std::optional<std::string_view>> old = strings::Get(db, key);
    if (ctx.ReplyIfError(old)) {
      return;
    }
    ReplyOptionalBulk(ctx, *old);
  }
  if ((args.flags & (kOptNx | kOptXx)) != 0) {
    bool found = db.LookupWrite(key) != nullptr;
    if (((args.flags & kOptNx) != 0 && found) || ((args.flags & kOptXx) != 0 && !found)) {
      if (!get) {
        ctx.reply().Null();
      }
      return;
    }
  }
  // A time already past is stored as is: the key expires on its next access, as in Redis 7.0.
  strings::Set(db, key, value,
               {.keep_ttl = (args.flags & kOptKeepTtl) != 0, .expire_at_ms = args.expire_at_ms});
  ctx.Notify(kNotifyString, "set", key);
  if (args.expire_at_ms) {
    ctx.Notify(kNotifyGeneric, "expire", key);
  }
  ctx.SignalModified(key);
  if (args.expire_at_ms) {
    // Replicas get the absolute time, so applying the stream later gives the same TTL.
    ctx.MarkWrittenAs(
        {"SET", std::string(key), std::string(value), "PXAT", std::to_string(*args.expire_at_ms)});
  } else {
    ctx.MarkWritten();
  }
  if (!get) {
    ctx.reply().Ok();
  }
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
void CmdSet(CommandContext& ctx) {
  ExtendedArgs args;
  if (ParseExtendedArgs(ctx, /*is_set=*/true, &args) && ResolveExpire(ctx, &args)) {
    SetGeneric(ctx, ctx.arg(1), ctx.arg(2), args);
  }
}

// SETNX key value: 1 if set, 0 if the key existed.
void CmdSetNx(CommandContext& ctx) {
  engine::Db& db = ctx.db();
  if (db.LookupWrite(ctx.arg(1)) != nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  strings::Set(db, ctx.arg(1), ctx.arg(2), {});
  ctx.Notify(kNotifyString, "set", ctx.arg(1));
  ctx.SignalModified(ctx.arg(1));
  ctx.MarkWritten();
  ctx.reply().Integer(1);
}

// SETEX key seconds value / PSETEX key milliseconds value
void SetExGeneric(CommandContext& ctx, bool seconds) {
  ExtendedArgs args;
  args.expire_at_ms = ParseExpireAt(ctx, ctx.arg(2), seconds, /*relative=*/true);
  if (args.expire_at_ms) {
    SetGeneric(ctx, ctx.arg(1), ctx.arg(3), args);
  }
}
void CmdSetEx(CommandContext& ctx) {
  SetExGeneric(ctx, true);
}
void CmdPSetEx(CommandContext& ctx) {
  SetExGeneric(ctx, false);
}

// GET key
void CmdGet(CommandContext& ctx) {
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  if (!v->has_value()) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Bulk(**v);
}

// GETSET key value: SET ... GET (the TTL is dropped).
void CmdGetSet(CommandContext& ctx) {
  ExtendedArgs args;
  args.flags = kOptGet;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), args);
}

// Applies GETEX's TTL change to `key`, which the command just read: an absolute time already past
// deletes it (propagated as DEL), else EX/PX/EXAT/PXAT set the TTL and PERSIST drops it.
void ApplyGetExTtl(CommandContext& ctx, std::string_view key, const ExtendedArgs& args) {
  engine::Db& db = ctx.db();
  engine::Entry* e = db.Find(key);
  if (e == nullptr) {  // cannot happen: the caller just read the key
    return;
  }
  if (args.expire_at_ms) {
    bool absolute = (args.flags & (kOptExAt | kOptPxAt)) != 0;
    if (absolute && *args.expire_at_ms <= ctx.now_ms() && ctx.keyspace().expiry_deletes()) {
      db.Delete(key);
      ctx.Notify(kNotifyGeneric, "del", key);
      ctx.MarkWrittenAs({"DEL", std::string(key)});
    } else {
      db.SetExpire(e, *args.expire_at_ms);
      ctx.Notify(kNotifyGeneric, "expire", key);
      ctx.MarkWrittenAs({"PEXPIREAT", std::string(key), std::to_string(*args.expire_at_ms)});
    }
  } else if ((args.flags & kOptPersist) != 0 && e->has_expire()) {
    db.Persist(e);
    ctx.Notify(kNotifyGeneric, "persist", key);
    ctx.MarkWrittenAs({"PERSIST", std::string(key)});
  } else {
    return;
  }
  ctx.SignalModified(key);
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]: GET that also sets or clears the TTL. The
// expire value is checked only once the key is known to hold a string.
void CmdGetEx(CommandContext& ctx) {
  ExtendedArgs args;
  if (!ParseExtendedArgs(ctx, /*is_set=*/false, &args)) {
    return;
  }
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  if (!v->has_value()) {
    ctx.reply().Null();
    return;
  }
  if (!ResolveExpire(ctx, &args)) {
    return;
  }
  ctx.reply().Bulk(**v);
  ApplyGetExTtl(ctx, ctx.arg(1), args);
}

// GETDEL key: GET, then delete the key.
void CmdGetDel(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), key);
  if (ctx.ReplyIfError(v)) {
    return;
  }
  if (!v->has_value()) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Bulk(**v);
  ctx.db().Delete(key);
  ctx.SignalModified(key);
  ctx.Notify(kNotifyGeneric, "del", key);
  ctx.MarkWrittenAs({"DEL", std::string(key)});
}

// MGET key [key ...]: nil for missing keys and for keys of another type.
void CmdMGet(CommandContext& ctx) {
  engine::Db& db = ctx.db();
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 1));
  for (size_t i = 1; i < ctx.argc(); i++) {
    engine::Entry* e = db.LookupRead(ctx.arg(i));
    if (e == nullptr || e->type() != engine::ValueType::kString) {
      ctx.reply().Null();
    } else {
      ctx.reply().Bulk(e->string_value());
    }
  }
}

// MSET key value [key value ...] / MSETNX: all or nothing.
void MSetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply().Error(kErrWrongArgCountPrefix + ctx.spec().name + "' command");
    return;
  }
  engine::Db& db = ctx.db();
  if (nx) {
    for (size_t i = 1; i < ctx.argc(); i += 2) {
      if (db.LookupWrite(ctx.arg(i)) != nullptr) {
        ctx.reply().Integer(0);
        return;
      }
    }
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    strings::Set(db, ctx.arg(i), ctx.arg(i + 1), {});
    ctx.Notify(kNotifyString, "set", ctx.arg(i));
    ctx.SignalModified(ctx.arg(i));
  }
  ctx.MarkWritten(static_cast<int64_t>(ctx.argc() / 2));
  if (nx) {
    ctx.reply().Integer(1);
  } else {
    ctx.reply().Ok();
  }
}
void CmdMSet(CommandContext& ctx) {
  MSetGeneric(ctx, false);
}
void CmdMSetNx(CommandContext& ctx) {
  MSetGeneric(ctx, true);
}

// INCR, DECR, INCRBY, DECRBY share IncrDecr.
void IncrDecr(CommandContext& ctx, int64_t delta) {
  Result<int64_t> v = strings::IncrementBy(ctx.db(), ctx.arg(1), delta);
  if (ctx.ReplyIfError(v)) {
    return;
  }
  ctx.Notify(kNotifyString, "incrby", ctx.arg(1));
  ctx.SignalModified(ctx.arg(1));
  ctx.MarkWritten();
  ctx.reply().Integer(*v);
}
void CmdIncr(CommandContext& ctx) {
  IncrDecr(ctx, 1);
}
void CmdDecr(CommandContext& ctx) {
  IncrDecr(ctx, -1);
}
void CmdIncrBy(CommandContext& ctx) {
  std::optional<int64_t> delta = ParseInt64(ctx.arg(2));
  if (!delta) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  IncrDecr(ctx, *delta);
}
void CmdDecrBy(CommandContext& ctx) {
  std::optional<int64_t> delta = ParseInt64(ctx.arg(2));
  if (!delta) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  if (*delta == INT64_MIN) {
    ctx.reply().Error(kErrDecrementOverflow);
    return;
  }
  IncrDecr(ctx, -*delta);
}

// INCRBYFLOAT key increment: replies with the new value as a bulk string.
void CmdIncrByFloat(CommandContext& ctx) {
  Result<std::string> v = strings::IncrementByFloat(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyString, "incrbyfloat", ctx.arg(1));
  // As Redis: replicas get the result, not the float arithmetic.
  ctx.MarkWrittenAs({"SET", std::string(ctx.arg(1)), *v, "KEEPTTL"});
  ctx.reply().Bulk(*v);
}

// APPEND key value: the new length. Always counts as a write, even of an empty string.
void CmdAppend(CommandContext& ctx) {
  Result<int64_t> len =
      strings::Append(ctx.db(), ctx.arg(1), ctx.arg(2), ctx.config().proto_max_bulk_len);
  if (ctx.ReplyIfError(len)) {
    return;
  }
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyString, "append", ctx.arg(1));
  ctx.MarkWritten();
  ctx.reply().Integer(*len);
}

// STRLEN key: 0 for a missing key.
void CmdStrlen(CommandContext& ctx) {
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  ctx.reply().Integer(v->has_value() ? static_cast<int64_t>((*v)->size()) : 0);
}

// GETRANGE key start end (and SUBSTR): the indexes are parsed before the key is read.
void CmdGetRange(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.arg(2));
  std::optional<int64_t> end = start ? ParseInt64(ctx.arg(3)) : std::nullopt;
  if (!end) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  ctx.reply().Bulk(strings::Substring(v->value_or(std::string_view()), *start, *end));
}

// SETRANGE key offset value: the new length; an empty value changes nothing.
void CmdSetRange(CommandContext& ctx) {
  std::optional<int64_t> offset = ParseInt64(ctx.arg(2));
  if (!offset) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  if (*offset < 0) {
    ctx.reply().Error(kErrOffsetOutOfRange);
    return;
  }
  std::string_view data = ctx.arg(3);
  Result<int64_t> len =
      strings::SetRange(ctx.db(), ctx.arg(1), *offset, data, ctx.config().proto_max_bulk_len);
  if (ctx.ReplyIfError(len)) {
    return;
  }
  if (!data.empty()) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifyString, "setrange", ctx.arg(1));
    ctx.MarkWritten();
  }
  ctx.reply().Integer(*len);
}

struct LcsArgs {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
};

// Parses LCS options from argument 3 on; replies and returns false on error.
bool ParseLcsArgs(CommandContext& ctx, LcsArgs* out) {
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "idx")) {
      out->idx = true;
    } else if (EqualsIgnoreCase(opt, "len")) {
      out->len = true;
    } else if (EqualsIgnoreCase(opt, "withmatchlen")) {
      out->with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "minmatchlen") && i + 1 < ctx.argc()) {
      std::optional<int64_t> n = ParseInt64(ctx.arg(++i));
      if (!n) {
        ctx.reply().Error(kErrNotInteger);
        return false;
      }
      out->min_match_len = *n < 0 ? 0 : *n;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  if (out->idx && out->len) {
    ctx.reply().Error(kErrLcsLenAndIdx);
    return false;
  }
  return true;
}

// LCS IDX reply: a map of "matches" (each [[a_start, a_end], [b_start, b_end], (len)]) and "len".
void ReplyLcsMatches(CommandContext& ctx, const strings::LcsResult& r, bool with_match_len) {
  protocol::ReplyWriter& w = ctx.reply();
  w.MapHeader(2);
  w.Bulk("matches");
  w.ArrayHeader(static_cast<int64_t>(r.matches.size()));
  for (const strings::LcsMatch& m : r.matches) {
    w.ArrayHeader(with_match_len ? 3 : 2);
    w.ArrayHeader(2);
    w.Integer(m.a_start);
    w.Integer(m.a_end);
    w.ArrayHeader(2);
    w.Integer(m.b_start);
    w.Integer(m.b_end);
    if (with_match_len) {
      w.Integer(m.length);
    }
  }
  w.Bulk("len");
  w.Integer(r.length);
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the keys are checked before the
// options; missing keys count as empty strings.
void CmdLcs(CommandContext& ctx) {
  Result<std::optional<std::string_view>> a = strings::Get(ctx.db(), ctx.arg(1));
  Result<std::optional<std::string_view>> b = strings::Get(ctx.db(), ctx.arg(2));
  if (!a.ok() || !b.ok()) {
    ctx.reply().Error(kErrLcsWrongType);
    return;
  }
  LcsArgs args;
  if (!ParseLcsArgs(ctx, &args)) {
    return;
  }
  Result<strings::LcsResult> r =
      strings::Lcs(a->value_or(std::string_view()), b->value_or(std::string_view()),
                   /*with_text=*/!args.idx && !args.len, /*with_matches=*/args.idx,
                   args.min_match_len, ctx.config().proto_max_bulk_len);
  if (ctx.ReplyIfError(r)) {
    return;
  }
  if (args.idx) {
    ReplyLcsMatches(ctx, *r, args.with_match_len);
  } else if (args.len) {
    ctx.reply().Integer(r->length);
  } else {
    ctx.reply().Bulk(r->text);
  }
}

void RegisterSetters(CommandTable& table) {
  uint64_t str = kAclString;
  KeyPositions one{1, 1, 1};
  // clang-format off
  table.Add({.name = "set", .arity = -3, .flags = kWrite | kDenyOom, .categories = str,
             .keys = one, .handler = CmdSet});
  table.Add({.name = "setnx", .arity = 3, .flags = kWrite | kDenyOom | kFast, .categories = str,
             .keys = one, .handler = CmdSetNx});
  table.Add({.name = "setex", .arity = 4, .flags = kWrite | kDenyOom, .categories = str,
             .keys = one, .handler = CmdSetEx});
  table.Add({.name = "psetex", .arity = 4, .flags = kWrite | kDenyOom, .categories = str,
             .keys = one, .handler = CmdPSetEx});
  table.Add({.name = "getset", .arity = 3, .flags = kWrite | kDenyOom | kFast, .categories = str,
             .keys = one, .handler = CmdGetSet});
  table.Add({.name = "getex", .arity = -2, .flags = kWrite | kFast, .categories = str,
             .keys = one, .handler = CmdGetEx});
  table.Add({.name = "getdel", .arity = 2, .flags = kWrite | kFast, .categories = str,
             .keys = one, .handler = CmdGetDel});
  table.Add({.name = "mset", .arity = -3, .flags = kWrite | kDenyOom, .categories = str,
             .keys = {1, -1, 2}, .handler = CmdMSet,
             .tips = {"request_policy:multi_shard", "response_policy:all_succeeded"}});
  table.Add({.name = "msetnx", .arity = -3, .flags = kWrite | kDenyOom, .categories = str,
             .keys = {1, -1, 2}, .handler = CmdMSetNx,
             .tips = {"request_policy:multi_shard", "response_policy:agg_min"}});
  table.Add({.name = "append", .arity = 3, .flags = kWrite | kDenyOom | kFast, .categories = str,
             .keys = one, .handler = CmdAppend});
  table.Add({.name = "setrange", .arity = 4, .flags = kWrite | kDenyOom, .categories = str,
             .keys = one, .handler = CmdSetRange});
  // clang-format on
}

void RegisterCounters(CommandTable& table) {
  uint64_t str = kAclString;
  KeyPositions one{1, 1, 1};
  uint32_t flags = kWrite | kDenyOom | kFast;
  // clang-format off
  table.Add({.name = "incr", .arity = 2, .flags = flags, .categories = str, .keys = one,
             .handler = CmdIncr});
  table.Add({.name = "decr", .arity = 2, .flags = flags, .categories = str, .keys = one,
             .handler = CmdDecr});
  table.Add({.name = "incrby", .arity = 3, .flags = flags, .categories = str, .keys = one,
             .handler = CmdIncrBy});
  table.Add({.name = "decrby", .arity = 3, .flags = flags, .categories = str, .keys = one,
             .handler = CmdDecrBy});
  table.Add({.name = "incrbyfloat", .arity = 3, .flags = flags, .categories = str, .keys = one,
             .handler = CmdIncrByFloat});
  // clang-format on
}

void RegisterReaders(CommandTable& table) {
  uint64_t str = kAclString;
  KeyPositions one{1, 1, 1};
  // clang-format off
  table.Add({.name = "get", .arity = 2, .flags = kReadOnly | kFast, .categories = str,
             .keys = one, .handler = CmdGet});
  table.Add({.name = "mget", .arity = -2, .flags = kReadOnly | kFast, .categories = str,
             .keys = {1, -1, 1}, .handler = CmdMGet, .tips = {"request_policy:multi_shard"}});
  table.Add({.name = "strlen", .arity = 2, .flags = kReadOnly | kFast, .categories = str,
             .keys = one, .handler = CmdStrlen});
  table.Add({.name = "getrange", .arity = 4, .flags = kReadOnly, .categories = str, .keys = one,
             .handler = CmdGetRange});
  table.Add({.name = "substr", .arity = 4, .flags = kReadOnly, .categories = str, .keys = one,
             .handler = CmdGetRange});
  table.Add({.name = "lcs", .arity = -3, .flags = kReadOnly, .categories = str,
             .keys = {1, 2, 1}, .handler = CmdLcs});
  // clang-format on
}

}  // namespace

void RegisterStringFamily(CommandTable& table) {
  RegisterReaders(table);
  RegisterSetters(table);
  RegisterCounters(table);
}

}  // namespace cairn::commands
