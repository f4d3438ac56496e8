#include "agent/supervisor/engines.h"

#include <gtest/gtest.h>

#include "agent/supervisor/node_client.h"

namespace cairn::agent {
namespace {

TEST(EnginesTest, ParsesVersionFromBothEngines) {
  EXPECT_EQ(ParseEngineVersion("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0\n"),
            "7.0.15");
  EXPECT_EQ(ParseEngineVersion("cairn-server v=0.1.0 redis-compat=7.0.15 bits=64\n"), "0.1.0");
  EXPECT_EQ(ParseEngineVersion("nothing here"), std::nullopt);
  EXPECT_EQ(ParseEngineVersion("env=1 v="), std::nullopt);
}

TEST(EnginesTest, FindsRedisServerWithItsVersion) {
  std::vector<Engine> engines = FindEngines("/nonexistent");
  const Engine* redis = FindEngine(engines, "redis");
  ASSERT_NE(redis, nullptr) << "redis-server is installed by scripts/install-deps.sh";
  EXPECT_EQ(redis->version.substr(0, 2), "7.");
  EXPECT_EQ(FindEngine(engines, "cairn"), nullptr);
}

TEST(NodeClientTest, ParsesInfoFields) {
  auto fields = ParseInfo("# Replication\r\nrole:slave\r\nmaster_port:7001\r\n\r\n# x\r\n");
  EXPECT_EQ(fields["role"], "slave");
  EXPECT_EQ(fields["master_port"], "7001");
  EXPECT_EQ(fields.size(), 2u);
}

}  // namespace
}  // namespace cairn::agent
