// Sorted-set commands, part 4 (Redis 7.0 t_zset.c zunionInterDiffGenericCommand): ZUNION,
// ZINTER, ZDIFF, their STORE forms and ZINTERCARD. Inputs may be sorted sets or sets (members
// score 1). WEIGHTS multiply input scores (NaN products count as 0), AGGREGATE SUM|MIN|MAX
// combines them (an inf + -inf sum is 0); results are ordered by (score, member).
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/zset_common.h"
#include "dataplane/engine/types/collection.h"
#include "dataplane/engine/types/set.h"
#include "dataplane/engine/types/zset_item.h"

namespace cairn::commands::zsets {
namespace {

using engine::Entry;
using engine::SetValue;
using engine::ValueType;
using engine::ZSetValue;

enum class Op { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a set, or nothing (missing key).
struct Source {
  const ZSetValue* zset = nullptr;
  const SetValue* set = nullptr;
  double weight = 1;

  size_t size() const { return zset ? zset->size() : (set ? set->size() : 0); }
  std::optional<double> Find(std::string_view m) const {
    if (zset != nullptr) {
      return zset->Score(m);
    }
    return set != nullptr && set->Contains(m) ? std::optional<double>(1.0) : std::nullopt;
  }
  void ForEach(const std::function<void(std::string_view, double)>& fn) const {
    if (zset != nullptr) {
      zset->ForEach([&fn](double s, std::string_view m) {
        fn(m, s);
        return true;
      });
    } else if (set != nullptr) {
      set->ForEach([&fn](std::string_view m) { fn(m, 1.0); });
    }
  }
};

struct Request {
  Op op = Op::kUnion;
  std::vector<Source> sources;
  Aggregate aggregate = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;  // ZINTERCARD
};

void Combine(double* target, double v, Aggregate aggregate) {
  if (aggregate == Aggregate::kSum) {
    *target += v;
    if (std::isnan(*target)) {
      *target = 0;
    }
  } else if (aggregate == Aggregate::kMin) {
    *target = v < *target ? v : *target;
  } else {
    *target = v > *target ? v : *target;
  }
}

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0 : v;
}

// Looks up the `n` inputs from argument `first`; sets and sorted sets only. Replies on error.
bool LookupSources(CommandContext& ctx, size_t first, size_t n, bool write,
                   std::vector<Source>* out) {
  for (size_t i = 0; i < n; i++) {
    std::string_view key = ctx.arg(first + i);
    Entry* e = write ? ctx.db().LookupWrite(key) : ctx.db().LookupRead(key);
    Source s;
    if (e != nullptr && e->type() == ValueType::kZSet) {
      s.zset = engine::ValueOf<ZSetValue>(e);
    } else if (e != nullptr && e->type() == ValueType::kSet) {
      s.set = engine::ValueOf<SetValue>(e);
    } else if (e != nullptr) {
      ctx.reply().Error(kErrWrongType);
      return false;
    }
    out->push_back(s);
  }
  return true;
}

// WEIGHTS, AGGREGATE, WITHSCORES and LIMIT after the keys (argument `j` on). Replies on error.
bool ParseOptions(CommandContext& ctx, size_t j, bool store, bool card, Request* req) {
  size_t n = req->sources.size();
  while (j < ctx.argc()) {
    size_t remaining = ctx.argc() - j;
    std::string_view opt = ctx.arg(j);
    bool algebra = req->op != Op::kDiff && !card;
    if (algebra && remaining >= n + 1 && EqualsIgnoreCase(opt, "weights")) {
      for (size_t i = 0; i < n; i++) {
        std::optional<double> w = ParseDouble(ctx.arg(j + 1 + i));
        if (!w) {
          ctx.reply().Error(kErrZWeightNotFloat);
          return false;
        }
        req->sources[i].weight = *w;
      }
      j += n + 1;
    } else if (algebra && remaining >= 2 && EqualsIgnoreCase(opt, "aggregate")) {
      std::string_view a = ctx.arg(j + 1);
      if (EqualsIgnoreCase(a, "sum")) {
        req->aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(a, "min")) {
        req->aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(a, "max")) {
        req->aggregate = Aggregate::kMax;
      } else {
        ctx.reply().Error(kErrSyntax);
        return false;
      }
      j += 2;
    } else if (!store && !card && EqualsIgnoreCase(opt, "withscores")) {
      req->withscores = true;
      j++;
    } else if (card && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      std::optional<int64_t> l =
          ParseRangeInt(ctx, ctx.arg(j + 1), 0, INT64_MAX, kErrLimitNegative);
      if (!l) {
        return false;
      }
      req->limit = *l;
      j += 2;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Intersection (or its size only, stopping at `limit` when not 0).
std::vector<Element> Intersect(const Request& req, bool card, int64_t* cardinality) {
  std::vector<Element> out;
  const std::vector<Source>& src = req.sources;
  if (src[0].size() == 0) {
    return out;
  }
  bool stop = false;
  src[0].ForEach([&](std::string_view m, double s) {
    if (stop) {
      return;
    }
    double score = Weighted(s, src[0].weight);
    for (size_t j = 1; j < src.size(); j++) {
      std::optional<double> v = src[j].Find(m);
      if (!v) {
        return;
      }
      Combine(&score, *v * src[j].weight, req.aggregate);
    }
    if (card) {
      ++*cardinality;
      stop = req.limit != 0 && *cardinality >= req.limit;
    } else {
      out.emplace_back(std::string(m), score);
    }
  });
  return out;
}

std::vector<Element> Union(const Request& req) {
  std::unordered_map<std::string, double> acc;
  for (const Source& s : req.sources) {
    s.ForEach([&](std::string_view m, double score) {
      double v = Weighted(score, s.weight);
      auto [it, fresh] = acc.try_emplace(std::string(m), v);
      if (!fresh) {
        Combine(&it->second, v, req.aggregate);
      }
    });
  }
  std::vector<Element> out(acc.begin(), acc.end());
  return out;
}

std::vector<Element> Difference(const Request& req) {
  std::vector<Element> out;
  req.sources[0].ForEach([&](std::string_view m, double s) {
    for (size_t j = 1; j < req.sources.size(); j++) {
      if (req.sources[j].Find(m)) {
        return;
      }
    }
    out.emplace_back(std::string(m), s);
  });
  return out;
}

// ZUNION/ZINTER/ZDIFF numkeys key ... and the STORE forms (destination first); ZINTERCARD
// (`card`). numkeys is at argument `numkeys_idx`.
void AlgebraGeneric(CommandContext& ctx, Op op, bool store, bool card) {
  size_t numkeys_idx = store ? 2 : 1;
  std::optional<int64_t> n = ParseInt64(ctx.arg(numkeys_idx));
  if (!n) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  if (*n < 1) {
    ctx.reply().Error(kErrZNoInputKeyPrefix + ctx.spec().name + "' command");
    return;
  }
  if (*n > static_cast<int64_t>(ctx.argc() - numkeys_idx - 1)) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  Request req;
  req.op = op;
  auto count = static_cast<size_t>(*n);
  if (!LookupSources(ctx, numkeys_idx + 1, count, store, &req.sources) ||
      !ParseOptions(ctx, numkeys_idx + 1 + count, store, card, &req)) {
    return;
  }
  if (op != Op::kDiff) {
    std::stable_sort(req.sources.begin(), req.sources.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  int64_t cardinality = 0;
  std::vector<Element> result = op == Op::kInter   ? Intersect(req, card, &cardinality)
                                : op == Op::kUnion ? Union(req)
                                                   : Difference(req);
  if (card) {
    ctx.reply().Integer(cardinality);
    return;
  }
  std::sort(result.begin(), result.end(), [](const Element& a, const Element& b) {
    return engine::zset::Compare(a.second, a.first, b.second, b.first) < 0;
  });
  if (!store) {
    ReplyElements(ctx, result, req.withscores);
    return;
  }
  static constexpr const char* kEvents[] = {"zunionstore", "zinterstore", "zdiffstore"};
  StoreResult(ctx, ctx.arg(1), result, kEvents[static_cast<int>(op)]);
}

void CmdZUnion(CommandContext& ctx) {
  AlgebraGeneric(ctx, Op::kUnion, false, false);
}
void CmdZInter(CommandContext& ctx) {
  AlgebraGeneric(ctx, Op::kInter, false, false);
}
void CmdZDiff(CommandContext& ctx) {
  AlgebraGeneric(ctx, Op::kDiff, false, false);
}
void CmdZUnionStore(CommandContext& ctx) {
  AlgebraGeneric(ctx, Op::kUnion, true, false);
}
void CmdZInterStore(CommandContext& ctx) {
  AlgebraGeneric(ctx, Op::kInter, true, false);
}
void CmdZDiffStore(CommandContext& ctx) {
  AlgebraGeneric(ctx, Op::kDiff, true, false);
}
void CmdZInterCard(CommandContext& ctx) {
  AlgebraGeneric(ctx, Op::kInter, false, true);
}

// Keys of the STORE forms: the destination, then numkeys keys from argument 3.
std::vector<int> StoreKeys(const std::vector<std::string_view>& args) {
  std::vector<int> out{1};
  std::vector<int> sources = NumkeysKeys(2)(args);
  out.insert(out.end(), sources.begin(), sources.end());
  return out;
}

}  // namespace

void RegisterZSetAlgebra(CommandTable& table) {
  uint64_t zset = kAclSortedSet;
  uint32_t store = kWrite | kDenyOom;
  // clang-format off
  table.Add({.name = "zunion", .arity = -3, .flags = kReadOnly, .categories = zset,
             .handler = CmdZUnion, .get_keys = NumkeysKeys(1)});
  table.Add({.name = "zinter", .arity = -3, .flags = kReadOnly, .categories = zset,
             .handler = CmdZInter, .get_keys = NumkeysKeys(1)});
  table.Add({.name = "zdiff", .arity = -3, .flags = kReadOnly, .categories = zset,
             .handler = CmdZDiff, .get_keys = NumkeysKeys(1)});
  table.Add({.name = "zintercard", .arity = -3, .flags = kReadOnly, .categories = zset,
             .handler = CmdZInterCard, .get_keys = NumkeysKeys(1)});
  table.Add({.name = "zunionstore", .arity = -4, .flags = store, .categories = zset,
             .keys = {1, 1, 1}, .handler = CmdZUnionStore, .get_keys = StoreKeys});
  table.Add({.name = "zinterstore", .arity = -4, .flags = store, .categories = zset,
             .keys = {1, 1, 1}, .handler = CmdZInterStore, .get_keys = StoreKeys});
  table.Add({.name = "zdiffstore", .arity = -4, .flags = store, .categories = zset,
             .keys = {1, 1, 1}, .handler = CmdZDiffStore, .get_keys = StoreKeys});
  // clang-format on
}

}  // namespace cairn::commands::zsets
