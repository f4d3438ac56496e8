// Clusters: desired state and the operations that change it.
#include "controlplane/store/store.h"

namespace cairn::controlplane {
namespace {

constexpr std::string_view kClusterColumns =
    "SELECT spec, auth_token, status, generation, observed_generation, deleting, created_at_ms, "
    "failover_forced, final_snapshot FROM clusters";

Result<ClusterRecord> ReadCluster(const sql::Statement& q) {
  v1::Cluster spec;
  if (!spec.ParseFromString(q.Blob(0))) {
    return Status::DataLoss("clusters: unreadable cluster record");
  }
  Result<Cluster> desired = ClusterFromProto(spec);
  if (!desired.ok()) {
    return Status::DataLoss("clusters: stored cluster no longer valid: " +
                            std::string(desired.status().message()));
  }
  ClusterRecord record;
  record.desired = std::move(*desired);
  record.desired.auth_token = q.Text(1);
  record.status = static_cast<v1::ClusterStatus>(q.Int(2));
  record.desired.generation = q.Int(3);
  record.observed_generation = q.Int(4);
  record.deleting = q.Int(5) != 0;
  record.created_at_ms = q.Int(6);
  record.failover_forced = q.Int(7) != 0;
  record.final_snapshot = q.Text(8);
  return record;
}

}  // namespace

Result<v1::Operation> Store::CreateCluster(const Cluster& cluster, const std::string& request_id) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Result<v1::Operation> {
    if (!request_id.empty()) {
      Result<sql::Statement> seen =
          db_->Prepare("SELECT proto FROM operations WHERE request_id = ?");
      CAIRN_RETURN_IF_ERROR(seen.status());
      seen->Bind(request_id);
      Result<bool> row = seen->Step();
      CAIRN_RETURN_IF_ERROR(row.status());
      if (*row) {
        v1::Operation op;
        if (!op.ParseFromString(seen->Blob(0))) {
          return Status::DataLoss("operations: unreadable operation record");
        }
        if (op.resource() != ClusterResource(cluster.name)) {
          return Status::AlreadyExists("request_id " + request_id + " was already used for " +
                                       op.resource());
        }
        return op;
      }
    }
    Result<sql::Statement> insert = db_->Prepare(
        "INSERT INTO clusters (name, spec, auth_token, status, generation, created_at_ms) "
        "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT(name) DO NOTHING");
    CAIRN_RETURN_IF_ERROR(insert.status());
    Cluster stored = cluster;
    stored.generation = 1;
    insert->Bind(cluster.name).BindBlob(ToProto(stored).SerializeAsString());
    insert->Bind(cluster.auth_token).Bind(v1::CLUSTER_STATUS_CREATING).Bind(clock_.NowMs());
    CAIRN_RETURN_IF_ERROR(insert->Run());
    if (db_->Changes() == 0) {
      return Status::AlreadyExists("cluster.name: cluster \"" + cluster.name + "\" already exists");
    }
    Result<v1::Operation> op =
        InsertOperation(kOpCreateCluster, ClusterResource(cluster.name), request_id);
    CAIRN_RETURN_IF_ERROR(op.status());
    CAIRN_RETURN_IF_ERROR(InsertEvent(ClusterResource(cluster.name), "ClusterCreateRequested",
                                      "create requested", op->id()));
    return op;
  });
}

Result<ClusterRecord> Store::GetCluster(const std::string& name) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(std::string(kClusterColumns) + " WHERE name = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(name);
  Result<bool> row = q->Step();
  CAIRN_RETURN_IF_ERROR(row.status());
  if (!*row) {
    return Status::NotFound("cluster \"" + name + "\" not found");
  }
  return ReadCluster(*q);
}

Result<std::vector<ClusterRecord>> Store::ListClusters() {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(std::string(kClusterColumns) + " ORDER BY name");
  CAIRN_RETURN_IF_ERROR(q.status());
  std::vector<ClusterRecord> out;
  for (;;) {
    Result<bool> row = q->Step();
    CAIRN_RETURN_IF_ERROR(row.status());
    if (!*row) {
      return out;
    }
    Result<ClusterRecord> record = ReadCluster(*q);
    CAIRN_RETURN_IF_ERROR(record.status());
    out.push_back(std::move(*record));
  }
}

Result<v1::Operation> Store::UpdateCluster(const Cluster& updated) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Result<v1::Operation> {
    std::string resource = ClusterResource(updated.name);
    Result<std::optional<v1::Operation>> busy = UnfinishedOperationLocked(resource);
    CAIRN_RETURN_IF_ERROR(busy.status());
    if (busy->has_value()) {
      return Status::FailedPrecondition("cluster \"" + updated.name + "\" has operation " +
                                        (*busy)->id() + " (" + (*busy)->type() +
                                        ") in progress; retry when it ends");
    }
    Cluster stored = updated;
    Result<sql::Statement> q = db_->Prepare(
        "UPDATE clusters SET spec = ?, generation = ?, status = ? WHERE name = ? AND deleting = 0");
    CAIRN_RETURN_IF_ERROR(q.status());
    q->BindBlob(ToProto(stored).SerializeAsString()).Bind(stored.generation);
    q->Bind(v1::CLUSTER_STATUS_MODIFYING).Bind(updated.name);
    CAIRN_RETURN_IF_ERROR(q->Run());
    if (db_->Changes() == 0) {
      return Status::NotFound("cluster \"" + updated.name + "\" not found");
    }
    Result<v1::Operation> op = InsertOperation(kOpUpdateCluster, resource, "");
    CAIRN_RETURN_IF_ERROR(op.status());
    CAIRN_RETURN_IF_ERROR(
        InsertEvent(resource, "ClusterUpdateRequested", "update requested", op->id()));
    return op;
  });
}

Result<v1::Operation> Store::MarkClusterDeleting(const std::string& name,
                                                 const std::string& final_snapshot) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Result<v1::Operation> {
    std::string resource = ClusterResource(name);
    Result<sql::Statement> q = db_->Prepare(
        "UPDATE clusters SET deleting = 1, status = ?, final_snapshot = ? "
        "WHERE name = ? AND deleting = 0");
    CAIRN_RETURN_IF_ERROR(q.status());
    q->Bind(v1::CLUSTER_STATUS_DELETING).Bind(final_snapshot).Bind(name);
    CAIRN_RETURN_IF_ERROR(q->Run());
    if (db_->Changes() == 0) {
      Result<std::optional<v1::Operation>> running = UnfinishedOperationLocked(resource);
      CAIRN_RETURN_IF_ERROR(running.status());
      if (running->has_value() && (*running)->type() == kOpDeleteCluster) {
        return **running;  // deleting twice is the same request
      }
      return Status::NotFound("cluster \"" + name + "\" not found");
    }
    for (;;) {
      Result<std::optional<v1::Operation>> old = UnfinishedOperationLocked(resource);
      CAIRN_RETURN_IF_ERROR(old.status());
      if (!old->has_value()) {
        break;
      }
      (*old)->set_state(v1::OPERATION_STATE_CANCELLED);
      (*old)->mutable_error()->set_code("CANCELLED");
      (*old)->mutable_error()->set_reason("ClusterDeleted");
      (*old)->mutable_error()->set_message("the cluster is being deleted");
      CAIRN_RETURN_IF_ERROR(SaveOperationLocked(**old));
    }
    Result<v1::Operation> op = InsertOperation(kOpDeleteCluster, resource, "");
    CAIRN_RETURN_IF_ERROR(op.status());
    CAIRN_RETURN_IF_ERROR(
        InsertEvent(resource, "ClusterDeleteRequested", "delete requested", op->id()));
    return op;
  });
}

Result<v1::Operation> Store::StartFailover(const std::string& cluster,
                                           const std::string& new_primary,
                                           const std::string& message, bool manual, bool force) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Result<v1::Operation> {
    std::string resource = ClusterResource(cluster);
    if (manual) {
      Result<std::optional<v1::Operation>> busy = UnfinishedOperationLocked(resource);
      CAIRN_RETURN_IF_ERROR(busy.status());
      if (busy->has_value()) {
        return Status::FailedPrecondition("cluster \"" + cluster + "\" has operation " +
                                          (*busy)->id() + " (" + (*busy)->type() +
                                          ") in progress; retry when it ends");
      }
    }
    Result<sql::Statement> q =
        db_->Prepare("UPDATE nodes SET is_primary = (id = ?) WHERE cluster = ? AND removing = 0");
    CAIRN_RETURN_IF_ERROR(q.status());
    q->Bind(new_primary).Bind(cluster);
    CAIRN_RETURN_IF_ERROR(q->Run());
    Result<sql::Statement> status =
        db_->Prepare("UPDATE clusters SET status = ?, failover_forced = ? WHERE name = ?");
    CAIRN_RETURN_IF_ERROR(status.status());
    status->Bind(v1::CLUSTER_STATUS_FAILING_OVER).Bind(force ? 1 : 0).Bind(cluster);
    CAIRN_RETURN_IF_ERROR(status->Run());
    Result<v1::Operation> op = InsertOperation(kOpFailoverShard, resource, "");
    CAIRN_RETURN_IF_ERROR(op.status());
    op->set_state(v1::OPERATION_STATE_RUNNING);
    CAIRN_RETURN_IF_ERROR(SaveOperationLocked(*op));
    CAIRN_RETURN_IF_ERROR(InsertEvent(resource, "FailoverStarted", message, op->id()));
    return op;
  });
}

Status Store::CancelDeletion(const std::string& name, v1::Operation op, const std::string& reason,
                             const std::string& message) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Status {
    Result<sql::Statement> q = db_->Prepare(
        "UPDATE clusters SET deleting = 0, final_snapshot = '', status = ? WHERE name = ?");
    CAIRN_RETURN_IF_ERROR(q.status());
    q->Bind(v1::CLUSTER_STATUS_AVAILABLE).Bind(name);
    CAIRN_RETURN_IF_ERROR(q->Run());
    op.set_state(v1::OPERATION_STATE_FAILED);
    op.mutable_error()->set_code("FAILED_PRECONDITION");
    op.mutable_error()->set_reason(reason);
    op.mutable_error()->set_message(message);
    CAIRN_RETURN_IF_ERROR(SaveOperationLocked(op));
    return InsertEvent(ClusterResource(name), reason, message, op.id());
  });
}

Status Store::ReplaceClusterSpec(const Cluster& cluster) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q =
      db_->Prepare("UPDATE clusters SET spec = ?, generation = ? WHERE name = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->BindBlob(ToProto(cluster).SerializeAsString()).Bind(cluster.generation).Bind(cluster.name);
  return q->Run();
}

Status Store::SetClusterStatus(const std::string& name, v1::ClusterStatus status,
                               int64_t observed_generation) {
  std::lock_guard lock(mu_);
  // Any status but FAILING_OVER ends a forced failover.
  Result<sql::Statement> q = db_->Prepare(
      "UPDATE clusters SET status = ?, observed_generation = ?, "
      "failover_forced = failover_forced * (? = ?) WHERE name = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(status)
      .Bind(observed_generation)
      .Bind(status)
      .Bind(v1::CLUSTER_STATUS_FAILING_OVER)
      .Bind(name);
  return q->Run();
}

Status Store::DeleteCluster(const std::string& name) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Status {
    Result<sql::Statement> nodes = db_->Prepare("DELETE FROM nodes WHERE cluster = ?");
    CAIRN_RETURN_IF_ERROR(nodes.status());
    nodes->Bind(name);
    CAIRN_RETURN_IF_ERROR(nodes->Run());
    Result<sql::Statement> q = db_->Prepare("DELETE FROM clusters WHERE name = ?");
    CAIRN_RETURN_IF_ERROR(q.status());
    q->Bind(name);
    return q->Run();
  });
}

}  // namespace cairn::controlplane
