#include "agent/render/node_config.h"

#include <gtest/gtest.h>

#include "dataplane/protocol/resp_parser.h"

namespace cairn::agent {
namespace {

TEST(NodeConfigTest, RendersOneLinePerParameter) {
  NodeConfig c;
  c.port = 7001;
  c.dir = "/var/lib/cairn/demo-0001-001";
  c.maxmemory_bytes = 268435456;
  c.parameters = {{"appendonly", "no"}};
  Result<std::string> text = RenderNodeConfig(c);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\nport 7001\n"), std::string::npos);
  EXPECT_NE(text->find("\nmaxmemory 268435456\n"), std::string::npos);
  EXPECT_NE(text->find("\ndir /var/lib/cairn/demo-0001-001\n"), std::string::npos);
  EXPECT_NE(text->find("\nappendonly no\n"), std::string::npos);
}

TEST(NodeConfigTest, QuotedValuesReadBackExactly) {
  // The engine's config loader splits lines like inline commands; the round trip must be exact.
  for (std::string value : {std::string("pa ss\"w\\ord"), std::string("tab\tnl\n"), std::string(""),
                            std::string("\x01\xff", 2)}) {
    std::string line = "requirepass " + QuoteConfigValue(value);
    std::vector<std::string> args;
    ASSERT_TRUE(protocol::SplitInlineArgs(line, &args)) << line;
    ASSERT_EQ(args.size(), 2u) << line;
    EXPECT_EQ(args[1], value);
  }
}

TEST(NodeConfigTest, RejectsBadParameterNames) {
  NodeConfig c;
  c.parameters = {{"bad name\nport", "1"}};
  EXPECT_EQ(RenderNodeConfig(c).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::agent
