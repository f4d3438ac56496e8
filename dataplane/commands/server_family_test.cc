#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/commands/debug_digest.h"
#include "dataplane/commands/latency_histogram.h"

namespace cairn::commands {
namespace {

// A RESP2 bulk reply as CommandHarness::Run returns it (without the final CRLF).
std::string Bulk(const std::string& body) {
  return "$" + std::to_string(body.size()) + "\r\n" + body;
}

// INFO ------------------------------------------------------------------------------------------

TEST(ServerFamilyTest, InfoDefaultShowsDefaultSectionsInRedisOrder) {
  CommandHarness h;
  h.state().AddInfoSection("server", [](std::string& out) { out += "redis_version:7.0.15\r\n"; });
  h.state().AddInfoSection(
      "commandstats", [](std::string& out) { out += "cmdstat_x:1\r\n"; },
      /*in_default=*/false);
  h.state().AddInfoSection(
      "errorstats", [](std::string& out) { out += "errorstat_ERR:1\r\n"; },
      /*in_default=*/false);
  h.state().AddInfoSection("keyspace", [](std::string&) {});
  std::string body =
      "# Server\r\nredis_version:7.0.15\r\n\r\n# Modules\r\n\r\n# Errorstats\r\n"
      "errorstat_ERR:1\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n";
  EXPECT_EQ(h.Run({"INFO"}), Bulk(body));
  EXPECT_EQ(h.Run({"INFO", "default"}), h.Run({"INFO"}));
  EXPECT_EQ(h.Run({"INFO", "SERVER", "commandstats"}),
            Bulk("# Server\r\nredis_version:7.0.15\r\n\r\n# Commandstats\r\ncmdstat_x:1\r\n"));
}

TEST(ServerFamilyTest, InfoAllUnknownAndResp3) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"INFO", "nosuchsection"}), "$0\r\n");
  EXPECT_EQ(h.Run({"INFO", "cluster", "nosuch"}), Bulk("# Cluster\r\ncluster_enabled:0\r\n"));
  std::string all = h.Run({"INFO", "all"});
  EXPECT_NE(all.find("# Latencystats\r\n"), std::string::npos);
  EXPECT_EQ(h.Run({"INFO", "everything"}).size(), all.size());
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.Run({"INFO", "modules"}), "=15\r\ntxt:# Modules\r\n");
}

TEST(ServerFamilyTest, InfoLatencystatsReportsCalledCommands) {
  CommandHarness h;
  h.Run({"PING"});
  std::string info = h.Run({"INFO", "latencystats"});
  EXPECT_NE(info.find("latency_percentiles_usec_ping:p50=1.031,p99=1.031,p99.9=1.031\r\n"),
            std::string::npos)
      << info;
  h.config().latency_tracking_percentiles = {50};
  info = h.Run({"INFO", "latencystats"});
  EXPECT_NE(info.find("latency_percentiles_usec_ping:p50=1.031\r\n"), std::string::npos) << info;
}

// TIME, LASTSAVE, SHUTDOWN ----------------------------------------------------------------------

TEST(ServerFamilyTest, TimeAndLastSave) {
  CommandHarness h;
  h.clock().SetMs(1'700'000'000'123);
  EXPECT_EQ(h.Run({"TIME"}), "*2\r\n$10\r\n1700000000\r\n$6\r\n123000");
  EXPECT_EQ(h.Run({"TIME", "x"}), "-ERR wrong number of arguments for 'time' command");
  EXPECT_EQ(h.Run({"LASTSAVE"}), ":1700000000");  // the start time until a save happens
  h.state().last_save_s = 1'700'000'100;
  EXPECT_EQ(h.Run({"LASTSAVE"}), ":1700000100");
}

TEST(ServerFamilyTest, ShutdownParsesFlagsAndCallsTheServer) {
  CommandHarness h;
  std::string seen;
  h.state().shutdown = [&seen](Client&, bool save, bool nosave, bool now,
                               bool force) -> std::string {
    seen =
        std::to_string(save) + std::to_string(nosave) + std::to_string(now) + std::to_string(force);
    return save ? "ERR Errors trying to SHUTDOWN. Check logs." : "";
  };
  EXPECT_EQ(h.Run({"SHUTDOWN", "FOO"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SHUTDOWN", "NOSAVE", "SAVE"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SHUTDOWN", "ABORT", "NOW"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"SHUTDOWN", "ABORT"}), "-ERR No shutdown in progress.");
  EXPECT_EQ(seen, "");
  EXPECT_EQ(h.Run({"SHUTDOWN", "SAVE"}), "-ERR Errors trying to SHUTDOWN. Check logs.");
  EXPECT_EQ(seen, "1000");
  EXPECT_EQ(h.Run({"SHUTDOWN", "nosave", "NOW", "force"}), "");
  EXPECT_EQ(seen, "0111");
  bool waiting = true;
  h.state().abort_shutdown = [&waiting] { return std::exchange(waiting, false); };
  EXPECT_EQ(h.Run({"SHUTDOWN", "ABORT"}), "+OK");
  EXPECT_EQ(h.Run({"SHUTDOWN", "abort"}), "-ERR No shutdown in progress.");
  h.Run({"MULTI"});
  EXPECT_EQ(h.Run({"SHUTDOWN"}), "-ERR Command not allowed inside a transaction");
}

// SLOWLOG ---------------------------------------------------------------------------------------

TEST(ServerFamilyTest, SlowlogRecordsTrimsAndResets) {
  CommandHarness h;
  h.config().slowlog_log_slower_than_us = 0;
  h.Run({"SLOWLOG", "RESET"});
  h.Run({"CLIENT", "SETNAME", "slow"});
  h.Run({"SET", "k", std::string(130, 'x')});
  EXPECT_EQ(h.Run({"SLOWLOG", "LEN"}), ":3");
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "1"}),
            "*1\r\n*6\r\n:3\r\n:1700000000\r\n:0\r\n*2\r\n$7\r\nSLOWLOG\r\n$3\r\nLEN\r\n"
            "$15\r\n127.0.0.1:40000\r\n$4\r\nslow");
  std::string set = h.Run({"SLOWLOG", "GET", "3"});
  EXPECT_NE(set.find("$146\r\n" + std::string(128, 'x') + "... (2 more bytes)\r\n"),
            std::string::npos)
      << set;
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "0"}), "*0");
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "x"}), "-ERR count should be greater than or equal to -1");
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "-2"}), "-ERR count should be greater than or equal to -1");
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "1", "2"}),
            "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.");
  EXPECT_EQ(h.Run({"SLOWLOG", "RESET"}), "+OK");
  EXPECT_EQ(h.Run({"SLOWLOG", "LEN"}), ":1");  // the RESET itself is logged after it ran
  EXPECT_EQ(h.Run({"SLOWLOG", "FOO"}), "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.");
  EXPECT_TRUE(h.Run({"SLOWLOG", "HELP"})
                  .starts_with("*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. "
                               "Subcommands are:\r\n+GET [<count>]\r\n"));
}

TEST(ServerFamilyTest, SlowlogRedactsPasswords) {
  CommandHarness h;
  h.config().slowlog_log_slower_than_us = 0;
  h.Run({"AUTH", "secret"});
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "1"}),
            "*1\r\n*6\r\n:0\r\n:1700000000\r\n:0\r\n*2\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n"
            "$15\r\n127.0.0.1:40000\r\n$0\r\n");
}

// LATENCY ---------------------------------------------------------------------------------------

TEST(ServerFamilyTest, LatencyEventsLatestHistoryReset) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"LATENCY", "LATEST"}), "*0");
  EXPECT_EQ(h.Run({"LATENCY", "HISTORY", "command"}), "*0");
  EXPECT_EQ(h.Run({"LATENCY", "GRAPH", "command"}),
            "-ERR No samples available for event 'command'");
  h.state().AddLatencySample("command", 20);
  h.clock().AdvanceMs(2000);
  h.state().AddLatencySample("command", 5);
  EXPECT_EQ(h.Run({"LATENCY", "LATEST"}), "*1\r\n*4\r\n$7\r\ncommand\r\n:1700000002\r\n:5\r\n:20");
  EXPECT_EQ(h.Run({"LATENCY", "HISTORY", "command"}),
            "*2\r\n*2\r\n:1700000000\r\n:20\r\n*2\r\n:1700000002\r\n:5");
  std::string graph = h.Run({"LATENCY", "GRAPH", "command"});
  EXPECT_TRUE(graph.starts_with("$")) << graph;
  EXPECT_NE(graph.find("command - high 20 ms, low 5 ms (all time high 20 ms)\n"),
            std::string::npos);
  EXPECT_TRUE(h.Run({"LATENCY", "DOCTOR"}).starts_with("$"));
  EXPECT_EQ(h.Run({"LATENCY", "RESET", "nosuch", "command"}), ":1");
  EXPECT_EQ(h.Run({"LATENCY", "RESET"}), ":0");
  EXPECT_EQ(h.Run({"LATENCY", "HISTORY"}),
            "-ERR wrong number of arguments for 'latency|history' command");
}

TEST(ServerFamilyTest, LatencyHistogramCountsCalls) {
  CommandHarness h;
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "1"});
  // The harness clock does not move during a command: every call takes 0 us, reported in the
  // first bucket (1 us), as Redis clamps durations below 1 us.
  EXPECT_EQ(
      h.Run({"LATENCY", "HISTOGRAM", "set", "nosuch"}),
      "*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n*2\r\n:1\r\n:2");
  EXPECT_EQ(h.Run({"LATENCY", "HISTOGRAM", "nosuch"}), "*0");
  h.Run({"CONFIG", "RESETSTAT"});
  EXPECT_EQ(h.Run({"LATENCY", "HISTOGRAM", "config"}),
            "*2\r\n$16\r\nconfig|resetstat\r\n*4\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n"
            "*2\r\n:1\r\n:1");
}

TEST(LatencyHistogramTest, BucketsAndPercentilesFollowRedisLabels) {
  LatencyHistogram hist;
  EXPECT_TRUE(hist.CumulativeBuckets().empty());
  EXPECT_EQ(hist.ValueAtPercentileUs(50), 0);
  hist.Record(8);
  hist.Record(16);
  hist.Record(100);
  hist.Record(5'000'000);  // clamped to 1 s
  using Buckets = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(hist.CumulativeBuckets(), (Buckets{{8, 1}, {16, 2}, {132, 3}, {1082130, 4}}));
  EXPECT_EQ(hist.count(), 4);
  EXPECT_NEAR(hist.ValueAtPercentileUs(50), 16.063, 0.0001);
  EXPECT_NEAR(hist.ValueAtPercentileUs(100), 1002438.655, 0.0001);
  hist.Reset();
  EXPECT_EQ(hist.count(), 0);
}

// DEBUG -----------------------------------------------------------------------------------------

TEST(ServerFamilyTest, DebugIsRefusedUnlessEnabled) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "0"}),
            "-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
            "\"local\", you can run it from a local connection, otherwise you need to set this "
            "option in the configuration file, and then restart the server.");
}

TEST(ServerFamilyTest, DebugMiscSubcommands) {
  CommandHarness h;
  h.config().enable_debug_command = "yes";
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "0"}), "+OK");
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "abc"}), "+OK");
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP"}),
            "-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.");
  EXPECT_EQ(h.Run({"DEBUG", "FOO"}),
            "-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.");
  EXPECT_EQ(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "+OK");
  EXPECT_FALSE(h.keyspace().config().active_expire);
  EXPECT_EQ(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}), "+OK");
  EXPECT_TRUE(h.keyspace().config().active_expire);
  EXPECT_EQ(h.Run({"DEBUG", "PAUSE-CRON", "1"}), "+OK");
  EXPECT_TRUE(h.state().cron_paused);
  EXPECT_EQ(h.Run({"DEBUG", "PAUSE-CRON", "0"}), "+OK");
  EXPECT_FALSE(h.state().cron_paused);
  EXPECT_EQ(h.Run({"DEBUG", "CHANGE-REPL-ID"}), "+OK");
  EXPECT_EQ(h.Run({"DEBUG", "LOG", "hello"}), "+OK");
  EXPECT_EQ(h.Run({"DEBUG", "ERROR", "some error"}), "-some error");
  EXPECT_TRUE(
      h.Run({"DEBUG", "HELP"})
          .starts_with(
              "*42\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
}

TEST(ServerFamilyTest, DebugObjectDescribesStrings) {
  CommandHarness h;
  h.config().enable_debug_command = "yes";
  h.Run({"SET", "small", "v"});
  h.Run({"SET", "shared", "123"});
  h.Run({"SET", "big", "100000"});
  h.clock().AdvanceMs(3000);
  auto fields = [&h](const std::string& key) {
    std::string reply = h.Run({"DEBUG", "OBJECT", key});
    return reply.substr(reply.find(" refcount"));
  };
  EXPECT_EQ(fields("small"), " refcount:1 encoding:embstr serializedlength:2 lru:" +
                                 std::to_string(h.keyspace().db(0).Find("small")->clock()) +
                                 " lru_seconds_idle:3");
  EXPECT_TRUE(fields("shared").starts_with(" refcount:2147483647 encoding:int serializedlength:2"));
  EXPECT_TRUE(fields("big").starts_with(" refcount:1 encoding:int serializedlength:5"));
  EXPECT_TRUE(h.Run({"DEBUG", "OBJECT", "small"}).starts_with("+Value at:0x"));
  EXPECT_EQ(h.Run({"DEBUG", "OBJECT", "missing"}), "-ERR no such key");
}

TEST(ServerFamilyTest, DebugDigestMatchesRedis) {
  CommandHarness h;
  h.config().enable_debug_command = "yes";
  EXPECT_EQ(h.Run({"DEBUG", "DIGEST"}), "+0000000000000000000000000000000000000000");
  h.Run({"SET", "k", "v"});
  // Values computed by redis-server 7.0.15 for the same data.
  EXPECT_EQ(h.Run({"DEBUG", "DIGEST"}), "+264ccf65edec66bccfa7cc659414ccca432057d2");
  EXPECT_EQ(h.Run({"DEBUG", "DIGEST-VALUE", "k", "missing"}),
            "*2\r\n+d79ee9fe5d5ad902d7f6620efc3b07b75ddd742f\r\n"
            "+0000000000000000000000000000000000000000");
  h.Run({"EXPIRE", "k", "100"});
  EXPECT_EQ(h.Run({"DEBUG", "DIGEST"}), "+bf83f210388eea94f06fb90d517490e16a08d7dd");
  h.Run({"SELECT", "1"});
  h.Run({"SET", "n", "123"});
  EXPECT_EQ(h.Run({"DEBUG", "DIGEST"}), "+a405f20103597ce6a016205c5ba6ef611baa911b");
  EXPECT_EQ(h.Run({"DEBUG", "DIGEST-VALUE"}), "*0");
  EXPECT_EQ(h.Run({"DEBUG", "DIGEST", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.");
}

TEST(ServerFamilyTest, DebugProtocolInBothProtocols) {
  CommandHarness h;
  h.config().enable_debug_command = "yes";
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "double"}), "$5\r\n3.141");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "bignum"}), "$37\r\n1234567999999999999999999999999999999");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "map"}), "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "attrib"}),
            "$39\r\nSome real reply following the attribute");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "push"}), "-ERR RESP2 is not supported by this command");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "nosuch"}),
            "-ERR Wrong protocol type name. Please use one of the following: "
            "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "double"}), ",3.141");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "bignum"}), "(1234567999999999999999999999999999999");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "null"}), "_");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "set"}), "~3\r\n:0\r\n:1\r\n:2");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "map"}), "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "attrib"}),
            "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
            "$39\r\nSome real reply following the attribute");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "push"}),
            ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
            "$40\r\nSome real reply following the push reply");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "verbatim"}), "=29\r\ntxt:This is a verbatim\nstring");
  EXPECT_EQ(h.Run({"DEBUG", "PROTOCOL", "true"}), "#t");
}

}  // namespace
}  // namespace cairn::commands
