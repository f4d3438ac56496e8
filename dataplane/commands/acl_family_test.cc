// ACL commands and the dispatcher's permission checks, in-process (the texts are compared with
// redis-server in tests/compat/test_acl.py).
#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

TEST(AclFamily, SetUserAuthAndNoPerm) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ACL", "SETUSER", "u", "on", ">pw", "~k*", "%R~r*", "&ch*", "+get", "+set",
                   "+publish", "+multi", "+exec"}),
            "+OK");
  EXPECT_EQ(h.RunAs(1, {"AUTH", "u", "bad"}),
            "-WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(h.RunAs(1, {"AUTH", "u", "pw"}), "+OK");
  EXPECT_EQ(h.client(1).user, "u");
  EXPECT_EQ(h.RunAs(1, {"SET", "k1", "v"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"GET", "r1"}), "$-1");
  EXPECT_EQ(h.RunAs(1, {"SET", "r1", "v"}),
            "-NOPERM this user has no permissions to access one of the keys used as arguments");
  EXPECT_EQ(h.RunAs(1, {"DEL", "k1"}),
            "-NOPERM this user has no permissions to run the 'del' command");
  EXPECT_EQ(h.RunAs(1, {"PUBLISH", "zz", "m"}),
            "-NOPERM this user has no permissions to access one of the channels used as "
            "arguments");
  EXPECT_EQ(h.RunAs(1, {"CONFIG", "GET", "x"}),
            "-NOPERM this user has no permissions to run the 'config|get' command");
  // Denied at queue time: the transaction aborts.
  EXPECT_EQ(h.RunAs(1, {"MULTI"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"GET", "x"}),
            "-NOPERM this user has no permissions to access one of the keys used as arguments");
  EXPECT_EQ(h.RunAs(1, {"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.");
  std::string log = h.Run({"ACL", "LOG", "1"});
  EXPECT_NE(log.find("$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$1\r\nx"), std::string::npos)
      << log;
}

TEST(AclFamily, RequirepassAndDefaultUser) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"AUTH", "x"}),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
  h.state().acl().SetDefaultPassword("secret");
  h.client(1).authenticated = false;  // as a connection accepted while a password is set
  EXPECT_EQ(h.RunAs(1, {"GET", "k"}), "-NOAUTH Authentication required.");
  EXPECT_EQ(h.RunAs(1, {"AUTH", "secret"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"ACL", "WHOAMI"}), "$7\r\ndefault");
  EXPECT_EQ(h.Run({"ACL", "DELUSER", "default"}), "-ERR The 'default' user cannot be removed");
}

TEST(AclFamily, DeletingAUserResetsItsClients) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ACL", "SETUSER", "u", "on", "nopass", "+@all", "~*"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"AUTH", "u", "x"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"ACL", "DELUSER", "u"}), ":1");
  EXPECT_TRUE(h.client(1).has_flag(kClientCloseAfterReply));
  EXPECT_EQ(h.client(1).acl_user, nullptr);
  EXPECT_EQ(h.client(1).user, "default");
}

TEST(AclFamily, ScriptsRunWithTheCallersPermissions) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ACL", "SETUSER", "u", "on", "nopass", "+eval", "+get", "~k*"}), "+OK");
  EXPECT_EQ(h.RunAs(1, {"AUTH", "u", "x"}), "+OK");
  std::string denied = h.RunAs(1, {"EVAL", "return redis.call('get', 'zz')", "0"});
  EXPECT_TRUE(
      denied.starts_with("-ERR The user executing the script can't access at least one "
                         "of the keys mentioned in the command arguments"))
      << denied;
  EXPECT_EQ(h.RunAs(1, {"EVAL", "return redis.acl_check_cmd('set', 'k', 'v')", "0"}), "$-1");
  EXPECT_EQ(h.RunAs(1, {"EVAL", "return redis.acl_check_cmd('get', 'k')", "0"}), ":1");
}

}  // namespace
}  // namespace cairn::commands
