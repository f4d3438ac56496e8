// Cluster: the desired shape of a user's cache, as a plain C++ type, with its validation and its
// conversion to and from the cairn.v1.Cluster proto.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cairn/v1/cluster.pb.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane {

inline constexpr int kMaxReplicasPerShard = 5;
inline constexpr int kMaxSnapshotRetentionDays = 35;

// A daily time window in UTC, as minutes since midnight; end < start wraps past midnight.
struct SnapshotWindow {
  int start_minute = 5 * 60;  // ElastiCache-like default "05:00-06:00"
  int end_minute = 6 * 60;

  // "hh:mm-hh:mm".
  std::string ToString() const;
  // True when `minute_of_day` (0..1439) is inside [start, end).
  bool Contains(int minute_of_day) const;
};

// Parses "hh:mm-hh:mm" (UTC, at least 60 minutes long, may wrap midnight). InvalidArgument
// naming `field` otherwise.
Result<SnapshotWindow> ParseSnapshotWindow(std::string_view field, std::string_view text);

struct Cluster {
  std::string name;
  std::string description;
  std::string engine = "cairn";  // "cairn" | "redis"
  std::string engine_version;
  std::string node_type = "cache.small";
  int shard_count = 1;
  int replicas_per_shard = 0;
  int port = 0;  // 0 = allocated from the host's range
  bool tls = false;
  // Write-only: the default user's password on the nodes (requirepass/masterauth). Never
  // returned by the API and never logged.
  std::string auth_token;
  std::string maxmemory_policy = "volatile-lru";  // ElastiCache's default
  int64_t generation = 1;
  // Promote a replica when the primary is down; unset = on when replicas_per_shard >= 1.
  std::optional<bool> automatic_failover;
  // How long the primary must be unreachable before it is declared down, ms.
  int64_t down_after_ms = 2000;
  // The snapshot the cluster was created from (empty: none). Its primary is seeded with it
  // while the cluster is being created.
  std::string source_snapshot;
  // Automatic snapshots: days kept (0 = off, max 35) and the daily window in UTC.
  int snapshot_retention_days = 0;
  SnapshotWindow snapshot_window;

  // Whether automatic failover applies now (set explicitly, or replicas exist).
  bool AutomaticFailover() const {
    return automatic_failover.value_or(replicas_per_shard >= 1) && replicas_per_shard >= 1;
  }
};

// Checks a maxmemory-policy name (the eight Redis 7.0 policies); InvalidArgument naming `field`.
Status ValidateMaxmemoryPolicy(std::string_view field, std::string_view policy);

// Validates snapshot_retention_days and snapshot_window of `proto` into `c` (an empty window
// keeps c's). InvalidArgument naming the field.
Status ApplySnapshotSettings(const v1::Cluster& proto, Cluster& c);

// Validates a requested cluster and fills defaults for unset fields. Errors are InvalidArgument
// naming the field ("cluster.replicas_per_shard: must be between 0 and 5, got 6").
Result<Cluster> ClusterFromProto(const v1::Cluster& proto);

// The desired-state fields of `cluster` as a proto (never the auth token: it is write-only).
v1::Cluster ToProto(const Cluster& cluster);

}  // namespace cairn::controlplane
