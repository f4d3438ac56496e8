// Argument parsing shared by the collection families (lists, hashes, sets), with Redis 7.0's
// exact error texts: getRangeLongFromObjectOrReply, getTimeoutFromObjectOrReply, and the
// LEFT/RIGHT position of LMOVE/BLMOVE/LMPOP.
#pragma once

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/notify.h"
#include "dataplane/engine/types/collection.h"

namespace cairn::commands {

// An integer in [min, max]. Not an integer: `msg` or kErrNotInteger; out of range: `msg` or
// "ERR value is out of range, value must between <min> and <max>". Replies on error.
inline std::optional<int64_t> ParseRangeInt(CommandContext& ctx, std::string_view text, int64_t min,
                                            int64_t max, const char* msg = nullptr) {
  std::optional<int64_t> v = ParseInt64(text);
  if (!v) {
    ctx.reply().Error(msg != nullptr ? msg : kErrNotInteger);
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    if (msg != nullptr) {
      ctx.reply().Error(msg);
    } else {
      ctx.reply().Error(std::string(kErrValueRangePrefix) + std::to_string(min) + " and " +
                        std::to_string(max));
    }
    return std::nullopt;
  }
  return v;
}

// A blocking command's timeout in seconds (decimals allowed) as an absolute deadline in ms, 0
// for "forever". Replies with Redis's errors (not a float, negative, out of range).
inline std::optional<int64_t> ParseBlockTimeout(CommandContext& ctx, std::string_view text) {
  std::optional<long double> seconds = ParseLongDouble(text);
  if (!seconds) {
    ctx.reply().Error(kErrTimeoutNotFloat);
    return std::nullopt;
  }
  long double ms = std::ceil(*seconds * 1000.0L);
  // Redis 7.0 casts out-of-range values (inf included) to LLONG_MIN: "timeout is negative".
  int64_t tval = ms >= 9223372036854775807.0L || ms < -9223372036854775807.0L
                     ? INT64_MIN
                     : static_cast<int64_t>(ms);
  if (tval < 0) {
    ctx.reply().Error(kErrTimeoutNegative);
    return std::nullopt;
  }
  if (tval > 0) {
    if (tval > INT64_MAX - ctx.now_ms()) {
      ctx.reply().Error(kErrTimeoutOutOfRange);
      return std::nullopt;
    }
    tval += ctx.now_ms();
  }
  return tval;
}

// LEFT / RIGHT (case-insensitive): true for LEFT. Replies with a syntax error otherwise.
inline std::optional<bool> ParseLeftRight(CommandContext& ctx, std::string_view text) {
  if (EqualsIgnoreCase(text, "left")) {
    return true;
  }
  if (EqualsIgnoreCase(text, "right")) {
    return false;
  }
  ctx.reply().Error(kErrSyntax);
  return std::nullopt;
}

// The [COUNT count] option of LMPOP / BLMPOP / ZMPOP / BZMPOP from argument `from`: count >= 1
// ("ERR count should be greater than 0"), 1 when absent; anything else is a syntax error.
// Replies and returns nullopt on error.
inline std::optional<int64_t> ParseMPopCount(CommandContext& ctx, size_t from) {
  int64_t count = -1;
  for (size_t j = from; j < ctx.argc(); j++) {
    if (count == -1 && EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      std::optional<int64_t> c = ParseRangeInt(ctx, ctx.arg(++j), 1, INT64_MAX, kErrCountPositive);
      if (!c) {
        return std::nullopt;
      }
      count = *c;
    } else {
      ctx.reply().Error(kErrSyntax);
      return std::nullopt;
    }
  }
  return count == -1 ? 1 : count;
}

// The collection of type `type` at `key` as a T (nullptr when missing); replies WRONGTYPE and
// returns false when the key holds another type. `entry` receives the keyspace entry if given.
template <typename T>
bool LookupCollection(CommandContext& ctx, std::string_view key, engine::ValueType type, bool write,
                      T** out, engine::Entry** entry = nullptr) {
  Result<engine::Entry*> e = engine::LookupTyped(ctx.db(), key, type, write);
  if (ctx.ReplyIfError(e)) {
    return false;
  }
  *out = *e == nullptr ? nullptr : engine::ValueOf<T>(*e);
  if (entry != nullptr) {
    *entry = *e;
  }
  return true;
}

// Clamps LRANGE-style inclusive indexes (negative from the end) to [0, len); false when the
// range is empty.
inline bool ClampRange(int64_t len, int64_t* start, int64_t* stop) {
  if (*start < 0) {
    *start = std::max<int64_t>(len + *start, 0);
  }
  if (*stop < 0) {
    *stop = len + *stop;
  }
  if (*start > *stop || *start >= len) {
    return false;
  }
  if (*stop >= len) {
    *stop = len - 1;
  }
  return true;
}

// Options of HSCAN / SSCAN from argument 3: COUNT (>= 1) and MATCH; TYPE is a syntax error, as
// for Redis's scanGenericCommand on a key. Replies and returns false on error.
inline bool ParseCollectionScanArgs(CommandContext& ctx, int64_t* count,
                                    std::optional<std::string_view>* pattern) {
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
    if (EqualsIgnoreCase(ctx.arg(i), "count")) {
      std::optional<int64_t> c = ParseInt64(ctx.arg(i + 1));
      if (!c) {
        ctx.reply().Error(kErrNotInteger);
        return false;
      }
      if (*c < 1) {
        ctx.reply().Error(kErrSyntax);
        return false;
      }
      *count = *c;
    } else if (EqualsIgnoreCase(ctx.arg(i), "match")) {
      *pattern = ctx.arg(i + 1);
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Whether `s` passes a SCAN MATCH pattern (none or "*" passes everything).
inline bool ScanMatches(const std::optional<std::string_view>& pattern, std::string_view s) {
  return !pattern || *pattern == "*" || GlobMatch(*pattern, s);
}

// Largest |count| accepted for HRANDFIELD / SRANDMEMBER with a negative count (repeats allowed):
// larger counts are refused instead of building gigabytes of reply.
inline constexpr int64_t kMaxRandomRepeats = 1LL << 26;

// A SCAN cursor as Redis's parseScanCursorOrReply (strtoul): no leading space, an optional sign,
// no trailing bytes, no overflow. nullopt when invalid ("ERR invalid cursor").
inline std::optional<uint64_t> ParseScanCursorText(std::string_view text) {
  if (!text.empty() && std::isspace(static_cast<unsigned char>(text[0])) != 0) {
    return std::nullopt;
  }
  std::string copy(text);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(copy.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(v);
}

// Key positions of commands whose keys follow a numkeys argument at `at` (LMPOP and ZMPOP at 1,
// BLMPOP and BZMPOP at 2, ZUNION at 1), as their COMMAND GETKEYS reports them.
inline std::function<std::vector<int>(const std::vector<std::string_view>&)> NumkeysKeys(int at) {
  return [at](const std::vector<std::string_view>& args) {
    std::vector<int> out;
    std::optional<int64_t> n =
        static_cast<size_t>(at) < args.size() ? ParseInt64(args[at]) : std::nullopt;
    for (int64_t i = 0; n && i < *n && at + 1 + i < static_cast<int64_t>(args.size()); i++) {
      out.push_back(at + 1 + static_cast<int>(i));
    }
    return out;
  };
}

// The reply of a STORE command whose result is empty (SINTERSTORE, ZUNIONSTORE, SORT ... STORE,
// GEOSEARCHSTORE, ...): deletes `dst` when it exists (WATCH invalidated, "del" event, one change
// for replication) and replies 0.
inline void StoreEmptyResult(CommandContext& ctx, const std::string& dst) {
  if (ctx.db().Delete(dst)) {
    ctx.SignalModified(dst);
    ctx.Notify(kNotifyGeneric, "del", dst);
    ctx.MarkWritten();
  }
  ctx.reply().Integer(0);
}

}  // namespace cairn::commands
