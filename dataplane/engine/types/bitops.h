// Bit operations on string values: the engine side of SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP and
// BITFIELD (Redis 7.0 bitops.c semantics). Bit 0 is the most significant bit of byte 0, as in
// Redis. The pure functions work on any bytes; the Db ops look keys up, create or grow values
// through strings::MutableString and return Redis's error texts in the Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/db.h"

namespace cairn::engine::bits {

// Number of set bits in `bytes` (popcount over 64-bit words; the POPCNT instruction when the CPU
// has it).
int64_t PopCount(std::string_view bytes);

// An inclusive range of bit positions inside a value, both >= 0.
struct BitRange {
  int64_t first = 0;
  int64_t last = 0;
};

// Resolves BITCOUNT/BITPOS `start` and `end` against a value of `size` bytes: negative indexes
// count from the end, both are clamped into the value, and `in_bits` says whether they count
// bits (BIT) or bytes (BYTE, the default). nullopt when the range is empty (start > end after
// clamping, or an empty value).
std::optional<BitRange> ResolveRange(int64_t size, int64_t start, int64_t end, bool in_bits);

// Set bits of `bytes` inside `range`. REQUIRES: range.last < 8 * bytes.size().
int64_t CountRange(std::string_view bytes, BitRange range);

// Position of the first bit equal to `bit` inside `range`, or -1 if there is none.
// REQUIRES: range.last < 8 * bytes.size().
int64_t FindFirst(std::string_view bytes, bool bit, BitRange range);

// The bit at `offset`; bits past the end read as 0.
int GetBit(std::string_view bytes, uint64_t offset);

// Reads the `bits`-wide unsigned field starting at bit `offset` (1 <= bits <= 64), most
// significant bit first; bits past the end read as 0.
uint64_t GetField(std::string_view bytes, uint64_t offset, int bits);

// Writes the low `bits` bits of `value` at bit `offset`.
// REQUIRES: (offset + bits - 1) / 8 < size of the buffer at `data`.
void SetField(char* data, uint64_t offset, int bits, uint64_t value);

// Two's complement reading of the low `bits` bits of `value` (1 <= bits <= 64).
int64_t SignExtend(uint64_t value, int bits);

// BITFIELD OVERFLOW behaviours.
enum class Overflow { kWrap, kSat, kFail };

// Fits `value + incr` into a signed field of `bits` bits, as Redis's checkSignedBitfieldOverflow
// decides it. Returns false when it fits (*out is the sum); true on overflow, with *out the
// wrapped (WRAP) or saturated (SAT) value; FAIL leaves *out alone. One Redis quirk is kept: a SET
// (incr 0) of a value so far below the range that max - value wraps saturates to the maximum.
bool FitSigned(int64_t value, int64_t incr, int bits, Overflow overflow, int64_t* out);

// The same for an unsigned field (bits <= 63). `value` is unsigned, so BITFIELD SET of a negative
// number into a uN field overflows upward (saturating to the field's maximum), as in Redis.
bool FitUnsigned(uint64_t value, int64_t incr, int bits, Overflow overflow, uint64_t* out);

// BITOP operators.
enum class BitOpKind { kAnd, kOr, kXor, kNot };

// Combines `sources` byte by byte into a string as long as the longest one; shorter sources are
// zero-padded. NOT takes one source. Empty when every source is empty.
std::string Combine(BitOpKind op, const std::vector<std::string_view>& sources);

// ---- Keyspace operations ----

struct SetBitResult {
  int old_bit = 0;
  // Whether the value changed: created, grown or a flipped bit (Redis only then signals the key,
  // notifies "setbit" and counts a change).
  bool changed = false;
};

// SETBIT: sets the bit at `offset` to `on`, creating or zero-growing the string. The value ends
// up "raw" encoded even when no bit changes (Redis unshares it first). Errors: WRONGTYPE.
Result<SetBitResult> SetBit(Db& db, std::string_view key, uint64_t offset, bool on);

struct BitOpResult {
  int64_t length = 0;    // bytes of the result, BITOP's reply
  bool deleted = false;  // an empty result deleted an existing destination
};

// BITOP: stores the combination of the `sources` keys at `dest` (a "raw" string, without TTL);
// missing sources count as empty strings, and an empty result deletes `dest`. Errors: WRONGTYPE
// when a source is not a string.
Result<BitOpResult> BitOp(Db& db, BitOpKind op, std::string_view dest,
                          const std::vector<std::string_view>& sources);

// One BITFIELD subcommand, parsed.
struct FieldOp {
  enum class Kind { kGet, kSet, kIncrBy };
  Kind kind = Kind::kGet;
  bool is_signed = false;
  int bits = 0;         // 1..64 signed, 1..63 unsigned
  uint64_t offset = 0;  // bit offset of the field
  int64_t value = 0;    // SET value or INCRBY increment
  Overflow overflow = Overflow::kWrap;
};

struct BitfieldResult {
  // One per op: the field value (GET), the old value (SET), the new value (INCRBY), or nullopt
  // when OVERFLOW FAIL stopped the write.
  std::vector<std::optional<int64_t>> values;
  // Writes that changed the value (or created / grew it): the dirty count; nonzero means the
  // key was modified.
  int64_t changes = 0;
};

// BITFIELD / BITFIELD_RO: runs `ops` in order. With only GETs the key is read (missing reads as
// zeros); otherwise the string is created or grown to hold the highest written bit first, even
// if every write then fails. Errors: WRONGTYPE.
Result<BitfieldResult> Bitfield(Db& db, std::string_view key, const std::vector<FieldOp>& ops);

}  // namespace cairn::engine::bits
