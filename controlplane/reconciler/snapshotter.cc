// Snapshotter: snapshot tasks, their results, and the background pass.
#include "controlplane/reconciler/snapshotter.h"

#include <spdlog/spdlog.h>

#include "controlplane/model/names.h"
#include "controlplane/reconciler/snapshot_schedule.h"

namespace cairn::controlplane {
namespace {

constexpr std::string_view kTaskPrefix = "snapshot/";

// The node a snapshot reads: the running in-sync replica with the highest offset (as
// ElastiCache prefers, so the primary does not fork), else the running primary.
const Node* ChooseSnapshotNode(const std::vector<Node>& nodes) {
  const Node* best = nullptr;
  for (const Node& n : nodes) {
    if (!n.removing && n.running && !n.primary && n.observed_role == "replica" &&
        n.link_status == "up" &&
        (best == nullptr || n.replication_offset > best->replication_offset)) {
      best = &n;
    }
  }
  for (const Node& n : nodes) {
    if (best == nullptr && !n.removing && n.running && n.primary) {
      best = &n;
    }
  }
  return best;
}

}  // namespace

Snapshotter::Snapshotter(Store& store, AgentTasks& agents, BackupStore& backups, const Clock& clock,
                         SnapshotterOptions options)
    : store_(store), agents_(agents), backups_(backups), clock_(clock), options_(options) {}

Snapshotter::~Snapshotter() {
  Stop();
}

void Snapshotter::Start() {
  Result<std::vector<v1::Snapshot>> all = store_.ListSnapshots();
  if (all.ok()) {
    for (const v1::Snapshot& s : *all) {
      if (s.status() == v1::SNAPSHOT_STATUS_CREATING) {
        Finish(Pending{.snapshot = s.name()}, nullptr, "ControlPlaneRestarted",
               "the control plane restarted while the snapshot was being taken");
      }
    }
  }
  worker_ = std::thread([this] { Run(); });
}

void Snapshotter::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) {
    worker_.join();
  }
}

void Snapshotter::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms));
    if (stopping_) {
      return;
    }
    lock.unlock();
    Tick();
    lock.lock();
  }
}

Result<v1::Operation> Snapshotter::TakeSnapshot(const std::string& name, const std::string& cluster,
                                                const std::string& source, bool allow_deleting) {
  CAIRN_RETURN_IF_ERROR(ValidateSnapshotName("snapshot_name", name));
  Result<ClusterRecord> record = store_.GetCluster(cluster);
  CAIRN_RETURN_IF_ERROR(record.status());
  bool usable =
      record->status == v1::CLUSTER_STATUS_AVAILABLE || (allow_deleting && record->deleting);
  if (!usable || (record->deleting && !allow_deleting)) {
    return Status::FailedPrecondition("cluster \"" + cluster +
                                      "\" is not available for a snapshot (status " +
                                      v1::ClusterStatus_Name(record->status) + ")");
  }
  Result<std::vector<Node>> nodes = store_.ListNodes(cluster);
  CAIRN_RETURN_IF_ERROR(nodes.status());
  const Node* node = ChooseSnapshotNode(*nodes);
  if (node == nullptr) {
    return Status::FailedPrecondition("cluster \"" + cluster + "\" has no running node");
  }
  const Cluster& c = record->desired;
  v1::Snapshot snapshot;
  snapshot.set_name(name);
  snapshot.set_cluster_name(cluster);
  snapshot.set_source(source);
  snapshot.set_engine(c.engine);
  snapshot.set_engine_version(c.engine_version);
  snapshot.set_node_type(c.node_type);
  snapshot.set_replicas_per_shard(c.replicas_per_shard);
  snapshot.set_maxmemory_policy(c.maxmemory_policy);
  snapshot.set_node_id(node->id);
  Result<v1::Operation> op = store_.StartSnapshot(snapshot);
  CAIRN_RETURN_IF_ERROR(op.status());
  agent::v1::Task task;
  {
    std::lock_guard lock(mu_);
    task.set_id(std::string(kTaskPrefix) + name + "/" + std::to_string(++task_counter_));
    pending_[task.id()] = Pending{name, op->id(), clock_.NowMs() + options_.task_timeout_ms};
  }
  agent::v1::SnapshotNode* s = task.mutable_snapshot_node();
  s->set_node_id(node->id);
  s->set_key(SnapshotKey(name));
  s->set_timeout_ms(options_.task_timeout_ms);
  spdlog::info("snapshot {} of {} from node {}", name, cluster, node->id);
  agents_.SendTask(node->host_id, std::move(task));
  return op;
}

bool Snapshotter::OnTaskResult(const std::string& host_id, const agent::v1::TaskResult& result) {
  if (!result.task_id().starts_with(kTaskPrefix)) {
    return false;
  }
  Pending pending;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(result.task_id());
    if (it == pending_.end()) {
      return true;  // already timed out, or from before a restart
    }
    pending = it->second;
    pending_.erase(it);
  }
  if (!result.ok()) {
    Finish(pending, nullptr, result.reason().empty() ? "SnapshotFailed" : result.reason(),
           result.message() + " (host " + host_id + ")");
    return true;
  }
  // Trust the file, not the message: it must be in the store with what the agent reported.
  agent::v1::BackupObject object = result.snapshot();
  StoredObject expected{object.key(), object.size_bytes(), object.sha256()};
  Status stored = backups_.Verify(expected);
  if (object.key() != SnapshotKey(pending.snapshot) || !stored.ok()) {
    Finish(pending, nullptr, "SnapshotFailed",
           "the stored file does not match the agent's report: " + std::string(stored.message()));
    return true;
  }
  Finish(pending, &object, "", "");
  return true;
}

void Snapshotter::Finish(const Pending& pending, const agent::v1::BackupObject* object,
                         const std::string& reason, const std::string& message) {
  Result<v1::Snapshot> snapshot = store_.GetSnapshot(pending.snapshot);
  if (!snapshot.ok()) {
    return;  // deleted meanwhile
  }
  v1::Snapshot& s = *snapshot;
  if (object != nullptr) {
    s.set_status(v1::SNAPSHOT_STATUS_AVAILABLE);
    s.set_size_bytes(object->size_bytes());
    s.set_sha256(object->sha256());
  } else {
    s.set_status(v1::SNAPSHOT_STATUS_FAILED);
    s.set_failure_reason(reason);
    s.set_failure_message(message);
    (void)backups_.Delete(SnapshotKey(s.name()));
  }
  Status saved = store_.SaveSnapshot(s);
  Result<std::optional<v1::Operation>> op = store_.UnfinishedOperation(SnapshotResource(s.name()));
  if (op.ok() && op->has_value()) {
    v1::Operation& o = **op;
    o.set_progress_percent(100);
    if (object != nullptr) {
      o.set_state(v1::OPERATION_STATE_SUCCEEDED);
    } else {
      o.set_state(v1::OPERATION_STATE_FAILED);
      o.mutable_error()->set_code("FAILED_PRECONDITION");
      o.mutable_error()->set_reason(reason);
      o.mutable_error()->set_message(message);
    }
    Status op_saved = store_.SaveOperation(o);
    saved = saved.ok() ? op_saved : saved;
  }
  std::string text = object != nullptr
                         ? "snapshot " + s.name() + " stored (" + std::to_string(s.size_bytes()) +
                               " bytes, sha256 " + s.sha256() + ")"
                         : "snapshot " + s.name() + " failed: " + reason + ": " + message;
  Status event = store_.AddEvent(ClusterResource(s.cluster_name()),
                                 object != nullptr ? "SnapshotCreated" : "SnapshotFailed", text,
                                 pending.operation_id);
  saved = saved.ok() ? event : saved;
  if (!saved.ok()) {
    spdlog::error("snapshot {}: recording the result failed: {}", s.name(), saved.ToString());
  }
  if (on_done_ && !s.cluster_name().empty()) {
    on_done_(s.cluster_name());
  }
}

void Snapshotter::Tick() {
  std::vector<Pending> expired;
  {
    std::lock_guard lock(mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (clock_.NowMs() >= it->second.deadline_ms) {
        expired.push_back(it->second);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const Pending& p : expired) {
    Finish(p, nullptr, "SnapshotTimeout", "the agent did not finish the snapshot in time");
  }
  ApplyAutomaticPlan();
}

void Snapshotter::ApplyAutomaticPlan() {
  Result<std::vector<ClusterRecord>> clusters = store_.ListClusters();
  Result<std::vector<v1::Snapshot>> snapshots = store_.ListSnapshots("", "automatic");
  if (!clusters.ok() || !snapshots.ok()) {
    return;
  }
  AutomaticSnapshotPlan plan = PlanAutomaticSnapshots(*clusters, *snapshots, clock_.NowMs());
  for (const auto& [cluster, name] : plan.take) {
    Result<v1::Operation> op = TakeSnapshot(name, cluster, "automatic");
    if (!op.ok()) {
      (void)store_.AddEvent(
          ClusterResource(cluster), "SnapshotFailed",
          "automatic snapshot " + name + " not started: " + std::string(op.status().message()));
    }
  }
  for (const std::string& name : plan.expire) {
    Result<v1::Snapshot> s = store_.GetSnapshot(name);
    if (s.ok() && backups_.Delete(SnapshotKey(name)).ok() && store_.DeleteSnapshot(name).ok()) {
      (void)store_.AddEvent(ClusterResource(s->cluster_name()), "SnapshotDeleted",
                            "automatic snapshot " + name + " expired");
    }
  }
}

}  // namespace cairn::controlplane
