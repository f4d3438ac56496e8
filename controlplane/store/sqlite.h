// A thin RAII layer over the SQLite C API: one connection, prepared statements with positional
// binding. Errors come back as Status; nothing throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dataplane/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cairn::controlplane::sql {

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Binds the next positional parameter (?1, ?2, ... in call order).
  Statement& Bind(int64_t value);
  Statement& Bind(std::string_view text);
  Statement& BindBlob(std::string_view bytes);

  // Advances: true when a row is available, false when done. Errors name the SQL.
  Result<bool> Step();
  // Runs to completion (for INSERT/UPDATE/DELETE).
  Status Run();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_index_ = 1;
};

class Database {
 public:
  // Opens (creating) `path` in WAL mode with foreign keys on and a 5 s busy timeout; ":memory:"
  // for tests.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();

  Result<Statement> Prepare(std::string_view sql);
  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it returns an error.
template <typename Fn>
auto InTransaction(Database& db, Fn&& body) -> decltype(body()) {
  if (Status begin = db.Exec("BEGIN IMMEDIATE"); !begin.ok()) {
    return begin;
  }
  auto result = body();
  if (!result.ok()) {
    // The rollback's own error is irrelevant: the caller gets the body's error.
    (void)db.Exec("ROLLBACK");
    return result;
  }
  if (Status commit = db.Exec("COMMIT"); !commit.ok()) {
    (void)db.Exec("ROLLBACK");
    return commit;
  }
  return result;
}

}  // namespace cairn::controlplane::sql
