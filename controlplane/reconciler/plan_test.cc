#include "controlplane/reconciler/plan.h"

#include <gtest/gtest.h>

namespace cairn::controlplane {
namespace {

constexpr int64_t kNodeBytes = int64_t{256} << 20;

ClusterView View(int replicas) {
  ClusterView v;
  v.cluster.desired.name = "demo";
  v.cluster.desired.replicas_per_shard = replicas;
  for (std::string zone : {"a", "b", "c"}) {
    HostCandidate h;
    h.host = Host{.id = "host-" + zone,
                  .address = "127.0.0.1",
                  .zone = zone,
                  .memory_bytes = int64_t{4} << 30,
                  .node_port_from = 7000,
                  .node_port_to = 7099};
    h.host.engines = {{"cairn", "0.1.0"}};
    v.hosts.push_back(h);
  }
  return v;
}

// Records the placements as nodes that run and are in sync.
void RunAll(ClusterView& v, const ClusterActions& placed) {
  for (Node n : placed.insert_nodes) {
    n.running = true;
    n.observed_role = n.primary ? "primary" : "replica";
    n.link_status = n.primary ? "" : "up";
    v.nodes.push_back(n);
  }
  v.all_nodes = v.nodes;
}

TEST(PlanTest, NewClusterPlacesEveryNodeWithOnePrimary) {
  ClusterActions a = PlanActions(View(2), kNodeBytes);
  ASSERT_EQ(a.insert_nodes.size(), 3u);
  EXPECT_TRUE(a.insert_nodes[0].primary);
  EXPECT_FALSE(a.insert_nodes[1].primary);
  EXPECT_FALSE(a.converged);
  EXPECT_EQ(a.progress_percent, 0);
}

TEST(PlanTest, PlacedButStoppedNodesAreStarted) {
  ClusterView v = View(1);
  ClusterActions placed = PlanActions(v, kNodeBytes);
  v.nodes = placed.insert_nodes;
  ClusterActions a = PlanActions(v, kNodeBytes);
  EXPECT_EQ(a.start.size(), 2u);
  EXPECT_FALSE(a.converged);
}

TEST(PlanTest, RunningNodesInSyncConverge) {
  ClusterView v = View(2);
  RunAll(v, PlanActions(v, kNodeBytes));
  ClusterActions a = PlanActions(v, kNodeBytes);
  EXPECT_TRUE(a.converged);
  EXPECT_EQ(a.progress_percent, 100);
  v.nodes[2].link_status = "down";
  EXPECT_FALSE(PlanActions(v, kNodeBytes).converged);
  v.nodes[2].link_status = "up";
  v.nodes[1].observed_role = "primary";
  EXPECT_EQ(PlanActions(v, kNodeBytes).reconfigure, std::vector<std::string>{v.nodes[1].id});
}

TEST(PlanTest, ScaleInRemovesHighestReplicasNeverThePrimary) {
  ClusterView v = View(2);
  RunAll(v, PlanActions(v, kNodeBytes));
  v.cluster.desired.replicas_per_shard = 0;
  ClusterActions a = PlanActions(v, kNodeBytes);
  EXPECT_EQ(a.mark_removing, (std::vector<std::string>{"demo-0001-003", "demo-0001-002"}));
  EXPECT_EQ(a.stop.size(), 2u);
  EXPECT_FALSE(a.converged);
}

TEST(PlanTest, TooBigForTheFleetIsTerminalAndPlacesNothing) {
  ClusterView v = View(5);
  ClusterActions a = PlanActions(v, int64_t{3} << 30);
  ASSERT_TRUE(a.terminal.has_value());
  EXPECT_EQ(a.terminal->code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(a.insert_nodes.empty());
}

TEST(PlanTest, DeletionStopsEveryNodeThenConverges) {
  ClusterView v = View(1);
  RunAll(v, PlanActions(v, kNodeBytes));
  ClusterActions a = PlanDeletion(v);
  EXPECT_EQ(a.stop.size(), 2u);
  EXPECT_FALSE(a.converged);
  v.nodes.clear();
  EXPECT_TRUE(PlanDeletion(v).converged);
}

}  // namespace
}  // namespace cairn::controlplane

namespace cairn::controlplane {
namespace {

TEST(PlanTest, DesiredPrimaryStillAReplicaTakesOverWithFailover) {
  ClusterView v = View(1);
  RunAll(v, PlanActions(v, kNodeBytes));
  v.nodes[0].primary = false;  // the API asked for demo-0001-002 as primary
  v.nodes[1].primary = true;
  ClusterActions a = PlanActions(v, kNodeBytes);
  ASSERT_EQ(a.switchover.size(), 1u);
  EXPECT_EQ(a.switchover[0], std::make_pair(v.nodes[0].id, v.nodes[1].id));
  EXPECT_TRUE(a.reconfigure.empty()) << "FAILOVER moves both roles";
  EXPECT_FALSE(a.converged);
}

TEST(PlanTest, ForcedFailoverPromotesAtOnceAndDemotesTheOldPrimary) {
  ClusterView v = View(1);
  RunAll(v, PlanActions(v, kNodeBytes));
  v.nodes[0].primary = false;
  v.nodes[1].primary = true;
  v.cluster.failover_forced = true;
  ClusterActions a = PlanActions(v, kNodeBytes);
  EXPECT_TRUE(a.switchover.empty()) << "no FAILOVER TO: nothing waits for the target";
  EXPECT_EQ(a.reconfigure, (std::vector<std::string>{v.nodes[0].id, v.nodes[1].id}));
  EXPECT_FALSE(a.converged);
}

TEST(PlanTest, CrashedOldPrimaryMeansPlainPromotionAndRestartAsReplica) {
  ClusterView v = View(1);
  RunAll(v, PlanActions(v, kNodeBytes));
  v.nodes[0].primary = false;
  v.nodes[0].running = false;
  v.nodes[0].held = true;
  v.nodes[1].primary = true;
  ClusterActions a = PlanActions(v, kNodeBytes);
  EXPECT_TRUE(a.switchover.empty());
  EXPECT_EQ(a.reconfigure, std::vector<std::string>{v.nodes[1].id});
  EXPECT_EQ(a.start, std::vector<std::string>{v.nodes[0].id});
}

TEST(PlanTest, ReplicaFollowingTheWrongPrimaryIsRepointed) {
  ClusterView v = View(2);
  RunAll(v, PlanActions(v, kNodeBytes));
  std::string primary_addr = "127.0.0.1:" + std::to_string(v.nodes[0].port);
  v.nodes[1].observed_replicaof = primary_addr;
  v.nodes[2].observed_replicaof = "127.0.0.1:1";
  ClusterActions a = PlanActions(v, kNodeBytes);
  EXPECT_EQ(a.reconfigure, std::vector<std::string>{v.nodes[2].id});
}

TEST(PlanTest, ReplicaOnALostHostIsReplacedElsewhere) {
  ClusterView v = View(1);
  RunAll(v, PlanActions(v, kNodeBytes));
  for (HostCandidate& h : v.hosts) {
    if (h.host.id == v.nodes[1].host_id) {
      h.reachable = false;
      h.schedulable = false;
    }
  }
  ClusterActions a = PlanActions(v, kNodeBytes);
  EXPECT_EQ(a.mark_removing, std::vector<std::string>{v.nodes[1].id});
  v.nodes[1].removing = true;
  ClusterActions next = PlanActions(v, kNodeBytes);
  ASSERT_EQ(next.insert_nodes.size(), 1u);
  EXPECT_NE(next.insert_nodes[0].host_id, v.nodes[1].host_id);
}

}  // namespace
}  // namespace cairn::controlplane
