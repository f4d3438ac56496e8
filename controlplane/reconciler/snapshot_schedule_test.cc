#include "controlplane/reconciler/snapshot_schedule.h"

#include <gtest/gtest.h>

#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 24 * 60 * kMinute;
// 2026-11-21 00:00:00 UTC.
constexpr int64_t kMidnight = 1'795'219'200'000;

ClusterRecord Cluster(const std::string& name, int retention, const std::string& window) {
  ClusterRecord c;
  c.desired.name = name;
  c.desired.snapshot_retention_days = retention;
  c.desired.snapshot_window = *ParseSnapshotWindow("w", window);
  c.status = v1::CLUSTER_STATUS_AVAILABLE;
  return c;
}

v1::Snapshot Automatic(const std::string& cluster, int64_t at_ms,
                       v1::SnapshotStatus status = v1::SNAPSHOT_STATUS_AVAILABLE) {
  v1::Snapshot s;
  s.set_name(AutomaticSnapshotName(cluster, at_ms));
  s.set_cluster_name(cluster);
  s.set_source("automatic");
  s.set_status(status);
  SetTimestamp(at_ms, s.mutable_created_at());
  return s;
}

TEST(SnapshotScheduleTest, OnePerWindowOccurrence) {
  std::vector<ClusterRecord> clusters = {Cluster("demo", 7, "05:00-06:00")};
  std::vector<v1::Snapshot> snapshots;
  EXPECT_TRUE(
      PlanAutomaticSnapshots(clusters, snapshots, kMidnight + 4 * 60 * kMinute).take.empty())
      << "before the window";
  int64_t in_window = kMidnight + 5 * 60 * kMinute + 10 * kMinute;
  AutomaticSnapshotPlan plan = PlanAutomaticSnapshots(clusters, snapshots, in_window);
  ASSERT_EQ(plan.take.size(), 1u);
  EXPECT_EQ(plan.take[0].second, "automatic.demo-2026-11-21-05-10");
  snapshots.push_back(Automatic("demo", in_window, v1::SNAPSHOT_STATUS_FAILED));
  EXPECT_TRUE(PlanAutomaticSnapshots(clusters, snapshots, in_window + 20 * kMinute).take.empty())
      << "one attempt per window, even a failed one";
  EXPECT_EQ(PlanAutomaticSnapshots(clusters, snapshots, in_window + kDay).take.size(), 1u)
      << "the next day's window";
}

TEST(SnapshotScheduleTest, WindowWrappingMidnight) {
  std::vector<ClusterRecord> clusters = {Cluster("demo", 1, "23:30-00:30")};
  std::vector<v1::Snapshot> snapshots = {Automatic("demo", kMidnight - 20 * kMinute)};
  EXPECT_TRUE(PlanAutomaticSnapshots(clusters, snapshots, kMidnight + 10 * kMinute).take.empty())
      << "taken at 23:40 in the same occurrence";
  snapshots.clear();
  EXPECT_EQ(PlanAutomaticSnapshots(clusters, snapshots, kMidnight + 10 * kMinute).take.size(), 1u);
}

TEST(SnapshotScheduleTest, RetentionAndDeletedClusters) {
  std::vector<ClusterRecord> clusters = {Cluster("demo", 2, "05:00-06:00"),
                                         Cluster("off", 0, "05:00-06:00")};
  int64_t now = kMidnight + 12 * 60 * kMinute;
  std::vector<v1::Snapshot> snapshots = {
      Automatic("demo", now - 3 * kDay), Automatic("demo", now - 1 * kDay),
      Automatic("off", now - 30 * kDay), Automatic("gone", now - kMinute),
      Automatic("demo", now - 5 * kDay, v1::SNAPSHOT_STATUS_CREATING)};
  v1::Snapshot manual = Automatic("demo", now - 9 * kDay);
  manual.set_source("manual");
  manual.set_name("keep-me");
  snapshots.push_back(manual);
  AutomaticSnapshotPlan plan = PlanAutomaticSnapshots(clusters, snapshots, now);
  EXPECT_EQ(plan.expire, (std::vector<std::string>{snapshots[0].name(), snapshots[3].name()}));
  EXPECT_TRUE(plan.take.empty()) << "outside the window";
}

TEST(SnapshotScheduleTest, OnlyAvailableClustersWithRetention) {
  std::vector<ClusterRecord> clusters = {Cluster("a", 1, "00:00-23:59"),
                                         Cluster("b", 0, "00:00-23:59"),
                                         Cluster("c", 1, "00:00-23:59")};
  clusters[2].status = v1::CLUSTER_STATUS_CREATING;
  AutomaticSnapshotPlan plan = PlanAutomaticSnapshots(clusters, {}, kMidnight + 60 * kMinute);
  ASSERT_EQ(plan.take.size(), 1u);
  EXPECT_EQ(plan.take[0].first, "a");
}

}  // namespace
}  // namespace cairn::controlplane
