// The pure part of cluster reconciliation: from desired state and observed state to the actions
// that move one toward the other (STYLE.md §5). No I/O; most reconciler tests target this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cairn/v1/operation.pb.h"
#include "controlplane/model/node.h"
#include "controlplane/scheduler/scheduler.h"
#include "controlplane/store/store.h"

namespace cairn::controlplane {

// Everything one reconcile pass reads.
struct ClusterView {
  ClusterRecord cluster;
  // The cluster's nodes (including removing ones).
  std::vector<Node> nodes;
  // Every host, with schedulability decided by the caller.
  std::vector<HostCandidate> hosts;
  // Every node of every cluster (for capacity).
  std::vector<Node> all_nodes;
};

struct ClusterActions {
  // New nodes to record (placement succeeded); the next pass starts them.
  std::vector<Node> insert_nodes;
  // Replicas to remove (scale-in), highest ordinal first.
  std::vector<std::string> mark_removing;
  // Nodes to start (not running) and to reconfigure (running with the wrong role).
  std::vector<std::string> start;
  std::vector<std::string> reconfigure;
  // Nodes being removed that still run.
  std::vector<std::string> stop;
  // Coordinated switchovers {observed primary, desired primary}: FAILOVER TO on the first.
  std::vector<std::pair<std::string, std::string>> switchover;
  // Set when the desired state cannot be reached (e.g. CapacityUnavailable): the operation
  // fails with it and nothing is placed.
  std::optional<Status> terminal;
  // True when observed state matches desired state.
  bool converged = false;
  // The operation's steps as of this pass, and its progress 0..100.
  std::vector<v1::OperationStep> steps;
  int progress_percent = 0;
};

// Plans one pass for a cluster that is not being deleted. `memory_bytes` is the node type's.
ClusterActions PlanActions(const ClusterView& view, int64_t memory_bytes);

// Plans one pass of a deletion: every node is stopped, then the cluster goes.
ClusterActions PlanDeletion(const ClusterView& view);

// The primary of the cluster's nodes (not removing), or nullptr.
const Node* FindPrimary(const std::vector<Node>& nodes);

}  // namespace cairn::controlplane
