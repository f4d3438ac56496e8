// Every cluster flag lands in the right request field, and only given flags in the update mask.
#include "controlplane/cli/cluster_requests.h"

#include <gtest/gtest.h>

namespace cairn::controlplane::cli {
namespace {

std::vector<std::string> MaskPaths(const v1::UpdateClusterRequest& request) {
  return {request.update_mask().paths().begin(), request.update_mask().paths().end()};
}

TEST(ClusterRequestsTest, CreateCarriesEveryFlag) {
  ClusterCreateArgs args;
  args.name = "shop";
  args.replicas = 2;
  args.node_type = "cache.medium";
  args.engine = "redis";
  args.tls = true;
  args.auth_token = "pw";
  args.description = "cart";
  args.port = 7100;
  args.maxmemory_policy = "allkeys-lru";
  args.request_id = "req-1";
  args.snapshot_retention_days = 7;
  args.snapshot_window = "23:30-00:30";
  Result<v1::CreateClusterRequest> request = BuildCreateClusterRequest(args);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  const v1::Cluster& cluster = request->cluster();
  EXPECT_EQ(cluster.name(), "shop");
  EXPECT_EQ(cluster.replicas_per_shard(), 2);
  EXPECT_EQ(cluster.node_type(), "cache.medium");
  EXPECT_EQ(cluster.engine(), "redis");
  EXPECT_TRUE(cluster.tls());
  EXPECT_EQ(cluster.auth_token(), "pw");
  EXPECT_EQ(cluster.description(), "cart");
  EXPECT_EQ(cluster.port(), 7100);
  EXPECT_EQ(cluster.maxmemory_policy(), "allkeys-lru");
  EXPECT_EQ(cluster.source_snapshot(), "");
  EXPECT_EQ(cluster.snapshot_retention_days(), 7);
  EXPECT_EQ(cluster.snapshot_window(), "23:30-00:30");
  EXPECT_EQ(request->request_id(), "req-1");
}

TEST(ClusterRequestsTest, CreateFromSnapshotLeavesRestoreDefaultsToTheServer) {
  ClusterCreateArgs args;
  args.name = "restored";
  args.from_snapshot = "nightly";
  Result<v1::CreateClusterRequest> request = BuildCreateClusterRequest(args);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->cluster().source_snapshot(), "nightly");
  EXPECT_EQ(request->cluster().replicas_per_shard(), 0);
  EXPECT_EQ(request->cluster().engine(), "");
  EXPECT_EQ(request->cluster().node_type(), "");
  EXPECT_EQ(request->cluster().snapshot_retention_days(), 0);
}

TEST(ClusterRequestsTest, CreateNeedsReplicasWithoutSnapshotAndAValidWindow) {
  ClusterCreateArgs args;
  args.name = "shop";
  Result<v1::CreateClusterRequest> request = BuildCreateClusterRequest(args);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("--replicas is required"), std::string::npos);
  args.replicas = 0;
  args.snapshot_window = "05:00-05:30";
  request = BuildCreateClusterRequest(args);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("--snapshot-window"), std::string::npos);
  EXPECT_NE(request.status().message().find("60 minutes"), std::string::npos);
}

TEST(ClusterRequestsTest, UpdateMaskListsExactlyTheGivenFlags) {
  ClusterUpdateArgs args;
  args.name = "shop";
  args.snapshot_retention_days = 0;  // given: turns automatic snapshots off
  Result<v1::UpdateClusterRequest> request = BuildUpdateClusterRequest(args);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(MaskPaths(*request), std::vector<std::string>{"snapshot_retention_days"});
  EXPECT_EQ(request->cluster().name(), "shop");

  args.replicas = 3;
  args.description = "";
  args.snapshot_window = "04:00-05:00";
  request = BuildUpdateClusterRequest(args);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(MaskPaths(*request),
            (std::vector<std::string>{"replicas_per_shard", "description",
                                      "snapshot_retention_days", "snapshot_window"}));
  EXPECT_EQ(request->cluster().replicas_per_shard(), 3);
  EXPECT_EQ(request->cluster().snapshot_window(), "04:00-05:00");
}

TEST(ClusterRequestsTest, UpdateWithNothingOrABadWindowIsRejected) {
  ClusterUpdateArgs args;
  args.name = "shop";
  Result<v1::UpdateClusterRequest> request = BuildUpdateClusterRequest(args);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("nothing to change"), std::string::npos);
  args.snapshot_window = "5am-6am";
  request = BuildUpdateClusterRequest(args);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("hh:mm-hh:mm"), std::string::npos);
}

TEST(ClusterRequestsTest, DeleteCarriesTheFinalSnapshot) {
  v1::DeleteClusterRequest request = BuildDeleteClusterRequest("shop", "shop-final");
  EXPECT_EQ(request.name(), "shop");
  EXPECT_EQ(request.final_snapshot_name(), "shop-final");
  EXPECT_EQ(BuildDeleteClusterRequest("shop", "").final_snapshot_name(), "");
}

}  // namespace
}  // namespace cairn::controlplane::cli
