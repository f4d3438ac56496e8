// Operations and events.
#include "controlplane/model/timestamp.h"
#include "controlplane/store/store.h"

namespace cairn::controlplane {
namespace {

Result<v1::Operation> ParseOperation(const std::string& blob) {
  v1::Operation op;
  if (!op.ParseFromString(blob)) {
    return Status::DataLoss("operations: unreadable operation record");
  }
  return op;
}

Result<std::vector<v1::Operation>> CollectOperations(sql::Statement& q) {
  std::vector<v1::Operation> out;
  for (;;) {
    Result<bool> row = q.Step();
    CAIRN_RETURN_IF_ERROR(row.status());
    if (!*row) {
      return out;
    }
    Result<v1::Operation> op = ParseOperation(q.Blob(0));
    CAIRN_RETURN_IF_ERROR(op.status());
    out.push_back(std::move(*op));
  }
}

}  // namespace

Result<v1::Operation> Store::InsertOperation(std::string_view type, const std::string& resource,
                                             const std::string& request_id) {
  v1::Operation op;
  op.set_id("op-" + RandomHex(6));
  op.set_type(std::string(type));
  op.set_resource(resource);
  op.set_state(v1::OPERATION_STATE_PENDING);
  int64_t now = clock_.NowMs();
  SetTimestamp(now, op.mutable_created_at());
  SetTimestamp(now, op.mutable_updated_at());
  Result<sql::Statement> q = db_->Prepare(
      "INSERT INTO operations (id, resource, state, request_id, proto, created_at_ms) "
      "VALUES (?, ?, ?, NULLIF(?, ''), ?, ?)");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(op.id()).Bind(resource).Bind(op.state()).Bind(request_id);
  q->BindBlob(op.SerializeAsString()).Bind(now);
  CAIRN_RETURN_IF_ERROR(q->Run());
  return op;
}

Result<v1::Operation> Store::GetOperation(const std::string& id) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare("SELECT proto FROM operations WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(id);
  Result<bool> row = q->Step();
  CAIRN_RETURN_IF_ERROR(row.status());
  if (!*row) {
    return Status::NotFound("operation " + id + " not found");
  }
  return ParseOperation(q->Blob(0));
}

Result<std::vector<v1::Operation>> Store::ListOperations(const std::string& resource, int limit) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(
      "SELECT proto FROM operations WHERE (? = '' OR resource = ?) "
      "ORDER BY created_at_ms DESC, rowid DESC LIMIT ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(resource).Bind(resource).Bind(limit);
  return CollectOperations(*q);
}

Result<std::vector<v1::Operation>> Store::ListUnfinishedOperations() {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(
      "SELECT proto FROM operations WHERE state IN (?, ?) ORDER BY created_at_ms, rowid");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(v1::OPERATION_STATE_PENDING).Bind(v1::OPERATION_STATE_RUNNING);
  return CollectOperations(*q);
}

Result<std::optional<v1::Operation>> Store::UnfinishedOperationLocked(const std::string& resource) {
  Result<sql::Statement> q = db_->Prepare(
      "SELECT proto FROM operations WHERE resource = ? AND state IN (?, ?) "
      "ORDER BY created_at_ms DESC, rowid DESC LIMIT 1");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(resource).Bind(v1::OPERATION_STATE_PENDING).Bind(v1::OPERATION_STATE_RUNNING);
  Result<std::vector<v1::Operation>> ops = CollectOperations(*q);
  CAIRN_RETURN_IF_ERROR(ops.status());
  if (ops->empty()) {
    return std::optional<v1::Operation>();
  }
  return std::optional<v1::Operation>(std::move(ops->front()));
}

Result<std::optional<v1::Operation>> Store::UnfinishedOperation(const std::string& resource) {
  std::lock_guard lock(mu_);
  return UnfinishedOperationLocked(resource);
}

Status Store::SaveOperationLocked(v1::Operation op) {
  SetTimestamp(clock_.NowMs(), op.mutable_updated_at());
  Result<sql::Statement> q =
      db_->Prepare("UPDATE operations SET state = ?, proto = ? WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(op.state()).BindBlob(op.SerializeAsString()).Bind(op.id());
  CAIRN_RETURN_IF_ERROR(q->Run());
  if (db_->Changes() == 0) {
    return Status::NotFound("operation " + op.id() + " not found");
  }
  return Status::Ok();
}

Status Store::SaveOperation(v1::Operation op) {
  std::lock_guard lock(mu_);
  return SaveOperationLocked(std::move(op));
}

Status Store::InsertEvent(const std::string& resource, const std::string& type,
                          const std::string& message, const std::string& operation_id) {
  Result<sql::Statement> q = db_->Prepare(
      "INSERT INTO events (resource, type, message, operation_id, created_at_ms) "
      "VALUES (?, ?, ?, ?, ?)");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(resource).Bind(type).Bind(message).Bind(operation_id).Bind(clock_.NowMs());
  return q->Run();
}

Status Store::AddEvent(const std::string& resource, const std::string& type,
                       const std::string& message, const std::string& operation_id) {
  std::lock_guard lock(mu_);
  return InsertEvent(resource, type, message, operation_id);
}

Result<std::vector<v1::Event>> Store::ListEvents(const std::string& resource, int64_t since_ms,
                                                 int limit) {
  std::lock_guard lock(mu_);
  // A cluster's events include its nodes' ("nodes/<cluster>-NNNN-NNN").
  std::string node_prefix;
  if (resource.rfind("clusters/", 0) == 0) {
    node_prefix = "nodes/" + resource.substr(9) + "-";
  }
  Result<sql::Statement> q = db_->Prepare(
      "SELECT id, resource, type, message, operation_id, created_at_ms FROM ("
      " SELECT * FROM events WHERE (? = '' OR resource = ? OR"
      "  (? != '' AND substr(resource, 1, length(?)) = ?)) AND created_at_ms >= ?"
      " ORDER BY id DESC LIMIT ?) ORDER BY id");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(resource).Bind(resource).Bind(node_prefix).Bind(node_prefix).Bind(node_prefix);
  q->Bind(since_ms).Bind(limit);
  std::vector<v1::Event> out;
  for (;;) {
    Result<bool> row = q->Step();
    CAIRN_RETURN_IF_ERROR(row.status());
    if (!*row) {
      return out;
    }
    v1::Event& e = out.emplace_back();
    e.set_id(q->Int(0));
    e.set_resource(q->Text(1));
    e.set_type(q->Text(2));
    e.set_message(q->Text(3));
    e.set_operation_id(q->Text(4));
    SetTimestamp(q->Int(5), e.mutable_created_at());
  }
}

}  // namespace cairn::controlplane
