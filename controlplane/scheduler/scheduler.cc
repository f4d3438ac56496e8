// Node placement: filter, score, pick, one node at a time so each pick sees the previous ones.
#include "controlplane/scheduler/scheduler.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace cairn::controlplane {
namespace {

struct HostState {
  const HostCandidate* candidate;
  int64_t allocated_bytes = 0;
};

struct ShardUse {
  std::set<std::string> zones;
  std::set<std::string> hosts;
};

bool HasEngine(const Host& host, const std::string& engine) {
  return std::any_of(host.engines.begin(), host.engines.end(),
                     [&](const HostEngine& e) { return e.engine == engine; });
}

// The port the node would get on `host`, or 0 when none is free.
int FreePort(const Host& host, int fixed_port, const std::set<int>& used_on_address) {
  if (fixed_port != 0) {
    return used_on_address.count(fixed_port) ? 0 : fixed_port;
  }
  for (int port = host.node_port_from; port > 0 && port <= host.node_port_to; ++port) {
    if (!used_on_address.count(port)) {
      return port;
    }
  }
  return 0;
}

}  // namespace

Result<std::vector<Placement>> PlaceNodes(const PlacementRequest& request,
                                          std::span<const HostCandidate> hosts,
                                          std::span<const Node> existing) {
  std::map<std::string, HostState> state;
  std::map<std::string, std::set<int>> ports_by_address;
  std::map<std::string, std::string> address_of;
  for (const HostCandidate& c : hosts) {
    state[c.host.id] = HostState{&c};
    address_of[c.host.id] = c.host.address;
  }
  ShardUse shard;
  for (const Node& n : existing) {
    auto it = state.find(n.host_id);
    if (it != state.end()) {
      it->second.allocated_bytes += n.memory_bytes;
      ports_by_address[address_of[n.host_id]].insert(n.port);
      if (n.cluster == request.cluster && n.shard_id == request.shard_id && !n.removing) {
        shard.zones.insert(it->second.candidate->host.zone);
        shard.hosts.insert(n.host_id);
      }
    }
  }
  std::vector<Placement> out;
  for (int ordinal : request.ordinals) {
    const HostState* best = nullptr;
    int best_port = 0;
    std::tuple<bool, bool, int64_t> best_score{};
    for (const auto& [id, hs] : state) {
      const Host& h = hs.candidate->host;
      int64_t free_bytes = h.memory_bytes - hs.allocated_bytes;
      if (!hs.candidate->schedulable || !HasEngine(h, request.engine) ||
          free_bytes < request.memory_bytes) {
        continue;
      }
      int port = FreePort(h, request.port, ports_by_address[h.address]);
      if (port == 0) {
        continue;
      }
      std::tuple<bool, bool, int64_t> score{!shard.zones.count(h.zone), !shard.hosts.count(id),
                                            free_bytes};
      if (best == nullptr || score > best_score) {  // ties keep the smaller host id
        best = &hs;
        best_score = score;
        best_port = port;
      }
    }
    if (best == nullptr) {
      return Status::ResourceExhausted(
          "CapacityUnavailable: no host has " + std::to_string(request.memory_bytes >> 20) +
          " MiB free, a free port and the " + request.engine + " engine for node " +
          std::to_string(out.size() + 1) + " of " + std::to_string(request.ordinals.size()));
    }
    const Host& h = best->candidate->host;
    Placement& p = out.emplace_back();
    p.ordinal = ordinal;
    p.node_id = NodeId(request.cluster, request.shard_id, ordinal);
    p.host_id = h.id;
    p.zone = h.zone;
    p.address = h.address;
    p.port = best_port;
    state[h.id].allocated_bytes += request.memory_bytes;
    ports_by_address[h.address].insert(best_port);
    shard.zones.insert(h.zone);
    shard.hosts.insert(h.id);
  }
  return out;
}

}  // namespace cairn::controlplane
