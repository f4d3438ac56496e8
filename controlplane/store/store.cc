// Store: opening, migrations, and the helpers shared by the per-resource files.
#include "controlplane/store/store.h"

#include <array>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {
namespace {

struct Migration {
  int64_t number;
  const char* name;
  const char* sql;
};

// Generated from migrations/*.sql by embed_migrations.cmake.
constexpr Migration kMigrations[] = {
#include "migrations.inc"
};

}  // namespace

std::string ClusterResource(std::string_view name) {
  return "clusters/" + std::string(name);
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  CAIRN_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) ==
              1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const Clock& clock) {
  Result<std::unique_ptr<sql::Database>> db = sql::Database::Open(path);
  if (!db.ok()) {
    return db.status();
  }
  std::unique_ptr<Store> store(new Store(std::move(*db), clock));
  CAIRN_RETURN_IF_ERROR(store->Migrate());
  return store;
}

Status Store::Migrate() {
  std::lock_guard lock(mu_);
  CAIRN_RETURN_IF_ERROR(db_->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at_ms INTEGER NOT NULL)"));
  for (const Migration& m : kMigrations) {
    Status applied = sql::InTransaction(*db_, [&]() -> Status {
      Result<sql::Statement> seen =
          db_->Prepare("SELECT 1 FROM schema_migrations WHERE number = ?");
      CAIRN_RETURN_IF_ERROR(seen.status());
      seen->Bind(m.number);
      Result<bool> row = seen->Step();
      CAIRN_RETURN_IF_ERROR(row.status());
      if (*row) {
        return Status::Ok();
      }
      CAIRN_RETURN_IF_ERROR(db_->Exec(m.sql));
      Result<sql::Statement> mark = db_->Prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)");
      CAIRN_RETURN_IF_ERROR(mark.status());
      mark->Bind(m.number).Bind(m.name).Bind(clock_.NowMs());
      return mark->Run();
    });
    if (!applied.ok()) {
      return Status::Internal("migration " + std::string(m.name) +
                              " failed: " + std::string(applied.message()));
    }
  }
  return Status::Ok();
}

Result<int64_t> Store::SchemaVersion() {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare("SELECT COALESCE(MAX(number), 0) FROM schema_migrations");
  CAIRN_RETURN_IF_ERROR(q.status());
  Result<bool> row = q->Step();
  CAIRN_RETURN_IF_ERROR(row.status());
  return q->Int(0);
}

}  // namespace cairn::controlplane
