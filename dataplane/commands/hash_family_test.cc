// Unit tests of the hash family on the in-process harness.
#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

TEST(HashFamilyTest, SetGetDelete) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"HSET", "h", "a", "1", "b", "2"}), ":2");
  EXPECT_EQ(h.Run({"HSET", "h", "a", "3"}), ":0");
  EXPECT_EQ(h.Run({"HSET", "h", "a"}), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(h.Run({"HGET", "h", "a"}), "$1\r\n3");
  EXPECT_EQ(h.Run({"HMGET", "h", "a", "x"}), "*2\r\n$1\r\n3\r\n$-1");
  EXPECT_EQ(h.Run({"HSETNX", "h", "a", "9"}), ":0");
  EXPECT_EQ(h.Run({"HLEN", "h"}), ":2");
  EXPECT_EQ(h.Run({"HSTRLEN", "h", "b"}), ":1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "h"}), "$8\r\nlistpack");
  EXPECT_EQ(h.Run({"HDEL", "h", "a", "b", "c"}), ":2");
  EXPECT_EQ(h.Run({"EXISTS", "h"}), ":0");
}

TEST(HashFamilyTest, CountersAndConversion) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"HINCRBY", "h", "n", "5"}), ":5");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "n", "9223372036854775807"}),
            "-ERR increment or decrement would overflow");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "1.5"}), "$3\r\n1.5");
  h.Run({"HSET", "h", "s", "abc"});
  EXPECT_EQ(h.Run({"HINCRBY", "h", "s", "1"}), "-ERR hash value is not an integer");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "s", "1"}), "-ERR hash value is not a float");
  h.keyspace().config().hash_max_listpack_entries = 4;
  h.Run({"HSET", "h", "x", "1", "y", "2"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "h"}), "$9\r\nhashtable");
  EXPECT_EQ(h.Run({"HLEN", "h"}), ":5");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-3"}).substr(0, 4), "*3\r\n");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "10", "WITHVALUES"}).substr(0, 5), "*10\r\n");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-99999999999"}), "-ERR value is out of range");
}

}  // namespace
}  // namespace cairn::commands
