// Helpers shared by the geo command files (geo_family.cc: GEOADD, GEODIST, GEOHASH, GEOPOS;
// geo_search.cc: GEOSEARCH, GEOSEARCHSTORE and the GEORADIUS family): argument parsing with
// Redis 7.0's error texts (geo.c) and the reply shapes of distances and coordinates. Points are
// sorted-set members whose scores are geohashes (engine/types/geohash.h).
#pragma once

#include <optional>
#include <string_view>

#include "dataplane/commands/command_table.h"
#include "dataplane/commands/context.h"
#include "dataplane/engine/types/geohash.h"

namespace cairn::commands::geo {

// The longitude and latitude at arguments i and i + 1 (extractLongLatOrReply); replies "not a
// valid float" or "invalid longitude,latitude pair" and returns nullopt when bad.
std::optional<engine::geo::Point> ParsePoint(CommandContext& ctx, size_t i);

// Meters per unit of m, km, ft or mi (any case), or nullopt after replying the unit error.
std::optional<double> ParseUnit(CommandContext& ctx, std::string_view unit);

// A distance in the requested unit: a bulk string with 4 decimals ("%.4f"), as both protocols
// get it from Redis.
void ReplyDistance(CommandContext& ctx, double distance);

// A coordinate as addReplyHumanLongDouble: "%.17Lf" without trailing zeros; a bulk string in
// RESP2, a RESP3 double.
void ReplyCoordinate(CommandContext& ctx, double value);

// Registers GEOSEARCH, GEOSEARCHSTORE, GEORADIUS[_RO] and GEORADIUSBYMEMBER[_RO].
void RegisterGeoSearch(CommandTable& table);

}  // namespace cairn::commands::geo
