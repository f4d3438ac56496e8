// LuaEngine without a server: reply conversions, error formatting and the sandbox, with a host
// that answers redis.call from a fixed table of RESP replies.
#include "dataplane/scripting/lua_engine.h"

#include <map>

#include <gtest/gtest.h>

#include "dataplane/protocol/output_buffer.h"

namespace cairn::scripting {
namespace {

class TableHost final : public ScriptHost {
 public:
  std::map<std::string, std::string> replies;  // command name -> RESP reply
  std::vector<std::string> logged;
  std::string Call(const std::vector<std::string>& args, int resp) override {
    (void)resp;
    auto it = replies.find(args[0]);
    return it != replies.end() ? it->second : "-ERR Unknown Redis command called from script\r\n";
  }
  void Log(int level, std::string_view message) override {
    logged.push_back(std::to_string(level) + " " + std::string(message));
  }
  void SetReplication(int flags) override { (void)flags; }
  bool CommandExists(const std::vector<std::string>& args) override {
    return replies.contains(args[0]);
  }
  std::string OnHook() override { return hook_error; }
  std::string hook_error;
};

class LuaEngineTest : public ::testing::Test {
 protected:
  // Compiles and runs `body`; returns the reply bytes.
  std::string Eval(const std::string& body, std::vector<std::string_view> keys = {},
                   std::vector<std::string_view> argv = {}) {
    Status compiled = engine_.Compile("f", body);
    if (!compiled.ok()) {
      return "compile: " + std::string(compiled.message());
    }
    protocol::OutputBuffer out;
    protocol::ReplyWriter reply(&out);
    engine_.Run("f", "sha", keys, argv, host_, reply);
    std::string bytes;
    struct iovec iov[8];
    int n = out.FillIovecs(iov, 8);
    for (int i = 0; i < n; i++) {
      bytes.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    }
    return bytes;
  }
  LuaEngine engine_{64 * 1024 * 1024};
  TableHost host_;
};

TEST_F(LuaEngineTest, LuaValuesBecomeReplies) {
  EXPECT_EQ(Eval("return 3.99"), ":3\r\n");
  EXPECT_EQ(Eval("return 'x'"), "$1\r\nx\r\n");
  EXPECT_EQ(Eval("return true"), ":1\r\n");
  EXPECT_EQ(Eval("return false"), "$-1\r\n");
  EXPECT_EQ(Eval("return {1,'a',{2},nil,5}"), "*3\r\n:1\r\n$1\r\na\r\n*1\r\n:2\r\n");
  EXPECT_EQ(Eval("return {ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(Eval("return {err='My Error'}"), "-My Error\r\n");
  EXPECT_EQ(Eval("return redis.error_reply('oops')"), "-ERR oops\r\n");
  EXPECT_EQ(Eval("return redis.status_reply('done')"), "+done\r\n");
  EXPECT_EQ(Eval("return {KEYS[1], ARGV[1]}", {"k"}, {"v"}), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_F(LuaEngineTest, RepliesBecomeLuaValues) {
  host_.replies["get"] = "$-1\r\n";
  host_.replies["incr"] = ":7\r\n";
  host_.replies["set"] = "+OK\r\n";
  host_.replies["lrange"] = "*2\r\n$1\r\na\r\n$-1\r\n";
  EXPECT_EQ(Eval("return redis.call('get','k') == false"), ":1\r\n");
  EXPECT_EQ(Eval("return redis.call('incr','k') + 1"), ":8\r\n");
  EXPECT_EQ(Eval("return redis.call('set','k','v').ok"), "$2\r\nOK\r\n");
  EXPECT_EQ(Eval("return type(redis.call('lrange','k',0,-1)[2])"), "$7\r\nboolean\r\n");
}

TEST_F(LuaEngineTest, ErrorsCarryScriptAndLine) {
  host_.replies["incr"] = "-ERR value is not an integer or out of range\r\n";
  EXPECT_EQ(Eval("return redis.call('incr','s')"),
            "-ERR value is not an integer or out of range script: sha, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return redis.pcall('incr','s')"),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Eval("\nerror('boom')"),
            "-ERR user_script:2: boom script: sha, on @user_script:2.\r\n");
  EXPECT_EQ(Eval("return redis.call()"),
            "-ERR Please specify at least one argument for this redis lib call script: sha, on "
            "@user_script:1.\r\n");
  EXPECT_EQ(Eval("return 1 +"),
            "compile: ERR Error compiling script (new function): user_script:1: unexpected symbol "
            "near '<eof>'");
}

TEST_F(LuaEngineTest, GlobalsAndLibrariesAreReadOnly) {
  EXPECT_EQ(Eval("x = 1"),
            "-ERR user_script:1: Attempt to modify a readonly table script: sha, on "
            "@user_script:1.\r\n");
  EXPECT_EQ(Eval("rawset(_G, 'x', 1)"),
            "-ERR Attempt to modify a readonly table script: sha, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("setmetatable(_G, nil)"),
            "-ERR Attempt to modify a readonly table script: sha, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("string.upper = nil"),
            "-ERR user_script:1: Attempt to modify a readonly table script: sha, on "
            "@user_script:1.\r\n");
  EXPECT_EQ(Eval("return os"),
            "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' "
            "script: sha, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return loadstring('return 1 + 1')()"), ":2\r\n");
  EXPECT_EQ(Eval("return loadstring('y = 1')()"),
            "-ERR [string \"y = 1\"]:1: Attempt to modify a readonly table script: sha, on "
            "y = 1:1.\r\n");
  EXPECT_EQ(Eval("return loadstring(string.dump(function() end))"), "$-1\r\n");
  EXPECT_EQ(Eval("local n = 0 for k in pairs(_G) do n = n + 1 end return n > 20"), ":1\r\n");
  EXPECT_EQ(Eval("return getmetatable(_G)"), "*0\r\n");  // an empty table, as Redis
  EXPECT_EQ(Eval("return ('abc'):upper()"), "$3\r\nABC\r\n");
}

TEST_F(LuaEngineTest, RecursionAndHugeAllocationsFailCleanly) {
  std::string deep = Eval("local function f(n) return f(n + 1) + 1 end return f(1)");
  EXPECT_NE(deep.find("stack overflow"), std::string::npos) << deep;
  std::string huge = Eval("return string.rep('x', 1024 * 1024 * 1024)");
  EXPECT_NE(huge.find("not enough memory"), std::string::npos) << huge;
  EXPECT_EQ(Eval("return 1"), ":1\r\n");
}

TEST_F(LuaEngineTest, HookErrorStopsTheScriptEvenThroughPcall) {
  host_.hook_error = "Script killed by user with SCRIPT KILL...";
  std::string out = Eval("while true do pcall(function() while true do end end) end");
  EXPECT_TRUE(out.starts_with("-ERR Script killed by user with SCRIPT KILL... script: sha")) << out;
}

TEST(ShebangTest, ParsesFlagsAndRejectsUnknownOnes) {
  Result<Shebang> s = ParseShebang("#!lua flags=no-writes,allow-oom\nreturn 1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->flags, kScriptNoWrites | kScriptAllowOom);
  EXPECT_EQ(s->length, 31u);
  EXPECT_EQ(ParseShebang("return 1")->flags, kScriptEvalCompat);
  EXPECT_EQ(ParseShebang("#!lua flags=bogus\n").status().message(),
            "ERR Unexpected flag in script shebang: bogus");
  EXPECT_EQ(ParseShebang("#!lua foo=bar\n").status().message(),
            "ERR Unknown lua shebang option: foo=bar");
  EXPECT_EQ(ParseShebang("#!py\n").status().message(),
            "ERR Unexpected engine in script shebang: #!py");
}

TEST(ScriptRandomTest, FollowsRedisDrand48Sequence) {
  // redis-server 7.0's first math.random(1000000) results on a fresh server, and after
  // math.randomseed(5): floor(r * 1000000) + 1 with r = Next() / kMax.
  auto scaled = [](ScriptRandom& random) {
    double r = static_cast<double>(random.Next() % ScriptRandom::kMax) / ScriptRandom::kMax;
    return static_cast<int>(r * 1000000) + 1;
  };
  ScriptRandom fresh;
  EXPECT_EQ(scaled(fresh), 396465);
  EXPECT_EQ(scaled(fresh), 840486);
  fresh.Seed(5);
  EXPECT_EQ(scaled(fresh), 524840);
}

}  // namespace
}  // namespace cairn::scripting
