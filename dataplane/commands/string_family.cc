// String commands (Redis 7.0 t_string.c semantics): SET and its variants, GET and its variants,
// counters, ranges.
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

// Replies with an engine op's failure (WRONGTYPE, not-an-integer, ...). Returns true if it did.
template <typename T>
bool ReplyIfError(CommandContext& ctx, const Result<T>& r) {
  if (r.ok()) {
    return false;
  }
  ctx.reply().Error(r.status().message());
  return true;
}

std::string InvalidExpireError(const CommandContext& ctx) {
  return "ERR invalid expire time in '" + ctx.spec().name + "' command";
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

struct SetArgs {
  bool nx = false;
  bool xx = false;
  bool get = false;
  bool keep_ttl = false;
  std::optional<int64_t> expire_at_ms;
};

// Parses SET's options from argument 3 on; replies and returns false on error.
bool ParseSetArgs(CommandContext& ctx, SetArgs* out) {
  bool has_expire = false;
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "nx") && !out->xx) {
      out->nx = true;
    } else if (EqualsIgnoreCase(opt, "xx") && !out->nx) {
      out->xx = true;
    } else if (EqualsIgnoreCase(opt, "get")) {
      out->get = true;
    } else if (EqualsIgnoreCase(opt, "keepttl") && !has_expire) {
      out->keep_ttl = true;
    } else if (!out->keep_ttl && !has_expire && has_next &&
               (EqualsIgnoreCase(opt, "ex") || EqualsIgnoreCase(opt, "px") ||
                EqualsIgnoreCase(opt, "exat") || EqualsIgnoreCase(opt, "pxat"))) {
      has_expire = true;
      // Validated after the whole option list parsed, as Redis does.
      out->expire_at_ms = static_cast<int64_t>(i + 1);
      i++;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  if (has_expire) {
    size_t i = static_cast<size_t>(*out->expire_at_ms);
    std::string_view opt = ctx.arg(i - 1);
    bool seconds = EqualsIgnoreCase(opt, "ex") || EqualsIgnoreCase(opt, "exat");
    bool relative = EqualsIgnoreCase(opt, "ex") || EqualsIgnoreCase(opt, "px");
    out->expire_at_ms = ParseExpireAt(ctx, ctx.arg(i), seconds, relative);
    if (!out->expire_at_ms) {
      return false;
    }
  }
  return true;
}

// Stores after the NX/XX/GET checks; shared by SET, SETNX, SETEX, PSETEX, GETSET.
void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const SetArgs& args) {
  engine::Db& db = ctx.db();
  std::optional<std::string> old_value;
  bool exists = false;
  if (args.nx || args.xx || args.get || args.keep_ttl) {
    engine::Entry* e = db.LookupWrite(key);
    exists = e != nullptr;
    if (args.get && e != nullptr) {
      if (e->type() != engine::ValueType::kString) {
        ctx.reply().Error(kErrWrongType);
        return;
      }
      old_value = std::string(e->string_value());
    }
  }
  if ((args.nx && exists) || (args.xx && !exists)) {
    if (args.get) {
      old_value ? ctx.reply().Bulk(*old_value) : ctx.reply().Null();
    } else {
      ctx.reply().Null();
    }
    return;
  }
  if (args.expire_at_ms && *args.expire_at_ms <= ctx.now_ms()) {
    // An absolute time already past deletes the key (Redis propagates a DEL).
    if (db.Delete(key)) {
      ctx.Notify(kNotifyGeneric, "del", key);
    }
  } else {
    strings::Set(db, key, value, {.keep_ttl = args.keep_ttl, .expire_at_ms = args.expire_at_ms});
    ctx.Notify(kNotifyString, "set", key);
    if (args.expire_at_ms) {
      ctx.Notify(kNotifyGeneric, "expire", key);
    }
  }
  ctx.SignalModified(key);
  ctx.MarkWritten();
  if (args.get) {
    old_value ? ctx.reply().Bulk(*old_value) : ctx.reply().Null();
  } else {
    ctx.reply().Ok();
  }
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
void CmdSet(CommandContext& ctx) {
  SetArgs args;
  if (ParseSetArgs(ctx, &args)) {
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
  SetArgs args;
  args.expire_at_ms = ParseExpireAt(ctx, ctx.arg(2), seconds, /*relative=*/true);
  if (args.expire_at_ms) {
    SetGeneric(ctx, ctx.arg(1), ctx.arg(3), args);
  }
}
void CmdSetEx(CommandContext& ctx) { SetExGeneric(ctx, true); }
void CmdPSetEx(CommandContext& ctx) { SetExGeneric(ctx, false); }

// GET key
void CmdGet(CommandContext& ctx) {
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ReplyIfError(ctx, v)) {
    return;
  }
  if (!v->has_value()) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Bulk(**v);
}

// GETSET key value: SET ... GET.
void CmdGetSet(CommandContext& ctx) {
  SetArgs args;
  args.get = true;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), args);
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
    ctx.reply().Error("ERR wrong number of arguments for '" + ctx.spec().name + "' command");
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
void CmdMSet(CommandContext& ctx) { MSetGeneric(ctx, false); }
void CmdMSetNx(CommandContext& ctx) { MSetGeneric(ctx, true); }

// INCR, DECR, INCRBY, DECRBY share IncrDecr.
void IncrDecr(CommandContext& ctx, int64_t delta) {
  Result<int64_t> v = strings::IncrementBy(ctx.db(), ctx.arg(1), delta);
  if (ReplyIfError(ctx, v)) {
    return;
  }
  ctx.Notify(kNotifyString, "incrby", ctx.arg(1));
  ctx.SignalModified(ctx.arg(1));
  ctx.MarkWritten();
  ctx.reply().Integer(*v);
}
void CmdIncr(CommandContext& ctx) { IncrDecr(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrDecr(ctx, -1); }
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
    ctx.reply().Error("ERR decrement would overflow");
    return;
  }
  IncrDecr(ctx, -*delta);
}

}  // namespace

void RegisterStringFamily(CommandTable& table) {
  uint64_t str = kAclString;
  KeyPositions one{1, 1, 1};
  table.Add({.name = "get", .arity = 2, .flags = kReadOnly | kFast, .categories = str,
             .keys = one, .handler = CmdGet});
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
  table.Add({.name = "mget", .arity = -2, .flags = kReadOnly | kFast, .categories = str,
             .keys = {1, -1, 1}, .handler = CmdMGet,
             .tips = {"request_policy:multi_shard"}});
  table.Add({.name = "mset", .arity = -3, .flags = kWrite | kDenyOom, .categories = str,
             .keys = {1, -1, 2}, .handler = CmdMSet,
             .tips = {"request_policy:multi_shard", "response_policy:all_succeeded"}});
  table.Add({.name = "msetnx", .arity = -3, .flags = kWrite | kDenyOom, .categories = str,
             .keys = {1, -1, 2}, .handler = CmdMSetNx,
             .tips = {"request_policy:multi_shard", "response_policy:agg_min"}});
  table.Add({.name = "incr", .arity = 2, .flags = kWrite | kDenyOom | kFast, .categories = str,
             .keys = one, .handler = CmdIncr});
  table.Add({.name = "decr", .arity = 2, .flags = kWrite | kDenyOom | kFast, .categories = str,
             .keys = one, .handler = CmdDecr});
  table.Add({.name = "incrby", .arity = 3, .flags = kWrite | kDenyOom | kFast, .categories = str,
             .keys = one, .handler = CmdIncrBy});
  table.Add({.name = "decrby", .arity = 3, .flags = kWrite | kDenyOom | kFast, .categories = str,
             .keys = one, .handler = CmdDecrBy});
}

}  // namespace cairn::commands
