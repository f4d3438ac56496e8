// RunCairnctl end to end in-process: parsing, usage errors and their exit codes, and transport
// failures against a closed port. Calls against the real control plane are in
// tests/integration/test_cairnctl.py.
#include "controlplane/cli/app.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "controlplane/cli/exit_codes.h"

namespace cairn::controlplane::cli {
namespace {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

RunResult RunCli(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "cairnctl");
  std::vector<const char*> argv;
  for (const std::string& arg : args) {
    argv.push_back(arg.c_str());
  }
  // No HOME: the user's own config file must not leak into the test.
  EnvLookup lookup = [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  std::ostringstream out;
  std::ostringstream err;
  int code = RunCairnctl(static_cast<int>(argv.size()), argv.data(), lookup, out, err);
  return {code, out.str(), err.str()};
}

void ExpectUsageError(std::vector<std::string> args, const std::string& needle) {
  SCOPED_TRACE(needle);
  RunResult result = RunCli(args);
  EXPECT_EQ(result.code, kExitUsage) << result.err;
  EXPECT_TRUE(result.err.starts_with("error: ")) << result.err;
  EXPECT_NE(result.err.find(needle), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(AppTest, HelpListsCommandGroupsAndExitsZero) {
  RunResult result = RunCli({"--help"});
  EXPECT_EQ(result.code, kExitOk);
  for (const char* group : {"cluster", "snapshot", "op", "events", "host", "token", "node-types",
                            "engine-versions", "--addr", "--token", "--output"}) {
    EXPECT_NE(result.out.find(group), std::string::npos) << group;
  }
}

TEST(AppTest, SubcommandHelpShowsItsFlags) {
  RunResult result = RunCli({"cluster", "create", "--help"});
  EXPECT_EQ(result.code, kExitOk);
  EXPECT_NE(result.out.find("--replicas"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("--maxmemory-policy"), std::string::npos) << result.out;
}

TEST(AppTest, UsageErrorsExitTwo) {
  ExpectUsageError({}, "'cairnctl' needs a command: cluster, snapshot, op, events, host, token");
  ExpectUsageError({"frobnicate"}, "unknown command 'frobnicate' for 'cairnctl'");
  ExpectUsageError({"cluster"}, "'cairnctl cluster' needs a command: create, list, get");
  ExpectUsageError({"cluster", "frob"}, "unknown command 'frob' for 'cairnctl cluster'");
  ExpectUsageError({"cluster", "list", "--bogus"}, "--bogus");
  ExpectUsageError({"cluster", "create", "demo"}, "--replicas");
  ExpectUsageError({"cluster", "create", "demo", "--replicas", "two"}, "--replicas");
  ExpectUsageError({"cluster", "create", "demo", "--replicas", "1", "--engine", "memcached"},
                   "memcached");
  ExpectUsageError({"cluster", "create", "demo", "--replicas", "1", "--port", "70000"}, "port");
  ExpectUsageError({"cluster", "get"}, "NAME");
  ExpectUsageError({"-o", "xml", "cluster", "list"}, "xml");
  ExpectUsageError({"cluster", "list", "--timeout", "5parsecs"}, "invalid duration '5parsecs'");
  ExpectUsageError({"host", "join-token", "--ttl", "forever"}, "forever");
  ExpectUsageError({"events", "list", "--cluster", "a", "--resource", "hosts/b"}, "excludes");
}

TEST(AppTest, UsageErrorsFoundAfterParsingExitTwoWithoutContactingTheServer) {
  // Port 1 is closed: a request would fail with exit 1, so exit 2 proves none was sent.
  ExpectUsageError({"--addr", "127.0.0.1:1", "cluster", "update", "demo"}, "nothing to change");
  ExpectUsageError({"--addr", "127.0.0.1:1", "events", "list", "--since", "yesterday"}, "RFC 3339");
  ExpectUsageError({"--addr", "127.0.0.1:1", "host", "join-token", "--ttl", "0s"}, "--ttl");
  ExpectUsageError({"--timeout", "0s", "cluster", "list"}, "--timeout");
}

TEST(AppTest, SnapshotUsageErrorsExitTwo) {
  ExpectUsageError({"snapshot"},
                   "'cairnctl snapshot' needs a command: create, list, get, delete, copy, export, "
                   "import");
  ExpectUsageError({"snapshot", "create", "nightly"}, "--cluster");
  ExpectUsageError({"snapshot", "create"}, "NAME");
  ExpectUsageError({"snapshot", "list", "--source", "weekly"}, "weekly");
  ExpectUsageError({"snapshot", "copy", "nightly"}, "TARGET");
  ExpectUsageError({"snapshot", "export", "nightly"}, "FILE");
  ExpectUsageError({"snapshot", "import", "nightly"}, "--rdb");
  ExpectUsageError(
      {"cluster", "create", "demo", "--replicas", "1", "--snapshot-retention-days", "36"},
      "--snapshot-retention-days");
  ExpectUsageError({"cluster", "update", "demo", "--snapshot-retention-days", "-1"},
                   "--snapshot-retention-days");
}

TEST(AppTest, SnapshotArgumentErrorsFoundAfterParsingNeverReachTheServer) {
  const std::vector<std::string> closed = {"--addr", "127.0.0.1:1"};
  auto with_addr = [&](std::vector<std::string> args) {
    args.insert(args.begin(), closed.begin(), closed.end());
    return args;
  };
  ExpectUsageError(with_addr({"cluster", "create", "demo"}), "--replicas is required");
  ExpectUsageError(with_addr({"cluster", "create", "demo", "--replicas", "1", "--snapshot-window",
                              "05:00-05:30"}),
                   "at least 60 minutes");
  ExpectUsageError(with_addr({"cluster", "update", "demo", "--snapshot-window", "5-6"}),
                   "hh:mm-hh:mm");
  ExpectUsageError(with_addr({"snapshot", "import", "x", "--rdb", "/nonexistent/dump.rdb"}),
                   "--rdb: cannot read /nonexistent/dump.rdb: no such file");
  ExpectUsageError(with_addr({"snapshot", "export", "x", "/nonexistent-dir/dump.rdb"}),
                   "/nonexistent-dir/dump.rdb");
  ExpectUsageError(with_addr({"snapshot", "export", "x", "/tmp"}), "not a directory");
}

TEST(AppTest, SnapshotCommandsParseAndReachTheServer) {
  // Valid command lines get as far as the (closed) server: exit 1 naming the address.
  std::string rdb = (std::filesystem::temp_directory_path() /
                     ("cairnctl-app-test-" + std::to_string(::getpid()) + ".rdb"))
                        .string();
  std::ofstream(rdb) << "REDIS0011";
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"snapshot", "create", "nightly", "--cluster", "shop", "--wait"},
           {"snapshot", "list", "--cluster", "shop", "--source", "automatic"},
           {"snapshot", "get", "nightly"},
           {"snapshot", "delete", "nightly"},
           {"snapshot", "copy", "nightly", "nightly-copy"},
           {"snapshot", "export", "nightly", "-"},
           {"snapshot", "import", "nightly", "--rdb", rdb},
           {"cluster", "create", "restored", "--from-snapshot", "nightly", "--wait"},
           {"cluster", "update", "shop", "--snapshot-retention-days", "0"},
           {"cluster", "delete", "shop", "--final-snapshot", "shop-final", "--wait"}}) {
    args.insert(args.begin(), {"--addr", "127.0.0.1:1", "--timeout", "5s"});
    RunResult result = RunCli(args);
    EXPECT_EQ(result.code, kExitFailed) << args[4] << " " << args[5] << ": " << result.err;
    EXPECT_TRUE(result.err.starts_with("error: cannot reach the control plane at 127.0.0.1:1"))
        << args[4] << " " << args[5] << ": " << result.err;
    EXPECT_EQ(result.out, "");
  }
  std::filesystem::remove(rdb);
}

TEST(AppTest, GlobalFlagsMayFollowTheSubcommand) {
  RunResult result =
      RunCli({"cluster", "list", "--addr", "127.0.0.1:1", "-o", "json", "--timeout", "5s"});
  EXPECT_EQ(result.code, kExitFailed) << result.err;
  EXPECT_NE(result.err.find("127.0.0.1:1"), std::string::npos) << result.err;
}

TEST(AppTest, UnreachableServerExitsOneNamingTheAddressAndNeverTheToken) {
  RunResult result = RunCli({"--addr", "127.0.0.1:1", "--token", "tok-1.topsecret", "--timeout",
                             "5s", "cluster", "get", "demo"});
  EXPECT_EQ(result.code, kExitFailed);
  EXPECT_TRUE(result.err.starts_with("error: cannot reach the control plane at 127.0.0.1:1"))
      << result.err;
  EXPECT_EQ(result.err.find("topsecret"), std::string::npos);
  EXPECT_EQ(result.out, "");
}

TEST(AppTest, AddressComesFromEnvironmentWhenNoFlag) {
  RunResult result = RunCli({"--timeout", "5s", "node-types"}, {{"CAIRN_ADDR", "127.0.0.1:1"}});
  EXPECT_EQ(result.code, kExitFailed);
  EXPECT_NE(result.err.find("127.0.0.1:1"), std::string::npos) << result.err;
}

TEST(AppTest, BadConfigFileAndMissingCaFileAreUsageErrors) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cairnctl-app-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string config = (dir / "config.yaml").string();
  std::ofstream(config) << "adress: 127.0.0.1:1\n";
  RunResult bad_config = RunCli({"cluster", "list"}, {{"CAIRN_CONFIG", config}});
  EXPECT_EQ(bad_config.code, kExitUsage);
  EXPECT_NE(bad_config.err.find("unknown key 'adress'"), std::string::npos) << bad_config.err;

  RunResult no_ca = RunCli({"--ca-file", (dir / "missing.pem").string(), "cluster", "list"});
  EXPECT_EQ(no_ca.code, kExitUsage);
  EXPECT_NE(no_ca.err.find("missing.pem"), std::string::npos) << no_ca.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cairn::controlplane::cli
