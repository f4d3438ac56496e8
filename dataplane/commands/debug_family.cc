// DEBUG (behind enable-debug-command; the dispatcher refuses it otherwise): SLEEP,
// SET-ACTIVE-EXPIRE, OBJECT, DIGEST, DIGEST-VALUE, PROTOCOL, LOG, ERROR, CHANGE-REPL-ID,
// PAUSE-CRON, HELP. Like Redis, DEBUG is one command whose handler picks the subcommand.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include <spdlog/spdlog.h>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/debug_digest.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

// Redis shares one object for the integers 0..9999 unless an LRU/LFU policy needs per-key
// clocks; OBJECT REFCOUNT and DEBUG OBJECT show such values with INT_MAX references.
constexpr int64_t kSharedIntegers = 10000;
constexpr int64_t kSharedRefcount = 2147483647;

// DEBUG reads its numeric arguments leniently, as C's atoi/strtod do: junk counts as 0.
bool ArgNonZero(std::string_view arg) {
  return std::strtoll(std::string(arg).c_str(), nullptr, 10) != 0;
}
double ArgDouble(std::string_view arg) {
  return std::strtod(std::string(arg).c_str(), nullptr);
}

// DEBUG SLEEP seconds: blocks the server for that long (fractions allowed).
void DebugSleep(CommandContext& ctx) {
  double seconds = ArgDouble(ctx.arg(2));
  if (seconds > 0) {  // false for NaN too
    auto micros = static_cast<int64_t>(std::min(seconds, 1e9) * 1000000);
    timespec ts{static_cast<time_t>(micros / 1000000), static_cast<long>(micros % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
  ctx.reply().Ok();
}

// DEBUG SET-ACTIVE-EXPIRE 0|1
void DebugSetActiveExpire(CommandContext& ctx) {
  ctx.keyspace().config().active_expire = ArgNonZero(ctx.arg(2));
  ctx.reply().Ok();
}

// Bytes an RDB file spends on a string (rdbSaveRawString without LZF compression, which the
// persistence layer does not have yet): integers of up to 32 bits in 2, 3 or 5 bytes, else a
// length prefix and the bytes.
int64_t SerializedStringLength(std::string_view value) {
  if (value.size() <= 11) {
    std::optional<int64_t> n = ParseInt64(value);
    if (n && *n >= INT8_MIN && *n <= INT8_MAX) {
      return 2;
    }
    if (n && *n >= INT16_MIN && *n <= INT16_MAX) {
      return 3;
    }
    if (n && *n >= INT32_MIN && *n <= INT32_MAX) {
      return 5;
    }
  }
  auto len = static_cast<int64_t>(value.size());
  int64_t prefix = len < 64 ? 1 : len < 16384 ? 2 : len <= UINT32_MAX ? 5 : 9;
  return prefix + len;
}

int64_t Refcount(CommandContext& ctx, const engine::Entry& e) {
  if (e.encoding() != engine::Encoding::kInt) {
    return 1;
  }
  std::optional<int64_t> n = ParseInt64(e.string_value());
  engine::EvictionPolicy policy = ctx.keyspace().config().policy;
  bool clocks = policy != engine::EvictionPolicy::kNoEviction &&
                policy != engine::EvictionPolicy::kAllKeysRandom &&
                policy != engine::EvictionPolicy::kVolatileRandom &&
                policy != engine::EvictionPolicy::kVolatileTtl;
  bool shared = ctx.keyspace().config().maxmemory_bytes == 0 || !clocks;
  return shared && n && *n >= 0 && *n < kSharedIntegers ? kSharedRefcount : 1;
}

// DEBUG OBJECT key: "Value at:<address> refcount:N encoding:E serializedlength:N lru:N
// lru_seconds_idle:N". Logically expired keys are shown too, as in Redis.
void DebugObject(CommandContext& ctx) {
  const engine::Entry* e = ctx.db().Find(ctx.arg(2));
  if (e == nullptr) {
    ctx.reply().Error(kErrNoSuchKey);
    return;
  }
  // Collections have no RDB form yet: their in-memory size stands in as the estimate.
  int64_t serialized = e->type() == engine::ValueType::kString
                           ? SerializedStringLength(e->string_value())
                           : static_cast<int64_t>(e->MemoryBytes());
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "Value at:%p refcount:%lld encoding:%s serializedlength:%lld lru:%u "
                "lru_seconds_idle:%lld",
                static_cast<const void*>(e), static_cast<long long>(Refcount(ctx, *e)),
                std::string(engine::EncodingName(e->encoding())).c_str(),
                static_cast<long long>(serialized), e->clock(),
                static_cast<long long>(ctx.keyspace().IdleSeconds(e)));
  ctx.reply().Simple(buf);
}

// DEBUG DIGEST
void DebugDigest(CommandContext& ctx) {
  ctx.reply().Simple(DigestHex(DatasetDigest(ctx.keyspace())));
}

// DEBUG DIGEST-VALUE [key ...]: one digest per key, all zeros for a missing key.
void DebugDigestValue(CommandContext& ctx) {
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    const engine::Entry* e = ctx.db().Find(ctx.arg(i));
    ctx.reply().Simple(DigestHex(e != nullptr ? ValueDigest(*e) : Digest{}));
  }
}

// DEBUG PROTOCOL type: a sample reply of each RESP type (RESP2 gets the RESP2 forms).
void DebugProtocol(CommandContext& ctx) {
  protocol::ReplyWriter& r = ctx.reply();
  std::string type = AsciiLower(ctx.arg(2));
  bool resp3 = ctx.client().resp() >= 3;
  if (type == "string") {
    r.Bulk("Hello World");
  } else if (type == "integer") {
    r.Integer(12345);
  } else if (type == "double") {
    r.Double(3.141);
  } else if (type == "bignum") {
    constexpr std::string_view kBig = "1234567999999999999999999999999999999";
    if (resp3) {
      r.Raw("(" + std::string(kBig) + "\r\n");
    } else {
      r.Bulk(kBig);
    }
  } else if (type == "null") {
    r.Null();
  } else if (type == "array" || type == "set") {
    if (type == "set") {
      r.SetHeader(3);
    } else {
      r.ArrayHeader(3);
    }
    for (int j = 0; j < 3; j++) {
      r.Integer(j);
    }
  } else if (type == "map") {
    r.MapHeader(3);
    for (int j = 0; j < 3; j++) {
      r.Integer(j);
      r.Bool(j == 1);
    }
  } else if (type == "attrib") {
    if (resp3) {
      r.Raw("|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n");
    }
    r.Bulk("Some real reply following the attribute");
  } else if (type == "push") {
    if (!resp3) {
      r.Error(kErrResp2NotSupported);
      return;
    }
    r.PushHeader(2);
    r.Bulk("server-cpu-usage");
    r.Integer(42);
    r.Bulk("Some real reply following the push reply");
  } else if (type == "true" || type == "false") {
    r.Bool(type == "true");
  } else if (type == "verbatim") {
    r.Verbatim("This is a verbatim\nstring");
  } else {
    r.Error(kErrDebugProtocolType);
  }
}

// DEBUG LOG message: writes the message to the server log.
void DebugLog(CommandContext& ctx) {
  spdlog::warn("DEBUG LOG: {}", ctx.arg(2));
  ctx.reply().Ok();
}

// DEBUG ERROR message: replies with `message` as an error, verbatim.
void DebugError(CommandContext& ctx) {
  ctx.reply().Error(ctx.arg(2));
}

// DEBUG CHANGE-REPL-ID: a node without replicas or a replication backlog has nothing to
// re-identify, so only the reply remains.
void DebugChangeReplId(CommandContext& ctx) {
  ctx.reply().Ok();
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, flush and load the RDB file again.
void DebugReload(CommandContext& ctx) {
  bool merge = false;
  bool noflush = false;
  bool nosave = false;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view a = ctx.arg(i);
    bool* target = EqualsIgnoreCase(a, "merge")     ? &merge
                   : EqualsIgnoreCase(a, "noflush") ? &noflush
                   : EqualsIgnoreCase(a, "nosave")  ? &nosave
                                                    : nullptr;
    if (target == nullptr) {
      ctx.reply().Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
    *target = true;
  }
  SnapshotHooks* snapshots = ctx.server().snapshots;
  Status s = snapshots != nullptr ? snapshots->Reload(merge, noflush, nosave)
                                  : Status::Internal("ERR Error trying to save the DB");
  if (!s.ok()) {
    ctx.reply().Error(s.message());
    return;
  }
  ctx.reply().Ok();
}

// DEBUG PAUSE-CRON 0|1: stops (1) or resumes (0) the server's periodic tasks.
void DebugPauseCron(CommandContext& ctx) {
  ctx.server().cron_paused = ArgNonZero(ctx.arg(2));
  ctx.reply().Ok();
}

void DebugHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "DEBUG",
            {"CHANGE-REPL-ID",
             "    Change the replication IDs of the instance.",
             "    Dangerous: should be used only for testing the replication subsystem.",
             "DIGEST",
             "    Output a hex signature representing the current DB content.",
             "DIGEST-VALUE <key> [<key> ...]",
             "    Output a hex signature of the values of all the specified keys.",
             "ERROR <string>",
             "    Return a Redis protocol error with <string> as message. Useful for clients",
             "    unit tests to simulate Redis errors.",
             "LOG <message>",
             "    Write <message> to the server log.",
             "OBJECT <key>",
             "    Show low level info about `key` and associated value.",
             "PROTOCOL <type>",
             "    Reply with a test value of the specified type. <type> can be: string,",
             "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
             "    true, false.",
             "SET-ACTIVE-EXPIRE <0|1>",
             "    Setting it to 0 disables expiring keys in background when they are not",
             "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
             "    default.",
             "SLEEP <seconds>",
             "    Stop the server for <seconds>. Decimals allowed.",
             "RELOAD [option ...]",
             "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
             "    * MERGE: conflicting keys will be loaded from RDB.",
             "    * NOFLUSH: the existing database will not be removed before load, but",
             "      conflicting keys will generate an exception and kill the server.",
             "    * NOSAVE: the database will be loaded from an existing RDB file.",
             "    Examples:",
             "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
             "      the database.",
             "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
             "      existing RDB file.",
             "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
             "      file to the database.",
             "PAUSE-CRON <0|1>",
             "    Stop periodic cron job processing."});
}

struct DebugSubcommand {
  std::string_view name;
  size_t argc;    // arguments including DEBUG and the subcommand
  bool at_least;  // argc is a minimum
  Handler handler;
};

constexpr DebugSubcommand kSubcommands[] = {
    {"help", 2, false, DebugHelp},
    {"sleep", 3, false, DebugSleep},
    {"set-active-expire", 3, false, DebugSetActiveExpire},
    {"object", 3, false, DebugObject},
    {"digest", 2, false, DebugDigest},
    {"digest-value", 2, true, DebugDigestValue},
    {"protocol", 3, false, DebugProtocol},
    {"log", 3, false, DebugLog},
    {"error", 3, false, DebugError},
    {"change-repl-id", 2, false, DebugChangeReplId},
    {"pause-cron", 3, false, DebugPauseCron},
    {"reload", 2, true, DebugReload},
};

// DEBUG subcommand [arg ...]
void CmdDebug(CommandContext& ctx) {
  for (const DebugSubcommand& sub : kSubcommands) {
    if (!EqualsIgnoreCase(ctx.arg(1), sub.name)) {
      continue;
    }
    if (sub.at_least ? ctx.argc() >= sub.argc : ctx.argc() == sub.argc) {
      sub.handler(ctx);
      return;
    }
    break;
  }
  ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "DEBUG"));
}

}  // namespace

void RegisterDebugFamily(CommandTable& table) {
  table.Add({.name = "debug",
             .arity = -2,
             .flags = kAdmin | kNoScript | kLoading | kStale | kProtected,
             .handler = CmdDebug});
}

}  // namespace cairn::commands
