// Node and Host: where a cluster's engine processes run, as plain C++ types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::controlplane {

// "<cluster>-<shard>-<ordinal>" with 4- and 3-digit zero padding: NodeId("demo", 1, 2) is
// "demo-0001-002" (ElastiCache's node naming).
std::string NodeId(std::string_view cluster, int shard, int ordinal);
// The same with the shard id already formatted ("0001").
std::string NodeId(std::string_view cluster, std::string_view shard_id, int ordinal);
// "0001" for shard 1.
std::string ShardId(int shard);

// Desired placement of one node, written by the reconciler, plus the last status an agent
// reported for it.
struct Node {
  std::string id;
  std::string cluster;
  std::string shard_id;
  int ordinal = 0;
  std::string host_id;
  int port = 0;
  // Desired role.
  bool primary = false;
  // maxmemory of the node, bytes.
  int64_t memory_bytes = 0;
  // Set when the node is to be stopped and removed (scale-in or cluster deletion).
  bool removing = false;
  // Observed (from the agent's last heartbeat or task result).
  bool running = false;
  std::string observed_role;  // "primary" | "replica" | ""
  std::string link_status;    // replica: "up" | "down"
  int64_t replication_offset = 0;
  int64_t spec_generation = 0;
  std::string last_exit_reason;
  // Replica: the "host:port" it replicates from, as its INFO replication says.
  std::string observed_replicaof;
  // Replica: how long its agent's probes have failed to reach the primary, ms.
  int64_t primary_unreachable_ms = 0;
  // The agent holds it stopped until the control plane sends a spec (a crashed primary).
  bool held = false;
};

struct HostEngine {
  std::string engine;  // "cairn" | "redis"
  std::string version;
};

// A host running cairn-agent.
struct Host {
  std::string id;
  std::string address;
  std::string zone;
  bool cordoned = false;
  // Memory offered to nodes, bytes.
  int64_t memory_bytes = 0;
  int node_port_from = 0;
  int node_port_to = 0;
  std::vector<HostEngine> engines;
  // Unix ms of the last heartbeat; 0 = never.
  int64_t last_heartbeat_ms = 0;
  int64_t joined_at_ms = 0;
};

}  // namespace cairn::controlplane
