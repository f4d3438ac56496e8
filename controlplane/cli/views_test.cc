#include "controlplane/cli/views.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace cairn::controlplane::cli {
namespace {

TEST(ViewsTest, ShortEnumNames) {
  EXPECT_EQ(StatusName(v1::CLUSTER_STATUS_CREATE_FAILED), "CREATE_FAILED");
  EXPECT_EQ(StatusName(v1::CLUSTER_STATUS_UNSPECIFIED), "");
  EXPECT_EQ(StatusName(v1::HOST_STATUS_CORDONED), "CORDONED");
  EXPECT_EQ(StatusName(v1::NODE_STATUS_SYNCING), "SYNCING");
  EXPECT_EQ(StateName(v1::OPERATION_STATE_RUNNING), "RUNNING");
  EXPECT_EQ(RoleName(v1::NODE_ROLE_REPLICA), "replica");
  EXPECT_EQ(ShortEnumName("OTHER_X", "CLUSTER_STATUS_"), "");
}

TEST(ViewsTest, Bytes) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(268435456), "256 MiB");
  EXPECT_EQ(FormatBytes(int64_t{1} << 30), "1 GiB");
  EXPECT_EQ(FormatBytes((int64_t{3} << 29)), "1.5 GiB");
}

TEST(ViewsTest, TimesAreUtcSecondsAndUnsetIsEmpty) {
  google::protobuf::Timestamp time =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(1714564800);
  time.set_nanos(123000000);
  EXPECT_EQ(FormatTime(time), "2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatTime(google::protobuf::Timestamp()), "");
}

TEST(ViewsTest, ClusterListShowsOneRowPerCluster) {
  v1::ListClustersResponse response;
  v1::Cluster* cluster = response.add_clusters();
  cluster->set_name("demo");
  cluster->set_status(v1::CLUSTER_STATUS_AVAILABLE);
  cluster->set_engine("cairn");
  cluster->set_node_type("cache.small");
  cluster->set_replicas_per_shard(2);
  cluster->mutable_endpoints()->mutable_primary()->set_address("127.0.0.1");
  cluster->mutable_endpoints()->mutable_primary()->set_port(7001);
  EXPECT_EQ(ClusterListView(response),
            "NAME  STATUS     ENGINE  NODE TYPE    REPLICAS  PRIMARY         CREATED\n"
            "demo  AVAILABLE  cairn   cache.small  2         127.0.0.1:7001  -\n");
}

TEST(ViewsTest, ClusterViewListsFieldsThenNodesAndNeverTheAuthToken) {
  v1::Cluster cluster;
  cluster.set_name("demo");
  cluster.set_auth_token("s3cret-value");
  v1::Node* node = cluster.add_nodes();
  node->set_id("demo-0001-001");
  node->set_role(v1::NODE_ROLE_PRIMARY);
  node->set_host_id("host-a");
  node->set_zone("a");
  node->set_address("127.0.0.1");
  node->set_port(7001);
  node->set_status(v1::NODE_STATUS_AVAILABLE);
  std::string text = ClusterView(cluster);
  EXPECT_NE(text.find("Name:              demo\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nNodes:\nID             ROLE     STATUS     HOST    ZONE  ENDPOINT"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("demo-0001-001  primary  AVAILABLE  host-a  a     127.0.0.1:7001  0\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("s3cret-value"), std::string::npos);
}

TEST(ViewsTest, OperationViewShowsErrorAndSteps) {
  v1::Operation op;
  op.set_id("op-1");
  op.set_state(v1::OPERATION_STATE_FAILED);
  op.set_progress_percent(20);
  op.mutable_error()->set_code("RESOURCE_EXHAUSTED");
  op.mutable_error()->set_reason("CapacityUnavailable");
  op.mutable_error()->set_message("no room");
  v1::OperationStep* step = op.add_steps();
  step->set_name("place nodes");
  step->set_state(v1::OPERATION_STATE_FAILED);
  std::string text = OperationView(op);
  EXPECT_NE(text.find("Error:     RESOURCE_EXHAUSTED CapacityUnavailable: no room\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Steps:\nSTEP         STATE   DETAIL\nplace nodes  FAILED  -\n"),
            std::string::npos)
      << text;
}

TEST(ViewsTest, TokenListNeverShowsSecrets) {
  v1::ListTokensResponse response;
  v1::Token* token = response.add_tokens();
  token->set_id("tok-1");
  token->set_secret("tok-1.secret");
  EXPECT_EQ(TokenListView(response).find("secret"), std::string::npos);
}

TEST(ViewsTest, HostListShowsMemoryAndNodeCount) {
  v1::ListHostsResponse response;
  v1::Host* host = response.add_hosts();
  host->set_id("host-a");
  host->set_status(v1::HOST_STATUS_READY);
  host->set_memory_capacity_bytes(int64_t{4} << 30);
  host->set_memory_allocated_bytes(int64_t{512} << 20);
  host->add_node_ids("demo-0001-001");
  std::string text = HostListView(response);
  EXPECT_NE(text.find("512 MiB / 4 GiB"), std::string::npos) << text;
  EXPECT_NE(text.find("host-a  READY"), std::string::npos) << text;
}

v1::Snapshot AvailableSnapshot() {
  v1::Snapshot snapshot;
  snapshot.set_name("nightly");
  snapshot.set_cluster_name("shop");
  snapshot.set_status(v1::SNAPSHOT_STATUS_AVAILABLE);
  snapshot.set_source("manual");
  snapshot.set_engine("cairn");
  snapshot.set_engine_version("7.0.15");
  snapshot.set_node_type("cache.small");
  snapshot.set_replicas_per_shard(2);
  snapshot.set_node_id("shop-0001-002");
  snapshot.set_size_bytes(int64_t{3} << 19);
  snapshot.set_sha256("ab12");
  *snapshot.mutable_created_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1714564800);
  return snapshot;
}

TEST(ViewsTest, SnapshotListHasTheIssueColumnsAndNoSizeUntilAvailable) {
  v1::ListSnapshotsResponse response;
  *response.add_snapshots() = AvailableSnapshot();
  v1::Snapshot* creating = response.add_snapshots();
  creating->set_name("imported.x");
  creating->set_status(v1::SNAPSHOT_STATUS_CREATING);
  creating->set_source("imported");
  EXPECT_EQ(SnapshotListView(response),
            "NAME        CLUSTER  STATUS     SOURCE    SIZE     CREATED\n"
            "nightly     shop     AVAILABLE  manual    1.5 MiB  2024-05-01T12:00:00Z\n"
            "imported.x  -        CREATING   imported  -        -\n");
  EXPECT_EQ(SnapshotListView(v1::ListSnapshotsResponse()),
            "NAME  CLUSTER  STATUS  SOURCE  SIZE  CREATED\n");
}

TEST(ViewsTest, SnapshotViewShowsOriginSizeAndChecksum) {
  std::string text = SnapshotView(AvailableSnapshot());
  EXPECT_NE(text.find("Name:              nightly\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Engine:            cairn 7.0.15\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Size:              1.5 MiB (1572864 bytes)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("SHA-256:           ab12\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Failure"), std::string::npos) << text;
}

TEST(ViewsTest, FailedSnapshotShowsReasonAndMessage) {
  v1::Snapshot snapshot = AvailableSnapshot();
  snapshot.set_status(v1::SNAPSHOT_STATUS_FAILED);
  snapshot.set_failure_reason("NodeUnavailable");
  snapshot.set_failure_message("shop-0001-002 is down");
  std::string text = SnapshotView(snapshot);
  EXPECT_NE(text.find("Status:            FAILED\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Size:              -\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Failure:           NodeUnavailable: shop-0001-002 is down\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(StatusName(v1::SNAPSHOT_STATUS_UNSPECIFIED), "");
}

TEST(ViewsTest, ExportViewSaysWhereAndTheVerifiedDigest) {
  EXPECT_EQ(SnapshotExportView("nightly", "/tmp/n.rdb", 2048, "ab12"),
            "Snapshot:  nightly\n"
            "File:      /tmp/n.rdb\n"
            "Size:      2 KiB (2048 bytes)\n"
            "SHA-256:   ab12 (verified)\n");
}

TEST(ViewsTest, ClusterViewShowsRestoreSourceAndSnapshotPolicy) {
  v1::Cluster cluster;
  cluster.set_name("restored");
  std::string text = ClusterView(cluster);
  EXPECT_NE(text.find("From snapshot:     -\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Snapshots:         off\n"), std::string::npos) << text;
  cluster.set_source_snapshot("nightly");
  cluster.set_snapshot_retention_days(7);
  cluster.set_snapshot_window("05:00-06:00");
  text = ClusterView(cluster);
  EXPECT_NE(text.find("From snapshot:     nightly\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Snapshots:         daily, kept 7 days, window 05:00-06:00 UTC\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace cairn::controlplane::cli
