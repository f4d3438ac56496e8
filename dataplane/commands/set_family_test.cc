// Unit tests of the set family on the in-process harness.
#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

TEST(SetFamilyTest, AddRemoveMembership) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SADD", "s", "1", "2", "2"}), ":2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "s"}), "$6\r\nintset");
  EXPECT_EQ(h.Run({"SADD", "s", "x"}), ":1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "s"}), "$9\r\nhashtable");
  EXPECT_EQ(h.Run({"SISMEMBER", "s", "2"}), ":1");
  EXPECT_EQ(h.Run({"SMISMEMBER", "s", "x", "y"}), "*2\r\n:1\r\n:0");
  EXPECT_EQ(h.Run({"SREM", "s", "1", "2", "x"}), ":3");
  EXPECT_EQ(h.Run({"EXISTS", "s"}), ":0");
}

TEST(SetFamilyTest, AlgebraAndStore) {
  CommandHarness h;
  h.Run({"SADD", "a", "1", "2", "3"});
  h.Run({"SADD", "b", "2", "3", "4"});
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "a", "b"}), ":2");
  EXPECT_EQ(h.Run({"SUNIONSTORE", "d", "a", "b"}), ":4");
  EXPECT_EQ(h.Run({"SDIFFSTORE", "d", "a", "b"}), ":1");
  EXPECT_EQ(h.Run({"SMEMBERS", "d"}), "*1\r\n$1\r\n1");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "1"}), ":1");
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "a", "missing"}), ":0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), ":0");
  EXPECT_EQ(h.Run({"SMOVE", "a", "b", "1"}), ":1");
  EXPECT_EQ(h.Run({"SCARD", "b"}), ":4");
  EXPECT_EQ(h.Run({"SPOP", "a", "5"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), ":0");
}

}  // namespace
}  // namespace cairn::commands
