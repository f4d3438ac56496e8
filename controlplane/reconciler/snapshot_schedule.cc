// Automatic snapshot planning.
#include "controlplane/reconciler/snapshot_schedule.h"

#include <ctime>
#include <map>

#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;

// When the occurrence of `window` that contains `now_ms` began (unix ms).
int64_t WindowStartMs(const SnapshotWindow& window, int64_t now_ms) {
  int64_t day_start = now_ms - now_ms % kDayMs;
  int minute = static_cast<int>((now_ms % kDayMs) / kMinuteMs);
  int64_t start = day_start + window.start_minute * kMinuteMs;
  if (minute < window.start_minute) {
    start -= kDayMs;  // a window wrapping midnight, now after midnight
  }
  return start;
}

}  // namespace

std::string AutomaticSnapshotName(const std::string& cluster, int64_t now_ms) {
  std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d-%H-%M", &utc);
  return "automatic." + cluster + "-" + stamp;
}

AutomaticSnapshotPlan PlanAutomaticSnapshots(const std::vector<ClusterRecord>& clusters,
                                             const std::vector<v1::Snapshot>& snapshots,
                                             int64_t now_ms) {
  AutomaticSnapshotPlan plan;
  std::map<std::string, const ClusterRecord*> by_name;
  for (const ClusterRecord& c : clusters) {
    by_name[c.desired.name] = &c;
  }
  std::map<std::string, int64_t> newest;  // cluster -> newest automatic snapshot, ms
  for (const v1::Snapshot& s : snapshots) {
    if (s.source() != "automatic") {
      continue;
    }
    int64_t created = TimestampMs(s.created_at());
    newest[s.cluster_name()] = std::max(newest[s.cluster_name()], created);
    if (s.status() == v1::SNAPSHOT_STATUS_CREATING) {
      continue;
    }
    auto it = by_name.find(s.cluster_name());
    if (it == by_name.end()) {
      plan.expire.push_back(s.name());
      continue;
    }
    int retention = it->second->desired.snapshot_retention_days;
    if (retention > 0 && created < now_ms - retention * kDayMs) {
      plan.expire.push_back(s.name());
    }
  }
  int minute = static_cast<int>((now_ms % kDayMs) / kMinuteMs);
  for (const ClusterRecord& c : clusters) {
    const Cluster& d = c.desired;
    if (d.snapshot_retention_days <= 0 || c.deleting || c.status != v1::CLUSTER_STATUS_AVAILABLE ||
        !d.snapshot_window.Contains(minute)) {
      continue;
    }
    auto seen = newest.find(d.name);
    if (seen == newest.end() || seen->second < WindowStartMs(d.snapshot_window, now_ms)) {
      plan.take.emplace_back(d.name, AutomaticSnapshotName(d.name, now_ms));
    }
  }
  return plan;
}

}  // namespace cairn::controlplane
