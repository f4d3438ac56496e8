// Failure detection and the failover decision, as pure functions of desired and observed state
// (ARCHITECTURE.md §6): a primary is down when its own agent reports it crashed, or when every
// reachable agent of the shard's other hosts has failed to reach it for down_after_ms. The
// replica with the highest replication offset is promoted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controlplane/model/cluster.h"
#include "controlplane/model/node.h"

namespace cairn::controlplane {

// A host's reachability as the health check needs it.
struct HostHealth {
  std::string host_id;
  // The agent heartbeats (session open and last heartbeat younger than the unreachable timeout).
  bool reachable = false;
  // The address its nodes are reached at.
  std::string address;
};

struct FailoverDecision {
  std::string old_primary;
  std::string new_primary;
  // "PrimaryCrashed" or "PrimaryUnreachable".
  std::string reason;
  // Human-readable, with the offsets: "demo-0001-001 exited 137; promoting demo-0001-002
  // (offset 1234, primary's last 1240)".
  std::string message;
};

// Decides whether the shard's primary is down and which replica replaces it. Nothing when
// automatic failover is off, the cluster never became available, the primary is healthy, the
// other hosts do not all agree, or no running replica can take over.
std::optional<FailoverDecision> DecideFailover(const Cluster& cluster, bool was_available,
                                               const std::vector<Node>& nodes,
                                               const std::vector<HostHealth>& hosts);

// The replica to promote: running, not being removed, highest replication offset, then lowest
// id. `exclude` is the current primary. Nullptr when none qualifies.
const Node* ChoosePromotionTarget(const std::vector<Node>& nodes, const std::string& exclude);

}  // namespace cairn::controlplane
