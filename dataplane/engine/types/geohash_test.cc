// Tests of the geohash arithmetic against values redis-server 7.0 gives for the same input
// (GEOADD scores, GEOPOS, GEOHASH, GEODIST) and of the search cell selection's invariants.
#include "dataplane/engine/types/geohash.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <set>

#include <gtest/gtest.h>

namespace cairn::engine::geo {
namespace {

const Point kPalermo{13.361389, 38.115556};
const Point kCatania{15.087269, 37.502669};

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

TEST(GeohashTest, ScoresMatchRedis) {
  EXPECT_EQ(ScoreOf(kPalermo), 3479099956230698ULL);
  EXPECT_EQ(ScoreOf(kCatania), 3479447370796909ULL);
  // The corners of the valid area: the top edges carry into bits past 52, as in Redis.
  EXPECT_EQ(ScoreOf({-180, kLatMin}), 0ULL);
  EXPECT_EQ(ScoreOf({180, kLatMax}), 13510798882111488ULL);
  EXPECT_EQ(ScoreOf({180, 0}), 10133099161583616ULL);
  EXPECT_EQ(HashString(13510798882111488.0), "bp05b5048p0");
  EXPECT_EQ(HashString(10133099161583616.0), "80000000000");
}

TEST(GeohashTest, DecodesToCellCentre) {
  Point p = PointOf(3479099956230698.0);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17Lf", static_cast<long double>(p.lon));
  EXPECT_STREQ(buf, "13.36138933897018433");
  std::snprintf(buf, sizeof(buf), "%.17Lf", static_cast<long double>(p.lat));
  EXPECT_STREQ(buf, "38.11555639549629859");
  // Encoding a decoded point gives the same score back.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lon(-180, 180);
  std::uniform_real_distribution<double> lat(kLatMin, kLatMax);
  for (int i = 0; i < 10000; i++) {
    uint64_t s = ScoreOf({lon(rng), lat(rng)});
    EXPECT_EQ(ScoreOf(PointOf(static_cast<double>(s))), s);
  }
}

TEST(GeohashTest, HashStringMatchesRedis) {
  EXPECT_EQ(HashString(3479099956230698.0), "sqc8b49rny0");
  EXPECT_EQ(HashString(3479447370796909.0), "sqdtr74hyu0");
}

TEST(GeohashTest, DistanceMatchesRedis) {
  Point a = PointOf(3479099956230698.0);
  Point b = PointOf(3479447370796909.0);
  EXPECT_EQ(Fixed(Distance(a, b), 4), "166274.1516");
  EXPECT_EQ(Distance(a, a), 0);
  EXPECT_DOUBLE_EQ(Distance(a, b), Distance(b, a));
}

TEST(GeohashTest, ValidPointLimits) {
  EXPECT_TRUE(ValidPoint({180, kLatMax}));
  EXPECT_TRUE(ValidPoint({-180, kLatMin}));
  EXPECT_FALSE(ValidPoint({180.000001, 0}));
  EXPECT_FALSE(ValidPoint({0, 85.06}));
  EXPECT_FALSE(ValidPoint({0, NAN}));
}

TEST(GeohashTest, OutOfRangeScoresDecodeInsideTheLimits) {
  for (double s : {-1.0, -1e30, 1e30, 18446744073709551616.0, 4503599627370496.0}) {
    Point p = PointOf(s);
    EXPECT_TRUE(ValidPoint(p)) << s;
  }
}

// Every point within the radius lies in one of the cells SearchCells returns.
TEST(GeohashTest, SearchCellsCoverTheCircle) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> lon(-170, 170);
  std::uniform_real_distribution<double> lat(-70, 70);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 300; i++) {
    Shape s{.centre = {lon(rng), lat(rng)}, .radius = 1 + unit(rng) * 500, .meters_per_unit = 1000};
    std::vector<Cell> cells = SearchCells(s);
    ASSERT_FALSE(cells.empty());
    ASSERT_LE(cells.size(), 9u);
    for (int k = 0; k < 50; k++) {
      Point p{s.centre.lon + (unit(rng) - 0.5) * 10, s.centre.lat + (unit(rng) - 0.5) * 10};
      if (!ValidPoint(p)) {
        continue;
      }
      uint64_t score = ScoreOf(p);
      if (!DistanceIfInside(s, PointOf(static_cast<double>(score)))) {
        continue;
      }
      bool covered = false;
      for (const Cell& c : cells) {
        auto [lo, hi] = ScoreRange(c);
        covered = covered || (score >= lo && score < hi);
      }
      EXPECT_TRUE(covered) << "centre " << s.centre.lon << "," << s.centre.lat;
    }
  }
}

TEST(GeohashTest, BoxChecksBothAxes) {
  Shape box{.centre = {0, 0}, .box = true, .width = 200, .height = 100, .meters_per_unit = 1000};
  EXPECT_TRUE(DistanceIfInside(box, {0.8, 0.3}).has_value());
  EXPECT_FALSE(DistanceIfInside(box, {0.3, 0.8}).has_value());
  EXPECT_FALSE(DistanceIfInside(box, {1, 0}).has_value());
}

}  // namespace
}  // namespace cairn::engine::geo
