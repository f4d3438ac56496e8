// Supervisor tasks: StartNode, StopNode, ConfigureNode (agent.proto), each idempotent. A held
// node (fencing) starts again only through one of these. Seeding and SnapshotNode are in
// supervisor_snapshot.cc, FailoverNode in supervisor_failover.cc.
#include <thread>

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include "agent/supervisor/node_client.h"
#include "agent/supervisor/process.h"
#include "agent/supervisor/supervisor.h"

namespace cairn::agent {

v1::TaskResult Failure(const std::string& reason, std::string_view message) {
  v1::TaskResult result;
  result.set_ok(false);
  result.set_reason(reason);
  result.set_message(std::string(message));
  return result;
}

namespace {

// Unix socket paths are limited to 108 bytes (sun_path), less the NUL.
constexpr size_t kMaxSocketPath = 107;

bool SameSpec(const v1::NodeSpec& a, const v1::NodeSpec& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Changes no engine accepts at run time: the process is restarted with the new config file.
bool NeedsRestart(const v1::NodeSpec& a, const v1::NodeSpec& b) {
  return a.engine() != b.engine() || a.port() != b.port() || a.tls() != b.tls() ||
         a.tls_cert_pem() != b.tls_cert_pem() || a.tls_key_pem() != b.tls_key_pem() ||
         a.tls_ca_pem() != b.tls_ca_pem();
}

}  // namespace

v1::TaskResult Supervisor::Execute(const v1::Task& task) {
  v1::TaskResult result;
  switch (task.kind_case()) {
    case v1::Task::kStartNode:
      result = StartNode(task.start_node().spec());
      break;
    case v1::Task::kStopNode:
      result = StopNode(task.stop_node());
      break;
    case v1::Task::kConfigureNode:
      result = ConfigureNode(task.configure_node().spec());
      break;
    case v1::Task::kFailoverNode:
      result = FailoverNode(task.failover_node());
      break;
    case v1::Task::kSnapshotNode:
      result = SnapshotNode(task.snapshot_node());
      break;
    default:
      result = Failure("UnknownTask", "this agent does not know the task's kind");
  }
  result.set_task_id(task.id());
  return result;
}

Status Supervisor::ValidateSpec(const v1::NodeSpec& spec, std::string* reason) const {
  *reason = "InvalidSpec";
  CAIRN_RETURN_IF_ERROR(ValidateNodeId(spec.node_id()));
  if (FindEngine(options_.engines, spec.engine()) == nullptr) {
    *reason = "EngineNotFound";
    return Status::NotFound("engine '" + spec.engine() + "' is not installed on this host");
  }
  if (spec.port() < options_.port_from || spec.port() > options_.port_to) {
    *reason = "PortOutOfRange";
    return Status::InvalidArgument("port " + std::to_string(spec.port()) + " is outside " +
                                   std::to_string(options_.port_from) + "-" +
                                   std::to_string(options_.port_to));
  }
  if (spec.maxmemory_bytes() < 0) {
    return Status::InvalidArgument("maxmemory_bytes must not be negative");
  }
  if (spec.tls() &&
      (spec.tls_cert_pem().empty() || spec.tls_key_pem().empty() || spec.tls_ca_pem().empty())) {
    return Status::InvalidArgument("tls needs tls_cert_pem, tls_key_pem and tls_ca_pem");
  }
  if (auto db = spec.parameters().find("dbfilename");
      db != spec.parameters().end() &&
      (db->second.empty() || db->second.find('/') != std::string::npos || db->second == "." ||
       db->second == "..")) {
    return Status::InvalidArgument("dbfilename must be a file name, not a path");
  }
  if (!spec.seed().key().empty() &&
      (spec.seed().sha256().size() != 64 || spec.seed().size_bytes() < 0)) {
    return Status::InvalidArgument("seed needs key, size_bytes and a 64-hex-digit sha256");
  }
  NodePaths paths = NodePaths::For(options_.nodes_dir, spec.node_id());
  if (paths.socket.string().size() > kMaxSocketPath) {
    *reason = "SocketPathTooLong";
    return Status::InvalidArgument("node socket path is too long; use a shorter --data-dir");
  }
  Result<std::string> rendered = RenderNodeConfig(ConfigFromSpec(spec, paths, options_.bind));
  return rendered.ok() ? Status::Ok() : rendered.status();
}

v1::TaskResult Supervisor::StartNode(const v1::NodeSpec& spec) {
  std::string reason;
  if (Status valid = ValidateSpec(spec, &reason); !valid.ok()) {
    return Failure(reason, valid.message());
  }
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known = nodes_.contains(spec.node_id());
    std::optional<v1::TaskResult> taken = known ? std::nullopt : PortTakenLocked(spec.port());
    if (taken) {
      return *taken;
    }
  }
  // A new node's seed is fetched without the lock: heartbeats and the loop go on meanwhile.
  std::optional<v1::TaskResult> seed_failed = known ? std::nullopt : SeedNode(spec);
  if (seed_failed) {
    return *seed_failed;
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = nodes_.find(spec.node_id());
    if (it != nodes_.end()) {
      if (!SameSpec(it->second.spec, spec)) {
        lock.unlock();
        return ConfigureNode(spec);  // adopted or running with an older spec
      }
      ReleaseHoldLocked(it->second);  // the control plane wants it back as it was
    } else if (std::optional<v1::TaskResult> failed = CreateNodeLocked(spec)) {
      return *failed;
    }
  }
  return WaitRunning(spec.node_id(), "");
}

std::optional<v1::TaskResult> Supervisor::CreateNodeLocked(const v1::NodeSpec& spec) {
  if (std::optional<v1::TaskResult> taken = PortTakenLocked(spec.port())) {
    return taken;
  }
  Node node;
  node.spec = spec;
  node.paths = NodePaths::For(options_.nodes_dir, spec.node_id());
  node.status.set_node_id(spec.node_id());
  if (Status written = WriteNodeFiles(spec, node.paths, options_.bind); !written.ok()) {
    return Failure("WriteFailed", written.message());
  }
  if (Status spawned = SpawnLocked(node); !spawned.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(node.paths.dir, ec);
    return Failure("StartFailed", spawned.message());
  }
  nodes_[spec.node_id()] = std::move(node);
  return std::nullopt;
}

std::optional<v1::TaskResult> Supervisor::PortTakenLocked(int port) const {
  for (const auto& [id, other] : nodes_) {
    if (other.spec.port() == port) {
      return Failure("PortInUse", "port " + std::to_string(port) + " is used by " + id);
    }
  }
  if (!PortIsFree(port)) {
    return Failure("PortInUse", "port " + std::to_string(port) + " is in use");
  }
  return std::nullopt;
}

v1::TaskResult Supervisor::StopNode(const v1::StopNode& stop) {
  if (Status valid = ValidateNodeId(stop.node_id()); !valid.ok()) {
    return Failure("InvalidSpec", valid.message());
  }
  Node node;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(stop.node_id());
    if (it != nodes_.end()) {
      node = std::move(it->second);
      nodes_.erase(it);
      found = true;
    }
  }
  NodePaths paths = found ? node.paths : NodePaths::For(options_.nodes_dir, stop.node_id());
  if (found && node.pid > 0) {
    int64_t grace_ms = stop.grace_ms() > 0 ? stop.grace_ms() : 5000;
    int status =
        TerminateProcess(node.pid, node.is_child, paths.dir, std::chrono::milliseconds(grace_ms));
    spdlog::info("stopped node node_id={} pid={} exit=\"{}\"", stop.node_id(), node.pid, status);
  }
  std::error_code ec;
  std::filesystem::remove_all(paths.dir, ec);
  v1::TaskResult result;
  result.set_ok(true);
  result.mutable_node()->set_node_id(stop.node_id());
  result.mutable_node()->set_state(v1::NODE_STATE_STOPPED);
  result.mutable_node()->set_port(found ? node.spec.port() : 0);
  return result;
}

bool Supervisor::ApplyLive(const v1::NodeSpec& old_spec, const v1::NodeSpec& spec,
                           const NodePaths& paths) {
  auto client =
      NodeClient::Connect(paths.socket, old_spec.auth_token(), std::chrono::milliseconds(2000));
  if (!client.ok()) {
    return false;
  }
  std::vector<std::vector<std::string>> commands;
  if (old_spec.maxmemory_bytes() != spec.maxmemory_bytes()) {
    commands.push_back({"CONFIG", "SET", "maxmemory", std::to_string(spec.maxmemory_bytes())});
  }
  if (old_spec.maxmemory_policy() != spec.maxmemory_policy()) {
    std::string policy = spec.maxmemory_policy().empty() ? "noeviction" : spec.maxmemory_policy();
    commands.push_back({"CONFIG", "SET", "maxmemory-policy", policy});
  }
  for (const auto& [name, value] : old_spec.parameters()) {
    if (!spec.parameters().contains(name)) {
      return false;  // no way to "unset" a parameter live: restart with the new file
    }
  }
  for (const auto& [name, value] : spec.parameters()) {
    auto old = old_spec.parameters().find(name);
    if (old == old_spec.parameters().end() || old->second != value) {
      commands.push_back({"CONFIG", "SET", name, value});
    }
  }
  bool replicaof_changed = old_spec.replicaof_host() != spec.replicaof_host() ||
                           old_spec.replicaof_port() != spec.replicaof_port();
  bool becomes_replica = replicaof_changed && !spec.replicaof_host().empty();
  if ((old_spec.auth_token() != spec.auth_token() || becomes_replica) &&
      !spec.replicaof_host().empty()) {
    commands.push_back({"CONFIG", "SET", "masterauth", spec.auth_token()});
  }
  if (old_spec.auth_token() != spec.auth_token()) {
    commands.push_back({"CONFIG", "SET", "requirepass", spec.auth_token()});
  }
  if (replicaof_changed) {
    commands.push_back(spec.replicaof_host().empty()
                           ? std::vector<std::string>{"REPLICAOF", "NO", "ONE"}
                           : std::vector<std::string>{"REPLICAOF", spec.replicaof_host(),
                                                      std::to_string(spec.replicaof_port())});
  }
  for (const std::vector<std::string>& command : commands) {
    Result<std::string> reply = (*client)->Command(command);
    if (!reply.ok()) {
      // Only the command name and parameter are logged: values may be secrets.
      spdlog::warn("live change failed, restarting node node_id={} command={} {} error={}",
                   spec.node_id(), command[0], command.size() > 2 ? command[2] : "",
                   reply.status().message());
      return false;
    }
  }
  return true;
}

v1::TaskResult Supervisor::ConfigureNode(const v1::NodeSpec& spec) {
  std::string reason;
  if (Status valid = ValidateSpec(spec, &reason); !valid.ok()) {
    return Failure(reason, valid.message());
  }
  v1::NodeSpec old_spec;
  NodePaths paths;
  bool restart = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(spec.node_id());
    if (it == nodes_.end()) {
      return Failure("NodeNotFound", "node " + spec.node_id() + " is not on this host");
    }
    Node& node = it->second;
    if (spec.port() != node.spec.port() && !PortIsFree(spec.port())) {
      return Failure("PortInUse", "port " + std::to_string(spec.port()) + " is in use");
    }
    if (Status written = WriteNodeFiles(spec, node.paths, options_.bind); !written.ok()) {
      return Failure("WriteFailed", written.message());
    }
    old_spec = node.spec;
    paths = node.paths;
    node.spec = spec;
    if (!(PrimaryOf(old_spec) == PrimaryOf(spec))) {
      node.probe = ProbeStreak();  // a new primary: its own streak
    }
    ReleaseHoldLocked(node);
    restart = NeedsRestart(old_spec, spec) || node.pid == 0;
  }
  if (!restart && !ApplyLive(old_spec, spec, paths)) {
    restart = true;
  }
  if (restart) {
    RestartNode(spec.node_id());
  }
  return WaitRunning(spec.node_id(), "");
}

void Supervisor::RestartNode(const std::string& node_id) {
  pid_t pid = 0;
  bool is_child = false;
  NodePaths paths;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(node_id);
    if (it == nodes_.end()) {
      return;
    }
    pid = it->second.pid;
    is_child = it->second.is_child;
    paths = it->second.paths;
    // The loop must not restart it on its own while we stop it.
    it->second.pid = 0;
    it->second.restart_at = Clock::time_point::max();
  }
  if (pid > 0) {
    TerminateProcess(pid, is_child, paths.dir, std::chrono::seconds(5));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(node_id);
  if (it != nodes_.end()) {
    it->second.restart_at = Clock::now();  // the next tick starts it with the new config
    it->second.status.set_state(v1::NODE_STATE_STARTING);
    cv_.notify_all();
  }
}

v1::TaskResult Supervisor::WaitRunning(const std::string& node_id, const std::string& task_id) {
  Clock::time_point deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    pid_t pid = 0;
    NodePaths paths;
    std::string password;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = nodes_.find(node_id);
      if (it == nodes_.end()) {
        return Failure("NodeStopped", "node " + node_id + " was stopped while starting");
      }
      const Node& node = it->second;
      if (node.status.state() == v1::NODE_STATE_CRASHED && node.pid == 0) {
        std::string log = LastLogLine(node.paths);
        return Failure("StartFailed", node.status.last_exit_reason() +
                                          (log.empty() ? "" : "; last log line: " + log));
      }
      pid = node.pid;
      paths = node.paths;
      password = node.spec.auth_token();
    }
    v1::NodeStatus observed;
    if (pid > 0 && ObserveNode(paths, password, 500, &observed).ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = nodes_.find(node_id);
      if (it != nodes_.end() && it->second.pid == pid) {
        v1::NodeStatus& status = it->second.status;
        status.set_state(v1::NODE_STATE_RUNNING);
        status.set_role(observed.role());
        status.set_replication_offset(observed.replication_offset());
        status.set_link_status(observed.link_status());
        status.set_replicaof(observed.replicaof());
        status.set_used_memory_bytes(observed.used_memory_bytes());
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling for PING
  }
  v1::TaskResult result;
  result.set_task_id(task_id);
  *result.mutable_node() = StatusOf(node_id);
  if (result.node().state() != v1::NODE_STATE_RUNNING) {
    return Failure("StartTimeout", "node " + node_id + " did not answer within " +
                                       std::to_string(options_.start_timeout.count()) + " ms");
  }
  result.set_ok(true);
  return result;
}

}  // namespace cairn::agent
