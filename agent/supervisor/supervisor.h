// The agent's level-based loop for its host (STYLE.md §5): keeps every desired node running,
// restarts crashed ones with backoff and a recorded reason, adopts nodes that survived an agent
// restart, and executes StartNode / StopNode / ConfigureNode tasks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agent/supervisor/engines.h"
#include "agent/supervisor/node_files.h"
#include "cairn/agent/v1/agent.pb.h"
#include "dataplane/base/status.h"

namespace cairn::agent {

struct SupervisorOptions {
  std::filesystem::path nodes_dir;  // <data-dir>/nodes
  std::string bind;                 // addresses nodes listen on, space-separated
  int port_from = 0, port_to = 0;   // allowed node ports, inclusive
  std::vector<Engine> engines;
  std::chrono::milliseconds start_timeout{10000};  // StartNode waits this long for PING
  std::chrono::milliseconds tick{200};             // loop period
};

// Thread-safe. The loop runs on its own thread between Start() and Shutdown(); tasks run on the
// caller's thread and may block up to their deadlines.
class Supervisor {
 public:
  explicit Supervisor(SupervisorOptions options);
  ~Supervisor();  // Shutdown(false)

  // Scans nodes_dir: nodes whose pid file names a live process of theirs are adopted, the others
  // are started; then starts the loop thread.
  Status Start();
  // Stops the loop thread. With `stop_nodes`, also stops (SIGTERM) every node but keeps their
  // directories, so a later Start() starts them again. Without, nodes keep running.
  void Shutdown(bool stop_nodes);

  // Executes one task and returns its result (never blocks past the task's deadline plus 5 s).
  v1::TaskResult Execute(const v1::Task& task);

  // Observed state of every node, for heartbeats.
  std::vector<v1::NodeStatus> Statuses() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Node {
    v1::NodeSpec spec;
    NodePaths paths;
    pid_t pid = 0;
    bool is_child = false;
    int crash_streak = 0;
    Clock::time_point started_at{}, restart_at{};
    v1::NodeStatus status;
  };

  v1::TaskResult StartNode(const v1::NodeSpec& spec);
  v1::TaskResult StopNode(const v1::StopNode& stop);
  v1::TaskResult ConfigureNode(const v1::NodeSpec& spec);
  Status ValidateSpec(const v1::NodeSpec& spec, std::string* reason) const;
  // REQUIRES: mu_ held.
  Status SpawnLocked(Node& node);
  void ReapLocked(Node& node, Clock::time_point now);
  // Applies `spec` to the running node live; false when it needs a restart instead.
  bool ApplyLive(const v1::NodeSpec& old_spec, const v1::NodeSpec& spec, const NodePaths& paths);
  // Stops the node's process (outside the lock) and lets the loop start it with the new files.
  void RestartNode(const std::string& node_id);
  v1::TaskResult WaitRunning(const std::string& node_id, const std::string& task_id);
  v1::NodeStatus StatusOf(const std::string& node_id) const;
  void Tick();
  void Observe();
  void Adopt(const std::filesystem::path& dir);
  void Loop();

  const SupervisorOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  std::map<std::string, Node> nodes_;
  std::mt19937_64 rng_;
  std::thread loop_;
};

// True when a TCP listener could bind `port` on all addresses right now.
bool PortIsFree(int port);

}  // namespace cairn::agent
