#include "controlplane/cli/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace cairn::controlplane::cli {
namespace {

EnvLookup EnvOf(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("cairnctl-config-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Write(const std::string& relative, const std::string& text) {
    std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ConfigTest, FlagsBeatEnvironmentBeatsFile) {
  PartialConfig flags{.addr = "flag:1"};
  PartialConfig env{.addr = "env:2", .token = "env-token"};
  PartialConfig file{.addr = "file:3", .token = "file-token", .ca_file = "/file/ca.pem"};
  ClientConfig config = MergeConfig(flags, env, file);
  EXPECT_EQ(config.addr, "flag:1");
  EXPECT_EQ(config.token, "env-token");
  EXPECT_EQ(config.ca_file, "/file/ca.pem");
}

TEST(ConfigTest, NothingSetGivesDefaultAddressPlaintextAndNoToken) {
  ClientConfig config = MergeConfig({}, {}, {});
  EXPECT_EQ(config.addr, "127.0.0.1:50051");
  EXPECT_EQ(config.token, "");
  EXPECT_EQ(config.ca_file, "");
}

TEST(ConfigTest, EnvironmentVariablesAreReadAndEmptyOnesIgnored) {
  PartialConfig env = ConfigFromEnv(
      EnvOf({{"CAIRN_ADDR", "h:9"}, {"CAIRN_TOKEN", ""}, {"CAIRN_CA_FILE", "/ca.pem"}}));
  EXPECT_EQ(env.addr, "h:9");
  EXPECT_FALSE(env.token.has_value());
  EXPECT_EQ(env.ca_file, "/ca.pem");
}

TEST(ConfigTest, ParsesAllKeys) {
  Result<PartialConfig> config =
      ParseConfigYaml("addr: cp.example:50051\ntoken: tok-1.abc\nca_file: /etc/ca.pem\n", "f");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->addr, "cp.example:50051");
  EXPECT_EQ(config->token, "tok-1.abc");
  EXPECT_EQ(config->ca_file, "/etc/ca.pem");
}

TEST(ConfigTest, EmptyDocumentAndNullValuesAreUnset) {
  Result<PartialConfig> empty = ParseConfigYaml("", "f");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->addr.has_value());
  Result<PartialConfig> nulls = ParseConfigYaml("addr:\ntoken: ~\n", "f");
  ASSERT_TRUE(nulls.ok()) << nulls.status().ToString();
  EXPECT_FALSE(nulls->addr.has_value());
  EXPECT_FALSE(nulls->token.has_value());
}

TEST(ConfigTest, UnknownKeyIsRejectedByName) {
  Result<PartialConfig> config = ParseConfigYaml("addr: x:1\ntokn: abc\n", "/home/u/c.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "config file /home/u/c.yaml: unknown key 'tokn' (known: addr, token, ca_file)");
}

TEST(ConfigTest, SyntaxErrorNamesFileAndLine) {
  Result<PartialConfig> config = ParseConfigYaml("addr: x:1\ntoken: [unclosed\n", "c.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("config file c.yaml: line "), std::string::npos)
      << config.status().message();
}

TEST(ConfigTest, NonMappingAndNestedValuesAreRejected) {
  EXPECT_FALSE(ParseConfigYaml("- a\n- b\n", "f").ok());
  Result<PartialConfig> nested = ParseConfigYaml("addr: {host: x}\n", "f");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("'addr' must be a string"), std::string::npos);
}

TEST(ConfigTest, DefaultPathIsUnderHomeAndCairnConfigOverridesIt) {
  EXPECT_EQ(ConfigFilePath(EnvOf({{"HOME", "/home/u"}})), "/home/u/.config/cairn/config.yaml");
  EXPECT_EQ(ConfigFilePath(EnvOf({{"HOME", "/home/u"}, {"CAIRN_CONFIG", "/etc/c.yaml"}})),
            "/etc/c.yaml");
  EXPECT_EQ(ConfigFilePath(EnvOf({})), "");
}

TEST(ConfigTest, LoadsDefaultFileFromHome) {
  TempDir dir;
  dir.Write(".config/cairn/config.yaml", "addr: from-file:7\n");
  Result<PartialConfig> config = LoadConfigFile(EnvOf({{"HOME", dir.path()}}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->addr, "from-file:7");
}

TEST(ConfigTest, MissingDefaultFileIsEmptyButMissingExplicitFileIsAnError) {
  TempDir dir;
  Result<PartialConfig> none = LoadConfigFile(EnvOf({{"HOME", dir.path()}}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->addr.has_value());
  Result<PartialConfig> missing =
      LoadConfigFile(EnvOf({{"CAIRN_CONFIG", dir.path() + "/nope.yaml"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.yaml (from CAIRN_CONFIG)"), std::string::npos);
}

}  // namespace
}  // namespace cairn::controlplane::cli
