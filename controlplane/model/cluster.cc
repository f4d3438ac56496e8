// Cluster validation and proto conversion.
#include "controlplane/model/cluster.h"

#include <array>
#include <cstdio>

#include "controlplane/model/catalog.h"
#include "controlplane/model/names.h"

namespace cairn::controlplane {

Status ValidateMaxmemoryPolicy(std::string_view field, std::string_view policy) {
  static constexpr std::array<std::string_view, 8> kPolicies = {
      "noeviction",   "allkeys-lru",  "allkeys-lfu",     "allkeys-random",
      "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"};
  for (std::string_view p : kPolicies) {
    if (p == policy) {
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(std::string(field) + ": unknown maxmemory policy \"" +
                                 std::string(policy) + "\"");
}

namespace {

// "hh:mm" -> minutes since midnight, or -1.
int ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') {
    return -1;
  }
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') {
      return -1;
    }
  }
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : -1;
}

std::string FormatClock(int minute) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", minute / 60, minute % 60);
  return buffer;
}

}  // namespace

std::string SnapshotWindow::ToString() const {
  return FormatClock(start_minute) + "-" + FormatClock(end_minute);
}

bool SnapshotWindow::Contains(int minute_of_day) const {
  if (start_minute <= end_minute) {
    return minute_of_day >= start_minute && minute_of_day < end_minute;
  }
  return minute_of_day >= start_minute || minute_of_day < end_minute;
}

Result<SnapshotWindow> ParseSnapshotWindow(std::string_view field, std::string_view text) {
  size_t dash = text.find('-');
  int start = dash == std::string_view::npos ? -1 : ParseClock(text.substr(0, dash));
  int end = dash == std::string_view::npos ? -1 : ParseClock(text.substr(dash + 1));
  if (start < 0 || end < 0) {
    return Status::InvalidArgument(std::string(field) + ": must be \"hh:mm-hh:mm\" (UTC), got \"" +
                                   std::string(text) + "\"");
  }
  int length = (end - start + 24 * 60) % (24 * 60);
  if (length < 60) {
    return Status::InvalidArgument(std::string(field) +
                                   ": the window must be at least 60 minutes long, got \"" +
                                   std::string(text) + "\"");
  }
  return SnapshotWindow{start, end};
}

Status ApplySnapshotSettings(const v1::Cluster& proto, Cluster& c) {
  if (proto.snapshot_retention_days() < 0 ||
      proto.snapshot_retention_days() > kMaxSnapshotRetentionDays) {
    return Status::InvalidArgument(
        "cluster.snapshot_retention_days: must be between 0 and 35, got " +
        std::to_string(proto.snapshot_retention_days()));
  }
  c.snapshot_retention_days = proto.snapshot_retention_days();
  if (!proto.snapshot_window().empty()) {
    Result<SnapshotWindow> window =
        ParseSnapshotWindow("cluster.snapshot_window", proto.snapshot_window());
    CAIRN_RETURN_IF_ERROR(window.status());
    c.snapshot_window = *window;
  }
  return Status::Ok();
}

Result<Cluster> ClusterFromProto(const v1::Cluster& proto) {
  Cluster c;
  CAIRN_RETURN_IF_ERROR(ValidateName("cluster.name", proto.name()));
  c.name = proto.name();
  c.description = proto.description();
  if (!proto.engine().empty()) {
    if (proto.engine() != "cairn" && proto.engine() != "redis") {
      return Status::InvalidArgument("cluster.engine: must be \"cairn\" or \"redis\", got \"" +
                                     proto.engine() + "\"");
    }
    c.engine = proto.engine();
  }
  c.engine_version = proto.engine_version();
  if (!proto.node_type().empty()) {
    c.node_type = proto.node_type();
  }
  CAIRN_RETURN_IF_ERROR(FindNodeType("cluster.node_type", c.node_type).status());
  if (proto.shard_count() > 1) {
    return Status::InvalidArgument(
        "cluster.shard_count: only 1 shard is supported until cluster mode lands, got " +
        std::to_string(proto.shard_count()));
  }
  if (proto.shard_count() < 0) {
    return Status::InvalidArgument("cluster.shard_count: must be 1");
  }
  if (proto.replicas_per_shard() < 0 || proto.replicas_per_shard() > kMaxReplicasPerShard) {
    return Status::InvalidArgument("cluster.replicas_per_shard: must be between 0 and 5, got " +
                                   std::to_string(proto.replicas_per_shard()));
  }
  c.replicas_per_shard = proto.replicas_per_shard();
  if (proto.port() < 0 || proto.port() > 65535) {
    return Status::InvalidArgument("cluster.port: must be between 0 and 65535, got " +
                                   std::to_string(proto.port()));
  }
  c.port = proto.port();
  if (proto.has_automatic_failover()) {
    c.automatic_failover = proto.automatic_failover();
  }
  if (proto.down_after_ms() != 0 &&
      (proto.down_after_ms() < 500 || proto.down_after_ms() > 60000)) {
    return Status::InvalidArgument("cluster.down_after_ms: must be between 500 and 60000, got " +
                                   std::to_string(proto.down_after_ms()));
  }
  if (proto.down_after_ms() != 0) {
    c.down_after_ms = proto.down_after_ms();
  }
  c.tls = proto.tls();
  if (!proto.maxmemory_policy().empty()) {
    CAIRN_RETURN_IF_ERROR(
        ValidateMaxmemoryPolicy("cluster.maxmemory_policy", proto.maxmemory_policy()));
    c.maxmemory_policy = proto.maxmemory_policy();
  }
  if (proto.auth_token().size() > 0 &&
      (proto.auth_token().size() < 16 || proto.auth_token().size() > 128)) {
    // ElastiCache's AUTH token rule.
    return Status::InvalidArgument("cluster.auth_token: must be 16 to 128 characters");
  }
  for (char ch : proto.auth_token()) {
    if (ch <= ' ' || ch > '~') {
      return Status::InvalidArgument("cluster.auth_token: must be printable ASCII without spaces");
    }
  }
  c.auth_token = proto.auth_token();
  c.source_snapshot = proto.source_snapshot();
  CAIRN_RETURN_IF_ERROR(ApplySnapshotSettings(proto, c));
  return c;
}

v1::Cluster ToProto(const Cluster& cluster) {
  v1::Cluster p;
  p.set_name(cluster.name);
  p.set_description(cluster.description);
  p.set_engine(cluster.engine);
  p.set_engine_version(cluster.engine_version);
  p.set_node_type(cluster.node_type);
  p.set_shard_count(cluster.shard_count);
  p.set_replicas_per_shard(cluster.replicas_per_shard);
  p.set_port(cluster.port);
  p.set_tls(cluster.tls);
  p.set_maxmemory_policy(cluster.maxmemory_policy);
  p.set_generation(cluster.generation);
  if (cluster.automatic_failover) {
    p.set_automatic_failover(*cluster.automatic_failover);
  }
  p.set_down_after_ms(cluster.down_after_ms);
  p.set_source_snapshot(cluster.source_snapshot);
  p.set_snapshot_retention_days(cluster.snapshot_retention_days);
  p.set_snapshot_window(cluster.snapshot_window.ToString());
  return p;
}

}  // namespace cairn::controlplane
