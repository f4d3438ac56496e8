// Sorted-set command helpers: lookups, range parsing, rank bounds, replies and STORE results.
#include "dataplane/commands/zset_common.h"

#include <cmath>
#include <cstdlib>

#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/notify.h"
#include "dataplane/engine/types/collection.h"

namespace cairn::commands::zsets {

using engine::Entry;
using engine::ValueType;
using engine::ZSetValue;

engine::ZSetLimits Limits(CommandContext& ctx) {
  const engine::KeyspaceConfig& c = ctx.keyspace().config();
  return {.max_entries = c.zset_max_listpack_entries, .max_value = c.zset_max_listpack_value};
}

bool LookupZSet(CommandContext& ctx, std::string_view key, bool write, ZSetValue** out,
                Entry** entry) {
  return LookupCollection(ctx, key, ValueType::kZSet, write, out, entry);
}

ZSetValue* CreateZSet(CommandContext& ctx, std::string_view key, Entry** entry) {
  auto* z = new ZSetValue();
  *entry =
      engine::CreateCollection(ctx.db(), key, ValueType::kZSet, engine::Encoding::kListpack, z);
  return z;
}

bool DeleteIfEmpty(CommandContext& ctx, std::string_view key, const ZSetValue* z) {
  if (z->size() != 0) {
    return false;
  }
  std::string k(key);  // `key` may view the entry being deleted
  ctx.db().Delete(k);
  ctx.Notify(kNotifyGeneric, "del", k);
  return true;
}

namespace {

// One bound of zslParseRange: strtod over the NUL-terminated text after an optional "(".
bool ParseScoreBound(std::string_view text, double* v, bool* ex) {
  std::string s(text);
  const char* p = s.c_str();
  *ex = p[0] == '(';
  if (*ex) {
    p++;
  }
  char* end = nullptr;
  *v = std::strtod(p, &end);
  return end[0] == '\0' && !std::isnan(*v);
}

bool ParseLexBound(std::string_view text, LexBound* b) {
  if (text.empty()) {
    return false;
  }
  // Redis tests c[1] != '\0' on the NUL-terminated argument.
  auto alone = [&] { return text.size() == 1 || text[1] == '\0'; };
  switch (text[0]) {
    case '+':
      *b = LexBound{1, {}, true};
      return alone();
    case '-':
      *b = LexBound{-1, {}, true};
      return alone();
    case '(':
    case '[':
      *b = LexBound{0, std::string(text.substr(1)), text[0] == '('};
      return true;
    default:
      return false;
  }
}

// sdscmplex: "-" sorts before everything, "+" after everything.
int CompareLex(const LexBound& a, const LexBound& b) {
  if (a.kind != 0 || b.kind != 0) {
    if (a.kind == b.kind) {
      return 0;
    }
    return a.kind == -1 || b.kind == 1 ? -1 : 1;
  }
  return a.value.compare(b.value);
}

int CompareLex(std::string_view m, const LexBound& b) {
  if (b.kind != 0) {
    return -b.kind;
  }
  int c = m.compare(b.value);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

std::optional<ScoreRange> ParseScoreRange(std::string_view min, std::string_view max) {
  ScoreRange r;
  if (!ParseScoreBound(min, &r.min, &r.minex) || !ParseScoreBound(max, &r.max, &r.maxex)) {
    return std::nullopt;
  }
  return r;
}

bool LexRange::GteMin(std::string_view m) const {
  int c = CompareLex(m, min);
  return min.ex ? c > 0 : c >= 0;
}

bool LexRange::LteMax(std::string_view m) const {
  int c = CompareLex(m, max);
  return max.ex ? c < 0 : c <= 0;
}

bool LexRange::Empty() const {
  int c = CompareLex(min, max);
  return c > 0 || (c == 0 && (min.ex || max.ex));
}

std::optional<LexRange> ParseLexRange(std::string_view min, std::string_view max) {
  LexRange r;
  if (!ParseLexBound(min, &r.min) || !ParseLexBound(max, &r.max)) {
    return std::nullopt;
  }
  return r;
}

std::pair<size_t, size_t> ScoreRanks(const ZSetValue& z, const ScoreRange& r) {
  if (r.Empty()) {
    return {0, 0};
  }
  size_t first = z.LowerBound([&r](double s, std::string_view) { return r.GteMin(s); });
  size_t last = z.LowerBound([&r](double s, std::string_view) { return !r.LteMax(s); });
  return {first, std::max(first, last)};
}

std::pair<size_t, size_t> LexRanks(const ZSetValue& z, const LexRange& r) {
  if (r.Empty()) {
    return {0, 0};
  }
  size_t first = z.LowerBound([&r](double, std::string_view m) { return r.GteMin(m); });
  size_t last = z.LowerBound([&r](double, std::string_view m) { return !r.LteMax(m); });
  return {first, std::max(first, last)};
}

std::vector<Element> Collect(const ZSetValue& z, size_t first, size_t last, bool reverse) {
  std::vector<Element> out;
  if (first >= last) {
    return out;
  }
  out.reserve(last - first);
  z.Visit(reverse ? last - 1 : first, reverse, [&](double s, std::string_view m) {
    out.emplace_back(std::string(m), s);
    return out.size() < last - first;
  });
  return out;
}

void ReplyElements(CommandContext& ctx, const std::vector<Element>& elements, bool withscores) {
  bool pairs = withscores && ctx.client().resp() > 2;
  auto n = static_cast<int64_t>(elements.size());
  ctx.reply().ArrayHeader(withscores && !pairs ? n * 2 : n);
  for (const Element& e : elements) {
    if (pairs) {
      ctx.reply().ArrayHeader(2);
    }
    ctx.reply().Bulk(e.first);
    if (withscores) {
      ctx.reply().Double(e.second);
    }
  }
}

void ReplyPerMember(CommandContext& ctx,
                    const std::function<void(std::optional<double> score)>& reply_one) {
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    reply_one(z == nullptr ? std::nullopt : z->Score(ctx.arg(i)));
  }
}

void StoreResult(CommandContext& ctx, std::string_view dst, const std::vector<Element>& elements,
                 std::string_view event) {
  std::string key(dst);
  if (elements.empty()) {
    StoreEmptyResult(ctx, key);
    return;
  }
  auto* z = new ZSetValue();
  engine::ZSetLimits limits = Limits(ctx);
  for (const Element& e : elements) {
    z->Set(e.first, e.second, limits);
  }
  z->ConvertToPackedIfFits(limits);
  ctx.db().Upsert(Entry::NewObject(key, ValueType::kZSet, z->encoding(), z, false, 0));
  ctx.reply().Integer(static_cast<int64_t>(z->size()));
  ctx.SignalModified(key);
  ctx.Notify(kNotifyZset, event, key);
  ctx.MarkWritten();
}

}  // namespace cairn::commands::zsets
