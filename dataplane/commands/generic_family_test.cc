#include <climits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

// Keyevent notifications in a subscriber's output, as "event key" strings in delivery order.
std::vector<std::string> Events(const std::string& out) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find("\r\n", start);
    if (end == std::string::npos) {
      break;
    }
    lines.push_back(out.substr(start, end - start));
    start = end + 2;
  }
  std::vector<std::string> events;
  const std::string prefix = "__keyevent@";
  for (size_t i = 0; i + 2 < lines.size(); i++) {
    if (lines[i].rfind(prefix, 0) == 0 && lines[i].find("__:") != std::string::npos) {
      std::string channel = lines[i].substr(prefix.size());  // "0__:del"
      events.push_back(channel + " " + lines[i + 2]);
    }
  }
  return events;
}

// A harness with every keyevent class on, client 1 subscribed to all of them.
class NotifyingHarness : public CommandHarness {
 public:
  NotifyingHarness() {
    config().notify_keyspace_events = kNotifyKeyevent | kNotifyAll | kNotifyNew | kNotifyKeyMiss;
    state().pubsub().PSubscribe(&client(1), "__keyevent@*");
    TakeOutput(1);
  }
  std::vector<std::string> TakeEvents() { return Events(TakeOutput(1)); }
};

TEST(GenericFamilyTest, DelUnlinkExistsTouchType) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "a", "1"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "b", "2"}), "+OK");
  EXPECT_EQ(h.Run({"EXISTS", "a", "a", "b", "nope"}), ":3");
  EXPECT_EQ(h.Run({"TOUCH", "a", "nope", "b"}), ":2");
  EXPECT_EQ(h.Run({"TYPE", "a"}), "+string");
  EXPECT_EQ(h.Run({"TYPE", "nope"}), "+none");
  EXPECT_EQ(h.Run({"DEL", "a", "a", "nope"}), ":1");
  EXPECT_EQ(h.Run({"UNLINK", "b"}), ":1");
  EXPECT_EQ(h.Run({"UNLINK", "b"}), ":0");
  EXPECT_EQ(h.Run({"DEL"}), "-ERR wrong number of arguments for 'del' command");
  EXPECT_EQ(h.Run({"TYPE", "a", "b"}), "-ERR wrong number of arguments for 'type' command");
}

TEST(GenericFamilyTest, ExpiredKeysCountAsAbsent) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "10"}), "+OK");
  h.clock().AdvanceMs(11);
  EXPECT_EQ(h.Run({"DBSIZE"}), ":1");  // not deleted until touched
  EXPECT_EQ(h.Run({"EXISTS", "k"}), ":0");
  EXPECT_EQ(h.Run({"DBSIZE"}), ":0");
  EXPECT_EQ(h.Run({"SET", "j", "v", "PX", "10"}), "+OK");
  h.clock().AdvanceMs(11);
  EXPECT_EQ(h.Run({"DEL", "j"}), ":0");
}

TEST(GenericFamilyTest, RenameAndRenameNx) {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2"});
  EXPECT_EQ(h.Run({"RENAME", "missing", "x"}), "-ERR no such key");
  EXPECT_EQ(h.Run({"RENAMENX", "missing", "x"}), "-ERR no such key");
  EXPECT_EQ(h.Run({"RENAME", "a", "a"}), "+OK");
  EXPECT_EQ(h.Run({"RENAMENX", "a", "a"}), ":0");
  EXPECT_EQ(h.Run({"RENAMENX", "a", "b"}), ":0");
  EXPECT_EQ(h.Run({"RENAME", "a", "b"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "b"}), "$1\r\n1");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), ":0");
  EXPECT_EQ(h.Run({"RENAMENX", "b", "c"}), ":1");
  EXPECT_EQ(h.Run({"SET", "e", "v", "EX", "100"}), "+OK");
  EXPECT_EQ(h.Run({"RENAME", "e", "f"}), "+OK");
  EXPECT_EQ(h.Run({"TTL", "f"}), ":100");
  EXPECT_EQ(h.Run({"RENAME", "c"}), "-ERR wrong number of arguments for 'rename' command");
}

TEST(GenericFamilyTest, CopyOptionsAndErrors) {
  CommandHarness h;
  h.Run({"SET", "a", "hello"});
  h.Run({"SET", "b", "other"});
  h.Run({"SET", "t", "v", "EX", "500"});
  EXPECT_EQ(h.Run({"COPY", "a", "c"}), ":1");
  EXPECT_EQ(h.Run({"COPY", "a", "b"}), ":0");
  EXPECT_EQ(h.Run({"COPY", "a", "b", "REPLACE"}), ":1");
  EXPECT_EQ(h.Run({"GET", "b"}), "$5\r\nhello");
  EXPECT_EQ(h.Run({"COPY", "missing", "x"}), ":0");
  EXPECT_EQ(h.Run({"COPY", "a", "a"}), "-ERR source and destination objects are the same");
  EXPECT_EQ(h.Run({"COPY", "a", "a", "DB", "1"}), ":1");
  EXPECT_EQ(h.Run({"COPY", "a", "y", "DB", "16"}), "-ERR DB index is out of range");
  EXPECT_EQ(h.Run({"COPY", "a", "y", "DB", "-1"}), "-ERR DB index is out of range");
  EXPECT_EQ(h.Run({"COPY", "a", "y", "DB", "x"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"COPY", "a", "y", "DB"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"COPY", "a", "y", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"COPY", "t", "u"}), ":1");
  EXPECT_EQ(h.Run({"TTL", "u"}), ":500");
  EXPECT_EQ(h.Run({"SELECT", "1"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "a"}), "$5\r\nhello");
}

TEST(GenericFamilyTest, CopyKeepsEncoding) {
  CommandHarness h;
  h.Run({"SET", "n", "123"});
  h.Run({"SET", "r", std::string(2000, 'x')});
  EXPECT_EQ(h.Run({"COPY", "n", "n2"}), ":1");
  EXPECT_EQ(h.Run({"COPY", "r", "r2"}), ":1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "n2"}), "$3\r\nint");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "r2"}), "$3\r\nraw");
  EXPECT_EQ(h.Run({"DEL", "r"}), ":1");
  EXPECT_EQ(h.Run({"GET", "r2"}), "$2000\r\n" + std::string(2000, 'x'));
}

TEST(GenericFamilyTest, MoveBetweenDatabases) {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2", "EX", "100"});
  EXPECT_EQ(h.Run({"MOVE", "a", "1"}), ":1");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), ":0");
  EXPECT_EQ(h.Run({"MOVE", "missing", "1"}), ":0");
  EXPECT_EQ(h.Run({"MOVE", "b", "0"}), "-ERR source and destination objects are the same");
  EXPECT_EQ(h.Run({"MOVE", "b", "16"}), "-ERR DB index is out of range");
  EXPECT_EQ(h.Run({"MOVE", "b", "x"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"MOVE", "b", "99999999999"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"MOVE", "b", "2"}), ":1");
  EXPECT_EQ(h.Run({"SELECT", "2"}), "+OK");
  EXPECT_EQ(h.Run({"TTL", "b"}), ":100");
  EXPECT_EQ(h.Run({"SET", "a", "taken"}), "+OK");
  EXPECT_EQ(h.Run({"SELECT", "1"}), "+OK");
  EXPECT_EQ(h.Run({"MOVE", "a", "2"}), ":0");
  EXPECT_EQ(h.Run({"GET", "a"}), "$1\r\n1");
}

TEST(GenericFamilyTest, SwapDb) {
  CommandHarness h;
  h.Run({"SET", "a", "db0"});
  EXPECT_EQ(h.Run({"SWAPDB", "0", "1"}), "+OK");
  EXPECT_EQ(h.Run({"DBSIZE"}), ":0");
  EXPECT_EQ(h.Run({"SELECT", "1"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "a"}), "$3\r\ndb0");
  EXPECT_EQ(h.Run({"SWAPDB", "0", "0"}), "+OK");
  EXPECT_EQ(h.Run({"SWAPDB", "0", "16"}), "-ERR DB index is out of range");
  EXPECT_EQ(h.Run({"SWAPDB", "-1", "0"}), "-ERR DB index is out of range");
  EXPECT_EQ(h.Run({"SWAPDB", "x", "0"}), "-ERR invalid first DB index");
  EXPECT_EQ(h.Run({"SWAPDB", "0", "x"}), "-ERR invalid second DB index");
  EXPECT_EQ(h.Run({"SWAPDB", "9999999999999", "0"}), "-ERR invalid first DB index");
}

TEST(GenericFamilyTest, KeysAndScanShapes) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"KEYS", "*"}), "*0");
  EXPECT_EQ(h.Run({"SCAN", "0"}), "*2\r\n$1\r\n0\r\n*0");
  h.Run({"SET", "hello", "1"});
  h.Run({"SET", "hallo", "1"});
  EXPECT_EQ(h.Run({"KEYS", "h?l*"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(h.Run({"KEYS", "x*"}), "*0");
  EXPECT_EQ(h.Run({"SCAN", "0", "MATCH", "hel*", "COUNT", "100"}),
            "*2\r\n$1\r\n0\r\n*1\r\n$5\r\nhello");
  EXPECT_EQ(h.Run({"SCAN", "0", "TYPE", "list"}), "*2\r\n$1\r\n0\r\n*0");
  EXPECT_EQ(h.Run({"SCAN", "0", "type", "STRING"}).substr(0, 15), "*2\r\n$1\r\n0\r\n*2\r\n");
  EXPECT_EQ(h.Run({"SCAN", "-1"}).substr(0, 11), "*2\r\n$1\r\n0\r\n");
  EXPECT_EQ(h.Run({"SCAN", ""}).substr(0, 11), "*2\r\n$1\r\n0\r\n");
}

TEST(GenericFamilyTest, ScanErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SCAN", "abc"}), "-ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", "18446744073709551616"}), "-ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", "-"}), "-ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", " 1"}), "-ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", "0x10"}), "-ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", "0", "COUNT", "0"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SCAN", "0", "COUNT", "abc"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"SCAN", "0", "COUNT"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SCAN", "0", "MATCH"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SCAN", "0", "FOO", "bar"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SCAN"}), "-ERR wrong number of arguments for 'scan' command");
}

TEST(GenericFamilyTest, RandomKeyAndNulls) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"RANDOMKEY"}), "$-1");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"RANDOMKEY"}), "_");
  h.Run({"SET", "only", "v"});
  EXPECT_EQ(h.Run({"RANDOMKEY"}), "$4\r\nonly");
  EXPECT_EQ(h.Run({"RANDOMKEY", "x"}), "-ERR wrong number of arguments for 'randomkey' command");
}

TEST(GenericFamilyTest, FlushDbAndFlushAll) {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "1"});
  h.Run({"SELECT", "3"});
  h.Run({"SET", "c", "1"});
  EXPECT_EQ(h.Run({"FLUSHDB", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"FLUSHDB", "ASYNC", "SYNC"}), "-ERR syntax error");
  int64_t dirty = h.state().stats().dirty;
  EXPECT_EQ(h.Run({"FLUSHDB", "async"}), "+OK");
  EXPECT_EQ(h.state().stats().dirty, dirty + 1);
  EXPECT_EQ(h.Run({"DBSIZE"}), ":0");
  h.Run({"SELECT", "0"});
  EXPECT_EQ(h.Run({"DBSIZE"}), ":2");
  EXPECT_EQ(h.Run({"FLUSHALL", "SYNC", "ASYNC"}), "-ERR syntax error");
  dirty = h.state().stats().dirty;
  EXPECT_EQ(h.Run({"FLUSHALL"}), "+OK");
  EXPECT_EQ(h.state().stats().dirty, dirty + 2);
  EXPECT_EQ(h.Run({"DBSIZE"}), ":0");
  EXPECT_EQ(h.Run({"FLUSHALL", "sync"}), "+OK");
  EXPECT_EQ(h.state().stats().dirty, dirty + 2);
}

TEST(GenericFamilyTest, FlushAllWithSavePointsResetsTheChangeCounter) {
  CommandHarness h;
  std::string save = "3600 1";
  h.state().parameters().Add({.name = "save", .get = [&save] { return save; }});
  h.Run({"SET", "a", "1"});
  h.clock().AdvanceMs(5000);
  EXPECT_EQ(h.Run({"FLUSHALL"}), "+OK");
  EXPECT_EQ(h.state().stats().dirty, 0);
  EXPECT_EQ(h.state().last_save_s, h.clock().NowMs() / 1000);
  save = "";
  h.Run({"SET", "a", "1"});
  EXPECT_EQ(h.Run({"FLUSHALL"}), "+OK");
  EXPECT_EQ(h.state().stats().dirty, 2);
}

TEST(GenericFamilyTest, WritesInvalidateWatchers) {
  CommandHarness h;
  Client& watcher = h.client(1);
  auto watched_after = [&](int db, const std::string& key,
                           const std::vector<std::string>& command) {
    watcher.clear_flag(kClientDirtyCas);
    h.state().UnwatchAll(&watcher);
    h.state().Watch(&watcher, db, key);
    h.Run(command);
    return watcher.has_flag(kClientDirtyCas);
  };
  h.Run({"SET", "a", "1"});
  EXPECT_TRUE(watched_after(0, "b", {"RENAME", "a", "b"}));
  EXPECT_TRUE(watched_after(0, "b", {"RENAME", "b", "a"}));
  EXPECT_TRUE(watched_after(1, "c", {"COPY", "a", "c", "DB", "1"}));
  EXPECT_TRUE(watched_after(2, "a", {"MOVE", "a", "2"}));
  EXPECT_FALSE(watched_after(0, "zzz", {"DEL", "zzz"}));
  EXPECT_TRUE(watched_after(2, "a", {"SWAPDB", "2", "5"}));
  EXPECT_TRUE(watched_after(5, "a", {"FLUSHALL"}));
  h.Run({"SET", "k", "v"});
  EXPECT_TRUE(watched_after(0, "k", {"EXPIRE", "k", "100"}));
  EXPECT_TRUE(watched_after(0, "k", {"PERSIST", "k"}));
  EXPECT_FALSE(watched_after(0, "k", {"PERSIST", "k"}));
  EXPECT_TRUE(watched_after(0, "k", {"FLUSHDB"}));
}

TEST(GenericFamilyTest, DirtyCountsOnlyChanges) {
  CommandHarness h;
  int64_t& dirty = h.state().stats().dirty;
  h.Run({"MSET", "a", "1", "b", "2"});
  int64_t before = dirty;
  h.Run({"DEL", "a", "b", "missing"});
  EXPECT_EQ(dirty, before + 2);
  h.Run({"SET", "k", "v"});
  before = dirty;
  h.Run({"RENAME", "k", "k"});
  h.Run({"EXPIRE", "missing", "10"});
  h.Run({"EXPIRE", "k", "10", "XX"});
  h.Run({"PERSIST", "k"});
  h.Run({"TTL", "k"});
  EXPECT_EQ(dirty, before);
  h.Run({"EXPIRE", "k", "10"});
  h.Run({"RENAME", "k", "j"});
  h.Run({"SWAPDB", "0", "0"});
  EXPECT_EQ(dirty, before + 3);
}

TEST(GenericFamilyTest, NotificationsForRenameCopyMove) {
  NotifyingHarness h;
  h.Run({"SET", "a", "1"});
  h.TakeEvents();
  h.Run({"RENAME", "a", "b"});
  EXPECT_EQ(h.TakeEvents(),
            (std::vector<std::string>{"0__:new b", "0__:rename_from a", "0__:rename_to b"}));
  h.Run({"COPY", "b", "c", "DB", "3"});
  EXPECT_EQ(h.TakeEvents(), (std::vector<std::string>{"3__:new c", "3__:copy_to c"}));
  h.Run({"MOVE", "b", "1"});
  EXPECT_EQ(h.TakeEvents(),
            (std::vector<std::string>{"1__:new b", "0__:move_from b", "1__:move_to b"}));
  h.Run({"COPY", "nope", "x"});
  EXPECT_EQ(h.TakeEvents(), std::vector<std::string>{"0__:keymiss nope"});
  h.Run({"RENAME", "nope", "x"});
  EXPECT_TRUE(h.TakeEvents().empty());
}

TEST(GenericFamilyTest, NotificationsForDeleteExpireAndReads) {
  NotifyingHarness h;
  h.Run({"MSET", "a", "1", "b", "1"});
  h.TakeEvents();
  h.Run({"DEL", "a", "missing"});
  EXPECT_EQ(h.TakeEvents(), std::vector<std::string>{"0__:del a"});
  h.Run({"EXPIRE", "b", "100"});
  h.Run({"PERSIST", "b"});
  h.Run({"EXPIRE", "b", "0"});
  EXPECT_EQ(h.TakeEvents(),
            (std::vector<std::string>{"0__:expire b", "0__:persist b", "0__:del b"}));
  h.Run({"EXISTS", "x"});
  h.Run({"TYPE", "y"});
  h.Run({"TTL", "z"});
  h.Run({"OBJECT", "ENCODING", "w"});  // OBJECT never reports misses
  EXPECT_EQ(h.TakeEvents(),
            (std::vector<std::string>{"0__:keymiss x", "0__:keymiss y", "0__:keymiss z"}));
}

TEST(GenericFamilyTest, ExpireOptionsAndErrors) {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "FOO"}), "-ERR Unsupported option FOO");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "abc", "FOO"}), "-ERR Unsupported option FOO");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "NX", "XX"}),
            "-ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "nx", "gt"}),
            "-ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "GT", "LT"}),
            "-ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "abc"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "9223372036854775"}),
            "-ERR invalid expire time in 'expire' command");
  EXPECT_EQ(h.Run({"EXPIREAT", "k", "-9223372036854775808"}),
            "-ERR invalid expire time in 'expireat' command");
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "9223372036854775807"}),
            "-ERR invalid expire time in 'pexpire' command");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "GT"}), ":0");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "XX"}), ":0");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "LT"}), ":1");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "50", "NX"}), ":0");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "200", "lt"}), ":0");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "200", "GT", "XX"}), ":1");
  EXPECT_EQ(h.Run({"TTL", "k"}), ":200");
  EXPECT_EQ(h.Run({"EXPIRE", "missing", "100"}), ":0");
  EXPECT_EQ(h.Run({"EXPIRE", "k"}), "-ERR wrong number of arguments for 'expire' command");
}

TEST(GenericFamilyTest, ExpireInThePastDeletes) {
  CommandHarness h;
  for (const char* command : {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
    h.Run({"SET", "k", "v", "EX", "1000"});
    EXPECT_EQ(h.Run({command, "k", "-1"}), ":1") << command;
    EXPECT_EQ(h.Run({"EXISTS", "k"}), ":0") << command;
  }
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "-9223372036854775808"}), ":1");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), ":0");
}

TEST(GenericFamilyTest, TtlReadsAndRounding) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"TTL", "missing"}), ":-2");
  EXPECT_EQ(h.Run({"PEXPIRETIME", "missing"}), ":-2");
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"TTL", "k"}), ":-1");
  EXPECT_EQ(h.Run({"EXPIRETIME", "k"}), ":-1");
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "1499"}), ":1");
  EXPECT_EQ(h.Run({"TTL", "k"}), ":1");
  EXPECT_EQ(h.Run({"PTTL", "k"}), ":1499");
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "1500"}), ":1");
  EXPECT_EQ(h.Run({"TTL", "k"}), ":2");
  EXPECT_EQ(h.Run({"PEXPIREAT", "k", "4000000000789"}), ":1");
  EXPECT_EQ(h.Run({"EXPIRETIME", "k"}), ":4000000001");
  EXPECT_EQ(h.Run({"PEXPIRETIME", "k"}), ":4000000000789");
  EXPECT_EQ(h.Run({"PEXPIREAT", "k", "9223372036854775807"}), ":1");
  EXPECT_EQ(h.Run({"EXPIRETIME", "k"}), ":9223372036854776");
  EXPECT_EQ(h.Run({"PTTL", "k", "x"}), "-ERR wrong number of arguments for 'pttl' command");
}

TEST(GenericFamilyTest, Persist) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"PERSIST", "missing"}), ":0");
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"PERSIST", "k"}), ":0");
  h.Run({"EXPIRE", "k", "100"});
  EXPECT_EQ(h.Run({"PERSIST", "k"}), ":1");
  EXPECT_EQ(h.Run({"TTL", "k"}), ":-1");
}

TEST(GenericFamilyTest, ObjectSubcommands) {
  CommandHarness h;
  h.Run({"SET", "small", "100"});
  h.Run({"SET", "big", "100000"});
  h.Run({"SET", "s", "abc"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "small"}), "$3\r\nint");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "s"}), "$6\r\nembstr");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "missing"}), "$-1");
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "small"}), ":" + std::to_string(INT_MAX));
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "big"}), ":1");
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "s"}), ":1");
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "s"}),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust.");
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "missing"}), "$-1");
  h.clock().AdvanceMs(3000);
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "s"}), ":3");
  EXPECT_EQ(h.Run({"OBJECT"}), "-ERR wrong number of arguments for 'object' command");
  EXPECT_EQ(h.Run({"OBJECT", "FOO", "k"}), "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "a", "b"}),
            "-ERR wrong number of arguments for 'object|encoding' command");
  EXPECT_EQ(h.Run({"OBJECT", "HELP"}),
            "*15\r\n"
            "+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+ENCODING <key>\r\n"
            "+    Return the kind of internal representation used in order to store the value\r\n"
            "+    associated with a <key>.\r\n"
            "+FREQ <key>\r\n"
            "+    Return the access frequency index of the <key>. The returned integer is\r\n"
            "+    proportional to the logarithm of the recent access frequency of the key.\r\n"
            "+IDLETIME <key>\r\n"
            "+    Return the idle time of the <key>, that is the approximated number of\r\n"
            "+    seconds elapsed since the last access to the key.\r\n"
            "+REFCOUNT <key>\r\n"
            "+    Return the number of references of the value associated with the specified\r\n"
            "+    <key>.\r\n"
            "+HELP\r\n"
            "+    Prints this help.");
}

TEST(GenericFamilyTest, ObjectUnderLfuAndLruPolicies) {
  CommandHarness h;
  engine::KeyspaceConfig& config = h.keyspace().config();
  config.policy = engine::EvictionPolicy::kAllKeysLfu;
  config.lfu_decay_time = 0;
  h.Run({"SET", "f", "v"});
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "f"}), ":5");
  EXPECT_EQ(h.Run({"GET", "f"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "f"}), ":6");
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "f"}),
            "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time to "
            "adjust.");
  h.Run({"SET", "n", "5"});
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "n"}), ":" + std::to_string(INT_MAX));
  config.maxmemory_bytes = 1LL << 40;  // an LFU policy with maxmemory: no shared integers
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "n"}), ":1");
  config.policy = engine::EvictionPolicy::kVolatileTtl;
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "n"}), ":" + std::to_string(INT_MAX));
}

TEST(GenericFamilyTest, MemorySubcommands) {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  h.Run({"SET", "big", std::string(1000, 'x')});
  std::string small = h.Run({"MEMORY", "USAGE", "k"});
  ASSERT_EQ(small[0], ':');
  EXPECT_GT(std::stoll(small.substr(1)), 0);
  EXPECT_GT(std::stoll(h.Run({"MEMORY", "USAGE", "big", "SAMPLES", "0"}).substr(1)), 1000);
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "missing"}), "$-1");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "x"}),
            "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "missing", "SAMPLES", "-1"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "k", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "k", "SAMPLES"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE"}),
            "-ERR wrong number of arguments for 'memory|usage' command");
  EXPECT_EQ(h.Run({"MEMORY", "FOO"}), "-ERR unknown subcommand 'FOO'. Try MEMORY HELP.");
  EXPECT_EQ(h.Run({"MEMORY", "PURGE"}), "+OK");
  EXPECT_EQ(h.Run({"MEMORY", "HELP"}),
            "*14\r\n"
            "+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+DOCTOR\r\n"
            "+    Return memory problems reports.\r\n"
            "+MALLOC-STATS\r\n"
            "+    Return internal statistics report from the memory allocator.\r\n"
            "+PURGE\r\n"
            "+    Attempt to purge dirty pages for reclamation by the allocator.\r\n"
            "+STATS\r\n"
            "+    Return information about the memory usage of the server.\r\n"
            "+USAGE <key> [SAMPLES <count>]\r\n"
            "+    Return memory in bytes used by <key> and its value. Nested values are\r\n"
            "+    sampled up to <count> times (default: 5, 0 means sample all).\r\n"
            "+HELP\r\n"
            "+    Prints this help.");
  EXPECT_EQ(h.Run({"MEMORY", "STATS"}).substr(0, 26), "*56\r\n$14\r\npeak.allocated\r\n");
  EXPECT_EQ(h.Run({"MEMORY", "DOCTOR"}).substr(0, 1), "$");
  EXPECT_EQ(h.Run({"MEMORY", "MALLOC-STATS"}).substr(0, 1), "$");
}

TEST(GenericFamilyTest, CommandMetadata) {
  CommandHarness h;
  const CommandTable& table = h.state().table();
  const CommandSpec* swapdb = table.Find("swapdb");
  ASSERT_NE(swapdb, nullptr);
  EXPECT_EQ(swapdb->AllCategories(), kAclKeyspace | kAclWrite | kAclFast | kAclDangerous);
  const CommandSpec* del = table.Find("del");
  EXPECT_EQ(del->AllCategories(), kAclKeyspace | kAclWrite | kAclSlow);
  EXPECT_EQ(del->keys.last, -1);
  const CommandSpec* usage = table.Find("memory")->FindSubcommand("usage");
  ASSERT_NE(usage, nullptr);
  EXPECT_EQ(usage->AllCategories(), kAclRead | kAclSlow);
  EXPECT_EQ(table.Find("object")->AllCategories(), kAclSlow);
  EXPECT_EQ(table.Find("object")->FindSubcommand("help")->FlagNames(),
            (std::vector<std::string_view>{"loading", "stale"}));
  EXPECT_EQ(table.Find("copy")->FlagNames(), (std::vector<std::string_view>{"write", "denyoom"}));
}

}  // namespace
}  // namespace cairn::commands
