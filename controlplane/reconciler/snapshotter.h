// Snapshotter: takes snapshots through the agents and keeps their records. A snapshot is taken
// on a replica when the shard has a running one in sync (the primary otherwise) with the
// agent's SnapshotNode task (BGSAVE, then the RDB file copied to the backup store); the
// result completes the snapshot's record and its CreateSnapshot operation. Snapshots are
// their own resources ("snapshots/NAME"), so taking one never blocks other operations on the
// cluster. A background tick fails snapshots whose task went unanswered, takes due automatic
// snapshots and deletes expired ones (snapshot_schedule.h).
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "cairn/agent/v1/agent.pb.h"
#include "cairn/v1/snapshot.pb.h"
#include "controlplane/backup/backup_store.h"
#include "controlplane/reconciler/agent_tasks.h"
#include "controlplane/store/store.h"
#include "dataplane/base/clock.h"

namespace cairn::controlplane {

struct SnapshotterOptions {
  // How long an agent has to finish a SnapshotNode task, ms.
  int64_t task_timeout_ms = 15 * 60 * 1000;
  // Background pass interval, ms.
  int64_t tick_ms = 1000;
};

class Snapshotter {
 public:
  Snapshotter(Store& store, AgentTasks& agents, BackupStore& backups, const Clock& clock,
              SnapshotterOptions options = {});
  ~Snapshotter();

  // Starts the background tick. Snapshots left CREATING by an earlier run (their task results
  // can no longer be matched) are failed with reason "ControlPlaneRestarted".
  void Start();
  void Stop();

  // Starts snapshot `name` of `cluster` with source "manual" or "automatic" and returns its
  // RUNNING CreateSnapshot operation. InvalidArgument (bad name), NotFound (cluster),
  // AlreadyExists (name), FailedPrecondition (cluster not AVAILABLE, or no running node).
  // `allow_deleting` lets a deletion take its final snapshot.
  Result<v1::Operation> TakeSnapshot(const std::string& name, const std::string& cluster,
                                     const std::string& source, bool allow_deleting = false);

  // Agent session callback: true when `result` answers a snapshot task (then it is handled).
  bool OnTaskResult(const std::string& host_id, const agent::v1::TaskResult& result);

  // Called with the cluster's name when one of its snapshots ends (either way). Set before
  // Start().
  void set_on_snapshot_done(std::function<void(const std::string&)> fn) {
    on_done_ = std::move(fn);
  }

  // One background pass, synchronously (tests).
  void Tick();

 private:
  struct Pending {
    std::string snapshot;
    std::string operation_id;
    int64_t deadline_ms = 0;
  };
  void Run();
  // Marks the snapshot AVAILABLE (`object` set) or FAILED (reason/message) and ends its
  // operation, with an event on its cluster.
  void Finish(const Pending& pending, const agent::v1::BackupObject* object,
              const std::string& reason, const std::string& message);
  void ApplyAutomaticPlan();

  Store& store_;
  AgentTasks& agents_;
  BackupStore& backups_;
  const Clock& clock_;
  SnapshotterOptions options_;
  std::function<void(const std::string&)> on_done_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, Pending> pending_;  // task id -> snapshot
  uint64_t task_counter_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace cairn::controlplane
