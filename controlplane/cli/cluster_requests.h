// The ClusterService requests of `cluster create|update|delete`, built from the parsed flags.
// Kept apart from the RPCs so the mapping of every flag onto the API is unit-tested.
#pragma once

#include <optional>
#include <string>

#include "cairn/v1/cluster.pb.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane::cli {

// `cluster create` flags; an unset optional was not given.
struct ClusterCreateArgs {
  std::string name;
  std::optional<int> replicas;
  std::string node_type;
  std::string engine;
  bool tls = false;
  std::string auth_token;
  std::string description;
  int port = 0;
  std::string maxmemory_policy;
  std::string request_id;
  // --from-snapshot: Cluster.source_snapshot.
  std::string from_snapshot;
  std::optional<int> snapshot_retention_days;
  std::string snapshot_window;
};

// `cluster update` flags; only the given ones go into the update mask.
struct ClusterUpdateArgs {
  std::string name;
  std::optional<int> replicas;
  std::optional<std::string> description;
  std::optional<int> snapshot_retention_days;
  std::optional<std::string> snapshot_window;
};

// InvalidArgument (a usage error) when --replicas is missing without --from-snapshot (a restored
// cluster defaults to the snapshot's replicas) or --snapshot-window is malformed.
Result<v1::CreateClusterRequest> BuildCreateClusterRequest(const ClusterCreateArgs& args);

// The update_mask lists exactly the given flags' fields (replicas_per_shard, description,
// snapshot_retention_days, snapshot_window). InvalidArgument when none is given or the window is
// malformed.
Result<v1::UpdateClusterRequest> BuildUpdateClusterRequest(const ClusterUpdateArgs& args);

// `cluster delete NAME [--final-snapshot SNAP]`.
v1::DeleteClusterRequest BuildDeleteClusterRequest(const std::string& name,
                                                   const std::string& final_snapshot);

}  // namespace cairn::controlplane::cli
