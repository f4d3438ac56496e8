#include "dataplane/base/strings.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(ParseInt64Test, AcceptsRedisIntegers) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
}

TEST(ParseInt64Test, RejectsWhatString2llRejects) {
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "1.0", "9223372036854775808",
                          "-9223372036854775809", "abc", "123456789012345678901"}) {
    EXPECT_FALSE(ParseInt64(bad).has_value()) << bad;
  }
}

TEST(ParseDoubleTest, AcceptsInfinitiesRejectsNan) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_TRUE(ParseDouble("inf").has_value());
  EXPECT_TRUE(ParseDouble("-inf").has_value());
  EXPECT_FALSE(ParseDouble("nan").has_value());
  EXPECT_FALSE(ParseDouble(" 1").has_value());
  EXPECT_FALSE(ParseDouble("1x").has_value());
  EXPECT_FALSE(ParseDouble("").has_value());
}

TEST(FormatTest, DoublesAndLongDoublesAsRedisPrintsThem) {
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatDouble(0.1), "0.10000000000000001");
  EXPECT_EQ(FormatDouble(-1.0 / 0.0), "-inf");
  EXPECT_EQ(FormatLongDoubleHuman(10.5L), "10.5");
  EXPECT_EQ(FormatLongDoubleHuman(3.0L), "3");
  EXPECT_EQ(FormatLongDoubleHuman(-0.0L), "0");
  EXPECT_EQ(FormatInt64(INT64_MIN), "-9223372036854775808");
}

TEST(GlobMatchTest, FollowsStringmatchlen) {
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("h\\*llo", "h*llo"));
  EXPECT_FALSE(GlobMatch("h\\*llo", "hello"));
  EXPECT_TRUE(GlobMatch("KEY:*", "key:1", /*nocase=*/true));
  EXPECT_FALSE(GlobMatch("a*b", "acbd"));
}

TEST(GlobMatchTest, HostilePatternFinishesQuickly) {
  std::string pattern(200, '*');
  pattern += "a*b";
  std::string str(5000, 'a');
  EXPECT_FALSE(GlobMatch(pattern, str));
}

TEST(AsciiTest, LowerAndCompare) {
  EXPECT_EQ(AsciiLower("GeT"), "get");
  EXPECT_TRUE(EqualsIgnoreCase("PING", "ping"));
  EXPECT_FALSE(EqualsIgnoreCase("PING", "pin"));
}

}  // namespace
}  // namespace cairn
