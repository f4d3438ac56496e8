// Supervisor task FailoverNode: a coordinated switchover run on the current primary with the
// engine's FAILOVER (Redis 7.0 semantics), or, for an engine without FAILOVER, the same steps run
// by the agent (pause writes, wait for the target to catch up, promote it, follow it). Then the
// node's stored spec says replica of the target so a restart keeps it a replica (and a crash
// restarts it instead of holding it).
#include <cstdlib>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>

#include "agent/supervisor/node_client.h"
#include "agent/supervisor/supervisor.h"

namespace cairn::agent {
namespace {

constexpr int64_t kDefaultFailoverTimeoutMs = 10000;
constexpr int64_t kMaxFailoverTimeoutMs = 300000;
// FAILOVER gives up by itself after its TIMEOUT; we wait this much longer for the role change.
constexpr std::chrono::milliseconds kFailoverGrace{2000};

bool ReplicaOfTarget(const std::map<std::string, std::string>& info, const v1::FailoverNode& f) {
  return InfoField(info, "role") == "slave" && InfoField(info, "master_host") == f.target_host() &&
         InfoField(info, "master_port") == std::to_string(f.target_port());
}

std::vector<std::string> FailoverCommand(const v1::FailoverNode& f, int64_t timeout_ms) {
  std::vector<std::string> command = {"FAILOVER",      "TO",
                                      f.target_host(), std::to_string(f.target_port()),
                                      "TIMEOUT",       std::to_string(timeout_ms)};
  if (f.force()) {
    command.push_back("FORCE");
  }
  return command;
}

// Polls INFO replication until the node follows the target or `deadline`; returns the last INFO.
Result<std::map<std::string, std::string>> WaitReplicaOf(
    NodeClient& client, const v1::FailoverNode& f, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    auto info = client.Info("replication");
    if (!info.ok() || ReplicaOfTarget(*info, f) || std::chrono::steady_clock::now() >= deadline) {
      return info;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling for the role change
  }
}

// Polls the target's own INFO until its replication offset reaches `offset` or `deadline`.
bool WaitCaughtUp(NodeClient& target, int64_t offset,
                  std::chrono::steady_clock::time_point deadline) {
  while (true) {
    auto info = target.Info("replication");
    if (info.ok() &&
        std::strtoll(InfoField(*info, "slave_repl_offset").c_str(), nullptr, 10) >= offset) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the replica's offset
  }
}

// FAILOVER's steps run by the agent, for engines without the command (cairn-server): pause
// writes on the primary, wait until the target replica has everything (unless `force` after the
// timeout), REPLICAOF NO ONE on the target (over TCP), REPLICAOF target here, unpause.
Status ManualSwitchover(NodeClient& primary, const std::string& password, bool tls,
                        const v1::FailoverNode& f, int64_t timeout_ms) {
  if (tls) {
    return Status::FailedPrecondition(
        "the engine has no FAILOVER and the target serves TLS only, which the agent cannot reach");
  }
  auto target = NodeClient::ConnectTcp(f.target_host(), f.target_port(), password,
                                       std::chrono::milliseconds(2000));
  if (!target.ok()) {
    return target.status();
  }
  auto target_info = (*target)->Info("replication");
  if (!target_info.ok() || InfoField(*target_info, "role") != "slave") {
    return Status::FailedPrecondition("target " + f.target_host() + ":" +
                                      std::to_string(f.target_port()) + " is not a replica");
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  CAIRN_RETURN_IF_ERROR(
      primary.Command({"CLIENT", "PAUSE", std::to_string(timeout_ms + 2000), "WRITE"}).status());
  auto info = primary.Info("replication");
  int64_t offset =
      info.ok() ? std::strtoll(InfoField(*info, "master_repl_offset").c_str(), nullptr, 10) : -1;
  if (offset < 0 || (!WaitCaughtUp(**target, offset, deadline) && !f.force())) {
    (void)primary.Command({"CLIENT", "UNPAUSE"});
    return Status::DeadlineExceeded("the target did not catch up with offset " +
                                    std::to_string(offset) + " within " +
                                    std::to_string(timeout_ms) + " ms");
  }
  Status promoted = (*target)->Command({"REPLICAOF", "NO", "ONE"}).status();
  Status followed =
      promoted.ok()
          ? primary.Command({"REPLICAOF", f.target_host(), std::to_string(f.target_port())})
                .status()
          : promoted;
  (void)primary.Command({"CLIENT", "UNPAUSE"});
  return followed;
}

// Runs the switchover on the node at `paths` and waits until it follows the target. Ok at once
// when it already does. FailedPrecondition/Unavailable/DeadlineExceeded with the engine's text.
Status RunFailover(const NodePaths& paths, const std::string& password, bool tls,
                   const v1::FailoverNode& f, int64_t timeout_ms) {
  auto client = NodeClient::Connect(paths.socket, password, std::chrono::milliseconds(2000));
  if (!client.ok()) {
    return client.status();
  }
  auto info = (*client)->Info("replication");
  if (!info.ok() || ReplicaOfTarget(*info, f)) {  // done before: a re-sent task
    return info.status();
  }
  if (InfoField(*info, "role") != "master") {
    return Status::FailedPrecondition("node " + f.node_id() + " is a replica, not a primary");
  }
  if (!password.empty()) {  // the old primary authenticates to the new one as replicas do
    Status set = (*client)->Command({"CONFIG", "SET", "masterauth", password}).status();
    if (!set.ok()) {
      return Status::FailedPrecondition("CONFIG SET masterauth: " + std::string(set.message()));
    }
  }
  spdlog::info("failover started node_id={} target={}:{} timeout_ms={} force={}", f.node_id(),
               f.target_host(), f.target_port(), timeout_ms, f.force());
  Status started = (*client)->Command(FailoverCommand(f, timeout_ms)).status();
  if (!started.ok() && started.message().find("unknown command") != std::string_view::npos) {
    started = ManualSwitchover(**client, password, tls, f, timeout_ms);
  }
  CAIRN_RETURN_IF_ERROR(started);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms) + kFailoverGrace;
  info = WaitReplicaOf(**client, f, deadline);
  if (!info.ok()) {
    return info.status();
  }
  if (!ReplicaOfTarget(*info, f)) {
    return Status::DeadlineExceeded(
        "node is still " + InfoField(*info, "role") + " after " + std::to_string(timeout_ms) +
        " ms (master_failover_state: " + InfoField(*info, "master_failover_state") + ")");
  }
  return Status::Ok();
}

}  // namespace

v1::TaskResult Supervisor::FailoverNode(const v1::FailoverNode& f) {
  if (Status valid = ValidateNodeId(f.node_id()); !valid.ok()) {
    return Failure("InvalidSpec", valid.message());
  }
  if (f.target_host().empty() || f.target_port() < 1 || f.target_port() > 65535 ||
      f.timeout_ms() < 0 || f.timeout_ms() > kMaxFailoverTimeoutMs) {
    return Failure("InvalidSpec",
                   "failover needs target_host, target_port 1-65535 and "
                   "timeout_ms 0-300000");
  }
  int64_t timeout_ms = f.timeout_ms() > 0 ? f.timeout_ms() : kDefaultFailoverTimeoutMs;
  NodePaths paths;
  std::string password;
  bool tls = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(f.node_id());
    if (it == nodes_.end()) {
      return Failure("NodeNotFound", "node " + f.node_id() + " is not on this host");
    }
    if (it->second.pid == 0) {
      return Failure("NodeStopped", "node " + f.node_id() + " is not running");
    }
    paths = it->second.paths;
    password = it->second.spec.auth_token();
    tls = it->second.spec.tls();
  }
  if (Status done = RunFailover(paths, password, tls, f, timeout_ms); !done.ok()) {
    return Failure("FailoverFailed", done.message());
  }
  if (Status recorded = RecordReplicaOf(f.node_id(), f.target_host(), f.target_port());
      !recorded.ok()) {
    return Failure("WriteFailed", recorded.message());
  }
  spdlog::info("failover done node_id={} now replica of {}:{}", f.node_id(), f.target_host(),
               f.target_port());
  return WaitRunning(f.node_id(), "");
}

Status Supervisor::RecordReplicaOf(const std::string& node_id, const std::string& host, int port) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) {
    return Status::NotFound("node " + node_id + " was stopped during the failover");
  }
  Node& node = it->second;
  v1::NodeSpec spec = node.spec;
  spec.set_replicaof_host(host);
  spec.set_replicaof_port(port);
  CAIRN_RETURN_IF_ERROR(WriteNodeFiles(spec, node.paths, options_.bind));
  node.spec = std::move(spec);
  node.probe = ProbeStreak();
  node.status.set_role("replica");  // fencing follows the engine's new role at once
  return Status::Ok();
}

}  // namespace cairn::agent
