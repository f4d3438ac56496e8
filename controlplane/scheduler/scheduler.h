// Placement of new nodes onto hosts (filter -> score -> pick), as a pure function of the hosts
// and the nodes already placed, so every rule is testable without processes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "controlplane/model/node.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane {

// A host as the scheduler sees it.
struct HostCandidate {
  Host host;
  // False when the host is cordoned, unreachable or its agent is disconnected.
  bool schedulable = true;
  // False when its agent is disconnected or its heartbeat is stale (cordoned hosts stay
  // reachable). Nodes on unreachable hosts are replaced.
  bool reachable = true;
};

struct PlacementRequest {
  std::string cluster;
  std::string shard_id;
  // Engine the nodes run ("cairn" | "redis"): the host must have reported it.
  std::string engine;
  // maxmemory of each node, bytes; must fit the host's free memory.
  int64_t memory_bytes = 0;
  // Fixed client port for every node, or 0 to take the lowest free port of the host's range.
  int port = 0;
  // Ordinals (the NNN of demo-0001-NNN) of the new nodes.
  std::vector<int> ordinals;
};

struct Placement {
  std::string node_id;
  int ordinal = 0;
  std::string host_id;
  std::string zone;
  std::string address;
  int port = 0;
};

// Places every node of `request` or none. Rules, in order: the host is schedulable, has the
// engine, and has the memory and a free port (ports are per address, so hosts sharing
// 127.0.0.1 in dev mode never collide); then prefer a zone the shard does not use yet, then a
// host the shard does not use yet, then the host with the most free memory, then the host id.
// `existing` are all placed nodes (every cluster), which use memory and ports.
// Errors: ResourceExhausted with a message starting "CapacityUnavailable: " when a node fits
// nowhere.
Result<std::vector<Placement>> PlaceNodes(const PlacementRequest& request,
                                          std::span<const HostCandidate> hosts,
                                          std::span<const Node> existing);

}  // namespace cairn::controlplane
