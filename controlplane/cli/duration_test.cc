#include "controlplane/cli/duration.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace cairn::controlplane::cli {
namespace {

using std::chrono::milliseconds;

int64_t Ms(std::string_view text) {
  Result<milliseconds> duration = ParseDuration(text);
  EXPECT_TRUE(duration.ok()) << text << ": " << duration.status().ToString();
  return duration.ok() ? duration->count() : -1;
}

TEST(DurationTest, ParsesUnitsAndCombinations) {
  EXPECT_EQ(Ms("500ms"), 500);
  EXPECT_EQ(Ms("30s"), 30000);
  EXPECT_EQ(Ms("10m"), 600000);
  EXPECT_EQ(Ms("2h"), 7200000);
  EXPECT_EQ(Ms("1d"), 86400000);
  EXPECT_EQ(Ms("1h30m"), 5400000);
  EXPECT_EQ(Ms("1m30s500ms"), 90500);
  EXPECT_EQ(Ms("0s"), 0);
}

TEST(DurationTest, BareNumberMeansSeconds) {
  EXPECT_EQ(Ms("45"), 45000);
}

TEST(DurationTest, RejectsMalformedText) {
  for (std::string_view bad : {"", "m", "10x", "-5s", "1.5h", "10m5", "s10", " 10s", "10 s"}) {
    Result<milliseconds> duration = ParseDuration(bad);
    EXPECT_FALSE(duration.ok()) << "'" << bad << "' parsed";
    if (!duration.ok()) {
      EXPECT_EQ(duration.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(DurationTest, RejectsOverflow) {
  EXPECT_FALSE(ParseDuration("99999999999999999999s").ok());
  EXPECT_FALSE(ParseDuration("9223372036854775807d").ok());
  EXPECT_FALSE(ParseDuration("36500d1d").ok());
}

TEST(DurationTest, FormatsCompactly) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(FormatDuration(milliseconds(30000)), "30s");
  EXPECT_EQ(FormatDuration(milliseconds(900000)), "15m");
  EXPECT_EQ(FormatDuration(milliseconds(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(90061000)), "1d1h1m1s");
}

TEST(DurationTest, SinceAcceptsRfc3339) {
  Result<google::protobuf::Timestamp> since =
      ParseSince("2024-05-01T12:00:00Z", std::chrono::system_clock::now());
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->seconds(), 1714564800);
  Result<google::protobuf::Timestamp> offset =
      ParseSince("2024-05-01T14:00:00+02:00", std::chrono::system_clock::now());
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->seconds(), 1714564800);
}

TEST(DurationTest, SinceAcceptsDurationBackFromNow) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
  Result<google::protobuf::Timestamp> since = ParseSince("10m", now);
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->seconds(), 1714564800 - 600);
}

TEST(DurationTest, SinceRejectsOtherTextNamingTheForms) {
  Result<google::protobuf::Timestamp> since =
      ParseSince("yesterday", std::chrono::system_clock::now());
  ASSERT_FALSE(since.ok());
  EXPECT_NE(since.status().message().find("RFC 3339"), std::string::npos);
  EXPECT_NE(since.status().message().find("'yesterday'"), std::string::npos);
}

TEST(DurationTest, DailyWindowsAreHhMmPairsOfAtLeastAnHour) {
  for (std::string_view good : {"05:00-06:00", "00:00-23:59", "23:30-00:30", "22:00-02:00"}) {
    EXPECT_TRUE(CheckDailyWindow(good).ok()) << good;
  }
  for (std::string_view bad :
       {"", "5:00-6:00", "05:00-6:00", "05:00/06:00", "24:00-01:00", "05:60-07:00", "05:00-06:00 ",
        "aa:bb-cc:dd", "05:00-05:00", "05:00-05:59", "23:45-00:15"}) {
    Status status = CheckDailyWindow(bad);
    EXPECT_FALSE(status.ok()) << "'" << bad << "' accepted";
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(CheckDailyWindow("05:00-05:30").message().find("at least 60 minutes"),
            std::string::npos);
  EXPECT_NE(CheckDailyWindow("5-6").message().find("'5-6'"), std::string::npos);
}

}  // namespace
}  // namespace cairn::controlplane::cli
