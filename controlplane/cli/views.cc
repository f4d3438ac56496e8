// Table layouts of the API resources.
#include "controlplane/cli/views.h"

#include <cstdio>

#include <google/protobuf/util/time_util.h>

#include "controlplane/cli/output.h"

namespace cairn::controlplane::cli {
namespace {

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) {
      out += sep;
    }
    out += item;
  }
  return out;
}

std::string Number(int64_t value) {
  return std::to_string(value);
}

Table NodeTable(const google::protobuf::RepeatedPtrField<v1::Node>& nodes) {
  Table table({"ID", "ROLE", "STATUS", "HOST", "ZONE", "ENDPOINT", "OFFSET"});
  for (const v1::Node& node : nodes) {
    v1::Endpoint endpoint;
    endpoint.set_address(node.address());
    endpoint.set_port(node.port());
    table.AddRow({node.id(), RoleName(node.role()), StatusName(node.status()), node.host_id(),
                  node.zone(), FormatEndpoint(endpoint), Number(node.replication_offset())});
  }
  return table;
}

std::string EngineList(const v1::Host& host) {
  std::string out;
  for (const v1::EngineInfo& engine : host.engines()) {
    if (!out.empty()) {
      out += ", ";
    }
    out += engine.engine() + " " + engine.version();
  }
  return out;
}

std::string ErrorText(const v1::OperationError& error) {
  std::string out = error.code();
  if (!error.reason().empty()) {
    out += (out.empty() ? "" : " ") + error.reason();
  }
  if (!error.message().empty()) {
    out += (out.empty() ? "" : ": ") + error.message();
  }
  return out;
}

// "off", or "daily, kept 7 days, window 05:00-06:00 UTC".
std::string SnapshotPolicyText(const v1::Cluster& cluster) {
  if (cluster.snapshot_retention_days() == 0) {
    return "off";
  }
  std::string out = "daily, kept " + Number(cluster.snapshot_retention_days()) + " days";
  if (!cluster.snapshot_window().empty()) {
    out += ", window " + cluster.snapshot_window() + " UTC";
  }
  return out;
}

// "1.5 GiB (1610612736 bytes)".
std::string ExactBytes(int64_t bytes) {
  return FormatBytes(bytes) + " (" + Number(bytes) + " bytes)";
}

}  // namespace

std::string ShortEnumName(std::string_view full_name, std::string_view prefix) {
  if (!full_name.starts_with(prefix)) {
    return "";
  }
  std::string_view rest = full_name.substr(prefix.size());
  return rest == "UNSPECIFIED" ? "" : std::string(rest);
}

std::string StateName(v1::OperationState state) {
  return ShortEnumName(v1::OperationState_Name(state), "OPERATION_STATE_");
}
std::string StatusName(v1::ClusterStatus status) {
  return ShortEnumName(v1::ClusterStatus_Name(status), "CLUSTER_STATUS_");
}
std::string StatusName(v1::NodeStatus status) {
  return ShortEnumName(v1::NodeStatus_Name(status), "NODE_STATUS_");
}
std::string StatusName(v1::HostStatus status) {
  return ShortEnumName(v1::HostStatus_Name(status), "HOST_STATUS_");
}
std::string StatusName(v1::SnapshotStatus status) {
  return ShortEnumName(v1::SnapshotStatus_Name(status), "SNAPSHOT_STATUS_");
}
std::string RoleName(v1::NodeRole role) {
  switch (role) {
    case v1::NODE_ROLE_PRIMARY:
      return "primary";
    case v1::NODE_ROLE_REPLICA:
      return "replica";
    default:
      return "";
  }
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) {
    return "";
  }
  // Whole seconds read better in tables; JSON keeps the full precision.
  google::protobuf::Timestamp seconds_only;
  seconds_only.set_seconds(time.seconds());
  return google::protobuf::util::TimeUtil::ToString(seconds_only);
}

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while ((value >= 1024 || value <= -1024) && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (value == static_cast<double>(static_cast<int64_t>(value))) {
    std::snprintf(text, sizeof(text), "%lld %s", static_cast<long long>(value), kUnits[unit]);
  } else {
    std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
  }
  return text;
}

std::string FormatEndpoint(const v1::Endpoint& endpoint) {
  if (endpoint.address().empty()) {
    return "";
  }
  return endpoint.address() + ":" + std::to_string(endpoint.port());
}

std::string ClusterListView(const v1::ListClustersResponse& response) {
  Table table({"NAME", "STATUS", "ENGINE", "NODE TYPE", "REPLICAS", "PRIMARY", "CREATED"});
  for (const v1::Cluster& cluster : response.clusters()) {
    table.AddRow({cluster.name(), StatusName(cluster.status()), cluster.engine(),
                  cluster.node_type(), Number(cluster.replicas_per_shard()),
                  FormatEndpoint(cluster.endpoints().primary()), FormatTime(cluster.created_at())});
  }
  return table.Render();
}

std::string ClusterView(const v1::Cluster& cluster) {
  Table fields = Table::Fields();
  fields.AddField("Name", cluster.name());
  fields.AddField("Description", cluster.description());
  fields.AddField("Status", StatusName(cluster.status()));
  std::string engine = cluster.engine();
  if (!cluster.engine_version().empty()) {
    engine += " " + cluster.engine_version();
  }
  fields.AddField("Engine", engine);
  fields.AddField("Node type", cluster.node_type());
  fields.AddField("Shards", Number(cluster.shard_count()));
  fields.AddField("Replicas/shard", Number(cluster.replicas_per_shard()));
  fields.AddField("Port", cluster.port() == 0 ? "" : Number(cluster.port()));
  fields.AddField("TLS", cluster.tls() ? "yes" : "no");
  fields.AddField("Maxmemory policy", cluster.maxmemory_policy());
  fields.AddField("Primary endpoint", FormatEndpoint(cluster.endpoints().primary()));
  fields.AddField("Reader endpoint", FormatEndpoint(cluster.endpoints().reader()));
  fields.AddField("Generation", Number(cluster.generation()) + " (observed " +
                                    Number(cluster.observed_generation()) + ")");
  fields.AddField("From snapshot", cluster.source_snapshot());
  fields.AddField("Snapshots", SnapshotPolicyText(cluster));
  fields.AddField("Created", FormatTime(cluster.created_at()));
  std::string out = fields.Render();
  out += "\nNodes:\n";
  return out + NodeTable(cluster.nodes()).Render();
}

std::string NodeListView(const v1::ListNodesResponse& response) {
  return NodeTable(response.nodes()).Render();
}

std::string OperationView(const v1::Operation& operation) {
  Table fields = Table::Fields();
  fields.AddField("ID", operation.id());
  fields.AddField("Type", operation.type());
  fields.AddField("Resource", operation.resource());
  fields.AddField("State", StateName(operation.state()));
  fields.AddField("Progress", Number(operation.progress_percent()) + "%");
  fields.AddField("Created", FormatTime(operation.created_at()));
  fields.AddField("Updated", FormatTime(operation.updated_at()));
  if (operation.has_error()) {
    fields.AddField("Error", ErrorText(operation.error()));
  }
  std::string out = fields.Render();
  if (operation.steps_size() == 0) {
    return out;
  }
  Table steps({"STEP", "STATE", "DETAIL"});
  for (const v1::OperationStep& step : operation.steps()) {
    steps.AddRow({step.name(), StateName(step.state()), step.detail()});
  }
  return out + "\nSteps:\n" + steps.Render();
}

std::string OperationListView(const v1::ListOperationsResponse& response) {
  Table table({"ID", "TYPE", "RESOURCE", "STATE", "PROGRESS", "CREATED"});
  for (const v1::Operation& op : response.operations()) {
    table.AddRow({op.id(), op.type(), op.resource(), StateName(op.state()),
                  Number(op.progress_percent()) + "%", FormatTime(op.created_at())});
  }
  return table.Render();
}

std::string EventListView(const v1::ListEventsResponse& response) {
  Table table({"TIME", "RESOURCE", "TYPE", "OPERATION", "MESSAGE"});
  for (const v1::Event& event : response.events()) {
    table.AddRow({FormatTime(event.created_at()), event.resource(), event.type(),
                  event.operation_id(), event.message()});
  }
  return table.Render();
}

std::string HostListView(const v1::ListHostsResponse& response) {
  Table table({"ID", "STATUS", "ZONE", "ADDRESS", "MEMORY (ALLOCATED/CAPACITY)", "NODES",
               "LAST HEARTBEAT"});
  for (const v1::Host& host : response.hosts()) {
    table.AddRow({host.id(), StatusName(host.status()), host.zone(), host.address(),
                  FormatBytes(host.memory_allocated_bytes()) + " / " +
                      FormatBytes(host.memory_capacity_bytes()),
                  Number(host.node_ids_size()), FormatTime(host.last_heartbeat_at())});
  }
  return table.Render();
}

std::string HostView(const v1::Host& host) {
  Table fields = Table::Fields();
  fields.AddField("ID", host.id());
  fields.AddField("Status", StatusName(host.status()));
  fields.AddField("Zone", host.zone());
  fields.AddField("Address", host.address());
  fields.AddField("Memory capacity", FormatBytes(host.memory_capacity_bytes()));
  fields.AddField("Memory allocated", FormatBytes(host.memory_allocated_bytes()));
  fields.AddField("Node ports", Number(host.node_port_from()) + "-" + Number(host.node_port_to()));
  fields.AddField("Engines", EngineList(host));
  fields.AddField("Nodes", Join(host.node_ids(), ", "));
  fields.AddField("Last heartbeat", FormatTime(host.last_heartbeat_at()));
  fields.AddField("Joined", FormatTime(host.joined_at()));
  return fields.Render();
}

std::string JoinTokenView(const v1::JoinToken& token) {
  Table fields = Table::Fields();
  fields.AddField("Join token", token.token());
  fields.AddField("Expires", FormatTime(token.expires_at()));
  return fields.Render();
}

std::string TokenListView(const v1::ListTokensResponse& response) {
  Table table({"ID", "DESCRIPTION", "CREATED"});
  for (const v1::Token& token : response.tokens()) {
    table.AddRow({token.id(), token.description(), FormatTime(token.created_at())});
  }
  return table.Render();
}

std::string TokenView(const v1::Token& token) {
  Table fields = Table::Fields();
  fields.AddField("ID", token.id());
  fields.AddField("Description", token.description());
  fields.AddField("Created", FormatTime(token.created_at()));
  if (!token.secret().empty()) {
    fields.AddField("Token", token.secret());
  }
  return fields.Render();
}

std::string NodeTypeListView(const v1::ListNodeTypesResponse& response) {
  Table table({"NAME", "MEMORY"});
  for (const v1::NodeType& type : response.node_types()) {
    table.AddRow({type.name(), FormatBytes(type.memory_bytes())});
  }
  return table.Render();
}

std::string EngineVersionListView(const v1::ListEngineVersionsResponse& response) {
  Table table({"ENGINE", "VERSION", "HOSTS"});
  for (const v1::EngineVersion& version : response.engine_versions()) {
    table.AddRow({version.engine(), version.version(), Join(version.host_ids(), ",")});
  }
  return table.Render();
}

std::string SnapshotListView(const v1::ListSnapshotsResponse& response) {
  Table table({"NAME", "CLUSTER", "STATUS", "SOURCE", "SIZE", "CREATED"});
  for (const v1::Snapshot& snapshot : response.snapshots()) {
    bool sized = snapshot.status() == v1::SNAPSHOT_STATUS_AVAILABLE;
    table.AddRow({snapshot.name(), snapshot.cluster_name(), StatusName(snapshot.status()),
                  snapshot.source(), sized ? FormatBytes(snapshot.size_bytes()) : "",
                  FormatTime(snapshot.created_at())});
  }
  return table.Render();
}

std::string SnapshotView(const v1::Snapshot& snapshot) {
  Table fields = Table::Fields();
  fields.AddField("Name", snapshot.name());
  fields.AddField("Cluster", snapshot.cluster_name());
  fields.AddField("Status", StatusName(snapshot.status()));
  fields.AddField("Source", snapshot.source());
  std::string engine = snapshot.engine();
  if (!snapshot.engine_version().empty()) {
    engine += (engine.empty() ? "" : " ") + snapshot.engine_version();
  }
  fields.AddField("Engine", engine);
  fields.AddField("Node type", snapshot.node_type());
  fields.AddField("Replicas/shard", Number(snapshot.replicas_per_shard()));
  fields.AddField("Maxmemory policy", snapshot.maxmemory_policy());
  fields.AddField("Node", snapshot.node_id());
  bool sized = snapshot.status() == v1::SNAPSHOT_STATUS_AVAILABLE;
  fields.AddField("Size", sized ? ExactBytes(snapshot.size_bytes()) : "");
  fields.AddField("SHA-256", snapshot.sha256());
  fields.AddField("Created", FormatTime(snapshot.created_at()));
  if (snapshot.status() == v1::SNAPSHOT_STATUS_FAILED) {
    std::string failure = snapshot.failure_reason();
    if (!snapshot.failure_message().empty()) {
      failure += (failure.empty() ? "" : ": ") + snapshot.failure_message();
    }
    fields.AddField("Failure", failure);
  }
  return fields.Render();
}

std::string SnapshotExportView(const std::string& name, const std::string& path, int64_t bytes,
                               const std::string& sha256) {
  Table fields = Table::Fields();
  fields.AddField("Snapshot", name);
  fields.AddField("File", path);
  fields.AddField("Size", ExactBytes(bytes));
  fields.AddField("SHA-256", sha256 + " (verified)");
  return fields.Render();
}

}  // namespace cairn::controlplane::cli
