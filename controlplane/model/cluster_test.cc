#include "controlplane/model/cluster.h"

#include <gtest/gtest.h>

#include "controlplane/model/names.h"

namespace cairn::controlplane {
namespace {

TEST(ClusterModelTest, FillsDefaultsAndRoundTripsThroughProto) {
  v1::Cluster in;
  in.set_name("demo");
  in.set_replicas_per_shard(2);
  in.set_auth_token("s3cret-s3cret-s3cret");
  Result<Cluster> c = ClusterFromProto(in);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->engine, "cairn");
  EXPECT_EQ(c->node_type, "cache.small");
  EXPECT_EQ(c->shard_count, 1);
  v1::Cluster out = ToProto(*c);
  EXPECT_EQ(out.name(), "demo");
  EXPECT_EQ(out.replicas_per_shard(), 2);
  EXPECT_TRUE(out.auth_token().empty()) << "auth_token is write-only";
}

TEST(ClusterModelTest, SnapshotSettingsParseAndRoundTrip) {
  v1::Cluster in;
  in.set_name("demo");
  in.set_snapshot_retention_days(7);
  in.set_snapshot_window("23:30-00:30");
  in.set_source_snapshot("nightly");
  Result<Cluster> c = ClusterFromProto(in);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->snapshot_window.Contains(23 * 60 + 45));
  EXPECT_TRUE(c->snapshot_window.Contains(10));
  EXPECT_FALSE(c->snapshot_window.Contains(30));
  EXPECT_FALSE(c->snapshot_window.Contains(12 * 60));
  v1::Cluster out = ToProto(*c);
  EXPECT_EQ(out.snapshot_window(), "23:30-00:30");
  EXPECT_EQ(out.snapshot_retention_days(), 7);
  EXPECT_EQ(out.source_snapshot(), "nightly");
  EXPECT_EQ(ToProto(*ClusterFromProto(v1::Cluster(out))).snapshot_window(), "23:30-00:30");
  for (std::string bad : {"5:00-6:00", "05:00-05:30", "25:00-26:00", "05:00", "ab:cd-ef:gh"}) {
    in.set_snapshot_window(bad);
    EXPECT_NE(ClusterFromProto(in).status().message().find("cluster.snapshot_window"),
              std::string_view::npos)
        << bad;
  }
  in.set_snapshot_window("");
  in.set_snapshot_retention_days(36);
  EXPECT_EQ(ClusterFromProto(in).status().message(),
            "cluster.snapshot_retention_days: must be between 0 and 35, got 36");
  EXPECT_TRUE(ValidateSnapshotName("n", "automatic.demo-2026-11-21-05-00").ok());
  EXPECT_FALSE(ValidateSnapshotName("n", "1abc").ok());
  EXPECT_FALSE(ValidateSnapshotName("n", "a/b").ok());
  EXPECT_FALSE(ValidateSnapshotName("n", "").ok());
}

TEST(ClusterModelTest, RejectsOutOfRangeFieldsNamingThem) {
  v1::Cluster in;
  in.set_name("demo");
  in.set_replicas_per_shard(6);
  Result<Cluster> c = ClusterFromProto(in);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "cluster.replicas_per_shard: must be between 0 and 5, got 6");
  in.set_replicas_per_shard(1);
  in.set_shard_count(3);
  EXPECT_NE(ClusterFromProto(in).status().message().find("cluster.shard_count"),
            std::string_view::npos);
  in.set_shard_count(1);
  in.set_engine("memcached");
  EXPECT_NE(ClusterFromProto(in).status().message().find("cluster.engine"), std::string_view::npos);
  in.set_engine("redis");
  in.set_node_type("cache.huge");
  EXPECT_NE(ClusterFromProto(in).status().message().find("cluster.node_type"),
            std::string_view::npos);
  in.set_node_type("cache.large");
  in.set_auth_token("short");
  EXPECT_NE(ClusterFromProto(in).status().message().find("cluster.auth_token"),
            std::string_view::npos);
  in.set_auth_token("");
  in.set_engine("cairn");
  in.set_maxmemory_policy("lru");
  EXPECT_NE(ClusterFromProto(in).status().message().find("cluster.maxmemory_policy"),
            std::string_view::npos);
}

}  // namespace
}  // namespace cairn::controlplane
