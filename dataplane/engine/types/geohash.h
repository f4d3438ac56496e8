// Geohash arithmetic for the geo commands (Redis 7.0 geohash.c / geohash_helper.c semantics): a
// point is stored as a sorted-set score holding its 52-bit interleaved geohash (26 steps of
// longitude and latitude bits, latitude limited to +-85.05112878 as Web Mercator), decoded back
// to the centre of its cell; distances are haversine on a sphere of radius 6372797.560856 m; a
// search covers its area with the cell containing the centre plus its 8 neighbours at a step
// chosen from the radius, exactly as Redis picks them, so results and their order match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::engine::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kStepMax = 26;  // 52 bits
inline constexpr double kEarthRadiusMeters = 6372797.560856;

// A geohash cell: `step` bits per axis, interleaved in `bits` (longitude in the odd bits).
// bits == 0 && step == 0 is "no cell".
struct Cell {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool IsZero() const { return bits == 0 && step == 0; }
  bool operator==(const Cell&) const = default;
};

struct Range {
  double min = 0;
  double max = 0;
};

// A cell's extent in degrees.
struct Area {
  Range lon;
  Range lat;
};

struct Point {
  double lon = 0;
  double lat = 0;
};

// True when GEOADD accepts the pair: lon in [-180, 180], lat in [-85.05112878, 85.05112878].
bool ValidPoint(Point p);

// The cell of `p` at `step` (1..32) within the given ranges; nullopt when `p` is outside them or
// outside the valid pair limits (geohashEncode).
std::optional<Cell> Encode(Range lon, Range lat, Point p, int step);
// The cell's extent within the ranges (geohashDecode).
Area Decode(Range lon, Range lat, Cell cell);
// `cell` shifted to 52 bits (geohashAlign52Bits): the score a point's cell starts at.
uint64_t Align52(Cell cell);

// GEOADD's score for a valid point: its step-26 cell in the WGS84 ranges, as an integer.
uint64_t ScoreOf(Point p);
// The point a score names (decodeGeohash): the centre of its step-26 cell, clamped to the
// limits. Any double is accepted; it is converted to 64 bits as the C cast does on x86-64.
Point PointOf(double score);
// GEOHASH's 11-character standard geohash of a score (decoded, re-encoded with latitude
// +-90; the 11th character is always '0').
std::string HashString(double score);

// Great-circle distance in meters (geohashGetDistance, haversine).
double Distance(Point a, Point b);

// A search area: a circle of `radius` or a box of `width` x `height`, in the unit whose size in
// meters is `meters_per_unit`, centred on `centre`.
struct Shape {
  Point centre;
  bool box = false;
  double radius = 0;
  double width = 0;
  double height = 0;
  double meters_per_unit = 1;
};

// The distance in meters from the shape's centre to `p` when `p` lies inside the shape
// (geohashGetDistanceIfInRadius / geohashGetDistanceIfInRectangle), else nullopt.
std::optional<double> DistanceIfInside(const Shape& shape, Point p);

// The cells a search must scan, in the order Redis scans them (centre, N, S, E, W, NE, NW, SE,
// SW), without the ones outside the bounding box and without a cell equal to the one scanned
// just before it (geohashCalculateAreasByShapeWGS84 + membersOfAllNeighbors).
std::vector<Cell> SearchCells(const Shape& shape);

// The scores [first, last) of the points inside `cell` (scoresOfGeoHashBox).
std::pair<uint64_t, uint64_t> ScoreRange(Cell cell);

}  // namespace cairn::engine::geo
