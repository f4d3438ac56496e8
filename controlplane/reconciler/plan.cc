// Cluster reconciliation plans.
#include "controlplane/reconciler/plan.h"

#include <algorithm>

namespace cairn::controlplane {
namespace {

constexpr std::string_view kShard = "0001";

v1::OperationStep Step(std::string name, bool done, std::string detail = "") {
  v1::OperationStep step;
  step.set_name(std::move(name));
  step.set_state(done ? v1::OPERATION_STATE_SUCCEEDED : v1::OPERATION_STATE_RUNNING);
  step.set_detail(std::move(detail));
  return step;
}

void FinishSteps(ClusterActions& actions) {
  int done = 0;
  for (const v1::OperationStep& s : actions.steps) {
    done += s.state() == v1::OPERATION_STATE_SUCCEEDED;
  }
  actions.progress_percent =
      actions.steps.empty() ? 100 : static_cast<int>(done * 100 / actions.steps.size());
}

bool RoleMatches(const Node& n) {
  return n.observed_role == (n.primary ? "primary" : "replica");
}

// Places the nodes missing from the shard; all or nothing.
void PlanPlacement(const ClusterView& view, int64_t memory_bytes, int missing,
                   ClusterActions& actions) {
  const Cluster& c = view.cluster.desired;
  PlacementRequest request{.cluster = c.name,
                           .shard_id = std::string(kShard),
                           .engine = c.engine,
                           .memory_bytes = memory_bytes,
                           .port = c.port};
  int next = 1;
  bool has_primary = FindPrimary(view.nodes) != nullptr;
  for (const Node& n : view.nodes) {
    next = std::max(next, n.ordinal + 1);
  }
  for (int i = 0; i < missing; ++i) {
    request.ordinals.push_back(next + i);
  }
  Result<std::vector<Placement>> placed = PlaceNodes(request, view.hosts, view.all_nodes);
  if (!placed.ok()) {
    actions.terminal = placed.status();
    return;
  }
  for (const Placement& p : *placed) {
    Node& n = actions.insert_nodes.emplace_back();
    n.id = p.node_id;
    n.cluster = c.name;
    n.shard_id = std::string(kShard);
    n.ordinal = p.ordinal;
    n.host_id = p.host_id;
    n.port = p.port;
    n.memory_bytes = memory_bytes;
    n.primary = !has_primary;
    has_primary = true;
  }
}

bool HostReachable(const ClusterView& view, const std::string& host_id) {
  for (const HostCandidate& h : view.hosts) {
    if (h.host.id == host_id) {
      return h.reachable;
    }
  }
  return false;
}

// What one running-or-not node needs: start, a role change, or a new primary to follow.
void PlanNode(const ClusterView& view, const Node& n, const std::string& primary_addr,
              ClusterActions& actions) {
  if (!n.running) {
    actions.start.push_back(n.id);
    return;
  }
  bool switching = std::any_of(actions.switchover.begin(), actions.switchover.end(),
                               [&](const auto& s) { return s.first == n.id || s.second == n.id; });
  if (switching) {
    return;
  }
  bool wrong_primary = !n.primary && n.observed_role == "replica" &&
                       !n.observed_replicaof.empty() && !primary_addr.empty() &&
                       n.observed_replicaof != primary_addr;
  if (!RoleMatches(n) || wrong_primary) {
    actions.reconfigure.push_back(n.id);
  }
}

// A desired primary that still runs as a replica while the old primary runs on a reachable host
// takes over with FAILOVER TO on the old one (no acknowledged write lost); when the old one is
// gone, or when the failover is forced, the new one just gets REPLICAOF NO ONE and the old one
// REPLICAOF the new (PlanNode's role changes).
void PlanSwitchover(const ClusterView& view, ClusterActions& actions) {
  if (view.cluster.failover_forced) {
    return;
  }
  const Node* desired = FindPrimary(view.nodes);
  if (desired == nullptr || !desired->running || desired->observed_role != "replica") {
    return;
  }
  for (const Node& other : view.nodes) {
    if (&other != desired && other.running && other.observed_role == "primary" &&
        HostReachable(view, other.host_id)) {
      actions.switchover.emplace_back(other.id, desired->id);
      return;
    }
  }
}

}  // namespace

const Node* FindPrimary(const std::vector<Node>& nodes) {
  for (const Node& n : nodes) {
    if (n.primary && !n.removing) {
      return &n;
    }
  }
  return nullptr;
}

ClusterActions PlanActions(const ClusterView& view, int64_t memory_bytes) {
  ClusterActions actions;
  const Cluster& c = view.cluster.desired;
  int desired = 1 + c.replicas_per_shard;
  std::vector<const Node*> active;
  for (const Node& n : view.nodes) {
    if (!n.removing) {
      active.push_back(&n);
    }
  }
  int have = static_cast<int>(active.size());
  actions.steps.push_back(Step("place nodes", have >= desired));
  if (have < desired) {
    PlanPlacement(view, memory_bytes, desired - have, actions);
    FinishSteps(actions);
    return actions;
  }
  // Scale in: the highest-ordinal replicas go; the primary never does.
  std::vector<const Node*> replicas;
  for (const Node* n : active) {
    if (!n->primary) {
      replicas.push_back(n);
    }
  }
  std::sort(replicas.begin(), replicas.end(),
            [](const Node* a, const Node* b) { return a->ordinal > b->ordinal; });
  std::vector<std::string> leaving;
  for (int i = 0; i < have - desired && i < static_cast<int>(replicas.size()); ++i) {
    actions.mark_removing.push_back(replicas[i]->id);
    leaving.push_back(replicas[i]->id);
  }
  const Node* primary = FindPrimary(view.nodes);
  std::string primary_addr;
  for (const HostCandidate& h : view.hosts) {
    if (primary != nullptr && h.host.id == primary->host_id) {
      primary_addr = h.host.address + ":" + std::to_string(primary->port);
    }
  }
  PlanSwitchover(view, actions);
  bool all_ready = actions.switchover.empty();
  for (const Node* n : active) {
    if (std::find(leaving.begin(), leaving.end(), n->id) != leaving.end()) {
      continue;
    }
    if (!n->primary && !HostReachable(view, n->host_id)) {
      // Its host is gone: replace it (the next pass places a new replica elsewhere).
      actions.mark_removing.push_back(n->id);
      leaving.push_back(n->id);
      all_ready = false;
      continue;
    }
    PlanNode(view, *n, primary_addr, actions);
    bool ready = n->running && RoleMatches(*n) && (n->primary || n->link_status == "up");
    all_ready = all_ready && ready;
    std::string detail = n->last_exit_reason.empty() ? "" : "last exit: " + n->last_exit_reason;
    actions.steps.push_back(
        Step((n->primary ? "start primary " : "start replica ") + n->id, n->running, detail));
    if (!n->primary) {
      actions.steps.push_back(
          Step("sync " + n->id + " from the primary", n->running && n->link_status == "up"));
    }
  }
  for (const Node& n : view.nodes) {
    bool removing = n.removing || std::find(leaving.begin(), leaving.end(), n.id) != leaving.end();
    if (removing) {
      actions.stop.push_back(n.id);
      // A node on a lost host cannot confirm its stop; it is stopped when the host returns.
      bool lost = !HostReachable(view, n.host_id);
      actions.steps.push_back(Step("stop " + n.id, lost, lost ? "host unreachable" : ""));
      all_ready = all_ready && lost;
    }
  }
  actions.converged = all_ready;
  FinishSteps(actions);
  return actions;
}

ClusterActions PlanDeletion(const ClusterView& view) {
  ClusterActions actions;
  for (const Node& n : view.nodes) {
    actions.stop.push_back(n.id);
    actions.steps.push_back(Step("stop " + n.id, false));
  }
  actions.converged = view.nodes.empty();
  actions.steps.push_back(Step("delete cluster record", actions.converged));
  FinishSteps(actions);
  return actions;
}

}  // namespace cairn::controlplane
