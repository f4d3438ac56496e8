// Geohash encode/decode, neighbour cells, distances and the cells a search scans (Redis 7.0
// geohash.c / geohash_helper.c semantics; see geohash.h).
#include "dataplane/engine/types/geohash.h"

#include <cmath>
#include <numbers>

namespace cairn::engine::geo {
namespace {

constexpr Range kLonRange{kLonMin, kLonMax};
constexpr Range kLatRange{kLatMin, kLatMax};
constexpr double kMercatorMax = 20037726.37;
constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr uint64_t kEvenBits = 0x5555555555555555ULL;
constexpr uint64_t kOddBits = 0xaaaaaaaaaaaaaaaaULL;

double DegToRad(double deg) {
  return deg * kDegToRad;
}
double RadToDeg(double rad) {
  return rad / kDegToRad;
}

// Spreads the 32 bits of `v` to the even bit positions of a 64-bit word.
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & kEvenBits;
  return x;
}

// Gathers the even bits of `x` into 32 bits (inverse of Spread).
uint32_t Gather(uint64_t x) {
  x &= kEvenBits;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

// Moves `cell` by `d` (-1, 0, +1) cells along longitude (odd bits) or latitude (even bits),
// wrapping around at the edges as geohash_move_x / geohash_move_y do.
void Move(Cell* cell, int d, bool lon_axis) {
  if (d == 0) {
    return;
  }
  int shift = 64 - cell->step * 2;
  uint64_t axis_mask = lon_axis ? kOddBits : kEvenBits;
  uint64_t other_mask = lon_axis ? kEvenBits : kOddBits;
  uint64_t axis = cell->bits & axis_mask;
  uint64_t other = cell->bits & other_mask;
  uint64_t fill = other_mask >> shift;  // the other axis' bits, set: carries skip over them
  if (d > 0) {
    axis = axis + (fill + 1);
  } else {
    axis = (axis | fill) - (fill + 1);
  }
  axis &= axis_mask >> shift;
  cell->bits = axis | other;
}

Cell Neighbour(Cell c, int dlon, int dlat) {
  Move(&c, dlon, true);
  Move(&c, dlat, false);
  return c;
}

// The score's 64 bits as `(uint64_t)score` gives them on x86-64.
uint64_t ScoreBits(double score) {
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = 0x8000000000000000ULL;
  if (std::isnan(score)) {
    return 0;
  }
  if (score < kTwo63) {
    if (score <= -kTwo63 - 1) {
      return kIndefinite;
    }
    return static_cast<uint64_t>(static_cast<int64_t>(score));
  }
  if (score - kTwo63 >= kTwo63) {
    return 0;  // cvttsd2si's indefinite value xor the high bit
  }
  return static_cast<uint64_t>(static_cast<int64_t>(score - kTwo63)) ^ kIndefinite;
}

Point Centre(const Area& a) {
  Point p{(a.lon.min + a.lon.max) / 2, (a.lat.min + a.lat.max) / 2};
  p.lon = std::fmin(std::fmax(p.lon, kLonMin), kLonMax);
  p.lat = std::fmin(std::fmax(p.lat, kLatMin), kLatMax);
  return p;
}

// geohashEstimateStepsByRadius.
int EstimateSteps(double range_meters, double lat) {
  if (range_meters == 0) {
    return kStepMax;
  }
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) {
      step--;
    }
  }
  return std::max(1, std::min(step, kStepMax));
}

// geohashBoundingBox: the shape's extent in degrees.
Area BoundingBox(const Shape& s) {
  double half_h = s.meters_per_unit * (s.box ? s.height / 2 : s.radius);
  double half_w = s.meters_per_unit * (s.box ? s.width / 2 : s.radius);
  double lat = s.centre.lat;
  double lat_delta = RadToDeg(half_h / kEarthRadiusMeters);
  double lon_delta_top =
      RadToDeg(half_w / kEarthRadiusMeters / std::cos(DegToRad(lat + lat_delta)));
  double lon_delta_bottom =
      RadToDeg(half_w / kEarthRadiusMeters / std::cos(DegToRad(lat - lat_delta)));
  double lon_delta = lat < 0 ? lon_delta_bottom : lon_delta_top;
  return {{s.centre.lon - lon_delta, s.centre.lon + lon_delta}, {lat - lat_delta, lat + lat_delta}};
}

struct Neighbourhood {
  Cell centre;
  Area area;
  // N, S, E, W, NE, NW, SE, SW.
  Cell around[8];
};

Neighbourhood Around(Point p, int step) {
  Neighbourhood n;
  n.centre = Encode(kLonRange, kLatRange, p, step).value_or(Cell{0, static_cast<uint8_t>(step)});
  n.area = Decode(kLonRange, kLatRange, n.centre);
  static constexpr int kMoves[8][2] = {{0, 1}, {0, -1}, {1, 0},  {-1, 0},
                                       {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
  for (int i = 0; i < 8; i++) {
    n.around[i] = Neighbour(n.centre, kMoves[i][0], kMoves[i][1]);
  }
  return n;
}

// True when one of the four side neighbours does not reach the edge of `box`: the step is too
// fine for the search to be covered.
bool SidesFallShort(const Neighbourhood& n, const Area& box) {
  Area north = Decode(kLonRange, kLatRange, n.around[0]);
  Area south = Decode(kLonRange, kLatRange, n.around[1]);
  Area east = Decode(kLonRange, kLatRange, n.around[2]);
  Area west = Decode(kLonRange, kLatRange, n.around[3]);
  return north.lat.max < box.lat.max || south.lat.min > box.lat.min || east.lon.max < box.lon.max ||
         west.lon.min > box.lon.min;
}

// Clears the neighbours on the sides where the centre cell already covers the box.
void DropUseless(Neighbourhood* n, const Area& box) {
  enum { kN, kS, kE, kW, kNE, kNW, kSE, kSW };
  auto clear = [n](std::initializer_list<int> which) {
    for (int i : which) {
      n->around[i] = Cell{};
    }
  };
  if (n->area.lat.min < box.lat.min) {
    clear({kS, kSW, kSE});
  }
  if (n->area.lat.max > box.lat.max) {
    clear({kN, kNE, kNW});
  }
  if (n->area.lon.min < box.lon.min) {
    clear({kW, kSW, kNW});
  }
  if (n->area.lon.max > box.lon.max) {
    clear({kE, kSE, kNE});
  }
}

}  // namespace

bool ValidPoint(Point p) {
  return p.lon >= kLonMin && p.lon <= kLonMax && p.lat >= kLatMin && p.lat <= kLatMax;
}

std::optional<Cell> Encode(Range lon, Range lat, Point p, int step) {
  if (step < 1 || step > 32 || !ValidPoint(p) || p.lat < lat.min || p.lat > lat.max ||
      p.lon < lon.min || p.lon > lon.max) {
    return std::nullopt;
  }
  double scale = static_cast<double>(1ULL << step);
  double lat_offset = (p.lat - lat.min) / (lat.max - lat.min) * scale;
  double lon_offset = (p.lon - lon.min) / (lon.max - lon.min) * scale;
  auto lat_bits = static_cast<uint32_t>(static_cast<uint64_t>(lat_offset));
  auto lon_bits = static_cast<uint32_t>(static_cast<uint64_t>(lon_offset));
  return Cell{Spread(lat_bits) | (Spread(lon_bits) << 1), static_cast<uint8_t>(step)};
}

Area Decode(Range lon, Range lat, Cell cell) {
  uint32_t ilat = Gather(cell.bits);
  uint32_t ilon = Gather(cell.bits >> 1);
  double scale = static_cast<double>(1ULL << cell.step);
  double lat_scale = lat.max - lat.min;
  double lon_scale = lon.max - lon.min;
  // `+ 1` wraps in 32 bits, as in Redis (only reachable with out-of-range scores).
  uint32_t ilat1 = ilat + 1;
  uint32_t ilon1 = ilon + 1;
  Area a;
  a.lat.min = lat.min + (ilat * 1.0 / scale) * lat_scale;
  a.lat.max = lat.min + (ilat1 * 1.0 / scale) * lat_scale;
  a.lon.min = lon.min + (ilon * 1.0 / scale) * lon_scale;
  a.lon.max = lon.min + (ilon1 * 1.0 / scale) * lon_scale;
  return a;
}

uint64_t Align52(Cell cell) {
  return cell.bits << (52 - cell.step * 2);
}

uint64_t ScoreOf(Point p) {
  std::optional<Cell> c = Encode(kLonRange, kLatRange, p, kStepMax);
  return c ? Align52(*c) : 0;
}

Point PointOf(double score) {
  Cell c{ScoreBits(score), kStepMax};
  return Centre(Decode(kLonRange, kLatRange, c));
}

std::string HashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  Point p = PointOf(score);
  Cell c = Encode(kLonRange, {-90, 90}, p, kStepMax).value_or(Cell{});
  std::string out(11, '0');
  for (int i = 0; i < 10; i++) {
    out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  }
  return out;
}

double Distance(Point a, Point b) {
  // Redis 7.0 has no shortcut for equal longitudes (7.2 does): the plain haversine always.
  double lat1 = DegToRad(a.lat);
  double lat2 = DegToRad(b.lat);
  double u = std::sin((lat2 - lat1) / 2);
  double v = std::sin((DegToRad(b.lon) - DegToRad(a.lon)) / 2);
  return 2.0 * kEarthRadiusMeters *
         std::asin(std::sqrt(u * u + std::cos(lat1) * std::cos(lat2) * v * v));
}

std::optional<double> DistanceIfInside(const Shape& s, Point p) {
  if (!s.box) {
    double d = Distance(s.centre, p);
    return d > s.radius * s.meters_per_unit ? std::nullopt : std::optional<double>(d);
  }
  double lon_distance = Distance(p, {s.centre.lon, p.lat});
  double lat_distance = Distance(p, {p.lon, s.centre.lat});
  if (lon_distance > s.width * s.meters_per_unit / 2 ||
      lat_distance > s.height * s.meters_per_unit / 2) {
    return std::nullopt;
  }
  return Distance(s.centre, p);
}

std::vector<Cell> SearchCells(const Shape& s) {
  Area box = BoundingBox(s);
  double radius =
      s.box ? std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  int step = EstimateSteps(radius * s.meters_per_unit, s.centre.lat);
  Neighbourhood n = Around(s.centre, step);
  if (step > 1 && SidesFallShort(n, box)) {
    step--;
    n = Around(s.centre, step);
  }
  if (step >= 2) {
    DropUseless(&n, box);
  }
  std::vector<Cell> out{n.centre};
  const Cell* last = nullptr;  // Redis compares with the previous scanned cell, not the centre
  for (const Cell& c : n.around) {
    if (c.IsZero() || (last != nullptr && c == *last)) {
      continue;
    }
    out.push_back(c);
    last = &c;
  }
  return out;
}

std::pair<uint64_t, uint64_t> ScoreRange(Cell cell) {
  Cell next{cell.bits + 1, cell.step};
  return {Align52(cell), Align52(next)};
}

}  // namespace cairn::engine::geo
