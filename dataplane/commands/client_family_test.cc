#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/commands/dispatch.h"

namespace cairn::commands {
namespace {

// The named fields of the first CLIENT LIST line in `reply`, as "name=value " pairs.
std::string Fields(const std::string& reply, const std::vector<std::string>& names) {
  std::string line = " " + reply.substr(reply.find("id="));
  std::string out;
  for (const std::string& name : names) {
    size_t at = line.find(" " + name + "=");
    if (at == std::string::npos) {
      out += name + "=<missing> ";
      continue;
    }
    size_t start = at + name.size() + 2;
    out += name + "=" + line.substr(start, line.find_first_of(" \n", start) - start) + " ";
  }
  return out;
}

TEST(ClientFamilyTest, IdSetnameGetname) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CLIENT", "ID"}), ":1");
  EXPECT_EQ(h.RunAs(1, {"CLIENT", "ID"}), ":2");
  EXPECT_EQ(h.Run({"CLIENT", "ID", "x"}), "-ERR wrong number of arguments for 'client|id' command");
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "$-1");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "worker-1"}), "+OK");
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "$8\r\nworker-1");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "has space"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "caf\xc3\xa9"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", ""}), "+OK");
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "$-1");
  EXPECT_EQ(h.Run({"CLIENT", "FOO"}), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.");
  EXPECT_EQ(h.Run({"CLIENT"}), "-ERR wrong number of arguments for 'client' command");
}

TEST(ClientFamilyTest, InfoLineHasRedisFieldsInOrder) {
  CommandHarness h;
  h.clock().AdvanceMs(5000);
  h.Run({"CLIENT", "SETNAME", "lister"});
  h.Run({"SELECT", "2"});
  std::string info = h.Run({"CLIENT", "INFO"});
  EXPECT_TRUE(info.starts_with("$")) << info;
  EXPECT_TRUE(info.find("\r\nid=1 addr=127.0.0.1:40000 laddr=127.0.0.1:6379 fd=-1 name=lister "
                        "age=5 idle=0 flags=N db=2 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 "
                        "qbuf-free=0 argv-mem=10 multi-mem=0 rbs=") != std::string::npos)
      << info;
  EXPECT_TRUE(info.ends_with(" events= cmd=client|info user=default redir=-1 resp=2\n")) << info;
  h.Run({"HELLO", "3"});
  EXPECT_TRUE(h.Run({"CLIENT", "INFO"}).starts_with("=")) << "RESP3 replies are verbatim";
}

TEST(ClientFamilyTest, ListShowsEveryClientAndFilters) {
  CommandHarness h;
  h.RunAs(1, {"SUBSCRIBE", "news"});
  h.RunAs(2, {"MULTI"});
  h.RunAs(2, {"SET", "k", "v"});
  std::string list = h.Run({"CLIENT", "LIST"});
  EXPECT_EQ(Fields(list, {"id", "flags", "cmd"}), "id=1 flags=N cmd=client|list ");
  size_t second = list.find("\nid=2 ");
  ASSERT_NE(second, std::string::npos) << list;
  EXPECT_EQ(Fields(list.substr(second), {"flags", "sub", "cmd"}), "flags=P sub=1 cmd=subscribe ");
  size_t third = list.find("\nid=3 ");
  ASSERT_NE(third, std::string::npos) << list;
  EXPECT_EQ(Fields(list.substr(third), {"flags", "multi", "multi-mem"}),
            "flags=x multi=1 multi-mem=5 ");
  EXPECT_EQ(Fields(h.Run({"CLIENT", "LIST", "TYPE", "pubsub"}), {"id"}), "id=2 ");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "master"}), "$0\r\n");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "foo"}), "-ERR Unknown client type 'foo'");
  std::string by_id = h.Run({"CLIENT", "LIST", "ID", "3", "999", "1"});
  EXPECT_LT(by_id.find("id=3 "), by_id.find("id=1 "));
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "ID", "999"}), "$0\r\n");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "ID", "abc"}), "-ERR Invalid client ID");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "ID"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "normal", "x"}), "-ERR syntax error");
}

TEST(ClientFamilyTest, KillErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "1.2.3.4:5"}), "-ERR No such client");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID"}), "-ERR No such client");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "abc"}), "-ERR client-id should be greater than 0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "0"}), "-ERR client-id should be greater than 0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "999"}), ":0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "foo", "bar"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "9", "SKIPME"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "SKIPME", "maybe"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "TYPE", "foo"}), "-ERR Unknown client type 'foo'");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "USER", "nosuchuser"}), "-ERR No such user 'nosuchuser'");
  EXPECT_EQ(h.Run({"CLIENT", "KILL"}), "-ERR wrong number of arguments for 'client|kill' command");
}

TEST(ClientFamilyTest, KillClosesOthersAndSelfAfterReply) {
  CommandHarness h;
  h.client(1);
  h.client(2);
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "2"}), ":1");
  EXPECT_TRUE(h.client(1).has_flag(kClientCloseAsap));
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ADDR", "127.0.0.1:40002", "SKIPME", "yes"}), ":1");
  EXPECT_TRUE(h.client(2).has_flag(kClientCloseAsap));
  // New form skips the caller by default; the old form does not.
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ADDR", "127.0.0.1:40000"}), ":0");
  EXPECT_FALSE(h.client(0).has_flag(kClientCloseAfterReply));
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "127.0.0.1:40000"}), "+OK");
  EXPECT_TRUE(h.client(0).has_flag(kClientCloseAfterReply));
  EXPECT_FALSE(h.client(0).has_flag(kClientCloseAsap));
}

TEST(ClientFamilyTest, KillByTypeAndUser) {
  CommandHarness h;
  h.RunAs(1, {"SUBSCRIBE", "c"});
  h.client(2);
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "TYPE", "pubsub"}), ":1");
  EXPECT_TRUE(h.client(1).has_flag(kClientCloseAsap));
  EXPECT_FALSE(h.client(2).has_flag(kClientCloseAsap));
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "USER", "default", "SKIPME", "no"}), ":3");
  EXPECT_TRUE(h.client(0).has_flag(kClientCloseAfterReply));
}

TEST(ClientFamilyTest, ReplyOffSkipOn) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "");
  EXPECT_EQ(h.Run({"NOSUCHCOMMAND"}), "");
  EXPECT_EQ(h.Run({"CLIENT", "REPLY", "ON"}), "+OK");
  EXPECT_EQ(h.Run({"CLIENT", "REPLY", "SKIP"}), "");
  EXPECT_EQ(h.Run({"SET", "k", "w"}), "");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nw");
  EXPECT_EQ(h.Run({"CLIENT", "REPLY", "maybe"}), "-ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "REPLY"}),
            "-ERR wrong number of arguments for 'client|reply' command");
}

TEST(ClientFamilyTest, NoEvict) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT", "ON"}), "+OK");
  EXPECT_TRUE(h.client(0).has_flag(kClientNoEvict));
  EXPECT_EQ(Fields(h.Run({"CLIENT", "INFO"}), {"flags"}), "flags=e ");
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT", "off"}), "+OK");
  EXPECT_FALSE(h.client(0).has_flag(kClientNoEvict));
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT", "maybe"}), "-ERR syntax error");
}

TEST(ClientFamilyTest, PauseAndUnpause) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "abc", "FOO"}),
            "-ERR CLIENT PAUSE mode must be WRITE or ALL");
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "abc"}), "-ERR timeout is not an integer or out of range");
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "-1"}), "-ERR timeout is negative");
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "10", "ALL", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.");
  int64_t now = h.clock().NowMs();
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "1000", "write"}), "+OK");
  EXPECT_EQ(h.state().pause().until_ms, now + 1000);
  EXPECT_TRUE(h.state().pause().writes_only);
  // A shorter pause does not shorten it; ALL makes it stricter.
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "10", "ALL"}), "+OK");
  EXPECT_EQ(h.state().pause().until_ms, now + 1000);
  EXPECT_FALSE(h.state().pause().writes_only);
  EXPECT_EQ(h.Run({"CLIENT", "UNPAUSE"}), "+OK");
  EXPECT_FALSE(h.state().pause().active(h.clock().NowMs()));
  EXPECT_NE(h.state().pause().until_ms, 0);  // the server resumes held clients
}

TEST(ClientFamilyTest, PauseWriteHoldsOnlyWrites) {
  CommandHarness h;
  h.Run({"CLIENT", "PAUSE", "1000", "WRITE"});
  using Args = std::vector<std::string_view>;
  EXPECT_FALSE(IsPostponedByPause(h.state(), h.client(0), Args{"GET", "k"}));
  EXPECT_TRUE(IsPostponedByPause(h.state(), h.client(0), Args{"SET", "k", "v"}));
  EXPECT_TRUE(IsPostponedByPause(h.state(), h.client(0), Args{"DEL", "k"}));
  h.client(1).set_flag(kClientReplica);
  EXPECT_FALSE(IsPostponedByPause(h.state(), h.client(1), Args{"SET", "k", "v"}));
  h.Run({"CLIENT", "PAUSE", "1000", "ALL"});
  EXPECT_TRUE(IsPostponedByPause(h.state(), h.client(0), Args{"GET", "k"}));
  h.clock().AdvanceMs(1001);
  EXPECT_FALSE(IsPostponedByPause(h.state(), h.client(0), Args{"SET", "k", "v"}));
}

TEST(ClientFamilyTest, HelpListsSubcommands) {
  CommandHarness h;
  std::string help = h.Run({"CLIENT", "HELP"});
  EXPECT_TRUE(help.starts_with(
      "*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
  EXPECT_TRUE(help.ends_with("+HELP\r\n+    Prints this help."));
}

TEST(ClientFamilyTest, MonitorFeedsCommandsAndRefusesKeyspaceAccess) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MONITOR"}), "+OK");
  EXPECT_TRUE(h.client(0).has_flag(kClientMonitor));
  EXPECT_EQ(h.Run({"MONITOR"}), "");  // ignored, as Redis does
  h.RunAs(1, {"SET", "k", "v"});
  h.RunAs(1, {"AUTH", "secret"});
  EXPECT_EQ(h.TakeOutput(0),
            "+1700000000.000000 [0 127.0.0.1:40001] \"SET\" \"k\" \"v\"\r\n"
            "+1700000000.000000 [0 127.0.0.1:40001] \"AUTH\" \"(redacted)\"\r\n");
  EXPECT_EQ(h.Run({"GET", "k"}), "-ERR Replica can't interact with the keyspace");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "-ERR Replica can't interact with the keyspace");
  EXPECT_EQ(Fields(h.Run({"CLIENT", "INFO"}), {"flags"}), "flags=O ");
  EXPECT_EQ(h.Run({"RESET"}), "+RESET");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv");
}

TEST(ClientFamilyTest, MonitorInsideMultiIsRefusedAtExec) {
  CommandHarness h;
  h.Run({"MULTI"});
  EXPECT_EQ(h.Run({"MONITOR"}), "+QUEUED");
  EXPECT_EQ(h.Run({"EXEC"}), "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client");
  EXPECT_FALSE(h.client(0).has_flag(kClientMonitor));
}

}  // namespace
}  // namespace cairn::commands
