// Failover decision.
#include "controlplane/health/failover.h"

#include <algorithm>

namespace cairn::controlplane {
namespace {

std::string AddressOf(const std::vector<HostHealth>& hosts, const Node& node) {
  for (const HostHealth& h : hosts) {
    if (h.host_id == node.host_id) {
      return h.address + ":" + std::to_string(node.port);
    }
  }
  return "";
}

bool Reachable(const std::vector<HostHealth>& hosts, const std::string& host_id) {
  return std::any_of(hosts.begin(), hosts.end(),
                     [&](const HostHealth& h) { return h.host_id == host_id && h.reachable; });
}

}  // namespace

const Node* ChoosePromotionTarget(const std::vector<Node>& nodes, const std::string& exclude) {
  const Node* best = nullptr;
  for (const Node& n : nodes) {
    if (n.id == exclude || n.removing || !n.running || n.observed_role != "replica") {
      continue;
    }
    if (best == nullptr || n.replication_offset > best->replication_offset ||
        (n.replication_offset == best->replication_offset && n.id < best->id)) {
      best = &n;
    }
  }
  return best;
}

std::optional<FailoverDecision> DecideFailover(const Cluster& cluster, bool was_available,
                                               const std::vector<Node>& nodes,
                                               const std::vector<HostHealth>& hosts) {
  if (!cluster.AutomaticFailover() || !was_available) {
    return std::nullopt;
  }
  auto primary = std::find_if(nodes.begin(), nodes.end(),
                              [](const Node& n) { return n.primary && !n.removing; });
  if (primary == nodes.end()) {
    return std::nullopt;
  }
  FailoverDecision d;
  d.old_primary = primary->id;
  bool own_agent_reachable = Reachable(hosts, primary->host_id);
  if (own_agent_reachable && !primary->running &&
      (primary->held || !primary->last_exit_reason.empty())) {
    // Its own agent saw the process exit: authoritative, no vote needed.
    d.reason = "PrimaryCrashed";
    d.message = primary->id + " " +
                (primary->last_exit_reason.empty() ? "is down" : primary->last_exit_reason);
  } else {
    int voters = 0;
    int agree = 0;
    std::string primary_addr = AddressOf(hosts, *primary);
    for (const Node& n : nodes) {
      if (n.primary || n.removing || n.host_id == primary->host_id ||
          !Reachable(hosts, n.host_id) || !n.running || n.observed_replicaof != primary_addr) {
        continue;
      }
      ++voters;
      agree += n.primary_unreachable_ms >= cluster.down_after_ms;
    }
    if (voters == 0 || agree < voters) {
      return std::nullopt;
    }
    d.reason = "PrimaryUnreachable";
    d.message = primary->id + " unreachable for " + std::to_string(cluster.down_after_ms) +
                " ms from " + std::to_string(agree) + " of " + std::to_string(voters) +
                " other hosts";
  }
  const Node* target = ChoosePromotionTarget(nodes, primary->id);
  if (target == nullptr) {
    return std::nullopt;
  }
  d.new_primary = target->id;
  d.message += "; promoting " + target->id + " (offset " +
               std::to_string(target->replication_offset) + ", primary's last " +
               std::to_string(primary->replication_offset) + ")";
  return d;
}

}  // namespace cairn::controlplane
