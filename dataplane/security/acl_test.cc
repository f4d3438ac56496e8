// Unit tests of the ACL model: rule parsing and errors, the canonical text, permission checks,
// ACL file text and the log. Uses a small catalog (the command layer's is tested end to end in
// tests/compat/test_acl.py against redis-server).
#include "dataplane/security/acl.h"

#include <gtest/gtest.h>

namespace cairn::security {
namespace {

constexpr uint64_t kRead = 1;
constexpr uint64_t kWrite = 2;
constexpr uint64_t kString = 4;
constexpr uint64_t kHash = 8;
constexpr uint64_t kAdmin = 16;

AclCatalog TestCatalog() {
  AclCatalog c({"read", "write", "string", "hash", "admin"});
  c.Add("get", kRead | kString, -1);
  c.Add("set", kWrite | kString, -1);
  c.Add("strlen", kRead | kString, -1);
  c.Add("hget", kRead | kHash, -1);
  c.Add("hset", kWrite | kHash, -1);
  c.Add("hdel", kWrite | kHash, -1);
  c.Add("debug", kAdmin, -1);
  c.Add("shutdown", kAdmin, -1);
  c.Add("select", 0, -1);
  int config = c.Add("config", 0, -1);
  c.Add("config|get", kAdmin, config);
  c.Add("config|set", kAdmin | kWrite, config);
  return c;
}

struct Fixture : ::testing::Test {
  Acl acl{TestCatalog()};
  std::string Describe(const std::string& name) { return acl.Find(name)->Describe(); }
  std::string Set(const std::string& name, std::vector<std::string_view> rules) {
    Status s = acl.SetUser(name, rules);
    return s.ok() ? "OK" : std::string(s.message());
  }
  AclVerdict Check(const std::string& user, std::vector<std::string_view> args,
                   std::vector<AclArgRef> keys = {}, std::vector<AclArgRef> channels = {}) {
    std::string full(args[0]);
    int id = acl.catalog().Find(full);
    if (acl.catalog().command(id).subcommands.size() > 0) {
      id = acl.catalog().Find(full + "|" + std::string(args[1]));
    }
    AclRequest r{.command_id = id, .args = &args, .keys = keys, .channels = channels};
    return acl.Find(user)->Check(r);
  }
};

TEST_F(Fixture, DefaultUserAndNewUser) {
  EXPECT_EQ(Describe("default"), "on nopass ~* &* +@all");
  EXPECT_EQ(Set("bob", {}), "OK");
  EXPECT_EQ(Describe("bob"), "off resetchannels -@all");
  EXPECT_EQ(Set("bob", {"reset"}), "OK");
  EXPECT_EQ(Describe("bob"), "off sanitize-payload resetchannels -@all");
  acl.set_pubsub_default_all(true);
  EXPECT_EQ(Set("carol", {"on"}), "OK");
  EXPECT_EQ(Describe("carol"), "on &* -@all");
}

TEST_F(Fixture, PasswordsAreHashedAndCompared) {
  EXPECT_EQ(Set("a", {"on", ">pw", ">pw", ">pw2", "<pw"}), "OK");
  AclUser* a = acl.Find("a");
  ASSERT_EQ(a->passwords().size(), 1u);
  EXPECT_EQ(a->passwords()[0], AclHashPassword("pw2"));
  EXPECT_TRUE(a->PasswordMatches("pw2"));
  EXPECT_FALSE(a->PasswordMatches("pw"));
  EXPECT_EQ(Describe("a"), "on #" + AclHashPassword("pw2") + " resetchannels -@all");
  EXPECT_EQ(Set("a", {"<nope"}),
            "ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove "
            "from the user does not exist");
  EXPECT_EQ(Set("a", {"#ABC"}),
            "ERR Error in ACL SETUSER modifier '#ABC': The password hash must be exactly 64 "
            "characters and contain only lowercase hexadecimal characters");
  EXPECT_EQ(Set("a", {"nopass"}), "OK");
  EXPECT_TRUE(a->PasswordMatches("anything"));
  EXPECT_EQ(Set("a", {">x"}), "OK");
  EXPECT_EQ(a->FlagNames(), std::vector<std::string>{"on"});
}

TEST_F(Fixture, RuleErrorsAreRedisTexts) {
  EXPECT_EQ(Set("u", {"foo"}), "ERR Error in ACL SETUSER modifier 'foo': Syntax error");
  EXPECT_EQ(Set("u", {"+nosuch"}),
            "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
  EXPECT_EQ(Set("u", {"+@nosuch"}),
            "ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(Set("u", {"%~x"}), "ERR Error in ACL SETUSER modifier '%~x': Syntax error");
  EXPECT_EQ(Set("u", {"+config|get|x"}),
            "ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a "
            "subcommand is not supported");
  EXPECT_EQ(Set("u", {"+get|"}), "ERR Error in ACL SETUSER modifier '+get|': Syntax error");
  EXPECT_EQ(Set("u", {"-select|0"}),
            "ERR Error in ACL SETUSER modifier '-select|0': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(Set("u", {"(+get"}), "ERR Unmatched parenthesis in acl selector starting at '(+get'.");
  EXPECT_EQ(Set("a b", {}), "ERR Usernames can't contain spaces or null characters");
  EXPECT_TRUE(Set("u", {"~*", "~x"}).find("Try 'resetkeys'") != std::string::npos);
  EXPECT_TRUE(Set("u", {"&*", "&x"}).find("Try 'resetchannels'") != std::string::npos);
  EXPECT_EQ(acl.Find("u"), nullptr);  // nothing applied on error
}

TEST_F(Fixture, FailedSetUserLeavesUserUnchanged) {
  EXPECT_EQ(Set("u", {"on", "+get"}), "OK");
  EXPECT_NE(Set("u", {"+set", "bad"}), "OK");
  EXPECT_EQ(Describe("u"), "on resetchannels -@all +get");
}

TEST_F(Fixture, CommandRulesDescribedCanonically) {
  EXPECT_EQ(Set("u", {"+@all", "-@hash", "+hget"}), "OK");
  EXPECT_EQ(Describe("u"), "off resetchannels +@all -@hash +hget");
  EXPECT_EQ(Set("u", {"-@all", "+config|get", "+config"}), "OK");
  EXPECT_EQ(Describe("u"), "off resetchannels -@all +config");
  EXPECT_EQ(Set("u", {"-@all", "+config", "-config|set"}), "OK");
  EXPECT_EQ(Describe("u"), "off resetchannels -@all +config -config|set");
  EXPECT_EQ(Set("u", {"-@all", "+select|0", "+SELECT|1"}), "OK");
  EXPECT_EQ(Describe("u"), "off resetchannels -@all +select|0 +select|1");
  EXPECT_EQ(Set("u", {"-@all", "+@string", "-@read"}), "OK");
  EXPECT_EQ(Describe("u"), "off resetchannels -@all +set");
  EXPECT_EQ(Set("u", {"-@all", "+@write", "-hset"}), "OK");
  EXPECT_EQ(Describe("u"), "off resetchannels -@all +@write -hset");
  EXPECT_EQ(Set("u", {"+@all", "-shutdown", "-debug"}), "OK");
  EXPECT_EQ(Describe("u"), "off resetchannels +@all -debug -shutdown");
}

TEST_F(Fixture, KeyAndChannelPatterns) {
  EXPECT_EQ(Set("u", {"%RW~x", "%R~y", "%W~z", "%R~x", "&c*", "&c*"}), "OK");
  AclUser* u = acl.Find("u");
  EXPECT_EQ(u->selectors()[0].DescribeKeys(), "~x %R~y %W~z");
  EXPECT_EQ(u->selectors()[0].DescribeChannels(), "&c*");
  EXPECT_EQ(Set("u", {"resetkeys", "%R~k", "%W~k"}), "OK");
  EXPECT_EQ(u->selectors()[0].DescribeKeys(), "~k");
  EXPECT_EQ(Set("u", {"allkeys"}), "OK");
  EXPECT_EQ(u->selectors()[0].DescribeKeys(), "~*");
}

TEST_F(Fixture, Selectors) {
  EXPECT_EQ(Set("u", {"on", "~k*", "+get", "(+set", "~s*)", "(+hget ~h* &c)"}), "OK");
  EXPECT_EQ(Describe("u"),
            "on ~k* resetchannels -@all +get (~s* resetchannels -@all +set) (~h* resetchannels "
            "&c -@all +hget)");
  EXPECT_TRUE(Check("u", {"set", "s1", "v"}, {{1, kAclWrite}}).ok());
  EXPECT_TRUE(Check("u", {"get", "k1"}, {{1, kAclRead}}).ok());
  AclVerdict v = Check("u", {"set", "k1", "v"}, {{1, kAclWrite}});
  EXPECT_EQ(v.denial, AclDenial::kKey);  // a key denial outranks the command denials
  EXPECT_EQ(Set("u", {"clearselectors"}), "OK");
  EXPECT_EQ(Describe("u"), "on ~k* resetchannels -@all +get");
}

TEST_F(Fixture, PermissionChecks) {
  EXPECT_EQ(Set("u", {"on", "+@all", "~k*", "%R~r*", "%W~w*", "&ch*"}), "OK");
  EXPECT_TRUE(Check("u", {"get", "k1"}, {{1, kAclRead}}).ok());
  EXPECT_EQ(Check("u", {"get", "x"}, {{1, kAclRead}}).denial, AclDenial::kKey);
  EXPECT_TRUE(Check("u", {"get", "r1"}, {{1, kAclRead}}).ok());
  EXPECT_EQ(Check("u", {"set", "r1", "v"}, {{1, kAclWrite}}).denial, AclDenial::kKey);
  EXPECT_TRUE(Check("u", {"set", "w1", "v"}, {{1, kAclWrite}}).ok());
  EXPECT_EQ(Check("u", {"get", "w1"}, {{1, kAclRead}}).denial, AclDenial::kKey);
  // Mixed allowed and denied keys: denied, naming the denied one.
  AclVerdict v = Check("u", {"get", "k1", "x1"}, {{1, kAclRead}, {2, kAclRead}});
  EXPECT_EQ(v.denial, AclDenial::kKey);
  EXPECT_EQ(v.pos, 2);
  EXPECT_TRUE(Check("u", {"get", "ch1"}, {}, {{1, 0, false}}).ok());
  EXPECT_EQ(Check("u", {"get", "zz"}, {}, {{1, 0, false}}).denial, AclDenial::kChannel);
  EXPECT_TRUE(Check("u", {"get", "ch*"}, {}, {{1, 0, true}}).ok());
  EXPECT_EQ(Check("u", {"get", "ch1*"}, {}, {{1, 0, true}}).denial, AclDenial::kChannel);

  EXPECT_EQ(Set("v", {"on", "-@all", "+config|get", "+select|0", "allkeys"}), "OK");
  EXPECT_TRUE(Check("v", {"config", "get", "x"}).ok());
  EXPECT_EQ(Check("v", {"config", "set", "x", "y"}).denial, AclDenial::kCommand);
  EXPECT_TRUE(Check("v", {"select", "0"}).ok());
  EXPECT_EQ(Check("v", {"select", "1"}).denial, AclDenial::kCommand);
  EXPECT_EQ(Check("v", {"get", "k"}).denial, AclDenial::kCommand);
}

TEST_F(Fixture, DefaultPasswordFollowsRequirepass) {
  acl.SetDefaultPassword("secret");
  EXPECT_EQ(Describe("default"), "on #" + AclHashPassword("secret") + " ~* &* +@all");
  acl.SetDefaultPassword("");
  EXPECT_EQ(Describe("default"), "on nopass ~* &* +@all");
}

TEST_F(Fixture, ConfigUsersAndFileText) {
  EXPECT_TRUE(acl.AddConfigUser({"alice", "on", ">a", "~k*", "+get"}).ok());
  EXPECT_FALSE(acl.AddConfigUser({"alice", "on"}).ok());
  EXPECT_TRUE(acl.has_config_users());
  std::string text = acl.SaveText();
  EXPECT_NE(text.find("user alice on #"), std::string::npos) << text;
  EXPECT_TRUE(acl.AddConfigUser({"default", "on", "nopass", "+@all", "~*"}).ok());
  EXPECT_EQ(Describe("default"), "on nopass sanitize-payload ~* resetchannels +@all");
  Result<AclUserMap> parsed = acl.ParseFile(text, "f.acl");
  ASSERT_TRUE(parsed.ok());
  acl.ReplaceUsers(std::move(*parsed));
  EXPECT_EQ(acl.SaveText(), text);

  Result<AclUserMap> bad = acl.ParseFile("user a +nosuch\nfoo\nuser b bad\nuser b on\n", "f");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "f:1: Error in applying operation '+nosuch': Unknown command or category name in "
            "ACL. f:2 should start with user keyword followed by the username. f:3: Syntax "
            "error. WARNING: Duplicate user 'b' found on line 4. WARNING: ACL errors detected, no "
            "change to the previously active ACL rules was performed");
}

TEST_F(Fixture, LogMergesRepeatedEntries) {
  acl.log_max_len = 2;
  acl.AddLogEntry({.reason = AclDenial::kKey,
                   .context = "toplevel",
                   .object = "k",
                   .username = "u",
                   .created_ms = 1000});
  acl.AddLogEntry({.reason = AclDenial::kKey,
                   .context = "toplevel",
                   .object = "k",
                   .username = "u",
                   .created_ms = 2000});
  ASSERT_EQ(acl.log().size(), 1u);
  EXPECT_EQ(acl.log()[0].count, 2);
  EXPECT_EQ(acl.log()[0].created_ms, 2000);
  acl.AddLogEntry({.reason = AclDenial::kKey,
                   .context = "toplevel",
                   .object = "k",
                   .username = "u",
                   .created_ms = 100000});  // over 60 s later: a new entry
  acl.AddLogEntry({.reason = AclDenial::kAuth,
                   .context = "toplevel",
                   .object = "auth",
                   .username = "u",
                   .created_ms = 100000});
  ASSERT_EQ(acl.log().size(), 2u);
  EXPECT_EQ(acl.log()[0].reason, AclDenial::kAuth);
}

TEST(AclPasswords, GeneratedFromCsprng) {
  Result<std::string> a = AclGeneratePassword(256);
  Result<std::string> b = AclGeneratePassword(256);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(AclGeneratePassword(5)->size(), 2u);
  EXPECT_EQ(AclHashPassword("a"),
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
}

}  // namespace
}  // namespace cairn::security
