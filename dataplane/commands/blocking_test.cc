#include "dataplane/commands/blocking.h"

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

constexpr char kStreamGone[] = "-UNBLOCKED the stream key no longer exists\r\n";

// A client blocked in XREADGROUP on stream "s" (group "g"), as client 1.
void BlockGroupReader(CommandHarness& h) {
  ASSERT_EQ(h.Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}), "+OK");
  ASSERT_EQ(h.RunAs(1, {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}), "");
  ASSERT_TRUE(h.client(1).has_flag(kClientBlocked));
}

TEST(BlockingTest, GroupReaderWokenWhenItsStreamIsDeleted) {
  CommandHarness h;
  BlockGroupReader(h);
  EXPECT_EQ(h.Run({"DEL", "s"}), ":1");
  EXPECT_EQ(h.TakeOutput(1), kStreamGone);
  EXPECT_FALSE(h.client(1).has_flag(kClientBlocked));
  EXPECT_EQ(h.state().blocked().blocked_count(), 0u);
}

TEST(BlockingTest, GroupReaderWokenWhenItsStreamIsOverwrittenOrFlushed) {
  CommandHarness h;
  BlockGroupReader(h);
  EXPECT_EQ(h.Run({"SET", "s", "x"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), kStreamGone);
  EXPECT_EQ(h.Run({"DEL", "s"}), ":1");
  BlockGroupReader(h);
  EXPECT_EQ(h.Run({"FLUSHALL"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), kStreamGone);
}

TEST(BlockingTest, ExpiredStreamWakesTheGroupReaderOnTheNextServe) {
  CommandHarness h;
  BlockGroupReader(h);
  EXPECT_EQ(h.Run({"PEXPIRE", "s", "10"}), ":1");
  h.clock().AdvanceMs(20);
  h.keyspace().ActiveExpireCycle();
  ASSERT_TRUE(h.state().blocked().has_ready());
  h.state().blocked().ServeReady(h.state());  // what the server does before it sleeps
  EXPECT_EQ(h.TakeOutput(1), kStreamGone);
}

TEST(BlockingTest, PlainStreamReaderKeepsWaitingAfterDeletion) {
  CommandHarness h;
  EXPECT_EQ(h.RunAs(1, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}), "");
  EXPECT_EQ(h.Run({"XADD", "s", "1-0", "f", "v"}), "$3\r\n1-0");
  h.TakeOutput(1);
  EXPECT_EQ(h.RunAs(1, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}), "");
  EXPECT_EQ(h.Run({"DEL", "s"}), ":1");
  EXPECT_EQ(h.TakeOutput(1), "");
  EXPECT_TRUE(h.client(1).has_flag(kClientBlocked));
}

TEST(BlockingTest, OverwriteByTheWaitedTypeServesNobodyAsRedis) {
  CommandHarness h;
  EXPECT_EQ(h.RunAs(1, {"BZPOPMIN", "z", "0"}), "");
  EXPECT_EQ(h.Run({"SET", "z", "x"}), "+OK");
  EXPECT_EQ(h.Run({"ZADD", "src", "1", "a"}), ":1");
  EXPECT_EQ(h.Run({"ZUNIONSTORE", "z", "1", "src"}), ":1");
  EXPECT_EQ(h.TakeOutput(1), "");  // Redis 7.0 signals only additions and stream removals
  EXPECT_TRUE(h.client(1).has_flag(kClientBlocked));
  EXPECT_EQ(h.Run({"DEL", "z"}), ":1");
  EXPECT_EQ(h.Run({"ZADD", "z", "2", "b"}), ":1");
  EXPECT_EQ(h.TakeOutput(1), "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n");
}

}  // namespace
}  // namespace cairn::commands
