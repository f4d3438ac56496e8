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
  EXPECT_EQ(*strings::IncrementByFloat(db(), "f", "0.1"), "10.6");
  EXPECT_EQ(db().Find("f")->encoding(), Encoding::kEmbStr);
  EXPECT_EQ(*strings::IncrementByFloat(db(), "g", "5.0e3"), "5000");
  EXPECT_EQ(db().Find("g")->encoding(), Encoding::kEmbStr);  // never "int"
  EXPECT_EQ(strings::IncrementByFloat(db(), "g", "abc").status().message(), kErrNotFloat);
  EXPECT_EQ(strings::IncrementByFloat(db(), "g", "inf").status().message(), kErrIncrFloatNanInf);
  strings::Set(db(), "t", "1", {.expire_at_ms = clock_.NowMs() + 5000});
  EXPECT_EQ(*strings::IncrementByFloat(db(), "t", "1.5"), "2.5");
  EXPECT_TRUE(db().Find("t")->has_expire());
}

TEST_F(StringOpsTest, SubstringClampsLikeGetrange) {
  std::string_view s = "This is a string";
  EXPECT_EQ(strings::Substring(s, 0, 3), "This");
  EXPECT_EQ(strings::Substring(s, -3, -1), "ing");
  EXPECT_EQ(strings::Substring(s, 10, 100), "string");
  EXPECT_EQ(strings::Substring(s, 5, 3), "");
  EXPECT_EQ(strings::Substring(s, -1, -5), "");
  EXPECT_EQ(strings::Substring(s, -100, 2), "Thi");
  EXPECT_EQ(strings::Substring(s, 2, -100), "");
  EXPECT_EQ(strings::Substring(s, INT64_MIN, INT64_MAX), s);
  EXPECT_EQ(strings::Substring("", 0, -1), "");
}

TEST_F(StringOpsTest, LcsFindsSubsequenceAndMatchRuns) {
  Result<strings::LcsResult> r = strings::Lcs("ohmytext", "mynewtext", true, true, 0, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "mytext");
  EXPECT_EQ(r->length, 6);
  ASSERT_EQ(r->matches.size(), 2u);
  EXPECT_EQ(r->matches[0].a_start, 4);
  EXPECT_EQ(r->matches[0].a_end, 7);
  EXPECT_EQ(r->matches[0].b_start, 5);
  EXPECT_EQ(r->matches[0].b_end, 8);
  EXPECT_EQ(r->matches[0].length, 4);
  EXPECT_EQ(r->matches[1].a_start, 2);
  EXPECT_EQ(r->matches[1].length, 2);
  r = strings::Lcs("ohmytext", "mynewtext", false, true, 4, 1 << 20);
  EXPECT_EQ(r->matches.size(), 1u);
  EXPECT_EQ(r->text, "");
  r = strings::Lcs("", "abc", true, true, 0, 1 << 20);
  EXPECT_EQ(r->length, 0);
  EXPECT_EQ(strings::Lcs("abcd", "abcd", false, false, 0, 24).status().message(),
            kErrLcsTableTooLarge);
}

TEST_F(StringOpsTest, MutableStringReportsGrowth) {
  bool grew = false;
  ASSERT_TRUE(strings::MutableString(db(), "m", 4, &grew).ok());
  EXPECT_TRUE(grew);
  ASSERT_TRUE(strings::MutableString(db(), "m", 2, &grew).ok());
  EXPECT_FALSE(grew);
  strings::Set(db(), "i", "12", {.expire_at_ms = clock_.NowMs() + 5000});
  Result<RawString*> raw = strings::MutableString(db(), "i", 3, &grew);
  EXPECT_TRUE(grew);
  EXPECT_EQ((*raw)->view(), std::string_view("12\0", 3));
  EXPECT_EQ(db().Find("i")->encoding(), Encoding::kRaw);
  EXPECT_TRUE(db().Find("i")->has_expire());
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
  EXPECT_EQ(strings::SetRange(db(), "r", INT64_MAX, "x", 1 << 20).status().message(),
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
