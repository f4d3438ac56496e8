// The agent's level-based loop for its host (STYLE.md §5): keeps every desired node running,
// restarts crashed replicas with backoff and a recorded reason, holds crashed primaries for the
// control plane (fencing), observes every node and probes every replica's primary each 200 ms,
// tells a listener at once when what it reports changes, adopts nodes that survived an agent
// restart, and executes StartNode (seeding a new node from a snapshot) / StopNode / ConfigureNode
// / FailoverNode / SnapshotNode tasks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agent/supervisor/engines.h"
#include "agent/supervisor/node_files.h"
#include "agent/supervisor/primary_probe.h"
#include "cairn/agent/v1/agent.pb.h"
#include "controlplane/backup/backup_store.h"
#include "dataplane/base/status.h"

namespace cairn::agent {

struct SupervisorOptions {
  std::filesystem::path nodes_dir;  // <data-dir>/nodes
  std::string bind;                 // addresses nodes listen on, space-separated
  int port_from = 0, port_to = 0;   // allowed node ports, inclusive
  std::vector<Engine> engines;
  std::chrono::milliseconds start_timeout{10000};  // StartNode waits this long for PING
  std::chrono::milliseconds tick{200};             // loop period: reap, restart, observe
  // Where SnapshotNode puts snapshots and StartNode fetches seeds from (--backup-dir); shared
  // with the control plane. nullptr: both fail with reason "NoBackupStore". Must be thread-safe.
  std::shared_ptr<controlplane::BackupStore> backup_store;
  // SnapshotNode polls INFO persistence this often while the save runs.
  std::chrono::milliseconds snapshot_poll{50};
};

// Fencing: whether a node that exited must be held for the control plane instead of restarted.
// True when its spec says primary (no replicaof), or the engine last reported role "primary"
// (e.g. a replica FAILOVER promoted before the control plane sent its new spec): with no
// persistence it would come back empty and its replicas would copy the empty dataset.
bool HoldOnExit(const v1::NodeSpec& spec, const std::string& observed_role);

// What of a status makes a heartbeat go out at once when it changes: state, role, link status,
// replicaof, held and primary_reachable (not offsets, memory or durations).
std::string ChangeKey(const v1::NodeStatus& status);

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

  // `listener` is called (from the supervisor's threads, never under its lock) whenever a node
  // appears or goes, or its ChangeKey changes, so a heartbeat can go out at once. nullptr
  // removes it; once this returns the old listener is not running and will not be called.
  void SetChangeListener(std::function<void()> listener);

 private:
  using Clock = std::chrono::steady_clock;
  struct Node {
    v1::NodeSpec spec;
    NodePaths paths;
    pid_t pid = 0;
    bool is_child = false;
    int crash_streak = 0;
    Clock::time_point started_at{}, restart_at{};
    // Held: exited while primary; not restarted until a StartNode/ConfigureNode task.
    bool held = false;
    ProbeStreak probe;  // replicas: the agent's probes of spec.replicaof
    v1::NodeStatus status;
  };

  v1::TaskResult StartNode(const v1::NodeSpec& spec);
  v1::TaskResult StopNode(const v1::StopNode& stop);
  v1::TaskResult ConfigureNode(const v1::NodeSpec& spec);
  v1::TaskResult FailoverNode(const v1::FailoverNode& failover);
  // BGSAVE on the running node, wait for it, then copy its RDB file into the backup store
  // (supervisor_snapshot.cc).
  v1::TaskResult SnapshotNode(const v1::SnapshotNode& snapshot);
  // For a node not supervised yet with spec.seed set and no data file: fetches the seed into its
  // data file (size and SHA-256 checked). nullopt when done or nothing to do; otherwise the
  // failure (NoBackupStore, SnapshotCorrupt, SnapshotMissing, SnapshotFailed) with the node
  // directory removed when this call created it.
  std::optional<v1::TaskResult> SeedNode(const v1::NodeSpec& spec);
  // After a successful FAILOVER: the node's spec and node.conf say replica of `target`.
  Status RecordReplicaOf(const std::string& node_id, const std::string& host, int port);
  // Writes a new node's files and spawns it; the failure (PortInUse, WriteFailed, StartFailed)
  // otherwise. REQUIRES: mu_ held.
  std::optional<v1::TaskResult> CreateNodeLocked(const v1::NodeSpec& spec);
  // PortInUse when another node here has `port` or something else listens on it. REQUIRES: mu_.
  std::optional<v1::TaskResult> PortTakenLocked(int port) const;
  Status ValidateSpec(const v1::NodeSpec& spec, std::string* reason) const;
  // REQUIRES: mu_ held.
  Status SpawnLocked(Node& node);
  void ReapLocked(Node& node, Clock::time_point now);
  void HoldLocked(Node& node, const std::string& reason);
  // Lets the loop start a held node again (a task asked for it).
  void ReleaseHoldLocked(Node& node);
  // Applies `spec` to the running node live; false when it needs a restart instead.
  bool ApplyLive(const v1::NodeSpec& old_spec, const v1::NodeSpec& spec, const NodePaths& paths);
  // Stops the node's process (outside the lock) and lets the loop start it with the new files.
  void RestartNode(const std::string& node_id);
  v1::TaskResult WaitRunning(const std::string& node_id, const std::string& task_id);
  v1::NodeStatus StatusOf(const std::string& node_id) const;
  void Tick();
  void Observe();
  // Calls the listener when a ChangeKey changed since the last call.
  void PublishChanges();
  void Adopt(const std::filesystem::path& dir);
  void Loop();
  // Probes every replica's primary each kPrimaryProbePeriod (targets in parallel).
  void ProbeLoop();
  void ProbeOnce();

  const SupervisorOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  std::map<std::string, Node> nodes_;
  std::mt19937_64 rng_;
  std::thread loop_, prober_;

  std::mutex publish_mu_;  // guards published_ and listener_; taken before mu_, never under it
  std::map<std::string, std::string> published_;  // node id -> ChangeKey last published
  std::function<void()> listener_;
};

// A failed TaskResult with a CamelCase `reason` (agent.proto TaskResult.reason) and `message`.
v1::TaskResult Failure(const std::string& reason, std::string_view message);

// The spec's primary as a probe target; empty host for a primary.
PrimaryTarget PrimaryOf(const v1::NodeSpec& spec);

// True when a TCP listener could bind `port` on all addresses right now.
bool PortIsFree(int port);

}  // namespace cairn::agent
