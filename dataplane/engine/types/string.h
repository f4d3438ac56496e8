// String values: the engine operations behind the string and bitmap commands. Values are binary
// safe, at most proto-max-bulk-len bytes. Every op returns Redis's error text in the Status on
// failure (WRONGTYPE, not-an-integer, overflow, too long).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  bool keep_ttl = false;                               // KEEPTTL
  std::optional<int64_t> expire_at_ms = std::nullopt;  // EX/PX/EXAT/PXAT, absolute
};

// Stores `value` at `key`, replacing any value of any type. Returns the entry now in the table.
// An expire time already past is stored as given: the key expires on its next access (SET EXAT
// in the past, as Redis 7.0).
Entry* Set(Db& db, std::string_view key, std::string_view value, const SetExpiry& expiry);

// Stores a value with an explicit encoding (INCR results are "int", APPEND results "raw").
Entry* SetWithEncoding(Db& db, std::string_view key, std::string_view value, Encoding encoding,
                       bool keep_ttl);

// The string at `key` for reading: nullopt when missing; WRONGTYPE when not a string.
Result<std::optional<std::string_view>> Get(Db& db, std::string_view key);

// INCRBY/DECRBY/INCR/DECR: a missing key counts as 0. Errors: WRONGTYPE, not an integer,
// overflow.
Result<int64_t> IncrementBy(Db& db, std::string_view key, int64_t delta);

// INCRBYFLOAT: adds the long double in `increment` (text, parsed like Redis's string2ld after the
// key's type and value are checked) and returns the new value as Redis prints it; the TTL is
// kept and the result is "embstr" or "raw", never "int". Errors: WRONGTYPE, not a valid float
// (either side), NaN or infinity.
Result<std::string> IncrementByFloat(Db& db, std::string_view key, std::string_view increment);

// APPEND: returns the new length. A missing key is created as SET would store `data`; an existing
// value becomes "raw" (even when `data` is empty). Errors: WRONGTYPE, longer than `max_bytes`.
Result<int64_t> Append(Db& db, std::string_view key, std::string_view data, int64_t max_bytes);

// SETRANGE: overwrites from `offset` (>= 0), zero-padding; returns the new length. An empty
// `data` only reports the length (and creates nothing). The value becomes "raw". Errors:
// WRONGTYPE, offset + size over `max_bytes` (proto-max-bulk-len).
Result<int64_t> SetRange(Db& db, std::string_view key, int64_t offset, std::string_view data,
                         int64_t max_bytes);

// GETRANGE/SUBSTR on a value: the bytes from `start` to `end` inclusive, negative indexes counting
// from the end, clamped to the value; empty when the range is.
std::string_view Substring(std::string_view value, int64_t start, int64_t end);

// The string at `key` as a mutable RawString of at least `min_size` bytes (zero-padded), created
// when missing (SETBIT, BITFIELD, SETRANGE, APPEND). The entry reports "raw" from then on. When
// `grew` is given it is set to whether the value was created or lengthened. The pointer is valid
// until the next keyspace change. Errors: WRONGTYPE.
Result<RawString*> MutableString(Db& db, std::string_view key, size_t min_size,
                                 bool* grew = nullptr);

// One run of matching bytes in an LCS reply: inclusive ranges in each string and their length.
struct LcsMatch {
  int64_t a_start = 0;
  int64_t a_end = 0;
  int64_t b_start = 0;
  int64_t b_end = 0;
  int64_t length = 0;
};

struct LcsResult {
  int64_t length = 0;  // length of the longest common subsequence
  std::string text;    // the subsequence itself, when asked for
  // Matching runs from the ends of the strings backwards, as LCS IDX lists them, without those
  // shorter than the minimum match length.
  std::vector<LcsMatch> matches;
};

// LCS a b [LEN|IDX] [MINMATCHLEN n]: the longest common subsequence by Redis's dynamic
// programming table of (|a|+1)*(|b|+1) uint32 cells, and its backtrack. `with_text` fills
// `text`, `with_matches` fills `matches` (runs shorter than `min_match_len` are left out; 0 keeps
// all). Errors: a string of 2^32-1 bytes or more, a table over `max_table_bytes`
// (proto-max-bulk-len), or a failed allocation (Redis's texts).
Result<LcsResult> Lcs(std::string_view a, std::string_view b, bool with_text, bool with_matches,
                      int64_t min_match_len, int64_t max_table_bytes);

}  // namespace strings
}  // namespace cairn::engine
