// Keyspace access shared by the collection types: typed lookups that return WRONGTYPE, creation
// of a new collection key, and the size limits that pick packed or full encodings (Redis's
// list-max-listpack-size, hash-max-listpack-entries/-value, set-max-intset-entries, held in
// KeyspaceConfig and settable with CONFIG SET).
#pragma once

#include <string_view>

#include "dataplane/base/errors.h"
#include "dataplane/base/status.h"
#include "dataplane/engine/db.h"
#include "dataplane/engine/entry.h"

namespace cairn::engine {

inline Status WrongTypeError() {
  return Status::FailedPrecondition(kErrWrongType);
}

// The live entry at `key` if it holds `type`: nullptr when missing, WRONGTYPE when another type.
// `write` selects LookupWrite (no hit/miss statistics) over LookupRead.
inline Result<Entry*> LookupTyped(Db& db, std::string_view key, ValueType type, bool write) {
  Entry* e = write ? db.LookupWrite(key) : db.LookupRead(key);
  if (e != nullptr && e->type() != type) {
    return WrongTypeError();
  }
  return e;
}

// The value object of a collection entry. REQUIRES: e->type() is the collection type of T.
template <typename T>
T* ValueOf(Entry* e) {
  return static_cast<T*>(e->object());
}

// Inserts a new key holding `value` (ownership passes to the keyspace) and returns its entry.
// REQUIRES: `key` is absent.
inline Entry* CreateCollection(Db& db, std::string_view key, ValueType type, Encoding encoding,
                               Value* value) {
  Entry* e = Entry::NewObject(key, type, encoding, value, false, 0);
  db.Insert(e);
  return e;
}

}  // namespace cairn::engine
