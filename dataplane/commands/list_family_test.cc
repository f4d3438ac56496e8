// Unit tests of the list family and blocking pops, on the in-process harness.
#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

TEST(ListFamilyTest, PushPopRange) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"RPUSH", "l", "a", "b", "c"}), ":3");
  EXPECT_EQ(h.Run({"LPUSH", "l", "z"}), ":4");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc");
  EXPECT_EQ(h.Run({"LPOP", "l", "2"}), "*2\r\n$1\r\nz\r\n$1\r\na");
  EXPECT_EQ(h.Run({"RPOP", "l"}), "$1\r\nc");
  EXPECT_EQ(h.Run({"RPOP", "l"}), "$1\r\nb");
  EXPECT_EQ(h.Run({"EXISTS", "l"}), ":0");
  EXPECT_EQ(h.Run({"LPOP", "l"}), "$-1");
  EXPECT_EQ(h.Run({"LPOP", "l", "1"}), "*-1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "missing"}), "$-1");
}

TEST(ListFamilyTest, IndexesInsertRemoveTrimAcrossNodes) {
  CommandHarness h;
  h.keyspace().config().list_max_listpack_size = 2;
  for (int i = 0; i < 10; i++) {
    h.Run({"RPUSH", "l", std::to_string(i)});
  }
  EXPECT_EQ(h.Run({"LINDEX", "l", "-3"}), "$1\r\n7");
  EXPECT_EQ(h.Run({"LINSERT", "l", "AFTER", "4", "x"}), ":11");
  EXPECT_EQ(h.Run({"LINDEX", "l", "5"}), "$1\r\nx");
  EXPECT_EQ(h.Run({"LSET", "l", "0", "first"}), "+OK");
  EXPECT_EQ(h.Run({"LSET", "l", "11", "y"}), "-ERR index out of range");
  EXPECT_EQ(h.Run({"LREM", "l", "0", "x"}), ":1");
  EXPECT_EQ(h.Run({"LTRIM", "l", "1", "3"}), "+OK");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3");
  EXPECT_EQ(h.Run({"LPOS", "l", "3"}), ":2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "l"}), "$9\r\nquicklist");
}

TEST(ListFamilyTest, WrongTypeAndMove) {
  CommandHarness h;
  h.Run({"SET", "s", "v"});
  EXPECT_EQ(h.Run({"LPUSH", "s", "a"}).substr(0, 10), "-WRONGTYPE");
  h.Run({"RPUSH", "a", "1", "2"});
  EXPECT_EQ(h.Run({"LMOVE", "a", "b", "LEFT", "RIGHT"}), "$1\r\n1");
  EXPECT_EQ(h.Run({"RPOPLPUSH", "a", "b"}), "$1\r\n2");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), ":0");
  EXPECT_EQ(h.Run({"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"}),
            "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n1\r\n$1\r\n2");
}

TEST(ListFamilyTest, BlockedClientsServedInOrderAndTimedOut) {
  CommandHarness h;
  EXPECT_EQ(h.RunAs(1, {"BLPOP", "q", "0"}), "");
  EXPECT_EQ(h.RunAs(2, {"BRPOP", "q", "1.5"}), "");
  EXPECT_TRUE(h.client(1).has_flag(kClientBlocked));
  EXPECT_EQ(h.state().blocked().blocked_count(), 2u);
  EXPECT_EQ(h.Run({"RPUSH", "q", "a"}), ":1");
  EXPECT_EQ(h.TakeOutput(1), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  EXPECT_TRUE(h.client(2).has_flag(kClientBlocked));
  EXPECT_EQ(h.Run({"EXISTS", "q"}), ":0");
  h.clock().AdvanceMs(1499);
  h.state().blocked().CheckTimeouts(h.state(), h.clock().NowMs());
  EXPECT_TRUE(h.client(2).has_flag(kClientBlocked));
  h.clock().AdvanceMs(2);
  h.state().blocked().CheckTimeouts(h.state(), h.clock().NowMs());
  EXPECT_EQ(h.TakeOutput(2), "*-1\r\n");
  EXPECT_EQ(h.state().blocked().blocked_count(), 0u);
}

TEST(ListFamilyTest, BlmoveServedByExecAndUnblock) {
  CommandHarness h;
  EXPECT_EQ(h.RunAs(1, {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}), "");
  h.Run({"MULTI"});
  h.Run({"RPUSH", "src", "x", "y"});
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n:2");
  EXPECT_EQ(h.TakeOutput(1), "$1\r\nx\r\n");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "*1\r\n$1\r\nx");
  EXPECT_EQ(h.RunAs(2, {"BLPOP", "none", "0"}), "");
  std::string id = std::to_string(h.client(2).id());
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", id, "ERROR"}), ":1");
  EXPECT_EQ(h.TakeOutput(2), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", id}), ":0");
  // Inside MULTI a blocking pop on an empty list answers at once.
  h.Run({"MULTI"});
  h.Run({"BLPOP", "none", "0"});
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n*-1");
}

}  // namespace
}  // namespace cairn::commands
