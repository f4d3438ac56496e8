#include "dataplane/protocol/resp_parser.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cairn::protocol {
namespace {

using State = RespParser::State;

std::vector<std::string> Args(const RespParser& p) {
  return std::vector<std::string>(p.args().begin(), p.args().end());
}

TEST(RespParserTest, ParsesOneMultibulkCommand) {
  RespParser p;
  std::string in = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
  ASSERT_EQ(p.Parse(in, {}), State::kCommand);
  EXPECT_EQ(Args(p), (std::vector<std::string>{"SET", "k", "hello"}));
  EXPECT_EQ(p.consumed(), in.size());
}

TEST(RespParserTest, ResumesACommandSplitAtEveryByte) {
  std::string in = "*2\r\n$4\r\nECHO\r\n$12\r\nhello\r\nworld\r\n";
  RespParser p;
  for (size_t n = 0; n < in.size(); n++) {
    ASSERT_EQ(p.Parse(std::string_view(in).substr(0, n), {}), State::kNeedMore) << n;
  }
  ASSERT_EQ(p.Parse(in, {}), State::kCommand);
  EXPECT_EQ(Args(p), (std::vector<std::string>{"ECHO", "hello\r\nworld"}));
}

TEST(RespParserTest, PipelinedCommandsParseOneAtATime) {
  std::string in = "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\nPING\r\n";
  RespParser p;
  std::string_view rest = in;
  int commands = 0;
  while (p.Parse(rest, {}) == State::kCommand) {
    EXPECT_EQ(Args(p), std::vector<std::string>{"PING"});
    rest.remove_prefix(p.consumed());
    p.Reset();
    commands++;
  }
  EXPECT_EQ(commands, 3);
  EXPECT_TRUE(rest.empty());
}

TEST(RespParserTest, BinarySafeArguments) {
  std::string value("a\0b\r\nc", 6);
  std::string in = "*2\r\n$3\r\nGET\r\n$6\r\n" + value + "\r\n";
  RespParser p;
  ASSERT_EQ(p.Parse(in, {}), State::kCommand);
  EXPECT_EQ(std::string(p.args()[1]), value);
}

TEST(RespParserTest, EmptyAndNegativeCountsAreNoCommand) {
  for (std::string in : {"*0\r\n", "*-1\r\n", "\r\n", "   \r\n"}) {
    RespParser p;
    EXPECT_EQ(p.Parse(in, {}), State::kEmpty) << in;
    EXPECT_EQ(p.consumed(), in.size());
  }
}

TEST(RespParserTest, ErrorTextsMatchRedis) {
  struct Case {
    std::string input;
    std::string error;
  };
  std::vector<Case> cases = {
      {"*abc\r\n", "Protocol error: invalid multibulk length"},
      {"*3000000000\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'"},
      {"*1\r\n$-5\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$x\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"},
      {"SET \"k v\r\n", "Protocol error: unbalanced quotes in request"},
      {"*" + std::string(70000, '1'), "Protocol error: too big mbulk count string"},
      {"*1\r\n" + std::string(70000, '$'), "Protocol error: too big bulk count string"},
      {std::string(70000, 'a'), "Protocol error: too big inline request"},
  };
  for (const Case& c : cases) {
    RespParser p;
    EXPECT_EQ(p.Parse(c.input, {}), State::kError) << c.input.substr(0, 40);
    EXPECT_EQ(p.error(), c.error);
  }
}

TEST(RespParserTest, UnauthenticatedLimits) {
  ParserLimits limits{.auth_required = true};
  RespParser p;
  EXPECT_EQ(p.Parse("*11\r\n", limits), State::kError);
  EXPECT_EQ(p.error(), "Protocol error: unauthenticated multibulk length");
  RespParser q;
  EXPECT_EQ(q.Parse("*1\r\n$16385\r\n", limits), State::kError);
  EXPECT_EQ(q.error(), "Protocol error: unauthenticated bulk length");
  RespParser r;
  EXPECT_EQ(r.Parse("*2\r\n$4\r\nAUTH\r\n$1\r\np\r\n", limits), State::kCommand);
}

TEST(RespParserTest, ProtoMaxBulkLenIsConfigurable) {
  ParserLimits limits{.max_bulk_bytes = 10};
  RespParser p;
  EXPECT_EQ(p.Parse("*1\r\n$11\r\n", limits), State::kError);
  RespParser q;
  EXPECT_EQ(q.Parse("*1\r\n$10\r\n", limits), State::kNeedMore);
  EXPECT_EQ(q.PendingBulkBytes(), 9u + 12u);
}

TEST(RespParserTest, InlineCommandsWithQuotesAndEscapes) {
  RespParser p;
  ASSERT_EQ(p.Parse("SET k \"a\\x41\\n\" 'it\\'s'\r\n", {}), State::kCommand);
  EXPECT_EQ(Args(p), (std::vector<std::string>{"SET", "k", "aA\n", "it's"}));
  RespParser q;
  ASSERT_EQ(q.Parse("PING\n", {}), State::kCommand);
  EXPECT_EQ(q.consumed(), 5u);
}

TEST(SplitInlineArgsTest, ClosingQuoteMustEndTheArgument) {
  std::vector<std::string> out;
  EXPECT_FALSE(SplitInlineArgs("\"a\"b", &out));
  EXPECT_FALSE(SplitInlineArgs("'a'b", &out));
  EXPECT_TRUE(SplitInlineArgs("\"\" x", &out));
  EXPECT_EQ(out, (std::vector<std::string>{"", "x"}));
  EXPECT_TRUE(SplitInlineArgs(std::string("a\0b c", 5), &out));
  EXPECT_EQ(out, std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace cairn::protocol
