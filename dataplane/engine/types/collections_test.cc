// Tests of the collection values: Packed, ListValue, BlobTable, HashValue, SetValue.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "dataplane/engine/types/blob_table.h"
#include "dataplane/engine/types/hash.h"
#include "dataplane/engine/types/list.h"
#include "dataplane/engine/types/packed.h"
#include "dataplane/engine/types/set.h"

namespace cairn::engine {
namespace {

std::vector<std::string> All(const ListValue& l) {
  std::vector<std::string> out;
  if (!l.empty()) {
    l.Visit(0, l.size() - 1, false, [&](std::string_view v) {
      out.emplace_back(v);
      return true;
    });
  }
  return out;
}

TEST(PackedTest, InsertEraseWalkBothWays) {
  Packed p;
  p.PushBack("b");
  p.PushFront("a");
  p.PushBack(std::string(300, 'x'));
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.At(p.Seek(0)), "a");
  EXPECT_EQ(p.At(p.Seek(2)), std::string(300, 'x'));
  size_t last = p.Prev(p.End());
  EXPECT_EQ(p.At(p.Prev(last)), "b");
  p.Erase(p.Seek(1));
  EXPECT_EQ(p.At(p.Next(p.Begin())), std::string(300, 'x'));
  p.Replace(p.Begin(), "");
  EXPECT_EQ(p.At(p.Begin()), "");
}

TEST(ListValueTest, PushPopAcrossNodes) {
  ListValue l(2);  // two elements per node: many nodes
  for (int i = 0; i < 9; i++) {
    l.PushBack(std::to_string(i));
  }
  l.PushFront("-1");
  EXPECT_EQ(l.size(), 10u);
  EXPECT_EQ(l.At(0), "-1");
  EXPECT_EQ(l.At(9), "8");
  EXPECT_EQ(l.At(5), "4");
  l.InsertAt(3, "x");
  l.Set(0, "first");
  EXPECT_EQ(All(l), (std::vector<std::string>{"first", "0", "1", "x", "2", "3", "4", "5", "6",
                                              "7", "8"}));
  std::vector<std::string> back;
  l.Visit(0, 2, true, [&](std::string_view v) {
    back.emplace_back(v);
    return true;
  });
  EXPECT_EQ(back, (std::vector<std::string>{"8", "7", "6"}));
  EXPECT_EQ(l.PopBack(), "8");
  EXPECT_EQ(l.PopFront(), "first");
  l.Trim(2, 4);
  EXPECT_EQ(All(l), (std::vector<std::string>{"x", "2", "3"}));
  l.PushBack("x");
  EXPECT_EQ(l.Remove(-1, "x"), 1);
  EXPECT_EQ(All(l), (std::vector<std::string>{"x", "2", "3"}));
  auto copy = l.Clone();
  l.Trim(1, 0);
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(All(static_cast<ListValue&>(*copy)).size(), 3u);
}

TEST(BlobTableTest, SetEraseScanCoversEveryKey) {
  BlobTable t(true);
  for (int i = 0; i < 1000; i++) {
    EXPECT_TRUE(t.Set("k" + std::to_string(i), "v" + std::to_string(i)));
  }
  EXPECT_FALSE(t.Set("k5", "new"));
  EXPECT_EQ(*t.Get("k5"), "new");
  for (int i = 0; i < 900; i++) {
    EXPECT_TRUE(t.Erase("k" + std::to_string(i)));
  }
  EXPECT_EQ(t.size(), 100u);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = t.Scan(cursor, [&](std::string_view k, std::string_view) { seen.emplace(k); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 100u);
  std::mt19937_64 rng(1);
  EXPECT_EQ(t.Random(rng).first.substr(0, 1), "k");
}

TEST(HashValueTest, ConvertsPastLimits) {
  HashValue h;
  HashLimits limits{.max_entries = 3, .max_value = 8};
  h.Set("a", "1", limits);
  h.Set("b", "2", limits);
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
  EXPECT_FALSE(h.Set("a", "3", limits));
  EXPECT_EQ(*h.Get("a"), "3");
  h.Set("c", "123456789", limits);
  EXPECT_EQ(h.encoding(), Encoding::kHashtable);
  EXPECT_EQ(h.size(), 3u);
  EXPECT_TRUE(h.Erase("b"));
  EXPECT_FALSE(h.Get("b").has_value());
}

TEST(SetValueTest, IntsetWidensAndConverts) {
  SetValue s;
  EXPECT_TRUE(s.Add("5", 10));
  EXPECT_TRUE(s.Add("-70000", 10));
  EXPECT_TRUE(s.Add("9000000000", 10));
  EXPECT_FALSE(s.Add("5", 10));
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  std::vector<std::string> members;
  s.ForEach([&](std::string_view m) { members.emplace_back(m); });
  EXPECT_EQ(members, (std::vector<std::string>{"-70000", "5", "9000000000"}));
  EXPECT_TRUE(s.Contains("5"));
  EXPECT_FALSE(s.Contains("05"));
  EXPECT_TRUE(s.Remove("5"));
  EXPECT_TRUE(s.Add("x", 10));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  EXPECT_TRUE(s.Contains("9000000000"));
  EXPECT_EQ(s.size(), 3u);
}

}  // namespace
}  // namespace cairn::engine
