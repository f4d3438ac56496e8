#include "controlplane/scheduler/scheduler.h"

#include <set>

#include <gtest/gtest.h>

namespace cairn::controlplane {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

HostCandidate MakeHost(std::string id, std::string zone, int64_t memory = 4 * kGiB) {
  HostCandidate c;
  c.host.id = std::move(id);
  c.host.zone = std::move(zone);
  c.host.address = "127.0.0.1";
  c.host.memory_bytes = memory;
  c.host.node_port_from = 7000;
  c.host.node_port_to = 7009;
  c.host.engines = {{"cairn", "0.1.0"}};
  return c;
}

PlacementRequest Request(int nodes, int64_t memory = kGiB) {
  PlacementRequest r{
      .cluster = "demo", .shard_id = "0001", .engine = "cairn", .memory_bytes = memory};
  for (int i = 1; i <= nodes; ++i) {
    r.ordinals.push_back(i);
  }
  return r;
}

TEST(SchedulerTest, SpreadsAShardAcrossZonesThenHosts) {
  std::vector<HostCandidate> hosts = {MakeHost("host-a", "a"), MakeHost("host-b", "a"),
                                      MakeHost("host-c", "b")};
  Result<std::vector<Placement>> placed = PlaceNodes(Request(3), hosts, {});
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  std::set<std::string> used_hosts;
  for (const Placement& p : *placed) {
    used_hosts.insert(p.host_id);
  }
  EXPECT_EQ(used_hosts.size(), 3u);
  EXPECT_EQ((*placed)[0].zone != (*placed)[1].zone, true) << "second node goes to a new zone";
  EXPECT_EQ((*placed)[0].node_id, "demo-0001-001");
}

TEST(SchedulerTest, PortsAreUniquePerAddress) {
  std::vector<HostCandidate> hosts = {MakeHost("host-a", "a"), MakeHost("host-b", "b")};
  Result<std::vector<Placement>> placed = PlaceNodes(Request(4), hosts, {});
  ASSERT_TRUE(placed.ok());
  std::set<int> ports;
  for (const Placement& p : *placed) {
    ports.insert(p.port);
  }
  EXPECT_EQ(ports.size(), 4u);
}

TEST(SchedulerTest, CountsExistingNodesAgainstMemory) {
  std::vector<HostCandidate> hosts = {MakeHost("host-a", "a", 2 * kGiB)};
  Node existing{.id = "other-0001-001",
                .cluster = "other",
                .shard_id = "0001",
                .host_id = "host-a",
                .port = 7000,
                .memory_bytes = 2 * kGiB};
  Result<std::vector<Placement>> placed = PlaceNodes(Request(1), hosts, {&existing, 1});
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(placed.status().message().rfind("CapacityUnavailable: ", 0), 0u);
}

TEST(SchedulerTest, AllOrNothingAndSkipsUnschedulableHosts) {
  std::vector<HostCandidate> hosts = {MakeHost("host-a", "a"), MakeHost("host-b", "b")};
  hosts[1].schedulable = false;
  EXPECT_FALSE(PlaceNodes(Request(5, 1 * kGiB), hosts, {}).ok());
  Result<std::vector<Placement>> placed = PlaceNodes(Request(2), hosts, {});
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ((*placed)[1].host_id, "host-a") << "two on one host when it is the only choice";
}

TEST(SchedulerTest, RequiresTheEngine) {
  std::vector<HostCandidate> hosts = {MakeHost("host-a", "a")};
  PlacementRequest r = Request(1);
  r.engine = "redis";
  EXPECT_FALSE(PlaceNodes(r, hosts, {}).ok());
}

}  // namespace
}  // namespace cairn::controlplane
