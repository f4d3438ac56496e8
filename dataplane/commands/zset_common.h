// Helpers shared by the sorted-set command files (zset_family.cc: writes and point reads,
// zset_range.cc: ZRANGE and the range removals, zset_pop.cc: pops and blocking pops,
// zset_algebra.cc: ZUNION/ZINTER/ZDIFF): typed lookups, score and lex range parsing with
// Redis 7.0's rules (t_zset.c zslParseRange / zslParseLexRange) and reply shapes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/commands/command_table.h"
#include "dataplane/commands/context.h"
#include "dataplane/engine/types/zset.h"

namespace cairn::commands::zsets {

using Element = std::pair<std::string, double>;  // member, score

// zset-max-listpack-entries / -value as configured.
engine::ZSetLimits Limits(CommandContext& ctx);

// The sorted set at `key` (nullptr when missing); replies WRONGTYPE and returns false when the
// key holds another type. `entry` receives the keyspace entry when given.
bool LookupZSet(CommandContext& ctx, std::string_view key, bool write, engine::ZSetValue** out,
                engine::Entry** entry = nullptr);
// Creates an empty sorted set at the absent `key`.
engine::ZSetValue* CreateZSet(CommandContext& ctx, std::string_view key, engine::Entry** entry);
// Deletes `key` when `z` is empty, firing "del". Returns whether it did.
bool DeleteIfEmpty(CommandContext& ctx, std::string_view key, const engine::ZSetValue* z);

// A score interval: "(" before a bound makes it exclusive.
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool minex = false;
  bool maxex = false;
  bool GteMin(double v) const { return minex ? v > min : v >= min; }
  bool LteMax(double v) const { return maxex ? v < max : v <= max; }
  // Ranges that can hold nothing (min > max, or equal bounds with one exclusive).
  bool Empty() const { return min > max || (min == max && (minex || maxex)); }
};
// Parses min and max as zslParseRange (strtod, "(" prefix, no NaN); nullopt when invalid.
std::optional<ScoreRange> ParseScoreRange(std::string_view min, std::string_view max);

// A lexicographic interval: "[x" inclusive, "(x" exclusive, "-" and "+" the infinities.
struct LexBound {
  int kind = 0;  // -1 "-", +1 "+", 0 a string
  std::string value;
  bool ex = false;
};
struct LexRange {
  LexBound min;
  LexBound max;
  bool GteMin(std::string_view m) const;
  bool LteMax(std::string_view m) const;
  bool Empty() const;
};
// Parses as zslParseLexRange; nullopt when either item is invalid.
std::optional<LexRange> ParseLexRange(std::string_view min, std::string_view max);

// First and one-past-last ranks of the elements in a score / lex range.
std::pair<size_t, size_t> ScoreRanks(const engine::ZSetValue& z, const ScoreRange& r);
std::pair<size_t, size_t> LexRanks(const engine::ZSetValue& z, const LexRange& r);

// Elements with ranks [first, last) in ascending order (descending with `reverse`).
std::vector<Element> Collect(const engine::ZSetValue& z, size_t first, size_t last, bool reverse);

// Replies elements: members only, or with scores (RESP2 flat member, score; RESP3 pairs).
void ReplyElements(CommandContext& ctx, const std::vector<Element>& elements, bool withscores);

// Stores `elements` as a new sorted set at `dst` (replacing any value; the packed encoding when
// it fits) and replies its size, firing `event`; an empty result deletes `dst` (firing "del")
// and replies 0. Marks the write for replication.
void StoreResult(CommandContext& ctx, std::string_view dst, const std::vector<Element>& elements,
                 std::string_view event);

// Replies an array with one entry per member argument from argument 2 (ZMSCORE, GEOHASH,
// GEOPOS): `reply_one` writes the entry for the member's score, nullopt when the member or the
// key is missing. A key of another type replies WRONGTYPE instead.
void ReplyPerMember(CommandContext& ctx,
                    const std::function<void(std::optional<double> score)>& reply_one);

// The ZADD handler (arguments as ZADD's), for GEOADD, which rewrites itself into a ZADD as Redis
// does (also what replicas receive).
void ZAdd(CommandContext& ctx);

// Registration of the command files.
void RegisterZSetRanges(CommandTable& table);
void RegisterZSetPops(CommandTable& table);
void RegisterZSetAlgebra(CommandTable& table);

}  // namespace cairn::commands::zsets
