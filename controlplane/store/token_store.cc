// API bearer tokens and agent join tokens, stored as SHA-256 of their secrets.
#include "controlplane/store/store.h"

namespace cairn::controlplane {

Status Store::InsertApiToken(const ApiTokenRecord& t) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(
      "INSERT INTO api_tokens (id, secret_sha256, description, created_at_ms) VALUES (?,?,?,?)");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(t.id).Bind(t.secret_sha256).Bind(t.description).Bind(clock_.NowMs());
  return q->Run();
}

Result<ApiTokenRecord> Store::FindApiToken(const std::string& id) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(
      "SELECT id, secret_sha256, description, created_at_ms, revoked FROM api_tokens "
      "WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(id);
  Result<bool> row = q->Step();
  CAIRN_RETURN_IF_ERROR(row.status());
  if (!*row) {
    return Status::NotFound("token " + id + " not found");
  }
  return ApiTokenRecord{q->Text(0), q->Text(1), q->Text(2), q->Int(3), q->Int(4) != 0};
}

Result<std::vector<ApiTokenRecord>> Store::ListApiTokens() {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(
      "SELECT id, description, created_at_ms FROM api_tokens WHERE revoked = 0 "
      "ORDER BY created_at_ms, id");
  CAIRN_RETURN_IF_ERROR(q.status());
  std::vector<ApiTokenRecord> out;
  for (;;) {
    Result<bool> row = q->Step();
    CAIRN_RETURN_IF_ERROR(row.status());
    if (!*row) {
      return out;
    }
    out.push_back(ApiTokenRecord{q->Text(0), "", q->Text(1), q->Int(2), false});
  }
}

Status Store::RevokeApiToken(const std::string& id) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q =
      db_->Prepare("UPDATE api_tokens SET revoked = 1 WHERE id = ? AND revoked = 0");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(id);
  CAIRN_RETURN_IF_ERROR(q->Run());
  if (db_->Changes() == 0) {
    return Status::NotFound("token " + id + " not found");
  }
  return Status::Ok();
}

Status Store::InsertJoinToken(const std::string& id, const std::string& secret_sha256,
                              int64_t expires_at_ms) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q =
      db_->Prepare("INSERT INTO join_tokens (id, secret_sha256, expires_at_ms) VALUES (?, ?, ?)");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(id).Bind(secret_sha256).Bind(expires_at_ms);
  return q->Run();
}

Status Store::ConsumeJoinToken(const std::string& id, const std::string& secret_sha256,
                               const std::string& host_id) {
  std::lock_guard lock(mu_);
  // One statement, so two agents racing with one token cannot both win.
  Result<sql::Statement> q = db_->Prepare(
      "UPDATE join_tokens SET used_by_host = ? WHERE id = ? AND secret_sha256 = ? AND "
      "used_by_host = '' AND expires_at_ms > ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(host_id).Bind(id).Bind(secret_sha256).Bind(clock_.NowMs());
  CAIRN_RETURN_IF_ERROR(q->Run());
  if (db_->Changes() == 0) {
    return Status::PermissionDenied("join token is unknown, expired or already used");
  }
  return Status::Ok();
}

}  // namespace cairn::controlplane
