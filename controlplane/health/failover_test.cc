#include "controlplane/health/failover.h"

#include <gtest/gtest.h>

namespace cairn::controlplane {
namespace {

struct Shard {
  Cluster cluster;
  std::vector<Node> nodes;
  std::vector<HostHealth> hosts = {
      {"host-a", true, "10.0.0.1"}, {"host-b", true, "10.0.0.2"}, {"host-c", true, "10.0.0.3"}};

  Shard() {
    cluster.name = "demo";
    cluster.replicas_per_shard = 2;
    for (int i = 0; i < 3; ++i) {
      Node n;
      n.id = "demo-0001-00" + std::to_string(i + 1);
      n.host_id = std::string("host-") + static_cast<char>('a' + i);
      n.primary = i == 0;
      n.running = true;
      n.observed_role = i == 0 ? "primary" : "replica";
      n.replication_offset = 100 + i;
      n.port = 7000;
      n.observed_replicaof = i == 0 ? "" : "10.0.0.1:7000";
      nodes.push_back(n);
    }
  }
  std::optional<FailoverDecision> Decide() const {
    return DecideFailover(cluster, true, nodes, hosts);
  }
};

TEST(FailoverTest, HealthyPrimaryStays) {
  EXPECT_FALSE(Shard().Decide());
}

TEST(FailoverTest, CrashReportedByItsOwnAgentPromotesHighestOffset) {
  Shard s;
  s.nodes[0].running = false;
  s.nodes[0].held = true;
  s.nodes[0].last_exit_reason = "exited 137";
  auto d = s.Decide();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, "PrimaryCrashed");
  EXPECT_EQ(d->new_primary, "demo-0001-003");
  EXPECT_NE(d->message.find("offset 102"), std::string::npos);
}

TEST(FailoverTest, UnreachableNeedsEveryOtherHostToAgree) {
  Shard s;
  s.hosts[0].reachable = false;
  s.nodes[1].primary_unreachable_ms = 2500;
  EXPECT_FALSE(s.Decide()) << "host-c still reaches the primary: no quorum";
  s.nodes[2].primary_unreachable_ms = 1000;
  EXPECT_FALSE(s.Decide()) << "not yet down_after_ms";
  s.nodes[2].primary_unreachable_ms = 2000;
  auto d = s.Decide();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, "PrimaryUnreachable");
}

TEST(FailoverTest, ReplicasStillFollowingAnOldPrimaryDoNotVote) {
  Shard s;
  s.nodes[1].primary_unreachable_ms = 5000;
  s.nodes[2].primary_unreachable_ms = 5000;
  s.nodes[1].observed_replicaof = "10.0.0.9:7000";
  s.nodes[2].observed_replicaof = "10.0.0.9:7000";
  EXPECT_FALSE(s.Decide()) << "their probes are about another node";
}

TEST(FailoverTest, ControlPlaneCutFromPrimaryHostAloneIsNoFailover) {
  Shard s;
  s.hosts[0].reachable = false;  // only the control plane lost host-a
  EXPECT_FALSE(s.Decide());
}

TEST(FailoverTest, OffWithoutReplicasOrWhenDisabled) {
  Shard s;
  s.nodes[0].running = false;
  s.nodes[0].held = true;
  s.cluster.automatic_failover = false;
  EXPECT_FALSE(s.Decide());
  s.cluster.automatic_failover.reset();
  s.nodes[1].running = s.nodes[2].running = false;
  EXPECT_FALSE(s.Decide()) << "no running replica to promote";
}

}  // namespace
}  // namespace cairn::controlplane
