// What every API service implementation reads and writes: the store, the reconciler it wakes,
// and the agent sessions (for host reachability).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "controlplane/backup/backup_store.h"
#include "controlplane/reconciler/agent_tasks.h"
#include "controlplane/reconciler/cluster_reconciler.h"
#include "controlplane/reconciler/snapshotter.h"
#include "controlplane/store/store.h"
#include "dataplane/base/clock.h"

namespace cairn::controlplane {

struct ApiDeps {
  Store& store;
  ClusterReconciler& reconciler;
  AgentTasks& agents;
  const Clock& clock;
  // Formats a join token for agents from its id and secret ("cjt1.<ca-sha256>.<id>.<secret>").
  std::function<std::string(std::string_view id, std::string_view secret)> format_join_token;
  // "host:port" of the Sentinel-compatible discovery endpoint (Cluster.endpoints.discovery).
  std::string discovery_addr;
  // Snapshots: the backup store and who takes them; null when the daemon has none.
  BackupStore* backups = nullptr;
  Snapshotter* snapshotter = nullptr;
  // A private directory for uploads being validated (imports).
  std::filesystem::path scratch_dir;
};

}  // namespace cairn::controlplane
