#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/commands/config_rewrite.h"

namespace cairn::commands {
namespace {

// A harness with a few parameters of each kind registered (the server registers the real ones).
class ConfigFamilyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ParameterTable& t = h_.state().parameters();
    t.Add({.name = "hz",
           .get = [this] { return std::to_string(hz_); },
           .set = IntSetter(&hz_, 0, 500)});
    t.Add({.name = "maxmemory-policy",
           .get = [this] { return policy_; },
           .set = EnumSetter(&policy_, {"noeviction", "allkeys-lru"})});
    t.Add({.name = "requirepass",
           .flags = Parameter::kSensitive,
           .get = [this] { return password_; },
           .set = StringSetter(&password_)});
    t.Add({.name = "daemonize",
           .flags = Parameter::kImmutable,
           .get = [] { return std::string("no"); },
           .set = [](std::string_view, bool) { return Status::Ok(); }});
    t.Add({.name = "replica-read-only",
           .aliases = {"slave-read-only"},
           .get = [this] { return read_only_ ? "yes" : "no"; },
           .set = BoolSetter(&read_only_)});
    t.Add({.name = "save",
           .flags = Parameter::kMultiArg,
           .get = [this] { return save_; },
           .set = StringSetter(&save_)});
  }

  CommandHarness h_;
  int64_t hz_ = 10;
  std::string policy_ = "noeviction";
  std::string password_;
  bool read_only_ = true;
  std::string save_ = "3600 1";
};

TEST_F(ConfigFamilyTest, GetMatchesPatternsOnce) {
  EXPECT_EQ(h_.Run({"CONFIG", "GET", "hz"}), "*2\r\n$2\r\nhz\r\n$2\r\n10");
  EXPECT_EQ(h_.Run({"CONFIG", "GET", "hz", "h?", "hz"}), "*2\r\n$2\r\nhz\r\n$2\r\n10");
  EXPECT_EQ(h_.Run({"CONFIG", "GET", "nosuch", "nosuch*"}), "*0");
  EXPECT_EQ(h_.Run({"CONFIG", "GET"}), "-ERR wrong number of arguments for 'config|get' command");
  h_.Run({"HELLO", "3"});
  EXPECT_EQ(h_.Run({"CONFIG", "GET", "maxmemory-policy"}),
            "%1\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction");
}

TEST_F(ConfigFamilyTest, SetAppliesSeveralPairs) {
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "hz", "20", "MAXMEMORY-POLICY", "ALLKEYS-LRU"}), "+OK");
  EXPECT_EQ(hz_, 20);
  EXPECT_EQ(policy_, "allkeys-lru");
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "slave-read-only", "no"}), "+OK");
  EXPECT_FALSE(read_only_);
}

TEST_F(ConfigFamilyTest, SetErrorsChangeNothing) {
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "hz", "x"}),
            "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be "
            "parsed into an integer");
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "nosuch", "1"}),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "hz", "10", "HZ", "11"}),
            "-ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "daemonize", "yes"}),
            "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            "immutable config");
  // The first problem wins: an immutable parameter before an unknown one.
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "daemonize", "yes", "nosuch", "1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            "immutable config");
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "hz", "10", "hz"}), "-ERR syntax error");
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "hz"}),
            "-ERR wrong number of arguments for 'config|set' command");
  // A value that fails to apply rolls back the pairs applied before it.
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "hz", "5", "maxmemory-policy", "bad"}),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
            "argument(s) must be one of the following: noeviction, allkeys-lru");
  EXPECT_EQ(hz_, 10);
}

TEST_F(ConfigFamilyTest, SetRedactsSensitiveValues) {
  h_.config().slowlog_log_slower_than_us = 0;
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "requirepass", "s3cret", "hz", "11"}), "+OK");
  EXPECT_EQ(password_, "s3cret");
  std::string entry = h_.Run({"SLOWLOG", "GET", "1"});
  EXPECT_NE(entry.find("$11\r\nrequirepass\r\n$10\r\n(redacted)\r\n$2\r\nhz\r\n$2\r\n11\r\n"),
            std::string::npos)
      << entry;
  EXPECT_EQ(entry.find("s3cret"), std::string::npos);
}

TEST_F(ConfigFamilyTest, ResetStatZeroesStatisticsButNotTheSlowlog) {
  h_.config().slowlog_log_slower_than_us = 0;
  h_.Run({"GET", "missing"});
  h_.Run({"NOSUCHCOMMAND"});
  EXPECT_GT(h_.state().stats().total_commands_processed, 0);
  EXPECT_EQ(h_.Run({"CONFIG", "RESETSTAT"}), "+OK");
  EXPECT_EQ(h_.state().stats().total_commands_processed, 1);  // RESETSTAT itself, as in Redis
  EXPECT_EQ(h_.state().stats().total_error_replies, 0);
  EXPECT_TRUE(h_.state().stats().errorstats.empty());
  EXPECT_EQ(h_.keyspace().stats().keyspace_misses, 0);
  EXPECT_EQ(h_.state().table().Find("get")->calls, 0);
  EXPECT_EQ(h_.state().table().Find("get")->latency.count(), 0);
  EXPECT_EQ(h_.Run({"SLOWLOG", "LEN"}), ":2");  // GET and CONFIG RESETSTAT
  EXPECT_EQ(h_.Run({"CONFIG", "RESETSTAT", "x"}),
            "-ERR wrong number of arguments for 'config|resetstat' command");
}

TEST_F(ConfigFamilyTest, RewriteWithoutFileAndHelp) {
  EXPECT_EQ(h_.Run({"CONFIG", "REWRITE"}), "-ERR The server is running without a config file");
  EXPECT_TRUE(h_.Run({"CONFIG", "HELP"})
                  .starts_with("*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. "
                               "Subcommands are:\r\n+GET <pattern>\r\n"));
  EXPECT_EQ(h_.Run({"CONFIG", "FOO"}), "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.");
}

TEST_F(ConfigFamilyTest, RewriteTextKeepsCommentsAndAppendsChanges) {
  h_.Run({"CONFIG", "SET", "hz", "33", "requirepass", "a b", "save", ""});
  std::string text =
      "# top comment\n"
      "hz 15\n"
      "  # indented\n"
      "include other.conf\n"
      "HZ 20\n"
      "slave-read-only yes\n";
  EXPECT_EQ(RewriteConfigText(text, h_.state().parameters()),
            "# top comment\n"
            "hz 33\n"
            "  # indented\n"
            "include other.conf\n"
            "replica-read-only yes\n"
            "# Generated by CONFIG REWRITE\n"
            "requirepass \"a b\"\n"
            "save \"\"\n");
  // A second rewrite appends after the existing marker, without another one.
  std::string again =
      RewriteConfigText("hz 1\n# Generated by CONFIG REWRITE\n", h_.state().parameters());
  EXPECT_EQ(again, "hz 33\n# Generated by CONFIG REWRITE\nrequirepass \"a b\"\nsave \"\"\n");
}

TEST_F(ConfigFamilyTest, RewriteWritesTheFile) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cairn-config-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / "node.conf";
  {
    std::ofstream out(file);
    out << "# node\nhz 15\n";
  }
  h_.state().config_file = file.string();
  h_.Run({"CONFIG", "SET", "hz", "25"});
  EXPECT_EQ(h_.Run({"CONFIG", "REWRITE"}), "+OK");
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "# node\nhz 25\n");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cairn::commands
