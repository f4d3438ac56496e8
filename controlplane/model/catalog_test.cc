#include "controlplane/model/catalog.h"

#include <gtest/gtest.h>

#include "controlplane/model/node.h"

namespace cairn::controlplane {
namespace {

TEST(CatalogTest, NodeTypesHaveElastiCacheSizes) {
  ASSERT_EQ(NodeTypes().size(), 4u);
  EXPECT_EQ(FindNodeType("f", "cache.small")->memory_bytes, 256 << 20);
  EXPECT_EQ(FindNodeType("f", "cache.xlarge")->memory_bytes, int64_t{16} << 30);
}

TEST(CatalogTest, UnknownNodeTypeNamesFieldAndChoices) {
  Result<NodeType> type = FindNodeType("cluster.node_type", "cache.huge");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(type.status().message().find("cluster.node_type"), std::string::npos);
  EXPECT_NE(type.status().message().find("cache.medium"), std::string::npos);
}

TEST(NodeIdTest, PadsShardAndOrdinal) {
  EXPECT_EQ(NodeId("demo", 1, 2), "demo-0001-002");
  EXPECT_EQ(ShardId(12), "0012");
}

}  // namespace
}  // namespace cairn::controlplane
