// Supervisor: the loop (reap, restart or hold, observe), primary probes, change notification and
// adoption after an agent restart. Tasks are in supervisor_tasks.cc and supervisor_failover.cc.
#include "agent/supervisor/supervisor.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include <spdlog/spdlog.h>

#include "agent/supervisor/backoff.h"
#include "agent/supervisor/process.h"

namespace cairn::agent {

bool PortIsFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  int one = 1;
  // Engines set SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return free;
}

bool HoldOnExit(const v1::NodeSpec& spec, const std::string& observed_role) {
  return spec.replicaof_host().empty() || observed_role == "primary";
}

std::string ChangeKey(const v1::NodeStatus& s) {
  return std::to_string(s.state()) + "|" + s.role() + "|" + s.link_status() + "|" + s.replicaof() +
         "|" + (s.held() ? "held" : "") + "|" + (s.primary_reachable() ? "reachable" : "");
}

PrimaryTarget PrimaryOf(const v1::NodeSpec& spec) {
  return {spec.replicaof_host(), spec.replicaof_host().empty() ? 0 : spec.replicaof_port(),
          spec.tls(), spec.auth_token()};
}

Supervisor::Supervisor(SupervisorOptions options)
    : options_(std::move(options)), rng_(std::random_device{}()) {}

Supervisor::~Supervisor() {
  Shutdown(false);
}

Status Supervisor::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.nodes_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create " + options_.nodes_dir.string() + ": " +
                               ec.message());
  }
  for (const auto& entry : std::filesystem::directory_iterator(options_.nodes_dir, ec)) {
    if (entry.is_directory()) {
      Adopt(entry.path());
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  running_ = true;
  loop_ = std::thread([this] { Loop(); });
  prober_ = std::thread([this] { ProbeLoop(); });
  return Status::Ok();
}

void Supervisor::Adopt(const std::filesystem::path& dir) {
  NodePaths paths = NodePaths::For(options_.nodes_dir, dir.filename().string());
  Result<v1::NodeSpec> spec = ReadNodeSpec(paths);
  if (!spec.ok() || spec->node_id() != dir.filename().string()) {
    spdlog::warn("node directory without a usable spec, ignored dir={}", dir.string());
    return;
  }
  Node node;
  node.spec = *spec;
  node.paths = paths;
  node.status.set_node_id(spec->node_id());
  std::optional<pid_t> pid = ReadPidFile(paths.pid_file);
  std::optional<std::string> held = ReadHeldMarker(paths);
  if (pid && IsNodeProcess(*pid, paths.dir)) {
    node.pid = *pid;
    node.is_child = false;
    node.started_at = Clock::now();
    node.status.set_state(v1::NODE_STATE_RUNNING);
    ClearHeldMarker(paths);
    spdlog::info("adopted running node node_id={} pid={}", spec->node_id(), *pid);
  } else if (held || (pid && HoldOnExit(node.spec, ""))) {
    // Held before the agent restarted, or a primary that died while the agent was away (its
    // pid file is left; a clean --stop-nodes-on-exit removes it).
    HoldLocked(node, held ? *held
                          : "not running when the agent started; primary held for the "
                            "control plane");
  } else {
    node.status.set_state(v1::NODE_STATE_CRASHED);
    node.status.set_last_exit_reason("not running when the agent started");
    spdlog::info("node not running at agent start, starting it node_id={}", spec->node_id());
  }
  std::lock_guard<std::mutex> lock(mu_);
  nodes_[spec->node_id()] = std::move(node);
}

void Supervisor::Shutdown(bool stop_nodes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
    cv_.notify_all();
  }
  if (loop_.joinable()) {
    loop_.join();
  }
  if (prober_.joinable()) {
    prober_.join();
  }
  if (!stop_nodes) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, node] : nodes_) {
    if (node.pid > 0) {
      TerminateProcess(node.pid, node.is_child, node.paths.dir, std::chrono::seconds(5));
      spdlog::info("stopped node node_id={} pid={}", id, node.pid);
      node.pid = 0;
      // Stopped on purpose, not crashed: the next Start() starts it again, primaries included.
      std::error_code ec;
      std::filesystem::remove(node.paths.pid_file, ec);
    }
  }
}

Status Supervisor::SpawnLocked(Node& node) {
  const Engine* engine = FindEngine(options_.engines, node.spec.engine());
  if (engine == nullptr) {
    return Status::NotFound("engine '" + node.spec.engine() + "' is not installed on this host");
  }
  std::error_code ec;
  std::filesystem::remove(node.paths.socket, ec);
  Result<pid_t> pid = SpawnInSession({engine->path.string(), node.paths.config.string()},
                                     node.paths.dir, node.paths.log);
  if (!pid.ok()) {
    return pid.status();
  }
  node.pid = *pid;
  node.is_child = true;
  node.started_at = Clock::now();
  node.status.set_state(v1::NODE_STATE_STARTING);
  Status written = WritePidFile(node.paths.pid_file, *pid);
  if (!written.ok()) {
    spdlog::warn("pid file not written node_id={}: {}", node.spec.node_id(), written.message());
  }
  spdlog::info("started node node_id={} pid={} engine={} port={}", node.spec.node_id(), *pid,
               engine->name, node.spec.port());
  return Status::Ok();
}

void Supervisor::ReapLocked(Node& node, Clock::time_point now) {
  std::optional<int> exit = PollExit(node.pid, node.is_child, node.paths.dir);
  if (!exit) {
    return;
  }
  if (HoldOnExit(node.spec, node.status.role())) {
    spdlog::warn("primary node exited, held for the control plane node_id={} pid={} exit=\"{}\"",
                 node.spec.node_id(), node.pid, DescribeExit(*exit));
    node.pid = 0;
    HoldLocked(node, DescribeExit(*exit) + "; primary held for the control plane");
    return;
  }
  node.crash_streak = now - node.started_at >= kStableRunTime ? 1 : node.crash_streak + 1;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::chrono::milliseconds delay = RestartDelay(node.crash_streak, unit(rng_));
  std::string reason = DescribeExit(*exit) + ", retry in " + FormatDelay(delay);
  spdlog::warn("node crashed node_id={} pid={} reason=\"{}\"", node.spec.node_id(), node.pid,
               reason);
  node.pid = 0;
  node.restart_at = now + delay;
  node.status.set_state(v1::NODE_STATE_CRASHED);
  node.status.set_last_exit_reason(reason);
  node.status.set_restart_count(node.status.restart_count() + 1);
}

void Supervisor::HoldLocked(Node& node, const std::string& reason) {
  node.held = true;
  node.restart_at = Clock::time_point::max();
  node.status.set_state(v1::NODE_STATE_CRASHED);
  node.status.set_last_exit_reason(reason);
  if (Status written = WriteHeldMarker(node.paths, reason); !written.ok()) {
    spdlog::warn("held marker not written node_id={}: {}", node.spec.node_id(), written.message());
  }
}

void Supervisor::ReleaseHoldLocked(Node& node) {
  if (!node.held) {
    return;
  }
  spdlog::info("held node released by a task node_id={}", node.spec.node_id());
  node.held = false;
  node.crash_streak = 0;
  node.restart_at = Clock::now();
  node.status.set_state(v1::NODE_STATE_STARTING);
  ClearHeldMarker(node.paths);
  cv_.notify_all();
}

void Supervisor::Tick() {
  std::lock_guard<std::mutex> lock(mu_);
  Clock::time_point now = Clock::now();
  for (auto& [id, node] : nodes_) {
    if (node.pid > 0) {
      ReapLocked(node, now);
    }
    if (node.pid == 0 && !node.held && now >= node.restart_at) {
      Status spawned = SpawnLocked(node);
      if (!spawned.ok()) {
        node.crash_streak++;
        std::chrono::milliseconds delay = RestartDelay(node.crash_streak, 0.5);
        node.restart_at = now + delay;
        node.status.set_last_exit_reason(std::string(spawned.message()) + ", retry in " +
                                         FormatDelay(delay));
      }
    }
  }
}

void Supervisor::Observe() {
  struct Probe {
    std::string id;
    pid_t pid;
    NodePaths paths;
    std::string password;
  };
  std::vector<Probe> probes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, node] : nodes_) {
      if (node.pid > 0) {
        probes.push_back({id, node.pid, node.paths, node.spec.auth_token()});
      }
    }
  }
  // Socket round trips happen without the lock so tasks and heartbeats never wait on a node.
  for (const Probe& probe : probes) {
    v1::NodeStatus observed;
    Status ok = ObserveNode(probe.paths, probe.password, 200, &observed);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(probe.id);
    if (it == nodes_.end() || it->second.pid != probe.pid || !ok.ok()) {
      continue;
    }
    v1::NodeStatus& status = it->second.status;
    status.set_state(v1::NODE_STATE_RUNNING);
    status.set_role(observed.role());
    status.set_replication_offset(observed.replication_offset());
    status.set_link_status(observed.link_status());
    status.set_used_memory_bytes(observed.used_memory_bytes());
    status.set_replicaof(observed.replicaof());
  }
}

void Supervisor::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    lock.unlock();
    Tick();
    PublishChanges();  // a crash is reported before the observation round trips
    Observe();
    PublishChanges();
    lock.lock();
    cv_.wait_for(lock, options_.tick, [this] { return !running_; });
  }
}

void Supervisor::ProbeLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    Clock::time_point next = Clock::now() + kPrimaryProbePeriod;
    lock.unlock();
    ProbeOnce();
    PublishChanges();
    lock.lock();
    cv_.wait_until(lock, next, [this] { return !running_; });
  }
}

void Supervisor::ProbeOnce() {
  std::set<PrimaryTarget> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, node] : nodes_) {
      if (!node.spec.replicaof_host().empty() && !node.held) {
        targets.insert(PrimaryOf(node.spec));
      }
    }
  }
  if (targets.empty()) {
    return;
  }
  // One thread per primary: an unreachable one costs its timeout without delaying the others.
  std::vector<PrimaryTarget> list(targets.begin(), targets.end());
  std::vector<char> reachable(list.size(), 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < list.size(); ++i) {
    threads.emplace_back(
        [&, i] { reachable[i] = ProbePrimary(list[i], kPrimaryProbeTimeout) ? 1 : 0; });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  Clock::time_point now = Clock::now();
  for (auto& [id, node] : nodes_) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (!node.spec.replicaof_host().empty() && PrimaryOf(node.spec) == list[i]) {
        node.probe.Record(reachable[i] != 0, now);
      }
    }
  }
}

void Supervisor::SetChangeListener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(publish_mu_);
  listener_ = std::move(listener);
}

void Supervisor::PublishChanges() {
  std::map<std::string, std::string> keys;
  std::lock_guard<std::mutex> lock(publish_mu_);
  for (const v1::NodeStatus& status : Statuses()) {
    keys[status.node_id()] = ChangeKey(status);
  }
  if (keys == published_) {
    return;
  }
  published_ = std::move(keys);
  if (listener_) {
    listener_();
  }
}

std::vector<v1::NodeStatus> Supervisor::Statuses() const {
  std::vector<v1::NodeStatus> out;
  std::lock_guard<std::mutex> lock(mu_);
  Clock::time_point now = Clock::now();
  for (const auto& [id, node] : nodes_) {
    v1::NodeStatus status = node.status;
    status.set_node_id(id);
    status.set_pid(node.pid);
    status.set_port(node.spec.port());
    status.set_spec_generation(node.spec.generation());
    status.set_held(node.held);
    if (!node.spec.replicaof_host().empty()) {
      status.set_primary_reachable(node.probe.reachable());
      status.set_primary_unreachable_ms(node.probe.UnreachableMs(now));
    }
    out.push_back(std::move(status));
  }
  return out;
}

v1::NodeStatus Supervisor::StatusOf(const std::string& node_id) const {
  for (v1::NodeStatus& status : Statuses()) {
    if (status.node_id() == node_id) {
      return status;
    }
  }
  v1::NodeStatus missing;
  missing.set_node_id(node_id);
  missing.set_state(v1::NODE_STATE_STOPPED);
  return missing;
}

}  // namespace cairn::agent
