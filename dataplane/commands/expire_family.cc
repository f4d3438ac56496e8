// Expire commands of the generic family (Redis 7.0 expire.c semantics): EXPIRE, PEXPIRE, EXPIREAT,
// PEXPIREAT with NX|XX|GT|LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/engine/keyspace_ops.h"

namespace cairn::commands {
namespace {

namespace keys = engine::keys;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// "ERR invalid expire time in '<command>' command" from kErrInvalidExpire's %s.
std::string InvalidExpireError(const CommandContext& ctx) {
  std::string text = kErrInvalidExpire;
  size_t at = text.find("%s");
  if (at != std::string::npos) {
    text.replace(at, 2, ctx.spec().name);
  }
  return text;
}

// Parses NX|XX|GT|LT from argument 3 on, as parseExtendedExpireArgumentsOrReply: an unknown
// option fails first, then incompatible pairs. Replies and returns nullopt on error.
std::optional<uint32_t> ParseExpireFlags(CommandContext& ctx) {
  uint32_t flags = 0;
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= keys::kExpireNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= keys::kExpireXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= keys::kExpireGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= keys::kExpireLt;
    } else {
      ctx.reply().Error(kErrUnsupportedOptionPrefix + std::string(opt));
      return std::nullopt;
    }
  }
  if ((flags & keys::kExpireNx) != 0 &&
      (flags & (keys::kExpireXx | keys::kExpireGt | keys::kExpireLt)) != 0) {
    ctx.reply().Error(kErrExpireNxIncompatible);
    return std::nullopt;
  }
  if ((flags & keys::kExpireGt) != 0 && (flags & keys::kExpireLt) != 0) {
    ctx.reply().Error(kErrExpireGtLtIncompatible);
    return std::nullopt;
  }
  return flags;
}

// The absolute time in ms that argument 2 names: `base_ms` (now, or 0 for the *AT forms) plus the
// value in seconds or ms. Negative values are allowed (they delete the key); only overflow is an
// error. Replies and returns nullopt on error.
std::optional<int64_t> ParseExpireTime(CommandContext& ctx, int64_t base_ms, bool seconds) {
  std::optional<int64_t> when = ParseInt64(ctx.arg(2));
  if (!when) {
    ctx.reply().Error(kErrNotInteger);
    return std::nullopt;
  }
  if (seconds) {
    if (*when > kInt64Max / 1000 || *when < kInt64Min / 1000) {
      ctx.reply().Error(InvalidExpireError(ctx));
      return std::nullopt;
    }
    *when *= 1000;
  }
  if (*when > kInt64Max - base_ms) {
    ctx.reply().Error(InvalidExpireError(ctx));
    return std::nullopt;
  }
  return *when + base_ms;
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT]: 1 when the TTL was set (or the
// key deleted because the time is past), 0 when the key is missing or a condition failed.
void ExpireGeneric(CommandContext& ctx, bool relative, bool seconds) {
  std::optional<uint32_t> flags = ParseExpireFlags(ctx);
  if (!flags) {
    return;
  }
  std::optional<int64_t> when = ParseExpireTime(ctx, relative ? ctx.now_ms() : 0, seconds);
  if (!when) {
    return;
  }
  std::string_view key = ctx.arg(1);
  switch (keys::SetExpireAt(ctx.keyspace(), ctx.db(), key, *when, *flags)) {
    case keys::ExpireOutcome::kNotSet:
      ctx.reply().Integer(0);
      return;
    case keys::ExpireOutcome::kDeleted:
      ctx.SignalModified(key);
      ctx.Notify(kNotifyGeneric, "del", key);
      ctx.MarkWrittenAs({"DEL", std::string(key)});
      break;
    case keys::ExpireOutcome::kSet: {
      ctx.SignalModified(key);
      ctx.Notify(kNotifyGeneric, "expire", key);
      // Replicas get PEXPIREAT with the absolute time (flags kept), as Redis 7.0 sends it.
      std::vector<std::string> args(ctx.args().begin(), ctx.args().end());
      args[0] = "PEXPIREAT";
      args[2] = std::to_string(*when);
      ctx.MarkWrittenAs(args);
      break;
    }
  }
  ctx.reply().Integer(1);
}
void CmdExpire(CommandContext& ctx) {
  ExpireGeneric(ctx, true, true);
}
void CmdPExpire(CommandContext& ctx) {
  ExpireGeneric(ctx, true, false);
}
void CmdExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, false, true);
}
void CmdPExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, false, false);
}

// TTL / PTTL / EXPIRETIME / PEXPIRETIME key: -2 missing, -1 no TTL, else the time left (or the
// absolute time) in ms, or in seconds rounded to the nearest.
void TtlGeneric(CommandContext& ctx, bool ms, bool absolute) {
  int64_t at = keys::ExpireTimeMs(ctx.db(), ctx.arg(1));
  if (at < 0) {
    ctx.reply().Integer(at);
    return;
  }
  int64_t ttl = absolute ? at : at - ctx.now_ms();
  if (ttl < 0) {
    ttl = 0;
  }
  // Unsigned so that a time near INT64_MAX rounds without overflow.
  auto seconds = static_cast<int64_t>((static_cast<uint64_t>(ttl) + 500) / 1000);
  ctx.reply().Integer(ms ? ttl : seconds);
}
void CmdTtl(CommandContext& ctx) {
  TtlGeneric(ctx, false, false);
}
void CmdPTtl(CommandContext& ctx) {
  TtlGeneric(ctx, true, false);
}
void CmdExpireTime(CommandContext& ctx) {
  TtlGeneric(ctx, false, true);
}
void CmdPExpireTime(CommandContext& ctx) {
  TtlGeneric(ctx, true, true);
}

// PERSIST key: 1 when a TTL was removed.
void CmdPersist(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  if (!keys::Persist(ctx.db(), key)) {
    ctx.reply().Integer(0);
    return;
  }
  ctx.SignalModified(key);
  ctx.Notify(kNotifyGeneric, "persist", key);
  ctx.MarkWritten();
  ctx.reply().Integer(1);
}

}  // namespace

// Called by RegisterGenericFamily.
void RegisterExpireCommands(CommandTable& table) {
  struct Named {
    const char* name;
    Handler handler;
  };
  uint64_t ks = kAclKeyspace;
  KeyPositions one{1, 1, 1};
  for (Named c : {Named{"expire", CmdExpire}, Named{"pexpire", CmdPExpire},
                  Named{"expireat", CmdExpireAt}, Named{"pexpireat", CmdPExpireAt}}) {
    table.Add({.name = c.name,
               .arity = -3,
               .flags = kWrite | kFast,
               .categories = ks,
               .keys = one,
               .handler = c.handler});
  }
  for (Named c : {Named{"ttl", CmdTtl}, Named{"pttl", CmdPTtl}}) {
    table.Add({.name = c.name,
               .arity = 2,
               .flags = kReadOnly | kFast,
               .categories = ks,
               .keys = one,
               .handler = c.handler,
               .tips = {"nondeterministic_output"}});
  }
  for (Named c : {Named{"expiretime", CmdExpireTime}, Named{"pexpiretime", CmdPExpireTime}}) {
    table.Add({.name = c.name,
               .arity = 2,
               .flags = kReadOnly | kFast,
               .categories = ks,
               .keys = one,
               .handler = c.handler});
  }
  table.Add({.name = "persist",
             .arity = 2,
             .flags = kWrite | kFast,
             .categories = ks,
             .keys = one,
             .handler = CmdPersist});
}

}  // namespace cairn::commands
