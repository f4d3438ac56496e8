// Automatic snapshots (ElastiCache's automatic backups), the pure part: which clusters are due
// for their daily snapshot now and which automatic snapshots have outlived their retention.
// No I/O; the Snapshotter acts on the plan.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cairn/v1/snapshot.pb.h"
#include "controlplane/store/store.h"

namespace cairn::controlplane {

struct AutomaticSnapshotPlan {
  // {cluster, snapshot name} to take now.
  std::vector<std::pair<std::string, std::string>> take;
  // Automatic snapshots to delete.
  std::vector<std::string> expire;
};

// A cluster with snapshot_retention_days > 0 that is AVAILABLE and inside its snapshot_window
// at `now_ms` (UTC) is due when none of its automatic snapshots (any status, so a failed one is
// not retried in the same window) was created since this occurrence of the window began. An
// automatic snapshot expires when it is older than its cluster's retention (retention 0 keeps
// them), or when its cluster no longer exists (as ElastiCache deletes a deleted cluster's
// automatic backups). Snapshots still CREATING never expire.
AutomaticSnapshotPlan PlanAutomaticSnapshots(const std::vector<ClusterRecord>& clusters,
                                             const std::vector<v1::Snapshot>& snapshots,
                                             int64_t now_ms);

// "automatic.<cluster>-YYYY-MM-DD-HH-MM" for `now_ms` in UTC.
std::string AutomaticSnapshotName(const std::string& cluster, int64_t now_ms);

}  // namespace cairn::controlplane
