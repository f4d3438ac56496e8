#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/engine/entry.h"

namespace cairn::commands {
namespace {

// Keyspace events seen by a PSUBSCRIBE client since the last call, as "event:key" strings.
class EventLog {
 public:
  explicit EventLog(CommandHarness& h) : h_(h) {
    h_.config().notify_keyspace_events = kNotifyKeyevent | kNotifyAll;
    h_.RunAs(1, {"PSUBSCRIBE", "__keyevent@0__:*"});
  }
  std::vector<std::string> Take() {
    std::string out = h_.TakeOutput(1);
    std::vector<std::string> events;
    const std::string marker = "__keyevent@0__:";
    for (size_t at = out.find(marker); at != std::string::npos; at = out.find(marker, at)) {
      size_t end = out.find('\r', at);
      std::string event = out.substr(at + marker.size(), end - at - marker.size());
      if (event == "*") {  // the pattern of the pmessage, not its channel
        at = end;
        continue;
      }
      // The key is the next bulk string: "$<len>\r\n<key>".
      size_t key_start = out.find('\n', end + 2) + 1;
      events.push_back(event + ":" + out.substr(key_start, out.find('\r', key_start) - key_start));
      at = end;
    }
    return events;
  }

 private:
  CommandHarness& h_;
};

using Events = std::vector<std::string>;

TEST(StringFamilyTest, SetGetAndOptions) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"SET", "k", "w", "NX"}), "$-1");
  EXPECT_EQ(h.Run({"SET", "k", "w", "XX", "GET"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"SET", "k", "x", "NX", "GET"}), "$1\r\nw");
  EXPECT_EQ(h.Run({"SET", "k", "x", "NX", "XX"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SET", "k", "x", "EX", "0"}), "-ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.Run({"SET", "k", "x", "EX", "abc"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"GET", "missing"}), "$-1");
}

TEST(StringFamilyTest, SetOptionConflictsAndRepeats) {
  CommandHarness h;
  // Repeating an option is fine (the last expire wins); mixing expire kinds is not.
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "10", "EX", "20"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "v", "GET", "GET"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"SET", "k", "v", "KEEPTTL", "KEEPTTL"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "10", "PX", "100"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SET", "k", "v", "KEEPTTL", "EX", "10"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SET", "k", "v", "PERSIST"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "9223372036854775807"}),
            "-ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.Run({"SETEX", "k", "-1", "v"}), "-ERR invalid expire time in 'setex' command");
  EXPECT_EQ(h.Run({"PSETEX", "k", "0", "v"}), "-ERR invalid expire time in 'psetex' command");
}

TEST(StringFamilyTest, SetWithPastTimeExpiresOnNextAccess) {
  CommandHarness h;
  EventLog log(h);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EXAT", "1"}), "+OK");
  EXPECT_EQ(log.Take(), (Events{"set:k", "expire:k"}));
  ASSERT_NE(h.keyspace().db(0).Find("k"), nullptr);
  int64_t expired = h.keyspace().stats().expired_keys;
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
  EXPECT_EQ(h.keyspace().db(0).Find("k"), nullptr);
  EXPECT_EQ(h.keyspace().stats().expired_keys, expired + 1);
}

TEST(StringFamilyTest, SetGetOnWrongTypeLeavesTheKey) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"GETSET", "k", "w"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"GETSET", "new", "w"}), "$-1");
  EXPECT_EQ(h.Run({"SET", "new2", "z", "XX", "GET"}), "$-1");
  EXPECT_EQ(h.Run({"GET", "new2"}), "$-1");
}

TEST(StringFamilyTest, ExpiryUsesTheCommandClock) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "100"}), "+OK");
  h.clock().AdvanceMs(99);
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv");
  h.clock().AdvanceMs(1);
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv") << "alive at exactly its expire time, as in Redis";
  h.clock().AdvanceMs(1);
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
}

TEST(StringFamilyTest, GetExSetsAndClearsTtl) {
  CommandHarness h;
  EventLog log(h);
  EXPECT_EQ(h.Run({"GETEX", "missing", "EX", "0"}), "$-1");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  log.Take();
  EXPECT_EQ(h.Run({"GETEX", "k"}), "$1\r\nv");
  EXPECT_EQ(h.Run({"GETEX", "k", "PERSIST"}), "$1\r\nv");
  EXPECT_EQ(log.Take(), Events{});
  EXPECT_EQ(h.Run({"GETEX", "k", "PX", "100"}), "$1\r\nv");
  EXPECT_EQ(log.Take(), (Events{"expire:k"}));
  EXPECT_TRUE(h.keyspace().db(0).Find("k")->has_expire());
  EXPECT_EQ(h.Run({"GETEX", "k", "PERSIST"}), "$1\r\nv");
  EXPECT_EQ(log.Take(), (Events{"persist:k"}));
  EXPECT_FALSE(h.keyspace().db(0).Find("k")->has_expire());
  EXPECT_EQ(h.Run({"GETEX", "k", "EXAT", "1"}), "$1\r\nv");
  EXPECT_EQ(log.Take(), (Events{"del:k"}));
  EXPECT_EQ(h.keyspace().db(0).Find("k"), nullptr);
}

TEST(StringFamilyTest, GetExErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"GETEX", "k", "EX"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "10", "PERSIST"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"GETEX", "k", "KEEPTTL"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"GETEX", "k", "NX"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "0"}), "-ERR invalid expire time in 'getex' command");
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "x"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"GETEX"}), "-ERR wrong number of arguments for 'getex' command");
}

TEST(StringFamilyTest, GetDelDeletesAndNotifies) {
  CommandHarness h;
  EventLog log(h);
  EXPECT_EQ(h.Run({"GETDEL", "k"}), "$-1");
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "100"}), "+OK");
  log.Take();
  EXPECT_EQ(h.Run({"GETDEL", "k"}), "$1\r\nv");
  EXPECT_EQ(log.Take(), (Events{"del:k"}));
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
  EXPECT_EQ(h.keyspace().db(0).expires_size(), 0u);
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

TEST(StringFamilyTest, IncrByFloat) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "2.5"}), "$3\r\n2.5");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "0.5"}), "$1\r\n3");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "f"}), "$6\r\nembstr");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "abc"}), "-ERR value is not a valid float");
  EXPECT_EQ(h.Run({"SET", "big", "1e308"}), "+OK");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "big", "1e308"}).substr(0, 10), "$309\r\n1999");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "inf"}), "-ERR increment would produce NaN or Infinity");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "1"}), "$1\r\n4");
}

TEST(StringFamilyTest, AppendAndStrlen) {
  CommandHarness h;
  EventLog log(h);
  EXPECT_EQ(h.Run({"STRLEN", "k"}), ":0");
  EXPECT_EQ(h.Run({"APPEND", "k", "12"}), ":2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "k"}), "$3\r\nint");
  EXPECT_EQ(h.Run({"APPEND", "k", ""}), ":2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "k"}), "$3\r\nraw");
  EXPECT_EQ(h.Run({"APPEND", "k", "34"}), ":4");
  EXPECT_EQ(h.Run({"GET", "k"}), "$4\r\n1234");
  EXPECT_EQ(h.Run({"STRLEN", "k"}), ":4");
  EXPECT_EQ(log.Take(), (Events{"append:k", "append:k", "append:k"}));
  h.config().proto_max_bulk_len = 5;
  EXPECT_EQ(h.Run({"APPEND", "k", "56"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

TEST(StringFamilyTest, GetRangeAndSubstr) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "s", "This is a string"}), "+OK");
  EXPECT_EQ(h.Run({"GETRANGE", "s", "0", "3"}), "$4\r\nThis");
  EXPECT_EQ(h.Run({"GETRANGE", "s", "-3", "-1"}), "$3\r\ning");
  EXPECT_EQ(h.Run({"SUBSTR", "s", "10", "100"}), "$6\r\nstring");
  EXPECT_EQ(h.Run({"GETRANGE", "s", "5", "3"}), "$0\r\n");
  EXPECT_EQ(h.Run({"GETRANGE", "missing", "0", "-1"}), "$0\r\n");
  EXPECT_EQ(h.Run({"GETRANGE", "s", "a", "1"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"GETRANGE", "missing", "0", "1.5"}),
            "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"SET", "n", "123456"}), "+OK");
  EXPECT_EQ(h.Run({"GETRANGE", "n", "1", "3"}), "$3\r\n234");
}

TEST(StringFamilyTest, SetRange) {
  CommandHarness h;
  EventLog log(h);
  EXPECT_EQ(h.Run({"SETRANGE", "k", "0", "hello"}), ":5");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "6", "world"}), ":11");
  EXPECT_EQ(h.Run({"GET", "k"}), std::string("$11\r\nhello\0world", 16));
  EXPECT_EQ(h.Run({"SETRANGE", "z", "10", ""}), ":0");
  EXPECT_EQ(h.Run({"EXISTS", "z"}), ":0");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "100", ""}), ":11");
  EXPECT_EQ(log.Take(), (Events{"setrange:k", "setrange:k"}));
  EXPECT_EQ(h.Run({"SET", "n", "12345"}), "+OK");
  EXPECT_EQ(h.Run({"SETRANGE", "n", "1", "9"}), ":5");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "n"}), "$3\r\nraw");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "-1", "x"}), "-ERR offset is out of range");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "abc", "x"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "536870912", "x"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "9223372036854775807", "x"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

TEST(StringFamilyTest, LcsReplies) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MSET", "key1", "ohmytext", "key2", "mynewtext"}), "+OK");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2"}), "$6\r\nmytext");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "LEN"}), ":6");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            "$3\r\nlen\r\n:6");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "IDX"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6");
  EXPECT_EQ(h.Run({"LCS", "missing", "missing"}), "$0\r\n");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"}),
            "%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            "$3\r\nlen\r\n:6");
}

TEST(StringFamilyTest, LcsErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MSET", "a", "abc", "b", "bcd"}), "+OK");
  EXPECT_EQ(h.Run({"LCS", "a", "b", "LEN", "IDX"}),
            "-ERR If you want both the length and indexes, please just use IDX.");
  EXPECT_EQ(h.Run({"LCS", "a", "b", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"LCS", "a", "b", "IDX", "MINMATCHLEN"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"LCS", "a", "b", "MINMATCHLEN", "x"}),
            "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"LCS", "a"}), "-ERR wrong number of arguments for 'lcs' command");
  h.config().proto_max_bulk_len = 15;
  EXPECT_EQ(h.Run({"LCS", "a", "b"}),
            "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
}

TEST(StringFamilyTest, MsetMgetAndResp3Nulls) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b", "2"}), "+OK");
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b"}), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(h.Run({"MGET", "a", "nope", "b"}), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2");
  EXPECT_EQ(h.Run({"MSETNX", "a", "9", "c", "3"}), ":0");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"GET", "nope"}), "_");
  EXPECT_EQ(h.Run({"GETEX", "nope"}), "_");
}

TEST(StringFamilyTest, WritesCountAsDirtyAndInvalidateWatch) {
  CommandHarness h;
  int64_t before = h.state().stats().dirty;
  EXPECT_EQ(h.Run({"SETRANGE", "k", "0", ""}), ":0");
  EXPECT_EQ(h.Run({"GETEX", "k"}), "$-1");
  EXPECT_EQ(h.state().stats().dirty, before);
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b", "2"}), "+OK");
  EXPECT_EQ(h.state().stats().dirty, before + 2);
  EXPECT_EQ(h.Run({"WATCH", "a"}), "+OK");
  EXPECT_EQ(h.RunAs(2, {"APPEND", "a", "x"}), ":2");
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "a"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*-1");
}

TEST(StringFamilyTest, WrongTypeEverywhere) {
  CommandHarness h;
  h.InsertListForTest("l");
  const std::string wrong = "-WRONGTYPE Operation against a key holding the wrong kind of value";
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "a", "abc"}), "+OK");
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"SET", "l", "v", "GET"},
                                             {"GETEX", "l"},
                                             {"GETEX", "l", "EX", "0"},
                                             {"GETDEL", "l"},
                                             {"GETSET", "l", "v"},
                                             {"APPEND", "l", "x"},
                                             {"STRLEN", "l"},
                                             {"GETRANGE", "l", "0", "1"},
                                             {"SUBSTR", "l", "0", "1"},
                                             {"SETRANGE", "l", "0", "x"},
                                             {"SETRANGE", "l", "0", ""},
                                             {"INCR", "l"},
                                             {"DECR", "l"},
                                             {"INCRBY", "l", "1"},
                                             {"DECRBY", "l", "1"},
                                             {"INCRBYFLOAT", "l", "1"},
                                             {"INCRBYFLOAT", "l", "abc"}}) {
    EXPECT_EQ(h.Run(cmd), wrong) << cmd[0];
  }
  EXPECT_EQ(h.Run({"MGET", "l", "k"}), "*2\r\n$-1\r\n$1\r\nv");
  EXPECT_EQ(h.Run({"LCS", "a", "l"}), "-ERR The specified keys must contain string values");
  EXPECT_EQ(h.Run({"LCS", "l", "a", "FOO"}), "-ERR The specified keys must contain string values");
  EXPECT_EQ(h.Run({"SET", "l", "v"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "l"}), "$1\r\nv");
}

}  // namespace
}  // namespace cairn::commands
