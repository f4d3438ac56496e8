#include "agent/supervisor/backoff.h"

#include <signal.h>

#include <gtest/gtest.h>

namespace cairn::agent {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesPerCrashAndCapsAtThirtySeconds) {
  EXPECT_EQ(RestartDelay(1, 0.5), milliseconds(500));
  EXPECT_EQ(RestartDelay(2, 0.5), milliseconds(1000));
  EXPECT_EQ(RestartDelay(5, 0.5), milliseconds(8000));
  EXPECT_EQ(RestartDelay(7, 0.5), milliseconds(30000));
  EXPECT_EQ(RestartDelay(1000, 0.5), milliseconds(30000));
  EXPECT_EQ(RestartDelay(0, 0.5), milliseconds(500));
}

TEST(BackoffTest, JitterSpreadsWithinTwentyPercent) {
  EXPECT_EQ(RestartDelay(5, 0.0), milliseconds(6400));
  EXPECT_GE(RestartDelay(5, 0.999), milliseconds(9590));
  EXPECT_LT(RestartDelay(5, 0.999), milliseconds(9600));
  EXPECT_EQ(RestartDelay(5, -3.0), milliseconds(6400));
  EXPECT_LT(RestartDelay(5, 7.0), milliseconds(9600));
}

TEST(BackoffTest, DescribesExitsAsShellsDo) {
  EXPECT_EQ(DescribeExit(1 << 8), "exited 1");
  EXPECT_EQ(DescribeExit(SIGKILL), "exited 137");
  EXPECT_EQ(DescribeExit(-1), "exited");
  EXPECT_EQ(FormatDelay(milliseconds(480)), "480ms");
  EXPECT_EQ(FormatDelay(milliseconds(7600)), "8s");
}

}  // namespace
}  // namespace cairn::agent
