#include "dataplane/engine/keyspace.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/engine/types/string.h"

namespace cairn::engine {
namespace {

struct Recorder : KeyspaceObserver {
  std::vector<std::string> expired;
  std::vector<std::string> evicted;
  void OnKeyExpired(int, std::string_view key) override { expired.emplace_back(key); }
  void OnKeyEvicted(int, std::string_view key) override { evicted.emplace_back(key); }
};

class KeyspaceTest : public ::testing::Test {
 protected:
  KeyspaceTest() : ks_(KeyspaceConfig{}, &clock_, [this] { return fake_used_; }) {
    ks_.set_observer(&recorder_);
    ks_.RefreshCommandTime();
  }
  Db& db() { return ks_.db(0); }
  void Advance(int64_t ms) {
    clock_.AdvanceMs(ms);
    ks_.RefreshCommandTime();
  }

  ManualClock clock_;
  size_t fake_used_ = 0;
  Keyspace ks_;
  Recorder recorder_;
};

TEST_F(KeyspaceTest, ExpiredKeyIsInvisibleToReadsAndDeletedOnAccess) {
  strings::Set(db(), "k", "v", {.expire_at_ms = clock_.NowMs() + 100});
  EXPECT_NE(db().LookupRead("k"), nullptr);
  Advance(100);
  EXPECT_NE(db().LookupRead("k"), nullptr) << "alive at exactly its expire time, as in Redis";
  Advance(1);
  EXPECT_EQ(db().LookupRead("k"), nullptr);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(ks_.stats().expired_keys, 1);
  EXPECT_EQ(recorder_.expired, std::vector<std::string>{"k"});
  EXPECT_EQ(ks_.stats().keyspace_hits, 2);
  EXPECT_EQ(ks_.stats().keyspace_misses, 1);
}

// activerehashing: the cron's Rehash() finishes a rehash in progress only when it is on.
TEST_F(KeyspaceTest, RehashMovesRehashingForwardOnlyWithActiveRehashing) {
  for (int i = 0; i < 100000 && !db().table().rehashing(); i++) {
    strings::Set(db(), "key:" + std::to_string(i), "v", {});
  }
  ASSERT_TRUE(db().table().rehashing());
  ks_.config().active_rehashing = false;
  ks_.Rehash();
  EXPECT_TRUE(db().table().rehashing());
  ks_.config().active_rehashing = true;
  ks_.Rehash();
  EXPECT_FALSE(db().table().rehashing());
}

TEST_F(KeyspaceTest, ReplicaHidesButKeepsExpiredKeys) {
  ks_.set_expiry_deletes(false);
  strings::Set(db(), "k", "v", {.expire_at_ms = clock_.NowMs() + 10});
  Advance(20);
  EXPECT_EQ(db().LookupRead("k"), nullptr);
  EXPECT_EQ(db().size(), 1u);
  EXPECT_EQ(ks_.ActiveExpireCycle(), 0);
}

TEST_F(KeyspaceTest, ActiveExpireCycleRemovesExpiredKeysOnly) {
  for (int i = 0; i < 500; i++) {
    strings::Set(db(), "t" + std::to_string(i), "v", {.expire_at_ms = clock_.NowMs() + 10});
    strings::Set(db(), "p" + std::to_string(i), "v", {});
  }
  strings::Set(ks_.db(3), "later", "v", {.expire_at_ms = clock_.NowMs() + 100000});
  Advance(50);
  int64_t removed = 0;
  for (int round = 0; round < 100 && db().expires_size() > 0; round++) {
    removed += ks_.ActiveExpireCycle();
  }
  EXPECT_EQ(removed, 500);
  EXPECT_EQ(db().size(), 500u);
  EXPECT_EQ(ks_.db(3).size(), 1u);
}

TEST_F(KeyspaceTest, SetExpireAndPersistKeepTheIndexConsistent) {
  Entry* e = strings::Set(db(), "a", "1", {});
  e = db().SetExpire(e, clock_.NowMs() + 1000);
  EXPECT_EQ(db().expires_size(), 1u);
  EXPECT_EQ(db().Find("a"), e);
  e = db().Persist(e);
  EXPECT_FALSE(e->has_expire());
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_EQ(db().Find("a")->string_value(), "1");
}

TEST_F(KeyspaceTest, EvictsLeastRecentlyUsedUntilUnderLimit) {
  ks_.config().maxmemory_bytes = 1000;
  ks_.config().policy = EvictionPolicy::kAllKeysLru;
  ks_.config().maxmemory_samples = 10;
  for (int i = 0; i < 10; i++) {
    strings::Set(db(), "old" + std::to_string(i), "v", {});
  }
  Advance(100'000);
  for (int i = 0; i < 10; i++) {
    strings::Set(db(), "new" + std::to_string(i), "v", {});
  }
  fake_used_ = 2000;
  int evictions = 0;
  // Each eviction "frees" 100 bytes.
  ks_.set_observer(nullptr);
  struct Freeing : KeyspaceObserver {
    size_t* used;
    int* count;
    void OnKeyExpired(int, std::string_view) override {}
    void OnKeyEvicted(int, std::string_view) override {
      *used -= 100;
      ++*count;
    }
  } freeing;
  freeing.used = &fake_used_;
  freeing.count = &evictions;
  ks_.set_observer(&freeing);
  ASSERT_TRUE(ks_.PerformEvictions().ok());
  EXPECT_EQ(evictions, 10);
  EXPECT_EQ(ks_.stats().evicted_keys, 10);
  int new_left = 0;
  for (int i = 0; i < 10; i++) {
    new_left += db().Find("new" + std::to_string(i)) != nullptr;
  }
  EXPECT_GE(new_left, 8) << "sampled LRU should evict mostly the old keys";
}

TEST_F(KeyspaceTest, NoEvictionReportsOom) {
  ks_.config().maxmemory_bytes = 10;
  fake_used_ = 100;
  EXPECT_EQ(ks_.PerformEvictions().code(), StatusCode::kResourceExhausted);
  ks_.config().policy = EvictionPolicy::kVolatileLru;  // nothing volatile to evict
  strings::Set(db(), "k", "v", {});
  EXPECT_EQ(ks_.PerformEvictions().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(db().size(), 1u);
}

TEST_F(KeyspaceTest, LruIdleAndLfuCounters) {
  Entry* e = strings::Set(db(), "k", "v", {});
  Advance(5000);
  EXPECT_EQ(ks_.IdleSeconds(db().Find("k")), 5);
  ks_.config().policy = EvictionPolicy::kAllKeysLfu;
  e = strings::Set(db(), "f", "v", {});
  EXPECT_EQ(ks_.LfuCount(e), 5);
  for (int i = 0; i < 100; i++) {
    db().LookupRead("f");
  }
  EXPECT_GT(ks_.LfuCount(db().Find("f")), 5);
}

TEST_F(KeyspaceTest, SwapDbsAndFlushAll) {
  strings::Set(ks_.db(0), "a", "1", {});
  strings::Set(ks_.db(1), "b", "2", {.expire_at_ms = clock_.NowMs() + 1000});
  ks_.SwapDbs(0, 1);
  EXPECT_NE(ks_.db(0).Find("b"), nullptr);
  EXPECT_EQ(ks_.db(0).expires_size(), 1u);
  EXPECT_NE(ks_.db(1).Find("a"), nullptr);
  ks_.FlushAll();
  EXPECT_EQ(ks_.db(0).size() + ks_.db(1).size(), 0u);
}

TEST(EvictionPolicyTest, NamesRoundTrip) {
  EvictionPolicy p;
  ASSERT_TRUE(ParseEvictionPolicy("ALLKEYS-LFU", &p));
  EXPECT_EQ(EvictionPolicyName(p), "allkeys-lfu");
  EXPECT_FALSE(ParseEvictionPolicy("lru", &p));
}

}  // namespace
}  // namespace cairn::engine
