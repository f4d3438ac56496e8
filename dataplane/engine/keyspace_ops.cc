// Keyspace-wide operations (Redis 7.0 db.c and expire.c semantics).
#include "dataplane/engine/keyspace_ops.h"

#include <limits>
#include <memory>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"

namespace cairn::engine::keys {
namespace {

// Redis's dbRandomKey gives up after this many expired picks on a replica.
constexpr int kRandomKeyMaxTries = 100;

// A new entry named `key` with a deep copy of `from`'s value and its TTL; clock 0, so Db::Insert
// stamps a fresh one (a copy is a new object to LRU/LFU).
Entry* CloneEntry(const Entry& from, std::string_view key) {
  bool has_expire = from.has_expire();
  int64_t expire_at_ms = has_expire ? from.expire_at_ms() : 0;
  if (!from.external()) {  // only strings are stored inline
    return Entry::NewString(key, from.string_value(), from.encoding(), has_expire, expire_at_ms);
  }
  std::unique_ptr<Value> value = from.object()->Clone();
  return Entry::NewObject(key, from.type(), from.encoding(), value.release(), has_expire,
                          expire_at_ms);
}

// Keyspace::IsExpired's rule for a given time: expired strictly after the expire time.
bool IsExpiredAt(const Entry& e, int64_t now_ms) {
  return e.has_expire() && e.expire_at_ms() < now_ms;
}

}  // namespace

bool Delete(Db& db, std::string_view key) {
  // As Redis's delGenericCommand: expire first (on a primary an expired key is then gone and
  // does not count), then delete whatever is left (on a replica, the logically expired key).
  Entry* e = db.Find(key);
  if (e != nullptr) {
    db.ExpireIfNeeded(e);
  }
  return db.Delete(key);
}

Result<RenameOutcome> Rename(Db& db, std::string_view from, std::string_view to, bool nx) {
  if (db.LookupWrite(from) == nullptr) {
    return Status::NotFound(kErrNoSuchKey);
  }
  if (from == to) {
    return RenameOutcome::kSameKey;
  }
  if (db.LookupWrite(to) != nullptr) {
    if (nx) {
      return RenameOutcome::kTargetExists;
    }
    db.Delete(to);
  }
  Entry* old = db.Unlink(from);
  bool has_expire = old->has_expire();
  Entry* renamed = Entry::Rekey(old, to, has_expire, has_expire ? old->expire_at_ms() : 0);
  Entry::FreeShell(old);  // its out-of-line value now belongs to `renamed`
  db.Insert(renamed);
  return RenameOutcome::kRenamed;
}

Result<CopyOutcome> Copy(Db& src, Db& dst, std::string_view from, std::string_view to,
                         bool replace) {
  if (&src == &dst && from == to) {
    return Status::InvalidArgument(kErrSameObject);
  }
  Entry* source = src.LookupRead(from);
  if (source == nullptr) {
    return CopyOutcome::kNoSource;
  }
  bool target_live = dst.LookupWrite(to) != nullptr;
  if (target_live && !replace) {
    return CopyOutcome::kTargetExists;
  }
  // Built before the destination is deleted; entries never move in memory, so `source` stays
  // valid across the destination's lookup and deletion (a different key).
  Entry* copy = CloneEntry(*source, to);
  if (target_live) {
    dst.Delete(to);
  }
  dst.Insert(copy);
  return CopyOutcome::kCopied;
}

Result<bool> Move(Db& src, Db& dst, std::string_view key) {
  if (&src == &dst) {
    return Status::InvalidArgument(kErrSameObject);
  }
  if (src.LookupWrite(key) == nullptr || dst.LookupWrite(key) != nullptr) {
    return false;
  }
  Entry* e = src.Unlink(key);
  dst.Insert(e);  // same allocation: value, TTL and access clock move with it
  return true;
}

std::vector<std::string> MatchingKeys(const Db& db, std::string_view pattern, int64_t now_ms) {
  bool all = pattern == "*";
  std::vector<std::string> out;
  db.table().ForEach([&](Entry* e) {
    std::string_view key = e->key();
    if ((all || GlobMatch(pattern, key)) && !IsExpiredAt(*e, now_ms)) {
      out.emplace_back(key);
    }
  });
  return out;
}

ScanPage Scan(Db& db, uint64_t cursor, const ScanOptions& options) {
  std::vector<std::string> collected;
  auto count = static_cast<size_t>(options.count);
  int64_t max_iterations = options.count > std::numeric_limits<int64_t>::max() / 10
                               ? std::numeric_limits<int64_t>::max()
                               : options.count * 10;
  const EntryTable& table = db.table();
  do {
    cursor = table.Scan(cursor, [&collected](Entry* e) { collected.emplace_back(e->key()); });
  } while (cursor != 0 && max_iterations-- > 0 && collected.size() < count);

  ScanPage page;
  page.cursor = cursor;
  bool match_all = !options.pattern || *options.pattern == "*";
  for (std::string& key : collected) {
    if (!match_all && !GlobMatch(*options.pattern, key)) {
      continue;
    }
    if (options.type) {
      Entry* typed = db.LookupRead(key, Db::kLookupNoTouch);
      std::string_view type = typed != nullptr ? TypeName(typed->type()) : "none";
      if (!EqualsIgnoreCase(*options.type, type)) {
        continue;
      }
    }
    Entry* e = db.Find(key);
    if (e == nullptr || db.ExpireIfNeeded(e)) {
      continue;
    }
    page.keys.push_back(std::move(key));
  }
  return page;
}

std::optional<std::string> RandomKey(Keyspace& keyspace, Db& db) {
  int tries = kRandomKeyMaxTries;
  bool all_volatile = db.size() == db.expires_size();
  while (true) {
    Entry* e = db.table().Random(keyspace.rng());
    if (e == nullptr) {
      return std::nullopt;
    }
    std::string key(e->key());
    if (e->has_expire()) {
      if (all_volatile && !keyspace.expiry_deletes() && --tries == 0) {
        return key;  // every key may be logically expired on a replica: stop somewhere
      }
      if (db.ExpireIfNeeded(e)) {
        continue;
      }
    }
    return key;
  }
}

ExpireOutcome SetExpireAt(Keyspace& keyspace, Db& db, std::string_view key, int64_t when_ms,
                          uint32_t flags) {
  Entry* e = db.LookupWrite(key);
  if (e == nullptr) {
    return ExpireOutcome::kNotSet;
  }
  int64_t current = e->has_expire() ? e->expire_at_ms() : -1;
  if ((flags & kExpireNx) != 0 && current != -1) {
    return ExpireOutcome::kNotSet;
  }
  if ((flags & kExpireXx) != 0 && current == -1) {
    return ExpireOutcome::kNotSet;
  }
  // No TTL counts as infinite: GT never passes, LT always does.
  if ((flags & kExpireGt) != 0 && (current == -1 || when_ms <= current)) {
    return ExpireOutcome::kNotSet;
  }
  if ((flags & kExpireLt) != 0 && current != -1 && when_ms >= current) {
    return ExpireOutcome::kNotSet;
  }
  if (when_ms <= keyspace.now_ms() && keyspace.expiry_deletes()) {
    db.Delete(key);
    return ExpireOutcome::kDeleted;
  }
  db.SetExpire(e, when_ms);
  return ExpireOutcome::kSet;
}

int64_t ExpireTimeMs(Db& db, std::string_view key) {
  Entry* e = db.LookupRead(key, Db::kLookupNoTouch);
  if (e == nullptr) {
    return -2;
  }
  return e->has_expire() ? e->expire_at_ms() : -1;
}

bool Persist(Db& db, std::string_view key) {
  Entry* e = db.LookupWrite(key);
  if (e == nullptr || !e->has_expire()) {
    return false;
  }
  db.Persist(e);
  return true;
}

std::optional<int64_t> MemoryUsage(const Db& db, std::string_view key) {
  const Entry* e = db.Find(key);
  if (e == nullptr) {
    return std::nullopt;
  }
  // The entry plus the bucket or chain link that points at it.
  constexpr size_t kSlotBytes = sizeof(void*);
  return static_cast<int64_t>(e->MemoryBytes() + kSlotBytes);
}

}  // namespace cairn::engine::keys
