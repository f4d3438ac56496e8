// Snapshots: records of the RDB files in the backup store.
#include "controlplane/model/timestamp.h"
#include "controlplane/store/store.h"

namespace cairn::controlplane {
namespace {

constexpr std::string_view kSnapshotColumns = "SELECT proto FROM snapshots";

Result<v1::Snapshot> ReadSnapshot(const sql::Statement& q) {
  v1::Snapshot s;
  if (!s.ParseFromString(q.Blob(0))) {
    return Status::DataLoss("snapshots: unreadable snapshot record");
  }
  return s;
}

}  // namespace

std::string SnapshotResource(std::string_view name) {
  return "snapshots/" + std::string(name);
}

Status Store::InsertSnapshotLocked(const v1::Snapshot& snapshot) {
  Result<sql::Statement> q = db_->Prepare(
      "INSERT INTO snapshots (name, cluster, source, status, created_at_ms, proto) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(snapshot.name()).Bind(snapshot.cluster_name()).Bind(snapshot.source());
  q->Bind(snapshot.status()).Bind(TimestampMs(snapshot.created_at()));
  q->BindBlob(snapshot.SerializeAsString());
  CAIRN_RETURN_IF_ERROR(q->Run());
  if (db_->Changes() == 0) {
    return Status::AlreadyExists("snapshot \"" + snapshot.name() + "\" already exists");
  }
  return Status::Ok();
}

Result<v1::Operation> Store::StartSnapshot(v1::Snapshot snapshot) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Result<v1::Operation> {
    SetTimestamp(clock_.NowMs(), snapshot.mutable_created_at());
    snapshot.set_status(v1::SNAPSHOT_STATUS_CREATING);
    CAIRN_RETURN_IF_ERROR(InsertSnapshotLocked(snapshot));
    Result<v1::Operation> op =
        InsertOperation(kOpCreateSnapshot, SnapshotResource(snapshot.name()), "");
    CAIRN_RETURN_IF_ERROR(op.status());
    op->set_state(v1::OPERATION_STATE_RUNNING);
    CAIRN_RETURN_IF_ERROR(SaveOperationLocked(*op));
    CAIRN_RETURN_IF_ERROR(InsertEvent(
        ClusterResource(snapshot.cluster_name()), "SnapshotStarted",
        snapshot.source() + " snapshot " + snapshot.name() + " of node " + snapshot.node_id(),
        op->id()));
    return op;
  });
}

Status Store::InsertSnapshot(v1::Snapshot snapshot) {
  std::lock_guard lock(mu_);
  SetTimestamp(clock_.NowMs(), snapshot.mutable_created_at());
  return InsertSnapshotLocked(snapshot);
}

Result<v1::Snapshot> Store::GetSnapshot(const std::string& name) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(std::string(kSnapshotColumns) + " WHERE name = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(name);
  Result<bool> row = q->Step();
  CAIRN_RETURN_IF_ERROR(row.status());
  if (!*row) {
    return Status::NotFound("snapshot \"" + name + "\" not found");
  }
  return ReadSnapshot(*q);
}

Result<std::vector<v1::Snapshot>> Store::ListSnapshots(const std::string& cluster,
                                                       const std::string& source) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q =
      db_->Prepare(std::string(kSnapshotColumns) +
                   " WHERE (? = '' OR cluster = ?) AND (? = '' OR source = ?) "
                   "ORDER BY created_at_ms DESC, name");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(cluster).Bind(cluster).Bind(source).Bind(source);
  std::vector<v1::Snapshot> out;
  for (;;) {
    Result<bool> row = q->Step();
    CAIRN_RETURN_IF_ERROR(row.status());
    if (!*row) {
      return out;
    }
    Result<v1::Snapshot> s = ReadSnapshot(*q);
    CAIRN_RETURN_IF_ERROR(s.status());
    out.push_back(std::move(*s));
  }
}

Status Store::SaveSnapshot(const v1::Snapshot& snapshot) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q =
      db_->Prepare("UPDATE snapshots SET status = ?, proto = ? WHERE name = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(snapshot.status()).BindBlob(snapshot.SerializeAsString()).Bind(snapshot.name());
  CAIRN_RETURN_IF_ERROR(q->Run());
  if (db_->Changes() == 0) {
    return Status::NotFound("snapshot \"" + snapshot.name() + "\" not found");
  }
  return Status::Ok();
}

Status Store::DeleteSnapshot(const std::string& name) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare("DELETE FROM snapshots WHERE name = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(name);
  CAIRN_RETURN_IF_ERROR(q->Run());
  if (db_->Changes() == 0) {
    return Status::NotFound("snapshot \"" + name + "\" not found");
  }
  return Status::Ok();
}

}  // namespace cairn::controlplane
