// Unit tests of the sorted-set family on the in-process harness: replies, encodings and their
// conversion with the configured thresholds, RESP3 shapes, and STORE results.
#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

TEST(ZSetFamilyTest, AddScoreRankRange) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ZADD", "z", "1", "a", "2", "b", "1.5", "c"}), ":3");
  EXPECT_EQ(h.Run({"ZADD", "z", "CH", "GT", "3", "a", "0", "b"}), ":1");
  EXPECT_EQ(h.Run({"ZSCORE", "z", "a"}), "$1\r\n3");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "0.25", "c"}), "$4\r\n1.75");
  EXPECT_EQ(h.Run({"ZRANK", "z", "a"}), ":2");
  EXPECT_EQ(h.Run({"ZREVRANK", "z", "a"}), ":0");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1"}), "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "(1.75", "+inf", "BYSCORE", "WITHSCORES"}),
            "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n3");
  EXPECT_EQ(h.Run({"ZADD", "z", "NX", "XX", "1", "a"}),
            "-ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(h.Run({"ZRANGEBYSCORE", "z", "x", "1"}), "-ERR min or max is not a float");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "z"}), "$8\r\nlistpack");
}

TEST(ZSetFamilyTest, ConvertsPastThresholdsAndKeepsOrder) {
  CommandHarness h;
  h.keyspace().config().zset_max_listpack_entries = 3;
  h.Run({"ZADD", "z", "3", "c", "1", "a", "2", "b"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "z"}), "$8\r\nlistpack");
  h.Run({"ZADD", "z", "0", "first"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "z"}), "$8\r\nskiplist");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "0"}), "*1\r\n$5\r\nfirst");
  EXPECT_EQ(h.Run({"ZPOPMAX", "z"}), "*2\r\n$1\r\nc\r\n$1\r\n3");
  EXPECT_EQ(h.Run({"ZUNIONSTORE", "d", "1", "z"}), ":3");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "$8\r\nlistpack");
  EXPECT_EQ(h.Run({"ZREMRANGEBYRANK", "z", "0", "-1"}), ":3");
  EXPECT_EQ(h.Run({"EXISTS", "z"}), ":0");
}

TEST(ZSetFamilyTest, Resp3ShapesAndWrongType) {
  CommandHarness h;
  h.Run({"HELLO", "3"});
  h.Run({"ZADD", "z", "1", "a", "inf", "b"});
  EXPECT_EQ(h.Run({"ZSCORE", "z", "b"}), ",inf");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,inf");
  EXPECT_EQ(h.Run({"ZPOPMIN", "z", "1"}), "*1\r\n*2\r\n$1\r\na\r\n,1");
  h.InsertListForTest("l");
  EXPECT_EQ(h.Run({"ZCARD", "l"}).substr(0, 10), "-WRONGTYPE");
  EXPECT_EQ(h.Run({"ZUNION", "1", "l"}).substr(0, 10), "-WRONGTYPE");
}

}  // namespace
}  // namespace cairn::commands
