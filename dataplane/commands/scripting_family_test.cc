// Unit tests of the scripting and function commands on the in-process harness.
#include <string>

#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"
#include "dataplane/commands/scripting.h"

namespace cairn::commands {
namespace {

TEST(ScriptingFamilyTest, EvalRunsCommandsAtomicallyInTheCallersDb) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SELECT", "2"}), "+OK");
  EXPECT_EQ(h.Run({"EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])",
                   "1", "k", "v"}),
            "$1\r\nv");
  EXPECT_EQ(h.Run({"GET", "k"}), "$1\r\nv");
  // SELECT inside a script stays inside it.
  EXPECT_EQ(h.Run({"EVAL", "redis.call('SELECT', 5) return redis.call('SET', 'in5', 1)", "0"}),
            "+OK");
  EXPECT_EQ(h.Run({"EXISTS", "in5"}), ":0");
  EXPECT_EQ(h.Run({"SELECT", "5"}), "+OK");
  EXPECT_EQ(h.Run({"EXISTS", "in5"}), ":1");
}

TEST(ScriptingFamilyTest, ScriptCacheCommands) {
  CommandHarness h;
  std::string sha = Sha1Hex("return 1");
  EXPECT_EQ(h.Run({"SCRIPT", "LOAD", "return 1"}), "$40\r\n" + sha);
  EXPECT_EQ(h.Run({"SCRIPT", "EXISTS", sha, "nope"}), "*2\r\n:1\r\n:0");
  EXPECT_EQ(h.Run({"EVALSHA", sha, "0"}), ":1");
  EXPECT_EQ(h.Run({"SCRIPT", "FLUSH"}), "+OK");
  EXPECT_EQ(h.Run({"EVALSHA", sha, "0"}), "-NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(h.Run({"SCRIPT", "KILL"}), "-NOTBUSY No scripts in execution right now.");
}

TEST(ScriptingFamilyTest, ReadOnlyScriptsRefuseWrites) {
  CommandHarness h;
  std::string out = h.Run({"EVAL_RO", "return redis.call('SET', 'a', 1)", "0"});
  EXPECT_TRUE(out.starts_with("-ERR Write commands are not allowed from read-only scripts."))
      << out;
  EXPECT_EQ(h.Run({"EVAL_RO", "#!lua\nreturn 1", "0"}),
            "-ERR Can not execute a script with write flag using *_ro command.");
  EXPECT_EQ(h.Run({"EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('EXISTS', 'a')", "0"}),
            ":0");
}

TEST(ScriptingFamilyTest, ErrorsCountInErrorstats) {
  CommandHarness h;
  h.Run({"SET", "s", "x"});
  h.Run({"EVAL", "return redis.pcall('INCR', 's')", "0"});
  EXPECT_GE(h.state().stats().errorstats["ERR"], 1);
}

TEST(FunctionFamilyTest, LoadCallListDelete) {
  CommandHarness h;
  std::string lib =
      "#!lua name=mylib\nredis.register_function('inc', function(keys, args) "
      "return redis.call('INCRBY', keys[1], args[1]) end)";
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", lib}), "$5\r\nmylib");
  EXPECT_EQ(h.Run({"FCALL", "inc", "1", "n", "4"}), ":4");
  EXPECT_EQ(h.Run({"FCALL_RO", "inc", "1", "n", "4"}),
            "-ERR Can not execute a script with write flag using *_ro command.");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", lib}), "-ERR Library 'mylib' already exists");
  EXPECT_EQ(h.Run({"FUNCTION", "LIST", "LIBRARYNAME", "my*"}),
            "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
            "$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\ninc\r\n$11\r\ndescription\r\n"
            "$-1\r\n$5\r\nflags\r\n*0");
  EXPECT_EQ(h.Run({"FUNCTION", "DELETE", "mylib"}), "+OK");
  EXPECT_EQ(h.Run({"FCALL", "inc", "1", "n", "4"}), "-ERR Function not found");
}

}  // namespace
}  // namespace cairn::commands
