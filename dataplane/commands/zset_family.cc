// Sorted-set commands (Redis 7.0 t_zset.c), part 1: ZADD/ZINCRBY, ZREM, the point reads (ZCARD,
// ZSCORE, ZMSCORE, ZRANK, ZREVRANK), counts (ZCOUNT, ZLEXCOUNT), ZRANDMEMBER and ZSCAN, plus the
// family's registration. Ranges, pops and the set algebra live in zset_range.cc, zset_pop.cc
// and zset_algebra.cc; engine::ZSetValue holds the data (listpack, then skiplist).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/commands/zset_common.h"

namespace cairn::commands {
namespace {

using engine::Entry;
using engine::ZSetValue;
using zsets::Element;
using zsets::LookupZSet;

struct AddFlags {
  bool nx = false;
  bool xx = false;
  bool gt = false;
  bool lt = false;
  bool ch = false;
  bool incr = false;
};

enum class AddOutcome { kAdded, kUpdated, kUnchanged, kNop, kNaN };

// zsetAdd: adds or updates one member under the flags; *newscore gets the resulting score.
AddOutcome AddOne(ZSetValue* z, std::string_view member, double score, const AddFlags& f,
                  const engine::ZSetLimits& limits, double* newscore) {
  std::optional<double> cur = z->Score(member);
  if (cur) {
    if (f.nx) {
      return AddOutcome::kNop;
    }
    if (f.incr) {
      score += *cur;
      if (std::isnan(score)) {
        return AddOutcome::kNaN;
      }
    }
    if ((f.lt && score >= *cur) || (f.gt && score <= *cur)) {
      return AddOutcome::kNop;
    }
    *newscore = score;
    if (score == *cur) {
      return AddOutcome::kUnchanged;
    }
    z->Set(member, score, limits);
    return AddOutcome::kUpdated;
  }
  if (f.xx) {
    return AddOutcome::kNop;
  }
  z->Set(member, score, limits);
  *newscore = score;
  return AddOutcome::kAdded;
}

// Parses ZADD's options from argument 2; returns the index of the first score, or 0 after
// replying an error.
size_t ParseAddFlags(CommandContext& ctx, AddFlags* f) {
  size_t i = 2;
  for (; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    bool* flag = EqualsIgnoreCase(opt, "nx")     ? &f->nx
                 : EqualsIgnoreCase(opt, "xx")   ? &f->xx
                 : EqualsIgnoreCase(opt, "ch")   ? &f->ch
                 : EqualsIgnoreCase(opt, "incr") ? &f->incr
                 : EqualsIgnoreCase(opt, "gt")   ? &f->gt
                 : EqualsIgnoreCase(opt, "lt")   ? &f->lt
                                                 : nullptr;
    if (flag == nullptr) {
      break;
    }
    *flag = true;
  }
  size_t rest = ctx.argc() - i;
  const char* error = rest == 0 || rest % 2 != 0                        ? kErrSyntax
                      : f->nx && f->xx                                  ? kErrZAddNxXx
                      : (f->nx && (f->gt || f->lt)) || (f->gt && f->lt) ? kErrZAddGtLtNx
                      : f->incr && rest > 2                             ? kErrZAddIncrPair
                                                                        : nullptr;
  if (error != nullptr) {
    ctx.reply().Error(error);
    return 0;
  }
  return i;
}

// The scores of ZADD's score-member pairs from argument `first`; replies on a bad one.
std::optional<std::vector<double>> ParseScores(CommandContext& ctx, size_t first) {
  std::vector<double> scores;
  for (size_t i = first; i < ctx.argc(); i += 2) {
    std::optional<double> s = ParseDouble(ctx.arg(i));
    if (!s) {
      ctx.reply().Error(kErrNotFloat);
      return std::nullopt;
    }
    scores.push_back(*s);
  }
  return scores;
}

struct AddCounts {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t processed = 0;
  double score = 0;  // the last element's resulting score (INCR's reply)
};

// Applies every pair to `z`; false after replying the NaN error (what was applied stays).
bool ApplyPairs(CommandContext& ctx, ZSetValue* z, size_t first, const std::vector<double>& scores,
                const AddFlags& f, AddCounts* n) {
  engine::ZSetLimits limits = zsets::Limits(ctx);
  for (size_t j = 0; j < scores.size(); j++) {
    AddOutcome out = AddOne(z, ctx.arg(first + 2 * j + 1), scores[j], f, limits, &n->score);
    if (out == AddOutcome::kNaN) {
      ctx.reply().Error(kErrZScoreNaN);
      return false;
    }
    n->added += out == AddOutcome::kAdded ? 1 : 0;
    n->updated += out == AddOutcome::kUpdated ? 1 : 0;
    n->processed += out != AddOutcome::kNop ? 1 : 0;
  }
  return true;
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]; ZINCRBY is ZADD INCR.
void AddGeneric(CommandContext& ctx, AddFlags f) {
  size_t first = ParseAddFlags(ctx, &f);
  std::optional<std::vector<double>> scores = first == 0 ? std::nullopt : ParseScores(ctx, first);
  ZSetValue* z;
  Entry* e;
  if (!scores || !LookupZSet(ctx, ctx.arg(1), true, &z, &e)) {
    return;
  }
  if (z == nullptr && !f.xx) {
    z = zsets::CreateZSet(ctx, ctx.arg(1), &e);
  }
  AddCounts n;
  // After a NaN error the notifications below still cover what was applied, as Redis.
  bool ok = z == nullptr || ApplyPairs(ctx, z, first, *scores, f, &n);
  if (ok && f.incr) {
    n.processed > 0 ? ctx.reply().Double(n.score) : ctx.reply().Null();
  } else if (ok) {
    ctx.reply().Integer(f.ch ? n.added + n.updated : n.added);
  }
  if (z == nullptr) {
    return;
  }
  e->set_encoding(z->encoding());
  if (n.added + n.updated > 0) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifyZset, f.incr ? "zincr" : "zadd", ctx.arg(1));
    ctx.MarkWritten(n.added + n.updated);
  }
}

void CmdZAdd(CommandContext& ctx) {
  AddGeneric(ctx, {});
}

void CmdZIncrBy(CommandContext& ctx) {
  AddGeneric(ctx, {.incr = true});
}

void CmdZRem(CommandContext& ctx) {
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), true, &z)) {
    return;
  }
  int64_t deleted = 0;
  for (size_t i = 2; z != nullptr && i < ctx.argc(); i++) {
    deleted += z->Erase(ctx.arg(i)) ? 1 : 0;
    if (z->size() == 0) {
      break;
    }
  }
  if (deleted > 0) {
    bool empty = z->size() == 0;
    ctx.Notify(kNotifyZset, "zrem", ctx.arg(1));
    if (empty) {
      zsets::DeleteIfEmpty(ctx, ctx.arg(1), z);
    }
    ctx.SignalModified(ctx.arg(1));
    ctx.MarkWritten(deleted);
  }
  ctx.reply().Integer(deleted);
}

void CmdZCard(CommandContext& ctx) {
  ZSetValue* z;
  if (LookupZSet(ctx, ctx.arg(1), false, &z)) {
    ctx.reply().Integer(z == nullptr ? 0 : static_cast<int64_t>(z->size()));
  }
}

void CmdZScore(CommandContext& ctx) {
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  std::optional<double> s = z == nullptr ? std::nullopt : z->Score(ctx.arg(2));
  s ? ctx.reply().Double(*s) : ctx.reply().Null();
}

void CmdZMScore(CommandContext& ctx) {
  zsets::ReplyPerMember(
      ctx, [&ctx](std::optional<double> s) { s ? ctx.reply().Double(*s) : ctx.reply().Null(); });
}

void RankGeneric(CommandContext& ctx, bool reverse) {
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  std::optional<size_t> rank = z == nullptr ? std::nullopt : z->Rank(ctx.arg(2));
  if (!rank) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Integer(static_cast<int64_t>(reverse ? z->size() - 1 - *rank : *rank));
}

void CmdZRank(CommandContext& ctx) {
  RankGeneric(ctx, false);
}
void CmdZRevRank(CommandContext& ctx) {
  RankGeneric(ctx, true);
}

void CmdZCount(CommandContext& ctx) {
  std::optional<zsets::ScoreRange> range = zsets::ParseScoreRange(ctx.arg(2), ctx.arg(3));
  if (!range) {
    ctx.reply().Error(kErrZMinMaxNotFloat);
    return;
  }
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  auto [first, last] = z == nullptr ? std::pair<size_t, size_t>{0, 0} : ScoreRanks(*z, *range);
  ctx.reply().Integer(static_cast<int64_t>(last - first));
}

void CmdZLexCount(CommandContext& ctx) {
  std::optional<zsets::LexRange> range = zsets::ParseLexRange(ctx.arg(2), ctx.arg(3));
  if (!range) {
    ctx.reply().Error(kErrZLexRange);
    return;
  }
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  auto [first, last] = z == nullptr ? std::pair<size_t, size_t>{0, 0} : LexRanks(*z, *range);
  ctx.reply().Integer(static_cast<int64_t>(last - first));
}

// ZRANDMEMBER key count [WITHSCORES] after the key was found (zrandmemberWithCountCommand).
void RandomWithCount(CommandContext& ctx, const ZSetValue& z, int64_t count, bool withscores) {
  std::mt19937_64& rng = ctx.keyspace().rng();
  std::vector<Element> out;
  if (count < 0 || count == 1) {
    int64_t n = count < 0 ? -count : 1;
    if (n > kMaxRandomRepeats) {
      ctx.reply().Error(kErrValueOutOfRange);
      return;
    }
    for (int64_t i = 0; i < n; i++) {
      out.push_back(z.Random(rng));
    }
  } else {
    out = zsets::Collect(z, 0, z.size(), false);
    if (count < static_cast<int64_t>(out.size())) {
      std::shuffle(out.begin(), out.end(), rng);
      out.resize(static_cast<size_t>(count));
    }
  }
  zsets::ReplyElements(ctx, out, withscores);
}

void CmdZRandMember(CommandContext& ctx) {
  std::optional<int64_t> count;
  bool withscores = false;
  if (ctx.argc() >= 3) {
    count = ParseRangeInt(ctx, ctx.arg(2), -INT64_MAX, INT64_MAX);
    if (!count) {
      return;
    }
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withscores"))) {
      ctx.reply().Error(kErrSyntax);
      return;
    }
    withscores = ctx.argc() == 4;
    if (withscores && (*count < -INT64_MAX / 2 || *count > INT64_MAX / 2)) {
      ctx.reply().Error(kErrValueOutOfRange);
      return;
    }
  }
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  if (!count) {
    z == nullptr ? ctx.reply().Null() : ctx.reply().Bulk(z->Random(ctx.keyspace().rng()).first);
    return;
  }
  if (z == nullptr || *count == 0) {
    ctx.reply().EmptyArray();
    return;
  }
  RandomWithCount(ctx, *z, *count, withscores);
}

void CmdZScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursorText(ctx.arg(2));
  if (!cursor) {
    ctx.reply().Error(kErrInvalidCursor);
    return;
  }
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  int64_t count = 10;
  std::optional<std::string_view> pattern;
  if (z != nullptr && !ParseCollectionScanArgs(ctx, &count, &pattern)) {
    return;
  }
  std::vector<std::string> found;
  uint64_t next = 0;
  if (z != nullptr) {
    next = *cursor;
    int64_t budget = count * 10;
    do {
      next = z->Scan(next, [&](std::string_view m, double s) {
        if (ScanMatches(pattern, m)) {
          found.emplace_back(m);
          found.push_back(FormatDouble(s));
        }
      });
    } while (next != 0 && --budget > 0 && static_cast<int64_t>(found.size()) < count * 2);
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().BulkInteger(static_cast<int64_t>(next));
  ctx.reply().ArrayHeader(static_cast<int64_t>(found.size()));
  for (const std::string& s : found) {
    ctx.reply().Bulk(s);
  }
}

}  // namespace

void zsets::ZAdd(CommandContext& ctx) {
  AddGeneric(ctx, {});
}

void RegisterZSetFamily(CommandTable& table) {
  uint64_t zset = kAclSortedSet;
  KeyPositions one{1, 1, 1};
  uint32_t read = kReadOnly | kFast;
  // clang-format off
  table.Add({.name = "zadd", .arity = -4, .flags = kWrite | kDenyOom | kFast, .categories = zset,
             .keys = one, .handler = CmdZAdd});
  table.Add({.name = "zincrby", .arity = 4, .flags = kWrite | kDenyOom | kFast,
             .categories = zset, .keys = one, .handler = CmdZIncrBy});
  table.Add({.name = "zrem", .arity = -3, .flags = kWrite | kFast, .categories = zset,
             .keys = one, .handler = CmdZRem});
  table.Add({.name = "zcard", .arity = 2, .flags = read, .categories = zset, .keys = one,
             .handler = CmdZCard});
  table.Add({.name = "zscore", .arity = 3, .flags = read, .categories = zset, .keys = one,
             .handler = CmdZScore});
  table.Add({.name = "zmscore", .arity = -3, .flags = read, .categories = zset, .keys = one,
             .handler = CmdZMScore});
  table.Add({.name = "zrank", .arity = 3, .flags = read, .categories = zset, .keys = one,
             .handler = CmdZRank});
  table.Add({.name = "zrevrank", .arity = 3, .flags = read, .categories = zset, .keys = one,
             .handler = CmdZRevRank});
  table.Add({.name = "zcount", .arity = 4, .flags = read, .categories = zset, .keys = one,
             .handler = CmdZCount});
  table.Add({.name = "zlexcount", .arity = 4, .flags = read, .categories = zset, .keys = one,
             .handler = CmdZLexCount});
  table.Add({.name = "zrandmember", .arity = -2, .flags = kReadOnly, .categories = zset,
             .keys = one, .handler = CmdZRandMember, .tips = {"nondeterministic_output"}});
  table.Add({.name = "zscan", .arity = -3, .flags = kReadOnly, .categories = zset, .keys = one,
             .handler = CmdZScan, .tips = {"nondeterministic_output"}});
  // clang-format on
  zsets::RegisterZSetRanges(table);
  zsets::RegisterZSetPops(table);
  zsets::RegisterZSetAlgebra(table);
}

}  // namespace cairn::commands
