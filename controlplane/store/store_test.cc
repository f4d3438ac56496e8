#include "controlplane/store/store.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace cairn::controlplane {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Store>> store = Store::Open(":memory:", clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  Cluster Demo() {
    Cluster c;
    c.name = "demo";
    c.replicas_per_shard = 2;
    c.auth_token = "secret-secret-secret";
    return c;
  }
  ManualClock clock_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, MigrationsApplyOnceAndReportVersion) {
  EXPECT_EQ(*store_->SchemaVersion(), 4);
  auto path = std::filesystem::temp_directory_path() / "cairn-store-test.db";
  std::filesystem::remove(path);
  { ASSERT_TRUE(Store::Open(path.string(), clock_).ok()); }
  Result<std::unique_ptr<Store>> again = Store::Open(path.string(), clock_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*(*again)->SchemaVersion(), 4);
  std::filesystem::remove(path);
}

TEST_F(StoreTest, CreateClusterIsIdempotentByRequestId) {
  Result<v1::Operation> first = store_->CreateCluster(Demo(), "req-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->state(), v1::OPERATION_STATE_PENDING);
  EXPECT_EQ(first->resource(), "clusters/demo");
  Result<v1::Operation> retry = store_->CreateCluster(Demo(), "req-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->id(), first->id());
  Result<v1::Operation> other = store_->CreateCluster(Demo(), "req-2");
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  Result<ClusterRecord> record = store_->GetCluster("demo");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->desired.auth_token, "secret-secret-secret");
  EXPECT_EQ(record->desired.replicas_per_shard, 2);
  EXPECT_EQ(record->status, v1::CLUSTER_STATUS_CREATING);
}

TEST_F(StoreTest, UpdateRefusedWhileAnotherOperationRuns) {
  ASSERT_TRUE(store_->CreateCluster(Demo(), "").ok());
  Cluster changed = Demo();
  changed.replicas_per_shard = 4;
  changed.generation = 2;
  EXPECT_EQ(store_->UpdateCluster(changed).status().code(), StatusCode::kFailedPrecondition);
  v1::Operation op = (*store_->ListUnfinishedOperations()).front();
  op.set_state(v1::OPERATION_STATE_SUCCEEDED);
  ASSERT_TRUE(store_->SaveOperation(op).ok());
  Result<v1::Operation> update = store_->UpdateCluster(changed);
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(store_->GetCluster("demo")->desired.generation, 2);
}

TEST_F(StoreTest, ForcedFailoverLastsWhileTheClusterFailsOver) {
  ASSERT_TRUE(store_->CreateCluster(Demo(), "").ok());
  ASSERT_TRUE(store_->SetClusterStatus("demo", v1::CLUSTER_STATUS_AVAILABLE, 1).ok());
  ASSERT_TRUE(store_->StartFailover("demo", "demo-0001-002", "test", false, true).ok());
  EXPECT_TRUE(store_->GetCluster("demo")->failover_forced);
  EXPECT_EQ(store_->GetCluster("demo")->status, v1::CLUSTER_STATUS_FAILING_OVER);
  ASSERT_TRUE(store_->SetClusterStatus("demo", v1::CLUSTER_STATUS_FAILING_OVER, 1).ok());
  EXPECT_TRUE(store_->GetCluster("demo")->failover_forced);
  ASSERT_TRUE(store_->SetClusterStatus("demo", v1::CLUSTER_STATUS_AVAILABLE, 1).ok());
  EXPECT_FALSE(store_->GetCluster("demo")->failover_forced);
  ASSERT_TRUE(store_->StartFailover("demo", "demo-0001-001", "test", false, false).ok());
  EXPECT_FALSE(store_->GetCluster("demo")->failover_forced);
}

TEST_F(StoreTest, SnapshotsAreRecordedListedAndDeleted) {
  v1::Snapshot s;
  s.set_name("nightly");
  s.set_cluster_name("demo");
  s.set_source("manual");
  s.set_node_id("demo-0001-002");
  Result<v1::Operation> op = store_->StartSnapshot(s);
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  EXPECT_EQ(op->resource(), "snapshots/nightly");
  EXPECT_EQ(op->type(), "CreateSnapshot");
  EXPECT_EQ(store_->StartSnapshot(s).status().code(), StatusCode::kAlreadyExists);
  clock_.AdvanceMs(1000);
  v1::Snapshot imported;
  imported.set_name("seed");
  imported.set_source("imported");
  imported.set_status(v1::SNAPSHOT_STATUS_AVAILABLE);
  ASSERT_TRUE(store_->InsertSnapshot(imported).ok());
  EXPECT_EQ(store_->InsertSnapshot(imported).code(), StatusCode::kAlreadyExists);
  std::vector<v1::Snapshot> all = *store_->ListSnapshots();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name(), "seed") << "newest first";
  EXPECT_EQ(store_->ListSnapshots("demo")->size(), 1u);
  EXPECT_EQ(store_->ListSnapshots("", "imported")->size(), 1u);
  v1::Snapshot got = *store_->GetSnapshot("nightly");
  EXPECT_EQ(got.status(), v1::SNAPSHOT_STATUS_CREATING);
  got.set_status(v1::SNAPSHOT_STATUS_AVAILABLE);
  got.set_size_bytes(42);
  ASSERT_TRUE(store_->SaveSnapshot(got).ok());
  EXPECT_EQ(store_->GetSnapshot("nightly")->size_bytes(), 42);
  ASSERT_TRUE(store_->DeleteSnapshot("nightly").ok());
  EXPECT_EQ(store_->GetSnapshot("nightly").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteSnapshot("nightly").code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, DeletionWithAFinalSnapshotCanBeTakenBack) {
  ASSERT_TRUE(store_->CreateCluster(Demo(), "").ok());
  Result<v1::Operation> del = store_->MarkClusterDeleting("demo", "last");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(store_->GetCluster("demo")->final_snapshot, "last");
  ASSERT_TRUE(store_->CancelDeletion("demo", *del, "FinalSnapshotFailed", "why").ok());
  ClusterRecord back = *store_->GetCluster("demo");
  EXPECT_FALSE(back.deleting);
  EXPECT_EQ(back.status, v1::CLUSTER_STATUS_AVAILABLE);
  EXPECT_EQ(store_->GetOperation(del->id())->state(), v1::OPERATION_STATE_FAILED);
}

TEST_F(StoreTest, DeleteCancelsUnfinishedOperations) {
  Result<v1::Operation> create = store_->CreateCluster(Demo(), "");
  Result<v1::Operation> del = store_->MarkClusterDeleting("demo");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(store_->GetOperation(create->id())->state(), v1::OPERATION_STATE_CANCELLED);
  EXPECT_EQ(store_->MarkClusterDeleting("demo")->id(), del->id());
  EXPECT_EQ(store_->MarkClusterDeleting("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, ClusterEventsIncludeItsNodes) {
  ASSERT_TRUE(store_->AddEvent("clusters/demo", "A", "a").ok());
  ASSERT_TRUE(store_->AddEvent("nodes/demo-0001-001", "B", "b").ok());
  ASSERT_TRUE(store_->AddEvent("nodes/demox-0001-001", "C", "c").ok());
  Result<std::vector<v1::Event>> events = store_->ListEvents("clusters/demo", 0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].type(), "B");
}

TEST_F(StoreTest, JoinTokenIsSingleUseAndExpires) {
  ASSERT_TRUE(store_->InsertJoinToken("j1", Sha256Hex("s"), clock_.NowMs() + 1000).ok());
  EXPECT_EQ(store_->ConsumeJoinToken("j1", Sha256Hex("x"), "h").code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(store_->ConsumeJoinToken("j1", Sha256Hex("s"), "h").ok());
  EXPECT_FALSE(store_->ConsumeJoinToken("j1", Sha256Hex("s"), "h").ok());
  ASSERT_TRUE(store_->InsertJoinToken("j2", Sha256Hex("s"), clock_.NowMs() + 1000).ok());
  clock_.AdvanceMs(1000);
  EXPECT_FALSE(store_->ConsumeJoinToken("j2", Sha256Hex("s"), "h").ok());
}

TEST_F(StoreTest, HostsKeepCordonAcrossHeartbeats) {
  Host h{.id = "host-a", .address = "127.0.0.1", .zone = "a", .memory_bytes = 1 << 30};
  h.engines = {{"cairn", "0.1.0"}, {"redis", "7.0.15"}};
  ASSERT_TRUE(store_->UpsertHost(h).ok());
  ASSERT_TRUE(store_->SetHostCordoned("host-a", true).ok());
  ASSERT_TRUE(store_->UpsertHost(h).ok());
  Result<Host> got = store_->GetHost("host-a");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->cordoned);
  ASSERT_EQ(got->engines.size(), 2u);
  EXPECT_EQ(got->engines[1].version, "7.0.15");
  EXPECT_EQ(store_->SetHostCordoned("nope", true).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cairn::controlplane
