#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/engine/entry.h"

namespace cairn::commands {
namespace {

const std::string kPattern("\x00\xff\xf0\x0f\x55\xaa\x01\x80\x00\x00\xff", 11);

TEST(BitmapFamilyTest, SetBitAndGetBit) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"GETBIT", "missing", "0"}), ":0");
  EXPECT_EQ(h.Run({"SETBIT", "k", "7", "1"}), ":0");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\n\x01");
  EXPECT_EQ(h.Run({"GETBIT", "k", "7"}), ":1");
  EXPECT_EQ(h.Run({"GETBIT", "k", "6"}), ":0");
  EXPECT_EQ(h.Run({"SETBIT", "k", "7", "0"}), ":1");
  EXPECT_EQ(h.Run({"SETBIT", "k", "100", "1"}), ":0");
  EXPECT_EQ(h.Run({"STRLEN", "k"}), ":13");
  EXPECT_EQ(h.Run({"GETBIT", "k", "4294967295"}), ":0");
  EXPECT_EQ(h.Run({"SET", "n", "5"}), "+OK");
  EXPECT_EQ(h.Run({"SETBIT", "n", "6", "1"}), ":0");
  EXPECT_EQ(h.Run({"GET", "n"}), "$1\r\n7");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "n"}), "$3\r\nraw");
}

TEST(BitmapFamilyTest, SetBitErrors) {
  CommandHarness h;
  const std::string offset_error = "-ERR bit offset is not an integer or out of range";
  const std::string bit_error = "-ERR bit is not an integer or out of range";
  EXPECT_EQ(h.Run({"SETBIT", "k", "0", "2"}), bit_error);
  EXPECT_EQ(h.Run({"SETBIT", "k", "0", "-1"}), bit_error);
  EXPECT_EQ(h.Run({"SETBIT", "k", "0", "x"}), bit_error);
  EXPECT_EQ(h.Run({"SETBIT", "k", "-1", "1"}), offset_error);
  EXPECT_EQ(h.Run({"SETBIT", "k", "4294967296", "1"}), offset_error);
  EXPECT_EQ(h.Run({"GETBIT", "k", "1.5"}), offset_error);
  EXPECT_EQ(h.Run({"SETBIT", "k", "0"}), "-ERR wrong number of arguments for 'setbit' command");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), ":0");
  h.config().proto_max_bulk_len = 4;
  EXPECT_EQ(h.Run({"SETBIT", "k", "32", "1"}), offset_error);
  EXPECT_EQ(h.Run({"SETBIT", "k", "31", "1"}), ":0");
}

TEST(BitmapFamilyTest, SetBitOnlyCountsRealChanges) {
  CommandHarness h;
  int64_t before = h.state().stats().dirty;
  EXPECT_EQ(h.Run({"SETBIT", "k", "0", "0"}), ":0");  // creates the key: a change
  EXPECT_EQ(h.Run({"SETBIT", "k", "0", "0"}), ":0");  // no change
  EXPECT_EQ(h.Run({"SETBIT", "k", "3", "1"}), ":0");
  EXPECT_EQ(h.state().stats().dirty, before + 2);
}

TEST(BitmapFamilyTest, BitCountRanges) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", kPattern}), "+OK");
  EXPECT_EQ(h.Run({"BITCOUNT", "k"}), ":34");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "1", "1"}), ":8");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "3", "20", "BIT"}), ":12");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "-5", "-1", "bit"}), ":5");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "5", "2"}), ":0");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "-1", "-5", "FOO"}), ":0");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0", "1", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "a", "1"}), "-ERR value is not an integer or out of range");
  // A missing key answers 0 before the arguments are looked at (Redis 7.0).
  EXPECT_EQ(h.Run({"BITCOUNT", "missing", "0", "1", "FOO"}), ":0");
}

TEST(BitmapFamilyTest, BitPosRanges) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", kPattern}), "+OK");
  EXPECT_EQ(h.Run({"BITPOS", "k", "1"}), ":8");
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "1"}), ":20");
  EXPECT_EQ(h.Run({"BITPOS", "k", "1", "3", "20", "BIT"}), ":8");
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "-10", "-1", "BIT"}), ":78");
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "80", "200", "BIT"}), ":-1");
  EXPECT_EQ(h.Run({"BITPOS", "k", "1", "4", "100"}), ":33");
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "2", "4"}), ":20");
  EXPECT_EQ(h.Run({"BITPOS", "missing", "0"}), ":0");
  EXPECT_EQ(h.Run({"BITPOS", "missing", "1", "a"}), ":-1");
  EXPECT_EQ(h.Run({"SET", "ones", "\xff\xff\xff"}), "+OK");
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0"}), ":24");
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "1"}), ":24");
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "0", "-1"}), ":-1");
  EXPECT_EQ(h.Run({"SET", "e", ""}), "+OK");
  EXPECT_EQ(h.Run({"BITPOS", "e", "0"}), ":-1");
}

TEST(BitmapFamilyTest, BitPosErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "a"}), "+OK");
  EXPECT_EQ(h.Run({"BITPOS", "k", "2"}), "-ERR The bit argument must be 1 or 0.");
  EXPECT_EQ(h.Run({"BITPOS", "k", "x"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"BITPOS", "k", "1", "0", "b"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"BITPOS", "k", "1", "0", "b", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"BITPOS", "k", "1", "0", "1", "BIT", "x"}), "-ERR syntax error");
}

TEST(BitmapFamilyTest, BitOp) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", kPattern}), "+OK");
  EXPECT_EQ(h.Run({"SET", "ones", "\xff\xff\xff"}), "+OK");
  EXPECT_EQ(h.Run({"BITOP", "XOR", "d", "k", "ones"}), ":11");
  EXPECT_EQ(h.Run({"GET", "d"}),
            std::string("$11\r\n\xff\x00\x0f\x0f\x55\xaa\x01\x80\x00\x00\xff", 16));
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "$3\r\nraw");
  EXPECT_EQ(h.Run({"BITOP", "and", "d", "ones", "missing"}), ":3");
  EXPECT_EQ(h.Run({"GET", "d"}), std::string("$3\r\n\0\0\0", 7));
  EXPECT_EQ(h.Run({"BITOP", "NOT", "d", "ones"}), ":3");
  EXPECT_EQ(h.Run({"BITOP", "NOT", "d", "missing"}), ":0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), ":0");
  EXPECT_EQ(h.Run({"BITOP", "NOT", "d", "k", "k"}),
            "-ERR BITOP NOT must be called with a single source key.");
  EXPECT_EQ(h.Run({"BITOP", "FOO", "d", "k"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"BITOP", "AND", "d"}), "-ERR wrong number of arguments for 'bitop' command");
}

TEST(BitmapFamilyTest, BitfieldGetSetIncrBy) {
  CommandHarness h;
  EXPECT_EQ(
      h.Run({"BITFIELD", "b", "SET", "i8", "#1", "-100", "GET", "i8", "#1", "GET", "u8", "8"}),
      "*3\r\n:0\r\n:-100\r\n:156");
  EXPECT_EQ(h.Run({"BITFIELD", "b", "INCRBY", "i63", "0", "9223372036854775807"}),
            "*1\r\n:21955048183431167");
  EXPECT_EQ(h.Run({"BITFIELD", "b", "GET", "u63", "0", "GET", "i64", "0"}),
            "*2\r\n:21955048183431167\r\n:43910096366862334");
  EXPECT_EQ(h.Run({"BITFIELD", "c", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8", "0"}),
            "*2\r\n:0\r\n:255");
  EXPECT_EQ(h.Run({"BITFIELD", "c", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "200"}), "*1\r\n$-1");
  EXPECT_EQ(h.Run({"BITFIELD", "c"}), "*0");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"BITFIELD", "c", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"}), "*1\r\n_");
  EXPECT_EQ(h.Run({"BITFIELD_RO", "c", "GET", "i4", "0", "GET", "u16", "#2"}), "*2\r\n:-1\r\n:0");
}

TEST(BitmapFamilyTest, BitfieldErrors) {
  CommandHarness h;
  const std::string type_error =
      "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
      "i64 is.";
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u64", "0"}), type_error);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "i65", "0"}), type_error);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "U8", "0"}), type_error);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "#x"}),
            "-ERR bit offset is not an integer or out of range");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u8", "0", "x"}),
            "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "OVERFLOW", "FOO"}), "-ERR Invalid OVERFLOW type specified");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "OVERFLOW"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k", "SET", "u8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand");
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k", "SET", "u8", "0", "1", "GET", "u8", "x"}),
            "-ERR bit offset is not an integer or out of range");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), ":0");
}

TEST(BitmapFamilyTest, WriteNotificationsAndDirty) {
  CommandHarness h;
  h.config().notify_keyspace_events = kNotifyKeyevent | kNotifyAll;
  h.RunAs(1, {"PSUBSCRIBE", "__keyevent@0__:*"});
  h.TakeOutput(1);
  int64_t before = h.state().stats().dirty;
  EXPECT_EQ(h.Run({"BITFIELD", "b", "SET", "u8", "0", "0"}), "*1\r\n:0");  // created
  EXPECT_EQ(h.Run({"BITFIELD", "b", "SET", "u8", "0", "0"}), "*1\r\n:0");  // unchanged
  EXPECT_EQ(h.Run({"BITFIELD", "b", "SET", "u4", "0", "1", "SET", "u4", "4", "1"}),
            "*2\r\n:0\r\n:0");
  EXPECT_EQ(h.state().stats().dirty, before + 3);
  std::string events = h.TakeOutput(1);
  size_t count = 0;
  for (size_t at = events.find("setbit"); at != std::string::npos;
       at = events.find("setbit", at + 1)) {
    count++;
  }
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(h.Run({"SET", "t", "v"}), "+OK");
  h.TakeOutput(1);
  EXPECT_EQ(h.Run({"BITOP", "AND", "t", "missing"}), ":0");
  EXPECT_NE(h.TakeOutput(1).find("del"), std::string::npos);
}

TEST(BitmapFamilyTest, WrongTypeEverywhere) {
  CommandHarness h;
  h.InsertListForTest("l");
  const std::string wrong = "-WRONGTYPE Operation against a key holding the wrong kind of value";
  EXPECT_EQ(h.Run({"SET", "a", "abc"}), "+OK");
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"SETBIT", "l", "0", "1"},
                                             {"GETBIT", "l", "0"},
                                             {"BITCOUNT", "l"},
                                             {"BITCOUNT", "l", "0", "1", "FOO"},
                                             {"BITPOS", "l", "1"},
                                             {"BITOP", "AND", "d", "a", "l"},
                                             {"BITOP", "NOT", "d", "l"},
                                             {"BITFIELD", "l", "GET", "u8", "0"},
                                             {"BITFIELD_RO", "l", "GET", "u8", "0"},
                                             {"BITFIELD", "l", "SET", "u8", "0", "1"}}) {
    EXPECT_EQ(h.Run(cmd), wrong) << cmd[0];
  }
  // Argument errors come first where Redis checks them first.
  EXPECT_EQ(h.Run({"SETBIT", "l", "x", "1"}), "-ERR bit offset is not an integer or out of range");
  EXPECT_EQ(h.Run({"BITPOS", "l", "2"}), "-ERR The bit argument must be 1 or 0.");
  EXPECT_EQ(h.Run({"BITFIELD", "l", "GET", "u64", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
            "supported but i64 is.");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), ":0");
}

}  // namespace
}  // namespace cairn::commands
