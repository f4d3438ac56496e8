// Keyspace-wide operations on keys of any type, the engine side of the generic commands (Redis
// 7.0 db.c and expire.c): delete, rename, copy, move, scan, random key, TTL reads and writes.
// Ops return Redis's error text in the Status message; the caller fires notifications, signals
// WATCH and counts dirty changes. Single-threaded: called only from the command thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/db.h"
#include "dataplane/engine/entry.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::engine::keys {

// DEL / UNLINK of one key: expires it first if its TTL has passed (so an expired key counts as
// absent), then removes it. Returns whether a live key was deleted.
bool Delete(Db& db, std::string_view key);

// What RENAME / RENAMENX did.
enum class RenameOutcome {
  kRenamed,       // moved to the new name (replacing any key there unless NX)
  kSameKey,       // source and destination are the same existing key: nothing changed
  kTargetExists,  // NX and the destination exists: nothing changed
};

// RENAME / RENAMENX: moves the value (and its TTL and access clock) of `from` to `to`. A live
// destination is replaced unless `nx`. Errors: "ERR no such key" when `from` is missing.
Result<RenameOutcome> Rename(Db& db, std::string_view from, std::string_view to, bool nx);

// What COPY did.
enum class CopyOutcome {
  kCopied,
  kNoSource,      // `from` is missing
  kTargetExists,  // `to` exists in the destination and REPLACE was not given
};

// COPY: duplicates `from` of `src` as `to` in `dst` (Value::Clone for out-of-line values), with
// the source's TTL and encoding and a fresh access clock; a live destination is replaced only if
// `replace`. The source lookup counts as a read (hit/miss statistics). Errors: "ERR source and
// destination objects are the same" when both the database and the key are the same.
Result<CopyOutcome> Copy(Db& src, Db& dst, std::string_view from, std::string_view to,
                         bool replace);

// MOVE: moves `key` with its TTL from `src` to `dst`. Returns false when the key is missing in
// `src` or already present in `dst`. Errors: "ERR source and destination objects are the same"
// when `src` is `dst`.
Result<bool> Move(Db& src, Db& dst, std::string_view key);

// Keys matching a glob `pattern` ("*" matches all), skipping expired keys without deleting them
// (KEYS). Order is the table's.
std::vector<std::string> MatchingKeys(const Db& db, std::string_view pattern, int64_t now_ms);

struct ScanOptions {
  int64_t count = 10;                       // REQUIRES: >= 1. Keys to collect before filtering
  std::optional<std::string_view> pattern;  // MATCH; nullopt or "*" matches every key
  std::optional<std::string_view> type;     // TYPE, compared case-insensitively with TypeName
};

struct ScanPage {
  uint64_t cursor = 0;  // 0 when the iteration is complete
  std::vector<std::string> keys;
};

// SCAN cursor [MATCH p] [COUNT n] [TYPE t]: one step of an iteration over `db`. Every key present
// for the whole iteration is returned at least once (EntryTable's reverse-binary cursor); keys may
// repeat. As Redis 7.0 does, up to `count` keys are collected (visiting at most 10 * count
// buckets) and then filtered by pattern, type and expiry; expired keys are deleted.
ScanPage Scan(Db& db, uint64_t cursor, const ScanOptions& options);

// RANDOMKEY: a random live key, or nullopt when the database is empty. Expired keys met on the
// way are deleted. On a replica (expiry_deletes off) a database of only expired keys may return
// one of them after 100 tries, as Redis does.
std::optional<std::string> RandomKey(Keyspace& keyspace, Db& db);

// Flags of EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT.
enum ExpireFlag : uint32_t {
  kExpireNx = 1 << 0,  // only when the key has no TTL
  kExpireXx = 1 << 1,  // only when the key has a TTL
  kExpireGt = 1 << 2,  // only when the new time is later (no TTL counts as infinite)
  kExpireLt = 1 << 3,  // only when the new time is earlier (no TTL counts as infinite)
};

enum class ExpireOutcome {
  kNotSet,   // the key is missing or a condition flag refused: reply 0
  kSet,      // the TTL was set: reply 1, "expire" event
  kDeleted,  // the time was already past: the key was deleted, reply 1, "del" event
};

// Sets the TTL of `key` to the absolute `when_ms` (ms since the epoch) under `flags`. A time at
// or before now deletes the key, unless expiry deletion is off (a replica or loading), where
// the TTL is stored as given.
ExpireOutcome SetExpireAt(Keyspace& keyspace, Db& db, std::string_view key, int64_t when_ms,
                          uint32_t flags);

// The absolute expire time of `key` in ms, -1 when the key has no TTL, -2 when it is missing.
// A read with statistics and without touching the access clock (TTL, PTTL, EXPIRETIME).
int64_t ExpireTimeMs(Db& db, std::string_view key);

// PERSIST: removes the TTL of a live key. Returns whether there was one.
bool Persist(Db& db, std::string_view key);

// MEMORY USAGE: bytes of the entry (key, value, TTL) plus its table slot, ignoring TTLs (as
// Redis, an expired key not yet deleted is still measured). nullopt when absent.
std::optional<int64_t> MemoryUsage(const Db& db, std::string_view key);

}  // namespace cairn::engine::keys
