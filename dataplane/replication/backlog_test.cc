#include "dataplane/replication/backlog.h"

#include <gtest/gtest.h>

namespace cairn::replication {
namespace {

TEST(BacklogTest, ServesEverythingWhileItFits) {
  Backlog b(16, 100);
  EXPECT_EQ(b.histlen(), 0);
  EXPECT_TRUE(b.CanServe(101));  // nothing missed
  b.Append("hello");
  EXPECT_EQ(b.end_offset(), 105);
  EXPECT_EQ(b.first_byte_offset(), 101);
  EXPECT_EQ(b.CopyFrom(101), "hello");
  EXPECT_EQ(b.CopyFrom(104), "lo");
  EXPECT_EQ(b.CopyFrom(106), "");
  EXPECT_FALSE(b.CanServe(100));
  EXPECT_FALSE(b.CanServe(107));
}

TEST(BacklogTest, WrapsAndKeepsTheNewestBytes) {
  Backlog b(8, 0);
  b.Append("abcdef");
  b.Append("ghijk");  // 11 bytes through an 8-byte ring
  EXPECT_EQ(b.histlen(), 8);
  EXPECT_EQ(b.first_byte_offset(), 4);
  EXPECT_EQ(b.CopyFrom(4), "defghijk");
  EXPECT_EQ(b.CopyFrom(9), "ijk");
  EXPECT_FALSE(b.CanServe(3));
  b.Append("0123456789abcdef");  // larger than the ring
  EXPECT_EQ(b.end_offset(), 27);
  EXPECT_EQ(b.CopyFrom(20), "89abcdef");
}

TEST(BacklogTest, ResizeKeepsTheTail) {
  Backlog b(8, 0);
  b.Append("abcdefgh");
  b.Resize(4);
  EXPECT_EQ(b.CopyFrom(b.first_byte_offset()), "efgh");
  EXPECT_EQ(b.end_offset(), 8);
  b.Resize(32);
  b.Append("ij");
  EXPECT_EQ(b.CopyFrom(5), "efghij");
}

TEST(BacklogTest, ReplicationIdsAreFortyHexDigits) {
  std::string id = NewReplicationId();
  EXPECT_EQ(id.size(), 40u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(id, NewReplicationId());
}

}  // namespace
}  // namespace cairn::replication
