#include "dataplane/protocol/reply_writer.h"

#include <string>

#include <gtest/gtest.h>

namespace cairn::protocol {
namespace {

std::string Drain(OutputBuffer& out) {
  std::string s;
  struct iovec iov[64];
  int n = out.FillIovecs(iov, 64);
  for (int i = 0; i < n; i++) {
    s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  }
  out.Consume(out.size());
  return s;
}

TEST(ReplyWriterTest, Resp2Encodings) {
  OutputBuffer out;
  ReplyWriter w(&out, 2);
  w.Ok();
  w.Integer(-42);
  w.Bulk("hi");
  w.Null();
  w.NullArray();
  w.MapHeader(1);
  w.Double(1.5);
  w.Bool(true);
  EXPECT_EQ(Drain(out), "+OK\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n*2\r\n$3\r\n1.5\r\n:1\r\n");
}

TEST(ReplyWriterTest, Resp3Encodings) {
  OutputBuffer out;
  ReplyWriter w(&out, 3);
  w.Null();
  w.MapHeader(2);
  w.SetHeader(3);
  w.PushHeader(3);
  w.Double(1.0 / 0.0);
  w.Bool(false);
  w.Verbatim("abc");
  EXPECT_EQ(Drain(out), "_\r\n%2\r\n~3\r\n>3\r\n,inf\r\n#f\r\n=7\r\ntxt:abc\r\n");
}

TEST(ReplyWriterTest, ErrorsNeverCarryNewlinesAndAreObserved) {
  struct Counter : ErrorObserver {
    std::string last;
    void OnErrorReply(std::string_view code) override { last = code; }
  } counter;
  OutputBuffer out;
  ReplyWriter w(&out);
  w.set_error_observer(&counter);
  w.Error("ERR bad\r\nthing");
  EXPECT_EQ(Drain(out), "-ERR bad  thing\r\n");
  EXPECT_EQ(counter.last, "ERR");
}

TEST(ReplyWriterTest, MutedWritesNothing) {
  OutputBuffer out;
  ReplyWriter w(&out);
  w.set_muted(true);
  w.Bulk("x");
  w.Error("ERR x");
  EXPECT_TRUE(out.empty());
}

TEST(OutputBufferTest, LargePayloadsAndPartialConsumes) {
  OutputBuffer out;
  std::string big(100000, 'x');
  out.Append("head");
  out.Append(big);
  out.Append("tail");
  EXPECT_EQ(out.size(), big.size() + 8);
  out.Consume(2);
  out.Consume(50000);
  std::string rest = Drain(out);
  EXPECT_EQ(rest.size(), big.size() + 8 - 50002);
  EXPECT_EQ(rest.substr(rest.size() - 4), "tail");
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace cairn::protocol
