// Geo commands on sorted sets (Redis 7.0 geo.c), part 1: GEOADD (a ZADD of geohash scores),
// GEODIST, GEOHASH and GEOPOS, the shared argument and reply helpers, and the family's
// registration. The searches live in geo_search.cc; the geohash arithmetic in
// engine/types/geohash.h.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/commands/geo_common.h"
#include "dataplane/commands/zset_common.h"

namespace cairn::commands {

namespace geo {

using engine::geo::Point;

std::optional<Point> ParsePoint(CommandContext& ctx, size_t i) {
  std::optional<double> lon = ParseDouble(ctx.arg(i));
  std::optional<double> lat = lon ? ParseDouble(ctx.arg(i + 1)) : std::nullopt;
  if (!lon || !lat) {
    ctx.reply().Error(kErrNotFloat);
    return std::nullopt;
  }
  Point p{*lon, *lat};
  if (!engine::geo::ValidPoint(p)) {
    char buf[1024];  // "%f" of 1e308 is 316 characters
    std::snprintf(buf, sizeof(buf), kErrGeoInvalidPair, p.lon, p.lat);
    ctx.reply().Error(buf);
    return std::nullopt;
  }
  return p;
}

std::optional<double> ParseUnit(CommandContext& ctx, std::string_view unit) {
  if (EqualsIgnoreCase(unit, "m")) {
    return 1;
  }
  if (EqualsIgnoreCase(unit, "km")) {
    return 1000;
  }
  if (EqualsIgnoreCase(unit, "ft")) {
    return 0.3048;
  }
  if (EqualsIgnoreCase(unit, "mi")) {
    return 1609.34;
  }
  ctx.reply().Error(kErrGeoUnit);
  return std::nullopt;
}

void ReplyDistance(CommandContext& ctx, double distance) {
  char buf[128];
  int n = std::snprintf(buf, sizeof(buf), "%.4f", distance);
  ctx.reply().Bulk(std::string_view(buf, static_cast<size_t>(n)));
}

void ReplyCoordinate(CommandContext& ctx, double value) {
  std::string text = FormatLongDoubleHuman(value).value_or("0");
  if (ctx.client().resp() > 2) {
    ctx.reply().Raw("," + text + "\r\n");
  } else {
    ctx.reply().Bulk(text);
  }
}

}  // namespace geo

namespace {

using engine::ZSetValue;
using zsets::LookupZSet;

// GEOADD key [NX|XX] [CH] longitude latitude member [...]: validated and turned into
// ZADD key [NX|XX] [CH] score member [...], which runs and is what replicas receive.
void CmdGeoAdd(CommandContext& ctx) {
  size_t first = 2;
  bool nx = false;
  bool xx = false;
  for (; first < ctx.argc(); first++) {
    std::string_view opt = ctx.arg(first);
    if (EqualsIgnoreCase(opt, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      xx = true;
    } else if (!EqualsIgnoreCase(opt, "ch")) {
      break;
    }
  }
  if ((ctx.argc() - first) % 3 != 0 || (nx && xx)) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  std::vector<std::string> zadd{"zadd"};
  zadd.insert(zadd.end(), ctx.args().begin() + 1, ctx.args().begin() + first);
  for (size_t i = first; i < ctx.argc(); i += 3) {
    std::optional<engine::geo::Point> p = geo::ParsePoint(ctx, i);
    if (!p) {
      return;
    }
    zadd.push_back(std::to_string(engine::geo::ScoreOf(*p)));
    zadd.emplace_back(ctx.arg(i + 2));
  }
  std::vector<std::string_view> views(zadd.begin(), zadd.end());
  CommandContext rewritten(ctx.server(), ctx.client(), views, ctx.spec());
  zsets::ZAdd(rewritten);
}

// GEODIST key member1 member2 [M|KM|FT|MI]: null when the key or either member is missing.
void CmdGeoDist(CommandContext& ctx) {
  double meters_per_unit = 1;
  if (ctx.argc() == 5) {
    std::optional<double> unit = geo::ParseUnit(ctx, ctx.arg(4));
    if (!unit) {
      return;
    }
    meters_per_unit = *unit;
  } else if (ctx.argc() > 5) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  ZSetValue* z;
  if (!LookupZSet(ctx, ctx.arg(1), false, &z)) {
    return;
  }
  std::optional<double> a = z == nullptr ? std::nullopt : z->Score(ctx.arg(2));
  std::optional<double> b = z == nullptr ? std::nullopt : z->Score(ctx.arg(3));
  if (!a || !b) {
    ctx.reply().Null();
    return;
  }
  double meters = engine::geo::Distance(engine::geo::PointOf(*a), engine::geo::PointOf(*b));
  geo::ReplyDistance(ctx, meters / meters_per_unit);
}

// GEOHASH key [member ...]: an 11-character geohash per member, null when missing.
void CmdGeoHash(CommandContext& ctx) {
  zsets::ReplyPerMember(ctx, [&ctx](std::optional<double> s) {
    s ? ctx.reply().Bulk(engine::geo::HashString(*s)) : ctx.reply().Null();
  });
}

// GEOPOS key [member ...]: [longitude, latitude] per member (its cell's centre), a null array
// when missing.
void CmdGeoPos(CommandContext& ctx) {
  zsets::ReplyPerMember(ctx, [&ctx](std::optional<double> s) {
    if (!s) {
      ctx.reply().NullArray();
      return;
    }
    engine::geo::Point p = engine::geo::PointOf(*s);
    ctx.reply().ArrayHeader(2);
    geo::ReplyCoordinate(ctx, p.lon);
    geo::ReplyCoordinate(ctx, p.lat);
  });
}

}  // namespace

void RegisterGeoFamily(CommandTable& table) {
  uint64_t cat = kAclGeo;
  KeyPositions one{1, 1, 1};
  // clang-format off
  table.Add({.name = "geoadd", .arity = -5, .flags = kWrite | kDenyOom, .categories = cat,
             .keys = one, .handler = CmdGeoAdd});
  table.Add({.name = "geodist", .arity = -4, .flags = kReadOnly, .categories = cat, .keys = one,
             .handler = CmdGeoDist});
  table.Add({.name = "geohash", .arity = -2, .flags = kReadOnly, .categories = cat, .keys = one,
             .handler = CmdGeoHash});
  table.Add({.name = "geopos", .arity = -2, .flags = kReadOnly, .categories = cat, .keys = one,
             .handler = CmdGeoPos});
  // clang-format on
  geo::RegisterGeoSearch(table);
}

}  // namespace cairn::commands
