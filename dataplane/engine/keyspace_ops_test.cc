#include "dataplane/engine/keyspace_ops.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/engine/types/string.h"

namespace cairn::engine::keys {
namespace {

class KeyspaceOpsTest : public ::testing::Test {
 protected:
  KeyspaceOpsTest() : ks_(KeyspaceConfig{}, &clock_, [] { return size_t{0}; }) {
    ks_.RefreshCommandTime();
  }
  Db& db(int i = 0) { return ks_.db(i); }
  int64_t now() const { return clock_.NowMs(); }
  void Advance(int64_t ms) {
    clock_.AdvanceMs(ms);
    ks_.RefreshCommandTime();
  }
  std::string Value(Db& d, std::string_view key) {
    Entry* e = d.Find(key);
    return e == nullptr ? "<none>" : std::string(e->string_value());
  }

  ManualClock clock_;
  Keyspace ks_;
};

TEST_F(KeyspaceOpsTest, DeleteTreatsAnExpiredKeyAsAbsent) {
  strings::Set(db(), "live", "v", {});
  strings::Set(db(), "old", "v", {.expire_at_ms = now() + 10});
  Advance(11);
  EXPECT_TRUE(Delete(db(), "live"));
  EXPECT_FALSE(Delete(db(), "live"));
  EXPECT_FALSE(Delete(db(), "old"));
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(ks_.stats().expired_keys, 1);
}

TEST_F(KeyspaceOpsTest, DeleteOnAReplicaRemovesALogicallyExpiredKey) {
  ks_.set_expiry_deletes(false);
  strings::Set(db(), "old", "v", {.expire_at_ms = now() + 10});
  Advance(11);
  EXPECT_TRUE(Delete(db(), "old"));  // the primary's DEL
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(KeyspaceOpsTest, RenameMovesValueAndTtlAndReplacesTheTarget) {
  strings::Set(db(), "a", "1", {.expire_at_ms = now() + 5000});
  strings::Set(db(), "b", "2", {});
  Result<RenameOutcome> r = Rename(db(), "a", "b", /*nx=*/false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, RenameOutcome::kRenamed);
  EXPECT_EQ(db().Find("a"), nullptr);
  EXPECT_EQ(Value(db(), "b"), "1");
  EXPECT_EQ(ExpireTimeMs(db(), "b"), now() + 5000);
  EXPECT_EQ(db().size(), 1u);
  EXPECT_EQ(db().expires_size(), 1u);
}

TEST_F(KeyspaceOpsTest, RenameOutcomesAndMissingSource) {
  strings::Set(db(), "a", "1", {});
  strings::Set(db(), "b", "2", {});
  EXPECT_EQ(*Rename(db(), "a", "a", false), RenameOutcome::kSameKey);
  EXPECT_EQ(*Rename(db(), "a", "b", true), RenameOutcome::kTargetExists);
  EXPECT_EQ(Value(db(), "b"), "2");
  Result<RenameOutcome> missing = Rename(db(), "nope", "x", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "ERR no such key");
}

TEST_F(KeyspaceOpsTest, RenameKeepsALongStringsObject) {
  std::string big(5000, 'x');
  strings::Set(db(), "big", big, {});
  ASSERT_TRUE(db().Find("big")->external());
  ASSERT_TRUE(Rename(db(), "big", "moved", false).ok());
  EXPECT_EQ(Value(db(), "moved"), big);
}

TEST_F(KeyspaceOpsTest, CopyIsIndependentAndKeepsTtlAndEncoding) {
  std::string big(2000, 'y');
  strings::Set(db(), "s", big, {.expire_at_ms = now() + 1000});
  strings::Set(db(), "n", "42", {});
  EXPECT_EQ(*Copy(db(), db(), "s", "t", false), CopyOutcome::kCopied);
  EXPECT_EQ(*Copy(db(), db(1), "n", "n", false), CopyOutcome::kCopied);
  EXPECT_NE(db().Find("s")->object(), db().Find("t")->object());
  EXPECT_EQ(Value(db(), "t"), big);
  EXPECT_EQ(ExpireTimeMs(db(), "t"), now() + 1000);
  EXPECT_EQ(db(1).Find("n")->encoding(), Encoding::kInt);
  EXPECT_TRUE(Delete(db(), "s"));
  EXPECT_EQ(Value(db(), "t"), big);
}

TEST_F(KeyspaceOpsTest, CopyOutcomesAndSameObjectError) {
  strings::Set(db(), "a", "1", {});
  strings::Set(db(), "b", "2", {});
  EXPECT_EQ(*Copy(db(), db(), "missing", "x", false), CopyOutcome::kNoSource);
  EXPECT_EQ(*Copy(db(), db(), "a", "b", false), CopyOutcome::kTargetExists);
  EXPECT_EQ(*Copy(db(), db(), "a", "b", true), CopyOutcome::kCopied);
  EXPECT_EQ(Value(db(), "b"), "1");
  Result<CopyOutcome> same = Copy(db(), db(), "a", "a", true);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.status().message(), "ERR source and destination objects are the same");
  EXPECT_TRUE(Copy(db(), db(1), "a", "a", false).ok());
}

TEST_F(KeyspaceOpsTest, MoveBetweenDatabases) {
  strings::Set(db(), "k", "v", {.expire_at_ms = now() + 100});
  strings::Set(db(1), "taken", "x", {});
  strings::Set(db(), "taken", "y", {});
  EXPECT_TRUE(*Move(db(), db(1), "k"));
  EXPECT_EQ(db().Find("k"), nullptr);
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_EQ(db(1).expires_size(), 1u);
  EXPECT_EQ(ExpireTimeMs(db(1), "k"), now() + 100);
  EXPECT_FALSE(*Move(db(), db(1), "taken"));
  EXPECT_FALSE(*Move(db(), db(1), "missing"));
  EXPECT_FALSE(Move(db(), db(), "taken").ok());
}

TEST_F(KeyspaceOpsTest, MatchingKeysSkipsExpiredWithoutDeleting) {
  strings::Set(db(), "hello", "1", {});
  strings::Set(db(), "hallo", "1", {});
  strings::Set(db(), "other", "1", {});
  strings::Set(db(), "hxllo", "1", {.expire_at_ms = now() + 1});
  Advance(2);
  std::vector<std::string> found = MatchingKeys(db(), "h?llo", ks_.now_ms());
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::string>{"hallo", "hello"}));
  EXPECT_EQ(MatchingKeys(db(), "*", ks_.now_ms()).size(), 3u);
  EXPECT_EQ(db().size(), 4u);
}

TEST_F(KeyspaceOpsTest, ScanVisitsEveryKeyWhileTheTableGrows) {
  for (int i = 0; i < 100; i++) {
    strings::Set(db(), "k" + std::to_string(i), "v", {});
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    ScanPage page = Scan(db(), cursor, {.count = 7});
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    // Keys added mid-iteration force resizes; the original 100 must all still be returned.
    strings::Set(db(), "new" + std::to_string(steps), "v", {});
    steps++;
  } while (cursor != 0 && steps < 10000);
  for (int i = 0; i < 100; i++) {
    EXPECT_TRUE(seen.count("k" + std::to_string(i)) == 1) << i;
  }
}

TEST_F(KeyspaceOpsTest, ScanFiltersByPatternTypeAndExpiry) {
  strings::Set(db(), "a1", "v", {});
  strings::Set(db(), "a2", "v", {.expire_at_ms = now() + 1});
  strings::Set(db(), "b1", "v", {});
  Advance(2);
  ScanPage page = Scan(db(), 0, {.count = 1000, .pattern = "a*"});
  EXPECT_EQ(page.cursor, 0u);
  EXPECT_EQ(page.keys, std::vector<std::string>{"a1"});
  EXPECT_EQ(db().size(), 2u);  // the expired key met was deleted
  EXPECT_EQ(Scan(db(), 0, {.count = 1000, .type = "STRING"}).keys.size(), 2u);
  EXPECT_TRUE(Scan(db(), 0, {.count = 1000, .type = "list"}).keys.empty());
}

TEST_F(KeyspaceOpsTest, RandomKeySkipsAndDeletesExpiredKeys) {
  EXPECT_FALSE(RandomKey(ks_, db()).has_value());
  strings::Set(db(), "gone", "v", {.expire_at_ms = now() + 1});
  strings::Set(db(), "stay", "v", {});
  Advance(2);
  for (int i = 0; i < 20; i++) {
    EXPECT_EQ(RandomKey(ks_, db()), "stay");
  }
  EXPECT_EQ(db().Find("gone"), nullptr);
}

TEST_F(KeyspaceOpsTest, RandomKeyOnAReplicaOfExpiredKeysTerminates) {
  ks_.set_expiry_deletes(false);
  strings::Set(db(), "gone", "v", {.expire_at_ms = now() + 1});
  Advance(2);
  EXPECT_EQ(RandomKey(ks_, db()), "gone");
}

TEST_F(KeyspaceOpsTest, SetExpireAtConditions) {
  strings::Set(db(), "k", "v", {});
  EXPECT_EQ(SetExpireAt(ks_, db(), "k", now() + 100, kExpireXx), ExpireOutcome::kNotSet);
  EXPECT_EQ(SetExpireAt(ks_, db(), "k", now() + 100, kExpireGt), ExpireOutcome::kNotSet);
  EXPECT_EQ(SetExpireAt(ks_, db(), "k", now() + 100, kExpireLt), ExpireOutcome::kSet);
  EXPECT_EQ(SetExpireAt(ks_, db(), "k", now() + 50, kExpireNx), ExpireOutcome::kNotSet);
  EXPECT_EQ(SetExpireAt(ks_, db(), "k", now() + 200, kExpireLt), ExpireOutcome::kNotSet);
  EXPECT_EQ(SetExpireAt(ks_, db(), "k", now() + 200, kExpireGt), ExpireOutcome::kSet);
  EXPECT_EQ(ExpireTimeMs(db(), "k"), now() + 200);
  EXPECT_EQ(SetExpireAt(ks_, db(), "missing", now() + 1, 0), ExpireOutcome::kNotSet);
}

TEST_F(KeyspaceOpsTest, SetExpireAtInThePastDeletesUnlessExpiryIsOff) {
  strings::Set(db(), "k", "v", {});
  ks_.set_expiry_deletes(false);
  EXPECT_EQ(SetExpireAt(ks_, db(), "k", now(), 0), ExpireOutcome::kSet);
  ks_.set_expiry_deletes(true);
  strings::Set(db(), "j", "v", {});
  EXPECT_EQ(SetExpireAt(ks_, db(), "j", now(), 0), ExpireOutcome::kDeleted);
  EXPECT_EQ(db().Find("j"), nullptr);
}

TEST_F(KeyspaceOpsTest, ExpireTimePersistAndStatistics) {
  EXPECT_EQ(ExpireTimeMs(db(), "missing"), -2);
  strings::Set(db(), "k", "v", {});
  EXPECT_EQ(ExpireTimeMs(db(), "k"), -1);
  EXPECT_FALSE(Persist(db(), "k"));
  SetExpireAt(ks_, db(), "k", now() + 10, 0);
  EXPECT_TRUE(Persist(db(), "k"));
  EXPECT_EQ(ExpireTimeMs(db(), "k"), -1);
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_EQ(ks_.stats().keyspace_hits, 2);
  EXPECT_EQ(ks_.stats().keyspace_misses, 1);
}

TEST_F(KeyspaceOpsTest, LookupReadNoTouchLeavesTheClock) {
  strings::Set(db(), "k", "v", {});
  Entry* e = db().Find("k");
  e->set_clock(1);
  EXPECT_EQ(db().LookupRead("k", Db::kLookupNoTouch), e);
  EXPECT_EQ(e->clock(), 1u);
}

TEST_F(KeyspaceOpsTest, MemoryUsageCountsEntryAndSlot) {
  EXPECT_FALSE(MemoryUsage(db(), "missing").has_value());
  strings::Set(db(), "small", "v", {});
  strings::Set(db(), "big", std::string(4000, 'x'), {});
  int64_t small = *MemoryUsage(db(), "small");
  EXPECT_GT(small, static_cast<int64_t>(sizeof(void*)));
  EXPECT_GT(*MemoryUsage(db(), "big"), small + 4000);
}

}  // namespace
}  // namespace cairn::engine::keys
