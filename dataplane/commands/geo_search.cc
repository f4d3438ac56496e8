// Geo searches (Redis 7.0 geo.c georadiusGeneric): GEOSEARCH and GEOSEARCHSTORE (FROMMEMBER |
// FROMLONLAT, BYRADIUS | BYBOX, ASC | DESC, COUNT [ANY], WITH*, STOREDIST) and the older
// GEORADIUS, GEORADIUSBYMEMBER (STORE / STOREDIST) and their _RO forms. The candidates are the
// members whose scores fall in the up to 9 geohash cells Redis scans, in its order; those inside
// the shape are kept, sorted by distance when asked (COUNT without ANY implies ASC).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/geo_common.h"
#include "dataplane/commands/zset_common.h"

namespace cairn::commands::geo {
namespace {

using engine::ZSetValue;
using engine::geo::Point;
using engine::geo::Shape;

enum SearchFlag : uint32_t {
  kFromCoords = 1 << 0,  // GEORADIUS[_RO]: key lon lat radius unit
  kFromMember = 1 << 1,  // GEORADIUSBYMEMBER[_RO]: key member radius unit
  kSearch = 1 << 2,      // GEOSEARCH[STORE]: FROM* and BY* options
  kSearchStore = 1 << 3,
  kNoStore = 1 << 4,  // the _RO forms
};

struct Options {
  Shape shape;
  bool withdist = false;
  bool withhash = false;
  bool withcoord = false;
  bool any = false;
  int sort = 0;  // 0 none, 1 ASC, -1 DESC
  int64_t count = 0;
  std::optional<std::string_view> store;
  bool storedist = false;
  bool from_member = false;
  bool from_lonlat = false;
  bool by_radius = false;
  bool by_box = false;
};

struct Found {
  std::string member;
  double score = 0;
  double distance = 0;  // meters until replied
  Point point;
};

// radius unit at arguments i, i + 1 (extractDistanceOrReply).
bool ParseRadius(CommandContext& ctx, size_t i, Shape* shape) {
  std::optional<double> r = ParseDouble(ctx.arg(i));
  const char* error = !r ? kErrGeoRadiusNotNumeric : *r < 0 ? kErrGeoRadiusNegative : nullptr;
  if (error != nullptr) {
    ctx.reply().Error(error);
    return false;
  }
  std::optional<double> unit = ParseUnit(ctx, ctx.arg(i + 1));
  if (!unit) {
    return false;
  }
  shape->box = false;
  shape->radius = *r;
  shape->meters_per_unit = *unit;
  return true;
}

// width height unit at arguments i .. i + 2 (extractBoxOrReply).
bool ParseBox(CommandContext& ctx, size_t i, Shape* shape) {
  std::optional<double> w = ParseDouble(ctx.arg(i));
  std::optional<double> h = w ? ParseDouble(ctx.arg(i + 1)) : std::nullopt;
  const char* error = !w                 ? kErrGeoWidthNotNumeric
                      : !h               ? kErrGeoHeightNotNumeric
                      : *w < 0 || *h < 0 ? kErrGeoBoxNegative
                                         : nullptr;
  if (error != nullptr) {
    ctx.reply().Error(error);
    return false;
  }
  std::optional<double> unit = ParseUnit(ctx, ctx.arg(i + 2));
  if (!unit) {
    return false;
  }
  shape->box = true;
  shape->width = *w;
  shape->height = *h;
  shape->meters_per_unit = *unit;
  return true;
}

// The position of `member` in `z` as the search centre; replies when it is not there.
bool MemberCentre(CommandContext& ctx, const ZSetValue& z, std::string_view member, Point* out) {
  std::optional<double> s = z.Score(member);
  if (!s) {
    ctx.reply().Error(kErrGeoMember);
    return false;
  }
  *out = engine::geo::PointOf(*s);
  return true;
}

// The fixed arguments before the options; returns the index of the first option, or 0 after
// replying an error. With a missing key GEORADIUSBYMEMBER parses nothing here, as Redis.
size_t ParseFixed(CommandContext& ctx, uint32_t flags, const ZSetValue* z, Options* o) {
  if ((flags & kFromCoords) != 0) {
    std::optional<Point> p = ParsePoint(ctx, 2);
    if (!p) {
      return 0;
    }
    o->shape.centre = *p;
    return ParseRadius(ctx, 4, &o->shape) ? 6 : 0;
  }
  if ((flags & kFromMember) != 0) {
    if (z == nullptr) {
      return 5;
    }
    if (!MemberCentre(ctx, *z, ctx.arg(2), &o->shape.centre)) {
      return 0;
    }
    return ParseRadius(ctx, 3, &o->shape) ? 5 : 0;
  }
  if ((flags & kSearchStore) != 0) {
    o->store = ctx.arg(1);
    return 3;
  }
  return 2;
}

// Flag words without a value; false when `word` is none of them.
bool ParseFlagWord(std::string_view word, Options* o) {
  if (EqualsIgnoreCase(word, "withdist")) {
    o->withdist = true;
  } else if (EqualsIgnoreCase(word, "withhash")) {
    o->withhash = true;
  } else if (EqualsIgnoreCase(word, "withcoord")) {
    o->withcoord = true;
  } else if (EqualsIgnoreCase(word, "any")) {
    o->any = true;
  } else if (EqualsIgnoreCase(word, "asc")) {
    o->sort = 1;
  } else if (EqualsIgnoreCase(word, "desc")) {
    o->sort = -1;
  } else {
    return false;
  }
  return true;
}

// COUNT n at argument i; false after replying.
bool ParseCount(CommandContext& ctx, size_t i, Options* o) {
  std::optional<int64_t> n = ParseInt64(ctx.arg(i));
  if (!n) {
    ctx.reply().Error(kErrNotInteger);
    return false;
  }
  if (*n <= 0) {
    ctx.reply().Error(kErrGeoCountPositive);
    return false;
  }
  o->count = *n;
  return true;
}

// GEOSEARCH's FROM* / BY* options at argument i. Returns the arguments consumed (0: not one of
// them, so a syntax error), or -1 after replying an error.
int ParseSearchWord(CommandContext& ctx, size_t i, const ZSetValue* z, Options* o) {
  std::string_view word = ctx.arg(i);
  size_t left = ctx.argc() - i - 1;
  if (EqualsIgnoreCase(word, "frommember") && left >= 1 && !o->from_lonlat) {
    o->from_member = true;
    return z == nullptr || MemberCentre(ctx, *z, ctx.arg(i + 1), &o->shape.centre) ? 2 : -1;
  }
  if (EqualsIgnoreCase(word, "fromlonlat") && left >= 2 && !o->from_member) {
    std::optional<Point> p = ParsePoint(ctx, i + 1);
    o->shape.centre = p.value_or(Point{});
    o->from_lonlat = p.has_value();
    return p ? 3 : -1;
  }
  if (EqualsIgnoreCase(word, "byradius") && left >= 2 && !o->by_box) {
    o->by_radius = true;
    return ParseRadius(ctx, i + 1, &o->shape) ? 3 : -1;
  }
  if (EqualsIgnoreCase(word, "bybox") && left >= 3 && !o->by_radius) {
    o->by_box = true;
    return ParseBox(ctx, i + 1, &o->shape) ? 4 : -1;
  }
  return 0;
}

// One option at argument i; returns the arguments consumed or -1 after replying an error.
int ParseOption(CommandContext& ctx, size_t i, uint32_t flags, const ZSetValue* z, Options* o) {
  std::string_view word = ctx.arg(i);
  size_t left = ctx.argc() - i - 1;
  if (ParseFlagWord(word, o)) {
    return 1;
  }
  if (EqualsIgnoreCase(word, "count") && left >= 1) {
    return ParseCount(ctx, i + 1, o) ? 2 : -1;
  }
  bool store = EqualsIgnoreCase(word, "store");
  bool storedist = EqualsIgnoreCase(word, "storedist");
  if ((store || storedist) && left >= 1 && (flags & (kNoStore | kSearch)) == 0) {
    o->store = ctx.arg(i + 1);
    o->storedist = storedist;
    return 2;
  }
  if (storedist && (flags & kSearchStore) != 0) {
    o->storedist = true;
    return 1;
  }
  int used = (flags & kSearch) != 0 ? ParseSearchWord(ctx, i, z, o) : 0;
  if (used == 0) {
    ctx.reply().Error(kErrSyntax);
    return -1;
  }
  return used;
}

// The checks after parsing, in Redis's order; false after replying.
bool CheckOptions(CommandContext& ctx, uint32_t flags, const Options& o) {
  if (o.store && (o.withdist || o.withhash || o.withcoord)) {
    ctx.reply().Error((flags & kSearchStore) != 0 ? kErrGeoSearchStoreWith
                                                  : kErrGeoRadiusStoreWith);
    return false;
  }
  if ((flags & kSearch) != 0 && !o.from_member && !o.from_lonlat) {
    ctx.reply().Error(std::string(kErrGeoFromPrefix) + std::string(ctx.arg(0)));
    return false;
  }
  if ((flags & kSearch) != 0 && !o.by_radius && !o.by_box) {
    ctx.reply().Error(std::string(kErrGeoByPrefix) + std::string(ctx.arg(0)));
    return false;
  }
  if (o.any && o.count == 0) {
    ctx.reply().Error(kErrGeoAnyNeedsCount);
    return false;
  }
  return true;
}

// The members inside the shape, cell by cell in Redis's scan order; stops at `limit` (> 0).
std::vector<Found> Collect(const ZSetValue& z, const Shape& shape, size_t limit) {
  std::vector<Found> out;
  auto full = [&] { return limit > 0 && out.size() >= limit; };
  for (const engine::geo::Cell& cell : engine::geo::SearchCells(shape)) {
    if (full()) {
      break;
    }
    auto [min, max] = engine::geo::ScoreRange(cell);
    auto lo = static_cast<double>(min);
    auto hi = static_cast<double>(max);
    size_t rank = z.LowerBound([lo](double s, std::string_view) { return s >= lo; });
    if (rank >= z.size()) {
      continue;
    }
    z.Visit(rank, false, [&](double s, std::string_view m) {
      if (s >= hi) {
        return false;
      }
      Point p = engine::geo::PointOf(s);
      if (std::optional<double> d = engine::geo::DistanceIfInside(shape, p)) {
        out.push_back({std::string(m), s, *d, p});
      }
      return !full();
    });
  }
  return out;
}

void ReplyFound(CommandContext& ctx, const std::vector<Found>& found, size_t n, const Options& o) {
  int extra = (o.withdist ? 1 : 0) + (o.withhash ? 1 : 0) + (o.withcoord ? 1 : 0);
  ctx.reply().ArrayHeader(static_cast<int64_t>(n));
  for (size_t i = 0; i < n; i++) {
    const Found& f = found[i];
    if (extra > 0) {
      ctx.reply().ArrayHeader(extra + 1);
    }
    ctx.reply().Bulk(f.member);
    if (o.withdist) {
      ReplyDistance(ctx, f.distance / o.shape.meters_per_unit);
    }
    if (o.withhash) {
      ctx.reply().Integer(static_cast<int64_t>(f.score));
    }
    if (o.withcoord) {
      ctx.reply().ArrayHeader(2);
      ReplyCoordinate(ctx, f.point.lon);
      ReplyCoordinate(ctx, f.point.lat);
    }
  }
}

void StoreFound(CommandContext& ctx, const std::vector<Found>& found, size_t n, uint32_t flags,
                const Options& o) {
  std::vector<zsets::Element> elements;
  elements.reserve(n);
  for (size_t i = 0; i < n; i++) {
    double dist = found[i].distance / o.shape.meters_per_unit;
    elements.emplace_back(found[i].member, o.storedist ? dist : found[i].score);
  }
  zsets::StoreResult(ctx, *o.store, elements,
                     (flags & kSearch) != 0 ? "geosearchstore" : "georadiusstore");
}

// Runs the search and replies (or stores) the first COUNT results.
void RunSearch(CommandContext& ctx, const ZSetValue& z, uint32_t flags, Options& o) {
  if (o.count != 0 && o.sort == 0 && !o.any) {
    o.sort = 1;
  }
  std::vector<Found> found = Collect(z, o.shape, o.any ? static_cast<size_t>(o.count) : 0);
  if (found.empty() && !o.store) {
    ctx.reply().EmptyArray();
    return;
  }
  if (o.sort != 0) {
    bool asc = o.sort > 0;
    std::stable_sort(found.begin(), found.end(), [asc](const Found& a, const Found& b) {
      return asc ? a.distance < b.distance : a.distance > b.distance;
    });
  }
  size_t n = o.count == 0 ? found.size() : std::min(found.size(), static_cast<size_t>(o.count));
  o.store ? StoreFound(ctx, found, n, flags, o) : ReplyFound(ctx, found, n, o);
}

// georadiusGeneric: the source key is at `src`.
void SearchGeneric(CommandContext& ctx, size_t src, uint32_t flags) {
  ZSetValue* z;
  if (!zsets::LookupZSet(ctx, ctx.arg(src), false, &z)) {
    return;
  }
  Options o;
  size_t i = ParseFixed(ctx, flags, z, &o);
  if (i == 0) {
    return;
  }
  while (i < ctx.argc()) {
    int used = ParseOption(ctx, i, flags, z, &o);
    if (used < 0) {
      return;
    }
    i += static_cast<size_t>(used);
  }
  if (!CheckOptions(ctx, flags, o)) {
    return;
  }
  if (z == nullptr) {
    o.store ? zsets::StoreResult(ctx, *o.store, {}, "") : ctx.reply().EmptyArray();
    return;
  }
  RunSearch(ctx, *z, flags, o);
}

void CmdGeoRadius(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromCoords);
}
void CmdGeoRadiusRo(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromCoords | kNoStore);
}
void CmdGeoRadiusByMember(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromMember);
}
void CmdGeoRadiusByMemberRo(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromMember | kNoStore);
}
void CmdGeoSearch(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kSearch);
}
void CmdGeoSearchStore(CommandContext& ctx) {
  SearchGeneric(ctx, 2, kSearch | kSearchStore);
}

// georadiusGetKeys: the key, then the last STORE / STOREDIST destination.
std::vector<int> RadiusKeys(const std::vector<std::string_view>& args) {
  std::vector<int> keys{1};
  int stored = -1;
  for (size_t i = 5; i < args.size(); i++) {
    if ((EqualsIgnoreCase(args[i], "store") || EqualsIgnoreCase(args[i], "storedist")) &&
        i + 1 < args.size()) {
      stored = static_cast<int>(++i);
    }
  }
  if (stored > 0) {
    keys.push_back(stored);
  }
  return keys;
}

}  // namespace

void RegisterGeoSearch(CommandTable& table) {
  uint64_t cat = kAclGeo;
  KeyPositions one{1, 1, 1};
  uint32_t store = kWrite | kDenyOom;
  // clang-format off
  table.Add({.name = "georadius", .arity = -6, .flags = store, .categories = cat, .keys = one,
             .handler = CmdGeoRadius, .get_keys = RadiusKeys});
  table.Add({.name = "georadius_ro", .arity = -6, .flags = kReadOnly, .categories = cat,
             .keys = one, .handler = CmdGeoRadiusRo});
  table.Add({.name = "georadiusbymember", .arity = -5, .flags = store, .categories = cat,
             .keys = one, .handler = CmdGeoRadiusByMember, .get_keys = RadiusKeys});
  table.Add({.name = "georadiusbymember_ro", .arity = -5, .flags = kReadOnly, .categories = cat,
             .keys = one, .handler = CmdGeoRadiusByMemberRo});
  table.Add({.name = "geosearch", .arity = -7, .flags = kReadOnly, .categories = cat,
             .keys = one, .handler = CmdGeoSearch});
  table.Add({.name = "geosearchstore", .arity = -8, .flags = store, .categories = cat,
             .keys = {1, 2, 1}, .handler = CmdGeoSearchStore});
  // clang-format on
}

}  // namespace cairn::commands::geo
