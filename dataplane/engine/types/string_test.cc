#include "dataplane/engine/types/string.h"

#include <gtest/gtest.h>

#include "dataplane/base/errors.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::engine {
namespace {

class StringOpsTest : public ::testing::Test {
 protected:
  StringOpsTest() : ks_(KeyspaceConfig{}, &clock_, [] { return size_t{0}; }) {
    ks_.RefreshCommandTime();
  }
  Db& db() { return ks_.db(0); }
  ManualClock clock_;
  Keyspace ks_;
};

TEST_F(StringOpsTest, EncodingFollowsTryObjectEncoding) {
  EXPECT_EQ(strings::EncodingFor("123"), Encoding::kInt);
  EXPECT_EQ(strings::EncodingFor("-9223372036854775808"), Encoding::kInt);
  EXPECT_EQ(strings::EncodingFor("0123"), Encoding::kEmbStr);
  EXPECT_EQ(strings::EncodingFor(std::string(44, 'a')), Encoding::kEmbStr);
  EXPECT_EQ(strings::EncodingFor(std::string(45, 'a')), Encoding::kRaw);
}

TEST_F(StringOpsTest, IncrementKeepsTtlAndDetectsOverflow) {
  strings::Set(db(), "n", "9223372036854775806", {.expire_at_ms = clock_.NowMs() + 5000});
  EXPECT_EQ(*strings::IncrementBy(db(), "n", 1), INT64_MAX);
  EXPECT_TRUE(db().Find("n")->has_expire());
  Result<int64_t> r = strings::IncrementBy(db(), "n", 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), kErrOverflow);
  strings::Set(db(), "s", "abc", {});
  EXPECT_EQ(strings::IncrementBy(db(), "s", 1).status().message(), kErrNotInteger);
  EXPECT_EQ(*strings::IncrementBy(db(), "fresh", -3), -3);
}

TEST_F(StringOpsTest, IncrementByFloatFormatsLikeRedis) {
  strings::Set(db(), "f", "10.50", {});
  EXPECT_EQ(*strings::IncrementByFloat(db(), "f", 0.1L), "10.6");
  EXPECT_EQ(*strings::IncrementByFloat(db(), "g", 5.0e3L), "5000");
}

TEST_F(StringOpsTest, AppendAndSetRangeGrowAsRaw) {
  EXPECT_EQ(*strings::Append(db(), "a", "Hello", 1 << 20), 5);
  EXPECT_EQ(db().Find("a")->encoding(), Encoding::kEmbStr);
  EXPECT_EQ(*strings::Append(db(), "a", " World", 1 << 20), 11);
  EXPECT_EQ(db().Find("a")->encoding(), Encoding::kRaw);
  EXPECT_EQ(db().Find("a")->string_value(), "Hello World");
  EXPECT_EQ(*strings::SetRange(db(), "r", 3, "xy", 1 << 20), 5);
  EXPECT_EQ(db().Find("r")->string_value(), std::string("\0\0\0xy", 5));
  EXPECT_EQ(strings::SetRange(db(), "r", 1 << 20, "x", 1 << 20).status().message(),
            kErrStringTooLong);
  EXPECT_EQ(*strings::SetRange(db(), "missing", 5, "", 1 << 20), 0);
  EXPECT_EQ(db().Find("missing"), nullptr);
}

TEST_F(StringOpsTest, KeepTtlAndWrongType) {
  strings::Set(db(), "k", "v", {.expire_at_ms = clock_.NowMs() + 5000});
  strings::Set(db(), "k", "w", {.keep_ttl = true});
  EXPECT_TRUE(db().Find("k")->has_expire());
  strings::Set(db(), "k", "x", {});
  EXPECT_FALSE(db().Find("k")->has_expire());
  EXPECT_EQ(db().expires_size(), 0u);
}

}  // namespace
}  // namespace cairn::engine
