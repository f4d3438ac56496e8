#include "dataplane/engine/entry_table.h"

#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace cairn::engine {
namespace {

Entry* Make(const std::string& key) {
  return Entry::NewString(key, "v", Encoding::kEmbStr, false, 0);
}

TEST(EntryTableTest, InsertFindRemoveAcrossGrowth) {
  EntryTable t(42);
  for (int i = 0; i < 20000; i++) {
    t.Insert(Make("k" + std::to_string(i)));
  }
  EXPECT_EQ(t.size(), 20000u);
  for (int i = 0; i < 20000; i += 7) {
    ASSERT_NE(t.Find("k" + std::to_string(i)), nullptr) << i;
  }
  EXPECT_EQ(t.Find("absent"), nullptr);
  for (int i = 0; i < 20000; i += 2) {
    Entry* e = t.Remove("k" + std::to_string(i));
    ASSERT_NE(e, nullptr);
    Entry::Free(e);
  }
  EXPECT_EQ(t.size(), 10000u);
  EXPECT_EQ(t.Find("k2"), nullptr);
  EXPECT_NE(t.Find("k3"), nullptr);
}

TEST(EntryTableTest, ReplaceKeepsChainPosition) {
  EntryTable t(1);
  for (int i = 0; i < 100; i++) {
    t.Insert(Make("k" + std::to_string(i)));
  }
  Entry** link = t.FindLink("k50");
  ASSERT_NE(link, nullptr);
  Entry* old = t.Replace(link, Entry::NewString("k50", "new", Encoding::kEmbStr, false, 0));
  Entry::Free(old);
  EXPECT_EQ(t.Find("k50")->string_value(), "new");
  EXPECT_EQ(t.size(), 100u);
  for (int i = 0; i < 100; i++) {
    EXPECT_NE(t.Find("k" + std::to_string(i)), nullptr);
  }
}

// The SCAN guarantee: every key present for the whole scan is returned at least once, even when
// the table grows or shrinks between calls.
TEST(EntryTableTest, ScanReturnsStableKeysAcrossResizes) {
  EntryTable t(7);
  std::set<std::string> stable;
  for (int i = 0; i < 1000; i++) {
    std::string k = "stable" + std::to_string(i);
    stable.insert(k);
    t.Insert(Make(k));
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  int extra = 0;
  do {
    cursor = t.Scan(cursor, [&seen](Entry* e) { seen.insert(std::string(e->key())); });
    // Grow during the first half of the scan, then remove the extras again to shrink.
    if (calls < 200) {
      for (int j = 0; j < 50; j++) {
        t.Insert(Make("extra" + std::to_string(extra++)));
      }
      t.RehashStep(5);
    } else if (extra > 0) {
      for (int j = 0; j < 200 && extra > 0; j++) {
        Entry::Free(t.Remove("extra" + std::to_string(--extra)));
      }
      t.MaybeShrink();
      t.RehashStep(5);
    }
    calls++;
  } while (cursor != 0);
  for (const std::string& k : stable) {
    EXPECT_TRUE(seen.count(k)) << k;
  }
}

TEST(EntryTableTest, RandomReturnsMembersAndNullWhenEmpty) {
  EntryTable t(3);
  std::mt19937_64 rng(1);
  EXPECT_EQ(t.Random(rng), nullptr);
  for (int i = 0; i < 50; i++) {
    t.Insert(Make("k" + std::to_string(i)));
  }
  std::set<std::string> picked;
  for (int i = 0; i < 2000; i++) {
    Entry* e = t.Random(rng);
    ASSERT_NE(e, nullptr);
    picked.insert(std::string(e->key()));
  }
  EXPECT_GT(picked.size(), 40u);
}

}  // namespace
}  // namespace cairn::engine
