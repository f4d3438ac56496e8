#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::commands {
namespace {

// What the server does when the engine deletes an expired key (Server::OnKeyExpired): the
// harness has no observer of its own.
struct ExpiryForwarder : engine::KeyspaceObserver {
  explicit ExpiryForwarder(ServerState& s) : state(s) {}
  void OnKeyExpired(int db, std::string_view key) override {
    state.TouchWatchedKey(db, key);
    state.Notify(kNotifyExpired, "expired", key, db);
  }
  void OnKeyEvicted(int db, std::string_view key) override {
    state.TouchWatchedKey(db, key);
    state.Notify(kNotifyEvicted, "evicted", key, db);
  }
  ServerState& state;
};

TEST(TransactionFamilyTest, ExecRunsQueuedCommandsInOrder) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"INCR", "k"}), "+QUEUED");
  EXPECT_EQ(h.Run({"GET", "k"}), "+QUEUED");
  EXPECT_EQ(h.Run({"GET", "missing"}), "+QUEUED");
  EXPECT_EQ(h.Run({"PING"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*5\r\n+OK\r\n:2\r\n$1\r\n2\r\n$-1\r\n+PONG");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\n2");
  EXPECT_FALSE(h.client(0).has_flag(kClientMulti));
}

TEST(TransactionFamilyTest, EmptyTransactionAndResp3) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"EXEC"}), "*0");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "nope"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n_");
}

TEST(TransactionFamilyTest, ExecDiscardOutsideMultiAndNesting) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"EXEC"}), "-ERR EXEC without MULTI");
  EXPECT_EQ(h.Run({"DISCARD"}), "-ERR DISCARD without MULTI");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+QUEUED");
  // A nested MULTI is refused but does not doom the transaction.
  EXPECT_EQ(h.Run({"MULTI"}), "-ERR MULTI calls can not be nested");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "2"}), "+QUEUED");
  EXPECT_EQ(h.Run({"DISCARD"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\n1");
  EXPECT_EQ(h.Run({"DISCARD"}), "-ERR DISCARD without MULTI");
}

TEST(TransactionFamilyTest, QueueTimeErrorAbortsExec) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "before", "1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"SET", "k"}), "-ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(h.Run({"NOSUCH", "a"}),
            "-ERR unknown command 'NOSUCH', with args beginning with: 'a' ");
  EXPECT_EQ(h.Run({"SET", "after", "1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(h.Run({"GET", "before"}), "$-1");
  EXPECT_EQ(h.Run({"EXEC"}), "-ERR EXEC without MULTI");
}

TEST(TransactionFamilyTest, RejectedExecIsWrappedInExecAbort) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"EXEC", "x"}),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC", "x"}),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command");
  // The transaction is over: the queue was discarded.
  EXPECT_EQ(h.Run({"EXEC"}), "-ERR EXEC without MULTI");
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
  EXPECT_EQ(h.Run({"MULTI", "x"}), "-ERR wrong number of arguments for 'multi' command");
  EXPECT_EQ(h.Run({"DISCARD", "x"}), "-ERR wrong number of arguments for 'discard' command");
}

TEST(TransactionFamilyTest, RunTimeErrorsDoNotStopTheTransaction) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "s", "notanumber"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"INCR", "s"}), "+QUEUED");
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"SETEX", "t", "0", "v"}), "+QUEUED");
  EXPECT_EQ(h.Run({"INCRBY", "k", "5"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}),
            "*4\r\n-ERR value is not an integer or out of range\r\n+OK\r\n"
            "-ERR invalid expire time in 'setex' command\r\n:6");
}

TEST(TransactionFamilyTest, SelectInsideMultiChangesTheDbOfLaterCommands) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SELECT", "1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"SET", "k", "db1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"SELECT", "0"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*3\r\n+OK\r\n+OK\r\n+OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
  EXPECT_EQ(h.Run({"SELECT", "1"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "$3\r\ndb1");
}

TEST(TransactionFamilyTest, QueuedCommandsUseTheExecTime) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "old", "v", "PX", "100"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+QUEUED");
  EXPECT_EQ(h.Run({"GET", "old"}), "+QUEUED");
  h.clock().AdvanceMs(150);
  // Relative TTLs count from EXEC, and "old" has expired by then.
  EXPECT_EQ(h.Run({"EXEC"}), "*2\r\n+OK\r\n$-1");
  h.clock().AdvanceMs(99);
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv");
}

TEST(TransactionFamilyTest, WatchOfUnchangedKeyExecutes) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"GET", "k"}), "$1\r\n1");
  EXPECT_EQ(h.RunAs(1, {"SET", "unrelated", "1"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"INCR", "k"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n:2");
  EXPECT_EQ(h.state().watched_keys_count(), 0u);
}

TEST(TransactionFamilyTest, WatchInvalidatedByAnotherClientsWrite) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k", "other"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"SET", "k", "1"}), "+OK");  // same value still counts
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "mine"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*-1");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\n1");
  // RESP3 null, and the watch is gone after the failed EXEC.
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"INCR", "k"}), ":2");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"EXEC"}), "_");
  EXPECT_EQ(h.state().watched_keys_count(), 0u);
}

TEST(TransactionFamilyTest, WatchInvalidatedByOwnWriteAndInOtherDb) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "2"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "3"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*-1");
  // A write to the same name in another db leaves the watch alone.
  EXPECT_EQ(h.Run({"SELECT", "1"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"SET", "k", "db0"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "x"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n+OK");
}

TEST(TransactionFamilyTest, UnwatchAndDiscardForgetWatches) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"SET", "k", "2"}), "+OK");
  // UNWATCH also clears an invalidation that already happened.
  EXPECT_EQ(h.Run({"UNWATCH"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "3"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"DISCARD"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"SET", "k", "4"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n$1\r\n4");
}

TEST(TransactionFamilyTest, WatchErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"WATCH"}), "-ERR wrong number of arguments for 'watch' command");
  EXPECT_EQ(h.Run({"UNWATCH", "x"}), "-ERR wrong number of arguments for 'unwatch' command");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "-ERR WATCH inside MULTI is not allowed");
  // UNWATCH is queued like any command; the WATCH error does not doom the transaction.
  EXPECT_EQ(h.Run({"UNWATCH"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n+OK");
  EXPECT_EQ(h.Run({"WATCH", "a", "b", "a"}), "+OK");
  EXPECT_EQ(h.client(0).watched.size(), 2u);
}

TEST(TransactionFamilyTest, KeyExpiringAfterWatchFailsExec) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  h.clock().AdvanceMs(101);
  // Nobody touched the key: it is still in the table, logically expired.
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "new"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*-1");
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
}

TEST(TransactionFamilyTest, KeyDeletedByActiveExpiryAfterWatchFailsExec) {
  CommandHarness h;
  ExpiryForwarder forwarder(h.state());
  h.keyspace().set_observer(&forwarder);
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  h.clock().AdvanceMs(200);
  h.keyspace().RefreshCommandTime();
  EXPECT_EQ(h.keyspace().ActiveExpireCycle(), 1);
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "new"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*-1");
  h.keyspace().set_observer(nullptr);
}

TEST(TransactionFamilyTest, WatchOfAlreadyExpiredKey) {
  CommandHarness h;
  ExpiryForwarder forwarder(h.state());
  h.keyspace().set_observer(&forwarder);
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+OK");
  h.clock().AdvanceMs(200);
  // Expired but never deleted when watched: still expired at EXEC is no change.
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "new"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n+OK");
  // Its deletion by another client's lookup is no change either...
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+OK");
  h.clock().AdvanceMs(200);
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"GET", "k"}), "$-1");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"EXEC"}), "*0");
  // ...but a write after the deletion is.
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+OK");
  h.clock().AdvanceMs(200);
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"GET", "k"}), "$-1");
  EXPECT_EQ(h.RunAs(1, {"SET", "k", "again"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"EXEC"}), "*-1");
  h.keyspace().set_observer(nullptr);
}

TEST(TransactionFamilyTest, FlushAndSwapTouchOnlyExistingWatchedKeys) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+OK");
  EXPECT_EQ(h.Run({"WATCH", "k", "missing"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"WATCH", "missing"}), "+OK");
  h.state().TouchAllWatchedKeysInDb(0);  // what FLUSHDB does before emptying db 0
  EXPECT_TRUE(h.client(0).has_flag(kClientDirtyCas));
  EXPECT_FALSE(h.client(1).has_flag(kClientDirtyCas));
  EXPECT_EQ(h.Run({"UNWATCH"}), "+OK");
  // SWAPDB: a key present on the other side changes the watched one.
  EXPECT_EQ(h.Run({"SELECT", "1"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "missing", "db1"}), "+OK");
  h.state().TouchAllWatchedKeysInDb(0, 1);
  EXPECT_TRUE(h.client(1).has_flag(kClientDirtyCas));
}

TEST(TransactionFamilyTest, CommandMetadata) {
  CommandHarness h;
  const CommandTable& t = h.state().table();
  using Names = std::vector<std::string_view>;
  EXPECT_EQ(t.Find("multi")->FlagNames(),
            (Names{"noscript", "loading", "stale", "fast", "allow_busy"}));
  EXPECT_EQ(t.Find("exec")->FlagNames(), (Names{"noscript", "loading", "stale", "skip_slowlog"}));
  EXPECT_EQ(t.Find("exec")->AllCategories(), kAclSlow | kAclTransaction);
  EXPECT_EQ(t.Find("discard")->AllCategories(), kAclFast | kAclTransaction);
  const CommandSpec* watch = t.Find("watch");
  EXPECT_EQ(watch->arity, -2);
  EXPECT_EQ(watch->keys.first, 1);
  EXPECT_EQ(watch->keys.last, -1);
  EXPECT_EQ(watch->keys.step, 1);
  EXPECT_EQ(t.Find("unwatch")->arity, 1);
}

}  // namespace
}  // namespace cairn::commands
