// Sorted-set commands, part 2 (Redis 7.0 t_zset.c zrangeGenericCommand and
// zremrangeGenericCommand): ZRANGE with BYSCORE/BYLEX/REV/LIMIT/WITHSCORES, its older forms
// (ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX), ZRANGESTORE, and
// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/zset_common.h"

namespace cairn::commands::zsets {
namespace {

using engine::ZSetValue;

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

struct RangeRequest {
  RangeType type = RangeType::kAuto;
  Direction direction = Direction::kAuto;
  bool withscores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  int64_t start = 0;
  int64_t end = 0;
  ScoreRange score;
  LexRange lex;
};

// The options after key, min and max (argument `key_idx` + 3 on). Replies on error.
bool ParseRangeOptions(CommandContext& ctx, size_t key_idx, bool store, RangeRequest* req) {
  for (size_t j = key_idx + 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (!store && EqualsIgnoreCase(opt, "withscores")) {
      req->withscores = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      std::optional<int64_t> offset = ParseInt64(ctx.arg(j + 1));
      std::optional<int64_t> limit = offset ? ParseInt64(ctx.arg(j + 2)) : std::nullopt;
      if (!limit) {
        ctx.reply().Error(kErrNotInteger);
        return false;
      }
      req->offset = *offset;
      req->limit = *limit;
      j += 2;
    } else if (req->direction == Direction::kAuto && EqualsIgnoreCase(opt, "rev")) {
      req->direction = Direction::kReverse;
    } else if (req->type == RangeType::kAuto && EqualsIgnoreCase(opt, "bylex")) {
      req->type = RangeType::kLex;
    } else if (req->type == RangeType::kAuto && EqualsIgnoreCase(opt, "byscore")) {
      req->type = RangeType::kScore;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Parses min and max (swapped for the reverse score and lex forms) into `req`.
bool ParseBounds(CommandContext& ctx, std::string_view min, std::string_view max,
                 RangeRequest* req) {
  if (req->type == RangeType::kRank) {
    std::optional<int64_t> start = ParseInt64(min);
    std::optional<int64_t> end = start ? ParseInt64(max) : std::nullopt;
    if (!end) {
      ctx.reply().Error(kErrNotInteger);
      return false;
    }
    req->start = *start;
    req->end = *end;
    return true;
  }
  if (req->type == RangeType::kScore) {
    std::optional<ScoreRange> r = ParseScoreRange(min, max);
    if (!r) {
      ctx.reply().Error(kErrZMinMaxNotFloat);
      return false;
    }
    req->score = *r;
    return true;
  }
  std::optional<LexRange> r = ParseLexRange(min, max);
  if (!r) {
    ctx.reply().Error(kErrZLexRange);
    return false;
  }
  req->lex = *r;
  return true;
}

// Options, defaults, conflicts and the range itself. Replies on error.
bool ParseRange(CommandContext& ctx, size_t key_idx, bool store, RangeRequest* req) {
  if (!ParseRangeOptions(ctx, key_idx, store, req)) {
    return false;
  }
  req->direction = req->direction == Direction::kAuto ? Direction::kForward : req->direction;
  req->type = req->type == RangeType::kAuto ? RangeType::kRank : req->type;
  if (req->limit != -1 && req->type == RangeType::kRank) {
    ctx.reply().Error(kErrZLimitRank);
    return false;
  }
  if (req->withscores && req->type == RangeType::kLex) {
    ctx.reply().Error(kErrZWithscoresLex);
    return false;
  }
  bool swap = req->direction == Direction::kReverse && req->type != RangeType::kRank;
  return ParseBounds(ctx, ctx.arg(key_idx + (swap ? 2 : 1)), ctx.arg(key_idx + (swap ? 1 : 2)),
                     req);
}

// Elements in [first, last) after LIMIT offset count, walking up or (reverse) down, as
// genericZrangebyscoreCommand: a negative offset skips everything, a negative count has no end.
std::vector<Element> LimitedRange(const ZSetValue& z, size_t first, size_t last, bool reverse,
                                  int64_t offset, int64_t limit) {
  if (offset < 0 || (offset > 0 && offset >= static_cast<int64_t>(z.size())) || first >= last ||
      offset >= static_cast<int64_t>(last - first)) {
    return {};
  }
  auto skip = static_cast<size_t>(offset);
  size_t n = last - first - skip;
  if (limit >= 0 && static_cast<size_t>(limit) < n) {
    n = static_cast<size_t>(limit);
  }
  return reverse ? Collect(z, last - skip - n, last - skip, true)
                 : Collect(z, first + skip, first + skip + n, false);
}

std::vector<Element> RangeElements(const ZSetValue& z, const RangeRequest& req) {
  bool reverse = req.direction == Direction::kReverse;
  if (req.type == RangeType::kRank) {
    auto len = static_cast<int64_t>(z.size());
    int64_t start = req.start;
    int64_t end = req.end;
    if (!ClampRange(len, &start, &end)) {
      return {};
    }
    return reverse ? Collect(z, static_cast<size_t>(len - 1 - end),
                             static_cast<size_t>(len - start), true)
                   : Collect(z, static_cast<size_t>(start), static_cast<size_t>(end + 1), false);
  }
  auto [first, last] =
      req.type == RangeType::kScore ? ScoreRanks(z, req.score) : LexRanks(z, req.lex);
  return LimitedRange(z, first, last, reverse, req.offset, req.limit);
}

// zrangeGenericCommand: the source key is at `key_idx`; `store` writes to argument 1.
void RangeGeneric(CommandContext& ctx, size_t key_idx, bool store, RangeType type,
                  Direction direction) {
  RangeRequest req;
  req.type = type;
  req.direction = direction;
  if (!ParseRange(ctx, key_idx, store, &req)) {
    return;
  }
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(key_idx), false, &z)) {
    return;
  }
  std::vector<Element> elements;
  if (z != nullptr) {
    elements = RangeElements(*z, req);
  }
  if (store) {
    StoreResult(ctx, ctx.arg(1), elements, "zrangestore");
  } else {
    ReplyElements(ctx, elements, req.withscores);
  }
}

void CmdZRange(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto);
}
void CmdZRangeStore(CommandContext& ctx) {
  RangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto);
}
void CmdZRevRange(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse);
}
void CmdZRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
void CmdZRevRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
void CmdZRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward);
}
void CmdZRevRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

// The ranks [first, last) a ZREMRANGEBY* command names. REQUIRES: ValidRemoveArgs passed.
std::pair<size_t, size_t> RemoveBounds(CommandContext& ctx, RangeType type, const ZSetValue& z) {
  if (type == RangeType::kRank) {
    int64_t start = ParseInt64(ctx.arg(2)).value_or(0);
    int64_t end = ParseInt64(ctx.arg(3)).value_or(0);
    if (!ClampRange(static_cast<int64_t>(z.size()), &start, &end)) {
      return {0, 0};
    }
    return {static_cast<size_t>(start), static_cast<size_t>(end + 1)};
  }
  if (type == RangeType::kScore) {
    return ScoreRanks(z, ParseScoreRange(ctx.arg(2), ctx.arg(3)).value_or(ScoreRange{}));
  }
  return LexRanks(z, ParseLexRange(ctx.arg(2), ctx.arg(3)).value_or(LexRange{}));
}

// Checks the range arguments before the key lookup, as zremrangeGenericCommand.
bool ValidRemoveArgs(CommandContext& ctx, RangeType type) {
  if (type == RangeType::kRank) {
    if (!ParseInt64(ctx.arg(2)) || !ParseInt64(ctx.arg(3))) {
      ctx.reply().Error(kErrNotInteger);
      return false;
    }
  } else if (type == RangeType::kScore) {
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3))) {
      ctx.reply().Error(kErrZMinMaxNotFloat);
      return false;
    }
  } else if (!ParseLexRange(ctx.arg(2), ctx.arg(3))) {
    ctx.reply().Error(kErrZLexRange);
    return false;
  }
  return true;
}

void RemoveRangeGeneric(CommandContext& ctx, RangeType type, const char* event) {
  if (!ValidRemoveArgs(ctx, type)) {
    return;
  }
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), true, &z)) {
    return;
  }
  std::vector<Element> doomed;
  if (z != nullptr) {
    auto [first, last] = RemoveBounds(ctx, type, *z);
    doomed = Collect(*z, first, last, false);
  }
  for (const Element& e : doomed) {
    z->Erase(e.first);
  }
  auto deleted = static_cast<int64_t>(doomed.size());
  if (deleted > 0) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifyZset, event, ctx.arg(1));
    DeleteIfEmpty(ctx, ctx.arg(1), z);
    ctx.MarkWritten(deleted);
  }
  ctx.reply().Integer(deleted);
}

void CmdZRemRangeByRank(CommandContext& ctx) {
  RemoveRangeGeneric(ctx, RangeType::kRank, "zremrangebyrank");
}
void CmdZRemRangeByScore(CommandContext& ctx) {
  RemoveRangeGeneric(ctx, RangeType::kScore, "zremrangebyscore");
}
void CmdZRemRangeByLex(CommandContext& ctx) {
  RemoveRangeGeneric(ctx, RangeType::kLex, "zremrangebylex");
}

}  // namespace

void RegisterZSetRanges(CommandTable& table) {
  uint64_t zset = kAclSortedSet;
  KeyPositions one{1, 1, 1};
  // clang-format off
  table.Add({.name = "zrange", .arity = -4, .flags = kReadOnly, .categories = zset, .keys = one,
             .handler = CmdZRange});
  table.Add({.name = "zrangestore", .arity = -5, .flags = kWrite | kDenyOom, .categories = zset,
             .keys = {1, 2, 1}, .handler = CmdZRangeStore});
  table.Add({.name = "zrevrange", .arity = -4, .flags = kReadOnly, .categories = zset,
             .keys = one, .handler = CmdZRevRange});
  table.Add({.name = "zrangebyscore", .arity = -4, .flags = kReadOnly, .categories = zset,
             .keys = one, .handler = CmdZRangeByScore});
  table.Add({.name = "zrevrangebyscore", .arity = -4, .flags = kReadOnly, .categories = zset,
             .keys = one, .handler = CmdZRevRangeByScore});
  table.Add({.name = "zrangebylex", .arity = -4, .flags = kReadOnly, .categories = zset,
             .keys = one, .handler = CmdZRangeByLex});
  table.Add({.name = "zrevrangebylex", .arity = -4, .flags = kReadOnly, .categories = zset,
             .keys = one, .handler = CmdZRevRangeByLex});
  table.Add({.name = "zremrangebyrank", .arity = 4, .flags = kWrite, .categories = zset,
             .keys = one, .handler = CmdZRemRangeByRank});
  table.Add({.name = "zremrangebyscore", .arity = 4, .flags = kWrite, .categories = zset,
             .keys = one, .handler = CmdZRemRangeByScore});
  table.Add({.name = "zremrangebylex", .arity = 4, .flags = kWrite, .categories = zset,
             .keys = one, .handler = CmdZRemRangeByLex});
  // clang-format on
}

}  // namespace cairn::commands::zsets
