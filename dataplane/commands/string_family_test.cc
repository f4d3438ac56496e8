#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

TEST(StringFamilyTest, SetGetAndOptions) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"SET", "k", "w", "NX"}), "$-1");
  EXPECT_EQ(h.Run({"SET", "k", "w", "XX", "GET"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"SET", "k", "x", "NX", "XX"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SET", "k", "x", "EX", "0"}), "-ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.Run({"SET", "k", "x", "EX", "abc"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"GET", "missing"}), "$-1");
}

TEST(StringFamilyTest, ExpiryUsesTheCommandClock) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+OK");
  h.clock().AdvanceMs(99);
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv");
  h.clock().AdvanceMs(1);
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
}

TEST(StringFamilyTest, CountersAndErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"INCR", "n"}), ":1");
  EXPECT_EQ(h.Run({"INCRBY", "n", "5"}), ":6");
  EXPECT_EQ(h.Run({"DECRBY", "n", "-9223372036854775808"}), "-ERR decrement would overflow");
  EXPECT_EQ(h.Run({"SET", "s", "abc"}), "+OK");
  EXPECT_EQ(h.Run({"INCR", "s"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"INCR"}), "-ERR wrong number of arguments for 'incr' command");
}

TEST(StringFamilyTest, MsetMgetAndResp3Nulls) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b", "2"}), "+OK");
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b"}), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(h.Run({"MGET", "a", "nope", "b"}), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2");
  EXPECT_EQ(h.Run({"MSETNX", "a", "9", "c", "3"}), ":0");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"GET", "nope"}), "_");
}

}  // namespace
}  // namespace cairn::commands
