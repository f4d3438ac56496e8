// Tests of sorted-set values: the score codec, ZSetTree against a std::set model, and ZSetValue
// in both encodings (conversion, ranks, walks, random picks).
#include "dataplane/engine/types/zset.h"

#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/engine/types/zset_item.h"
#include "dataplane/engine/types/zset_tree.h"

namespace cairn::engine {
namespace {

using Model = std::set<std::pair<double, std::string>>;

TEST(ZSetItemTest, ScoresRoundTrip) {
  const double inf = std::numeric_limits<double>::infinity();
  for (double s : {0.0, -0.0, 1.0, -1.0, 119.0, -120.0, 120.0, 1e15, -1e15, 9007199254740992.0,
                   -9007199254740992.0, 9007199254740994.0, 0.5, -2.25, 1e300, inf, -inf}) {
    std::string enc = zset::EncodeItem(s, "m");
    zset::Item it = zset::DecodeItem(enc);
    EXPECT_EQ(it.score, s);
    EXPECT_EQ(std::signbit(it.score), std::signbit(s)) << s;
    EXPECT_EQ(it.member, "m");
  }
  EXPECT_EQ(zset::EncodeItem(5, "").size(), 1u);
  EXPECT_EQ(zset::EncodeItem(0.5, "").size(), 9u);
}

std::vector<std::pair<double, std::string>> Walk(const ZSetTree& t, size_t from, bool reverse) {
  std::vector<std::pair<double, std::string>> out;
  t.Visit(from, reverse, [&](double s, std::string_view m) {
    out.emplace_back(s, std::string(m));
    return true;
  });
  return out;
}

TEST(ZSetTreeTest, MatchesModelUnderRandomEdits) {
  ZSetTree tree;
  Model model;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 30000; step++) {
    double score = static_cast<double>(rng() % 200) / ((rng() % 3) + 1);
    std::string member = "m" + std::to_string(rng() % 3000);
    if (rng() % 3 == 0 || model.count({score, member}) != 0) {
      EXPECT_EQ(tree.Erase(score, member), model.erase({score, member}) == 1);
    } else {
      tree.Insert(score, member);
      model.emplace(score, member);
    }
  }
  ASSERT_EQ(tree.size(), model.size());
  std::vector<std::pair<double, std::string>> expect(model.begin(), model.end());
  EXPECT_EQ(Walk(tree, 0, false), expect);
  std::vector<std::pair<double, std::string>> back = Walk(tree, tree.size() - 1, true);
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(back, expect);
  for (size_t i = 0; i < expect.size(); i += 97) {
    auto [s, m] = expect[i];
    size_t rank = tree.LowerBound(
        [&](double s2, std::string_view m2) { return zset::Compare(s2, m2, s, m) >= 0; });
    EXPECT_EQ(rank, i);
    EXPECT_EQ(Walk(tree, i, false).front(), expect[i]);
  }
  ZSetTree copy(tree);
  EXPECT_EQ(Walk(copy, 0, false), expect);
  for (const auto& [s, m] : expect) {
    ASSERT_TRUE(tree.Erase(s, m));
  }
  EXPECT_EQ(tree.size(), 0u);
}

std::vector<std::string> Members(const ZSetValue& z) {
  std::vector<std::string> out;
  z.ForEach([&](double, std::string_view m) {
    out.emplace_back(m);
    return true;
  });
  return out;
}

TEST(ZSetValueTest, PackedConvertsPastLimits) {
  ZSetLimits limits{.max_entries = 3, .max_value = 8};
  ZSetValue z;
  EXPECT_TRUE(z.Set("b", 2, limits));
  EXPECT_TRUE(z.Set("a", 2, limits));
  EXPECT_TRUE(z.Set("c", 1, limits));
  EXPECT_FALSE(z.Set("c", 3, limits));
  EXPECT_EQ(z.encoding(), Encoding::kListpack);
  EXPECT_EQ(Members(z), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(z.Rank("c"), 2u);
  EXPECT_EQ(z.Score("c"), 3.0);
  EXPECT_FALSE(z.Score("zz"));
  EXPECT_TRUE(z.Set("d", 0, limits));
  EXPECT_EQ(z.encoding(), Encoding::kSkiplist);
  EXPECT_EQ(Members(z), (std::vector<std::string>{"d", "a", "b", "c"}));
  EXPECT_EQ(z.Rank("a"), 1u);
  EXPECT_TRUE(z.Erase("d"));
  EXPECT_FALSE(z.Erase("d"));
  z.ConvertToPackedIfFits(limits);
  EXPECT_EQ(z.encoding(), Encoding::kListpack);
  EXPECT_EQ(Members(z), (std::vector<std::string>{"a", "b", "c"}));
  ZSetValue w;
  w.Set("a-long-member", 1, limits);
  EXPECT_EQ(w.encoding(), Encoding::kSkiplist);
}

TEST(ZSetValueTest, FullMatchesModelAndScans) {
  ZSetValue z;
  Model model;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; i++) {
    std::string m = "member:" + std::to_string(i);
    double s = static_cast<double>(rng() % 500);
    z.Set(m, s, {});
    model.emplace(s, m);
  }
  EXPECT_EQ(z.encoding(), Encoding::kSkiplist);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = z.Scan(cursor, [&](std::string_view m, double s) {
      EXPECT_EQ(z.Score(m), s);
      seen.emplace(m);
    });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 2000u);
  size_t rank = 0;
  for (const auto& [s, m] : model) {
    ASSERT_EQ(z.Rank(m), rank++);
  }
  auto [m, s] = z.Random(rng);
  EXPECT_EQ(z.Score(m), s);
  std::unique_ptr<Value> copy = z.Clone();
  EXPECT_EQ(Members(static_cast<ZSetValue&>(*copy)), Members(z));
  EXPECT_GT(z.MemoryBytes(), 2000u * 20);
}

}  // namespace
}  // namespace cairn::engine
