// String values: the engine operations behind the string and bitmap commands. Values are binary
// safe, at most proto-max-bulk-len bytes. Every op returns Redis's error text in the Status on
// failure (WRONGTYPE, not-an-integer, overflow, too long).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dataplane/base/status.h"
#include "dataplane/engine/db.h"
#include "dataplane/engine/entry.h"

namespace cairn::engine {

class RawString;

namespace strings {

// The encoding Redis's tryObjectEncoding gives a value set by SET: "int" for a canonical int64 of
// up to 20 characters, "embstr" up to 44 bytes, else "raw".
Encoding EncodingFor(std::string_view value);

// What SET does to the TTL.
struct SetExpiry {
  bool keep_ttl = false;                   // KEEPTTL
  std::optional<int64_t> expire_at_ms = std::nullopt;  // EX/PX/EXAT/PXAT, absolute
};

// Stores `value` at `key`, replacing any value of any type. Returns the entry now in the table.
Entry* Set(Db& db, std::string_view key, std::string_view value, const SetExpiry& expiry);

// Stores a value with an explicit encoding (INCR results are "int", APPEND results "raw").
Entry* SetWithEncoding(Db& db, std::string_view key, std::string_view value, Encoding encoding,
                       bool keep_ttl);

// The string at `key` for reading: nullopt when missing; WRONGTYPE when not a string.
Result<std::optional<std::string_view>> Get(Db& db, std::string_view key);

// INCRBY/DECRBY/INCR/DECR: a missing key counts as 0. Errors: WRONGTYPE, not an integer,
// overflow.
Result<int64_t> IncrementBy(Db& db, std::string_view key, int64_t delta);

// INCRBYFLOAT: returns the new value as Redis prints it. Errors: WRONGTYPE, not a valid float,
// NaN or infinity.
Result<std::string> IncrementByFloat(Db& db, std::string_view key, long double delta);

// APPEND: returns the new length. Errors: WRONGTYPE, longer than `max_bytes`.
Result<int64_t> Append(Db& db, std::string_view key, std::string_view data, int64_t max_bytes);

// SETRANGE: overwrites from `offset`, zero-padding; returns the new length. An empty `data` only
// reports the length (and creates nothing). Errors: WRONGTYPE, offset + size over `max_bytes`.
Result<int64_t> SetRange(Db& db, std::string_view key, int64_t offset, std::string_view data,
                         int64_t max_bytes);

// The string at `key` as a mutable RawString of at least `min_size` bytes (zero-padded), created
// when missing (SETBIT, BITFIELD, BITOP destination). The entry reports "raw". Errors: WRONGTYPE.
Result<RawString*> MutableString(Db& db, std::string_view key, size_t min_size);

}  // namespace strings
}  // namespace cairn::engine
