#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/commands/key_specs.h"

namespace cairn::commands {
namespace {

// Redis 7.0.15's COMMAND INFO get, byte for byte.
constexpr char kGetInfo[] =
    "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n"
    "+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\n"
    "begin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"
    "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n"
    ":0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0";

TEST(CommandIntrospectionTest, InfoOfACommandMatchesRedis) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "get"}), kGetInfo);
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "GET"}), kGetInfo);
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "nosuch", "get|x", "client|nosuch"}),
            "*3\r\n$-1\r\n$-1\r\n$-1");
}

TEST(CommandIntrospectionTest, InfoOfSubcommandsAndResp3Shapes) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "CONFIG|GET"}),
            "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
            "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0");
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "client|list"}),
            "*1\r\n*10\r\n$11\r\nclient|list\r\n:-2\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n"
            "+stale\r\n:0\r\n:0\r\n:0\r\n~4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n"
            "~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0");
  std::string config = h.Run({"COMMAND", "INFO", "config"});
  EXPECT_TRUE(
      config.starts_with("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n"
                         "+@slow\r\n~0\r\n~0\r\n*5\r\n*10\r\n$10\r\nconfig|get\r\n"))
      << config;
}

TEST(CommandIntrospectionTest, KeySpecsWithNotesKeywordsAndUnknowns) {
  CommandHarness h;
  std::vector<KeySpec> set = KeySpecsFor(*h.state().table().Find("set"));
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].notes, "RW and ACCESS due to the optional `GET` argument");
  EXPECT_EQ(KeySpecFlagNames(set[0].flags),
            (std::vector<std::string_view>{"RW", "access", "update", "variable_flags"}));
  const std::vector<KeySpec>& sort = RedisKeySpecTable().at("sort");
  EXPECT_EQ(sort[1].begin, KeySpec::Begin::kUnknown);
  const std::vector<KeySpec>& xread = RedisKeySpecTable().at("xread");
  EXPECT_EQ(xread[0].begin, KeySpec::Begin::kKeyword);
  EXPECT_EQ(xread[0].keyword, "STREAMS");
  EXPECT_EQ(xread[0].limit, 2);
  // A command Redis does not have gets a spec from its key positions.
  CommandSpec custom{.name = "cairn-only", .arity = -2, .flags = kWrite, .keys = {1, -1, 1}};
  std::vector<KeySpec> derived = KeySpecsFor(custom);
  ASSERT_EQ(derived.size(), 1u);
  EXPECT_EQ(derived[0].index, 1);
  EXPECT_EQ(derived[0].lastkey, -1);
  EXPECT_EQ(KeySpecFlagNames(derived[0].flags), (std::vector<std::string_view>{"RW", "update"}));
}

TEST(CommandIntrospectionTest, GetKeysFollowsKeySpecs) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}), "*2\r\n$1\r\na\r\n$1\r\nb");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "EX", "1", "get"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "GET", "u8", "0"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "SET", "u8", "0", "1"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "BITOP", "AND", "d", "a"}),
            "*2\r\n*2\r\n$1\r\nd\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"}), "*1\r\n$1\r\nk");
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "GET", "k"}),
            "*1\r\n*2\r\n$1\r\nk\r\n~2\r\n+RO\r\n+access");
}

TEST(CommandIntrospectionTest, GetKeysErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "NOSUCHCOMMAND", "k"}), "-ERR Invalid command specified");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "CONFIG", "FOO"}), "-ERR Invalid command specified");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "PING", "x"}), "-ERR The command has no key arguments");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "CONFIG", "GET"}),
            "-ERR The command has no key arguments");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SET", "k"}),
            "-ERR Invalid number of arguments specified for command");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "GET"}),
            "-ERR wrong number of arguments for 'command|getkeys' command");
}

TEST(CommandIntrospectionTest, CountListAndFilters) {
  CommandHarness h;
  std::string count = h.Run({"COMMAND", "COUNT"});
  EXPECT_EQ(count, ":" + std::to_string(h.state().table().size()));
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*"}),
            "*5\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n$16\r\nconfig|resetstat\r\n"
            "$14\r\nconfig|rewrite\r\n$11\r\nconfig|help");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "CLIENT"}), "*1\r\n$6\r\nclient");
  std::string admin = h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "ADMIN"});
  EXPECT_NE(admin.find("$10\r\nconfig|get\r\n"), std::string::npos);
  EXPECT_EQ(admin.find("$6\r\nconfig\r\n"), std::string::npos);
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}), "*0");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}), "*0");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "FOO", "x"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "COUNT", "x"}),
            "-ERR wrong number of arguments for 'command|count' command");
  std::string all = h.Run({"COMMAND"});
  EXPECT_TRUE(all.starts_with("*" + count.substr(1) + "\r\n*10\r\n")) << all.substr(0, 40);
  EXPECT_EQ(h.Run({"COMMAND", "INFO"}), all);
}

TEST(CommandIntrospectionTest, DocsHaveSummarySinceGroup) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "DOCS", "get", "nosuch"}),
            "*2\r\n$3\r\nget\r\n*8\r\n$7\r\nsummary\r\n$26\r\nReturns the value of a key\r\n"
            "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n"
            "$4\r\nO(1)");
  h.Run({"HELLO", "3"});
  std::string config = h.Run({"COMMAND", "DOCS", "config"});
  EXPECT_TRUE(config.starts_with("%1\r\n$6\r\nconfig\r\n%4\r\n$7\r\nsummary\r\n")) << config;
  EXPECT_NE(config.find("$11\r\nsubcommands\r\n%5\r\n$10\r\nconfig|get\r\n%3\r\n"),
            std::string::npos)
      << config;
  EXPECT_EQ(h.Run({"COMMAND", "DOCS", "nosuch"}), "%0");
}

TEST(CommandIntrospectionTest, HelpAndUnknownSubcommand) {
  CommandHarness h;
  EXPECT_TRUE(h.Run({"COMMAND", "HELP"})
                  .starts_with("*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. "
                               "Subcommands are:\r\n+(no subcommand)\r\n"));
  EXPECT_EQ(h.Run({"COMMAND", "FOO"}), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.");
}

}  // namespace
}  // namespace cairn::commands
