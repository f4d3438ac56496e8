#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/commands/notify.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::commands {
namespace {

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// One (un)subscribe frame: [word, name, count] (RESP2 array, RESP3 push).
std::string Frame(std::string_view word, std::string_view name, int count, int resp = 2) {
  return std::string(resp == 3 ? ">3\r\n" : "*3\r\n") + Bulk(word) + Bulk(name) + ":" +
         std::to_string(count) + "\r\n";
}

std::string Message(std::string_view channel, std::string_view message, int resp = 2) {
  return std::string(resp == 3 ? ">3\r\n" : "*3\r\n") + Bulk("message") + Bulk(channel) +
         Bulk(message);
}

std::string PMessage(std::string_view pattern, std::string_view channel, std::string_view message) {
  return "*4\r\n" + Bulk("pmessage") + Bulk(pattern) + Bulk(channel) + Bulk(message);
}

// Harness replies lose their final CRLF.
std::string Chop(std::string s) {
  return s.substr(0, s.size() - 2);
}

TEST(PubSubFamilyTest, SubscribePublishUnsubscribe) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SUBSCRIBE", "news", "sports", "news"}),
            Chop(Frame("subscribe", "news", 1) + Frame("subscribe", "sports", 2) +
                 Frame("subscribe", "news", 2)));
  EXPECT_TRUE(h.client(0).has_flag(kClientPubSub));
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "news", "hello"}), ":1");
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "nobody", "x"}), ":0");
  EXPECT_TRUE(h.client(0).pending_write);
  EXPECT_EQ(h.TakeOutput(0), Message("news", "hello"));
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "sports", std::string("\0\r\n", 3)}), ":1");
  EXPECT_EQ(h.TakeOutput(0), Message("sports", std::string("\0\r\n", 3)));
  EXPECT_EQ(h.Run({"UNSUBSCRIBE", "news", "nosuch"}),
            Chop(Frame("unsubscribe", "news", 1) + Frame("unsubscribe", "nosuch", 1)));
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "news", "gone"}), ":0");
  EXPECT_EQ(h.Run({"UNSUBSCRIBE"}), Chop(Frame("unsubscribe", "sports", 0)));
  EXPECT_FALSE(h.client(0).has_flag(kClientPubSub));
  EXPECT_EQ(h.Run({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0");
  EXPECT_EQ(h.Run({"GET", "k"}), "$-1");
}

TEST(PubSubFamilyTest, PatternsCountWithChannels) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SUBSCRIBE", "news.tech"}), Chop(Frame("subscribe", "news.tech", 1)));
  EXPECT_EQ(h.Run({"PSUBSCRIBE", "news.*", "h?llo"}),
            Chop(Frame("psubscribe", "news.*", 2) + Frame("psubscribe", "h?llo", 3)));
  // A channel match and a pattern match: message then pmessage, two receivers.
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "news.tech", "m1"}), ":2");
  EXPECT_EQ(h.TakeOutput(0), Message("news.tech", "m1") + PMessage("news.*", "news.tech", "m1"));
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "hallo", "m2"}), ":1");
  EXPECT_EQ(h.TakeOutput(0), PMessage("h?llo", "hallo", "m2"));
  EXPECT_EQ(h.RunAs(1, {"PUBSUB", "NUMPAT"}), ":2");
  EXPECT_EQ(h.Run({"PUNSUBSCRIBE", "h?llo", "nosuch"}),
            Chop(Frame("punsubscribe", "h?llo", 2) + Frame("punsubscribe", "nosuch", 2)));
  EXPECT_EQ(h.Run({"PUNSUBSCRIBE"}), Chop(Frame("punsubscribe", "news.*", 1)));
  EXPECT_EQ(h.Run({"PUNSUBSCRIBE"}), "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:1");
  EXPECT_TRUE(h.client(0).has_flag(kClientPubSub));
  EXPECT_EQ(h.RunAs(1, {"PUBSUB", "NUMPAT"}), ":0");
}

TEST(PubSubFamilyTest, PunsubscribeAllFollowsSubscriptionOrder) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"PSUBSCRIBE", "zz", "aa", "mm", "aa"}),
            Chop(Frame("psubscribe", "zz", 1) + Frame("psubscribe", "aa", 2) +
                 Frame("psubscribe", "mm", 3) + Frame("psubscribe", "aa", 3)));
  EXPECT_EQ(h.Run({"PUNSUBSCRIBE"}),
            Chop(Frame("punsubscribe", "zz", 2) + Frame("punsubscribe", "aa", 1) +
                 Frame("punsubscribe", "mm", 0)));
}

TEST(PubSubFamilyTest, Resp2SubscribedContext) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SUBSCRIBE", "c"}), Chop(Frame("subscribe", "c", 1)));
  EXPECT_EQ(h.Run({"GET", "k"}),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context");
  EXPECT_EQ(h.Run({"PUBSUB", "NUMPAT"}),
            "-ERR Can't execute 'pubsub|numpat': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
            "QUIT / RESET are allowed in this context");
  EXPECT_EQ(h.Run({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n");
  EXPECT_EQ(h.Run({"RESET"}), "+RESET");
  EXPECT_FALSE(h.client(0).has_flag(kClientPubSub));
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "c", "x"}), ":0");
  EXPECT_EQ(h.RunAs(1, {"PUBSUB", "NUMSUB", "c"}), "*2\r\n$1\r\nc\r\n:0");
}

TEST(PubSubFamilyTest, Resp3PushesAndAllowsCommands) {
  CommandHarness h;
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"SUBSCRIBE", "c"}), Chop(Frame("subscribe", "c", 1, 3)));
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"PING"}), "+PONG");
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "c", "pushed"}), ":1");
  EXPECT_EQ(h.TakeOutput(0), Message("c", "pushed", 3));
  // Publishing to itself: the push comes before the reply.
  EXPECT_EQ(h.Run({"PUBLISH", "c", "self"}), Message("c", "self", 3) + ":1");
  EXPECT_EQ(h.Run({"UNSUBSCRIBE"}), Chop(Frame("unsubscribe", "c", 0, 3)));
  EXPECT_EQ(h.Run({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0");
}

TEST(PubSubFamilyTest, SubscribeInsideMulti) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"SUBSCRIBE", "x"}), "+QUEUED");
  EXPECT_EQ(h.Run({"PUBLISH", "x", "m"}), "+QUEUED");
  EXPECT_EQ(h.Run({"SSUBSCRIBE", "s"}), "+QUEUED");
  // The message to itself lands inside EXEC's array, as in Redis.
  EXPECT_EQ(h.Run({"EXEC"}), "*3\r\n" + Frame("subscribe", "x", 1) + Message("x", "m") +
                                 ":1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  EXPECT_TRUE(h.client(0).has_flag(kClientPubSub));
}

TEST(PubSubFamilyTest, ArgumentErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SUBSCRIBE"}), "-ERR wrong number of arguments for 'subscribe' command");
  EXPECT_EQ(h.Run({"PSUBSCRIBE"}), "-ERR wrong number of arguments for 'psubscribe' command");
  EXPECT_EQ(h.Run({"PUBLISH", "c"}), "-ERR wrong number of arguments for 'publish' command");
  EXPECT_EQ(h.Run({"PUBLISH", "c", "m", "x"}),
            "-ERR wrong number of arguments for 'publish' command");
  EXPECT_EQ(h.Run({"PUBSUB"}), "-ERR wrong number of arguments for 'pubsub' command");
  EXPECT_EQ(h.Run({"PUBSUB", "FOO"}), "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.");
  EXPECT_EQ(h.Run({"PUBSUB", "NUMPAT", "x"}),
            "-ERR wrong number of arguments for 'pubsub|numpat' command");
  EXPECT_EQ(h.Run({"pubsub", "channels", "a", "b"}),
            "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB "
            "HELP.");
  EXPECT_EQ(h.Run({"PUBSUB", "HELP", "x"}),
            "-ERR wrong number of arguments for 'pubsub|help' command");
}

TEST(PubSubFamilyTest, PubSubIntrospection) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"PUBSUB", "CHANNELS"}), "*0");
  EXPECT_EQ(h.Run({"PUBSUB", "NUMSUB"}), "*0");
  EXPECT_EQ(h.RunAs(1, {"SUBSCRIBE", "news.a", "news.b", "other"}),
            Chop(Frame("subscribe", "news.a", 1) + Frame("subscribe", "news.b", 2) +
                 Frame("subscribe", "other", 3)));
  EXPECT_EQ(h.RunAs(2, {"SUBSCRIBE", "news.a", ""}),
            Chop(Frame("subscribe", "news.a", 1) + Frame("subscribe", "", 2)));
  EXPECT_EQ(h.Run({"PUBSUB", "CHANNELS"}),
            "*4\r\n$0\r\n\r\n$6\r\nnews.a\r\n$6\r\nnews.b\r\n$5\r\nother");
  EXPECT_EQ(h.Run({"PUBSUB", "CHANNELS", "news.*"}), "*2\r\n$6\r\nnews.a\r\n$6\r\nnews.b");
  // An empty pattern matches only the empty channel name.
  EXPECT_EQ(h.Run({"PUBSUB", "CHANNELS", ""}), "*1\r\n$0\r\n");
  EXPECT_EQ(h.Run({"PUBSUB", "NUMSUB", "news.a", "missing", "other"}),
            "*6\r\n$6\r\nnews.a\r\n:2\r\n$7\r\nmissing\r\n:0\r\n$5\r\nother\r\n:1");
  h.client(0).set_resp(3);
  EXPECT_EQ(h.Run({"PUBSUB", "NUMSUB", "other"}), "*2\r\n$5\r\nother\r\n:1");
  std::string help = h.Run({"PUBSUB", "HELP"});
  EXPECT_TRUE(help.starts_with(
      "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
  EXPECT_TRUE(help.ends_with("+HELP\r\n+    Prints this help."));
}

TEST(PubSubFamilyTest, ShardChannels) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SUNSUBSCRIBE"}), "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0");
  EXPECT_EQ(h.Run({"SSUBSCRIBE", "s1", "s2"}),
            Chop(Frame("ssubscribe", "s1", 1) + Frame("ssubscribe", "s2", 2)));
  // Shard subscriptions are counted apart from channels and patterns.
  EXPECT_EQ(h.Run({"SUBSCRIBE", "c"}), Chop(Frame("subscribe", "c", 1)));
  EXPECT_EQ(h.RunAs(1, {"SPUBLISH", "s1", "hi"}), ":1");
  EXPECT_EQ(h.TakeOutput(0), "*3\r\n" + Bulk("smessage") + Bulk("s1") + Bulk("hi"));
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "s1", "hi"}), ":0");
  EXPECT_EQ(h.RunAs(1, {"PUBSUB", "SHARDCHANNELS"}), "*2\r\n$2\r\ns1\r\n$2\r\ns2");
  EXPECT_EQ(h.RunAs(1, {"PUBSUB", "SHARDNUMSUB", "s1", "s3"}),
            "*4\r\n$2\r\ns1\r\n:1\r\n$2\r\ns3\r\n:0");
  EXPECT_EQ(h.RunAs(1, {"PUBSUB", "CHANNELS"}), "*1\r\n$1\r\nc");
  EXPECT_EQ(h.Run({"SUNSUBSCRIBE", "s1"}), Chop(Frame("sunsubscribe", "s1", 1)));
  EXPECT_EQ(h.Run({"UNSUBSCRIBE"}), Chop(Frame("unsubscribe", "c", 0)));
  EXPECT_TRUE(h.client(0).has_flag(kClientPubSub));  // s2 is left
  EXPECT_EQ(h.Run({"SUNSUBSCRIBE"}), Chop(Frame("sunsubscribe", "s2", 0)));
  EXPECT_FALSE(h.client(0).has_flag(kClientPubSub));
}

TEST(PubSubFamilyTest, ClosedClientLeavesNoSubscriptions) {
  CommandHarness h;
  EXPECT_EQ(h.RunAs(1, {"SUBSCRIBE", "c"}), Chop(Frame("subscribe", "c", 1)));
  EXPECT_EQ(h.RunAs(1, {"PSUBSCRIBE", "p*"}), Chop(Frame("psubscribe", "p*", 2)));
  EXPECT_EQ(h.RunAs(1, {"SSUBSCRIBE", "s"}), Chop(Frame("ssubscribe", "s", 1)));
  h.state().RemoveClient(&h.client(1));
  EXPECT_EQ(h.Run({"PUBLISH", "c", "x"}), ":0");
  EXPECT_EQ(h.Run({"PUBSUB", "NUMPAT"}), ":0");
  EXPECT_EQ(h.Run({"PUBSUB", "SHARDCHANNELS"}), "*0");
  h.state().AddClient(&h.client(1));  // the harness removes it again on destruction
}

// Subscribes client 1 to every keyspace notification and returns the harness.
void SubscribeToNotifications(CommandHarness& h, std::string_view flags) {
  h.config().notify_keyspace_events = *ParseNotifyFlags(flags);
  EXPECT_EQ(h.RunAs(1, {"PSUBSCRIBE", "__key*__:*"}), Chop(Frame("psubscribe", "__key*__:*", 1)));
}

std::string KeyspaceEvent(int db, std::string_view key, std::string_view event) {
  std::string channel = "__keyspace@" + std::to_string(db) + "__:" + std::string(key);
  return PMessage("__key*__:*", channel, event);
}

std::string KeyeventEvent(int db, std::string_view event, std::string_view key) {
  std::string channel = "__keyevent@" + std::to_string(db) + "__:" + std::string(event);
  return PMessage("__key*__:*", channel, key);
}

std::string Both(int db, std::string_view key, std::string_view event) {
  return KeyspaceEvent(db, key, event) + KeyeventEvent(db, event, key);
}

TEST(PubSubFamilyTest, KeyspaceNotificationsReachSubscribers) {
  CommandHarness h;
  SubscribeToNotifications(h, "KEA");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), Both(0, "k", "set"));
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "100"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), Both(0, "k", "set") + Both(0, "k", "expire"));
  EXPECT_EQ(h.Run({"INCR", "n"}), ":1");
  EXPECT_EQ(h.TakeOutput(1), Both(0, "n", "incrby"));
  EXPECT_EQ(h.Run({"SELECT", "3"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), Both(3, "k", "set"));
  // A failed write fires nothing.
  EXPECT_EQ(h.Run({"SET", "k", "x", "NX"}), "$-1");
  EXPECT_EQ(h.TakeOutput(1), "");
}

TEST(PubSubFamilyTest, KeyspaceNotificationClassesFilter) {
  CommandHarness h;
  SubscribeToNotifications(h, "E$");  // keyevent channel only, string class only
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "100"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), KeyeventEvent(0, "set", "k"));
  h.config().notify_keyspace_events = *ParseNotifyFlags("Kg");
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "100"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), KeyspaceEvent(0, "k", "expire"));
  h.config().notify_keyspace_events = *ParseNotifyFlags("A");  // no K or E: nothing
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.TakeOutput(1), "");
}

TEST(PubSubFamilyTest, NotifyFlagsPrintAsRedisDoes) {
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("KEA")), "AKE");
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("Kg$lshzxe")), "g$lshzxeK");
  // 'n' is printed with the classes, so "A" hides it; 'm' comes last.
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("An")), "A");
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("mnK")), "nKm");
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("")), "");
  EXPECT_FALSE(ParseNotifyFlags("KQ").has_value());
}

TEST(PubSubFamilyTest, GenericCommandNotifications) {
  CommandHarness h;
  if (h.state().table().Find("del") == nullptr || h.state().table().Find("expire") == nullptr) {
    GTEST_SKIP() << "DEL/EXPIRE are not registered yet (generic family)";
  }
  SubscribeToNotifications(h, "KEA");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100"}), ":1");
  EXPECT_EQ(h.Run({"DEL", "k", "missing"}), ":1");
  EXPECT_EQ(h.TakeOutput(1), Both(0, "k", "set") + Both(0, "k", "expire") + Both(0, "k", "del"));
}

TEST(PubSubFamilyTest, ExpiredEventsFromTheActiveExpireCycle) {
  CommandHarness h;
  // Wired as Server::OnKeyExpired does it; the harness has no keyspace observer of its own.
  struct Forwarder : engine::KeyspaceObserver {
    explicit Forwarder(ServerState& s) : state(s) {}
    void OnKeyExpired(int db, std::string_view key) override {
      state.TouchWatchedKey(db, key);
      state.Notify(kNotifyExpired, "expired", key, db);
    }
    void OnKeyEvicted(int, std::string_view) override {}
    ServerState& state;
  } forwarder(h.state());
  h.keyspace().set_observer(&forwarder);
  SubscribeToNotifications(h, "KEA");
  h.client(1).set_resp(3);
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "20"}), "+OK");
  h.TakeOutput(1);
  h.clock().AdvanceMs(50);
  h.keyspace().RefreshCommandTime();
  EXPECT_EQ(h.keyspace().ActiveExpireCycle(), 1);
  std::string expected = ">4\r\n" + Bulk("pmessage") + Bulk("__key*__:*") +
                         Bulk("__keyspace@0__:k") + Bulk("expired") + ">4\r\n" + Bulk("pmessage") +
                         Bulk("__key*__:*") + Bulk("__keyevent@0__:expired") + Bulk("k");
  EXPECT_EQ(h.TakeOutput(1), expected);
  h.keyspace().set_observer(nullptr);
}

TEST(PubSubFamilyTest, CommandMetadata) {
  CommandHarness h;
  const CommandTable& t = h.state().table();
  using Names = std::vector<std::string_view>;
  EXPECT_EQ(t.Find("subscribe")->FlagNames(), (Names{"pubsub", "noscript", "loading", "stale"}));
  EXPECT_EQ(t.Find("subscribe")->AllCategories(), kAclPubSub | kAclSlow);
  EXPECT_EQ(t.Find("publish")->FlagNames(), (Names{"pubsub", "loading", "stale", "fast"}));
  EXPECT_EQ(t.Find("publish")->AllCategories(), kAclPubSub | kAclFast);
  EXPECT_EQ(t.Find("unsubscribe")->arity, -1);
  const CommandSpec* pubsub = t.Find("pubsub");
  EXPECT_EQ(pubsub->arity, -2);
  EXPECT_EQ(pubsub->AllCategories(), kAclSlow);
  EXPECT_EQ(pubsub->subcommands.size(), 6u);
  const CommandSpec* help = pubsub->FindSubcommand("help");
  EXPECT_EQ(help->FlagNames(), (Names{"loading", "stale"}));
  EXPECT_EQ(help->AllCategories(), kAclSlow);
  const CommandSpec* numsub = pubsub->FindSubcommand("numsub");
  EXPECT_EQ(numsub->name, "pubsub|numsub");
  EXPECT_EQ(numsub->AllCategories(), kAclPubSub | kAclSlow);
  EXPECT_EQ(t.Find("spublish")->keys.first, 1);
  EXPECT_EQ(t.Find("spublish")->keys.last, 1);
}

}  // namespace
}  // namespace cairn::commands
