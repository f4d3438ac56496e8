// HyperLogLog values: the byte format and algorithms of Redis 7.0's hyperloglog.c, so that the
// strings PFADD, PFMERGE and PFCOUNT leave behind are byte for byte those of redis-server.
//
// A HyperLogLog is a plain string value:
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | 8-byte cached cardinality
//   (little endian; the top bit of the last byte set = cache invalid) | registers
// Dense: 16384 6-bit registers packed least significant bit first (12304 bytes in all).
// Sparse: run-length opcodes ZERO (00xxxxxx: 1..64 zero registers), XZERO (01xxxxxx yyyyyyyy:
// 1..16384 zero registers) and VAL (1vvvvvxx: 1..4 registers of value 1..32).
//
// Everything here is pure (no keyspace): functions take the value's bytes. Values coming from
// clients (SET, RESTORE) may be malformed; every reader checks bounds, and reports a corrupt
// sparse string instead of reading past its end.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::engine::hll {

inline constexpr int kPrecision = 14;
inline constexpr int kRegisters = 1 << kPrecision;  // 16384
inline constexpr int kRegisterBits = 6;
inline constexpr size_t kHeaderBytes = 16;
inline constexpr size_t kDenseRegisterBytes = (kRegisters * kRegisterBits + 7) / 8;  // 12288
inline constexpr size_t kDenseBytes = kHeaderBytes + kDenseRegisterBytes;            // 12304
inline constexpr uint8_t kEncodingDense = 0;
inline constexpr uint8_t kEncodingSparse = 1;
// The largest register value a sparse VAL opcode holds; larger ones force dense.
inline constexpr int kSparseValMax = 32;

// MurmurHash2, 64-bit version (MurmurHash64A), endian neutral as Redis modified it.
uint64_t MurmurHash64A(std::string_view data, uint32_t seed);

// Where an element lands: its register (low 14 bits of the hash) and the register value it
// proposes (trailing zeros of the remaining 50 bits + 1, so 1..51), as Redis 7's hllPatLen.
struct Pattern {
  int index = 0;
  uint8_t count = 0;
};
Pattern PatternOf(std::string_view element);

// An empty HyperLogLog as PFADD creates it: sparse, "XZERO:16384", cached cardinality 0 (18
// bytes).
std::string NewSparse();

// Redis's isHLLObjectOrReply checks: at least a header, the "HYLL" magic, encoding 0 or 1, and
// a dense value exactly kDenseBytes long. Sparse opcodes are not checked here.
bool IsValid(std::string_view value);

// Encoding byte of a value that passed IsValid.
inline uint8_t EncodingOf(std::string_view value) {
  return static_cast<uint8_t>(value[4]);
}

// The cached cardinality, or nullopt when the cache is marked invalid. REQUIRES: IsValid.
std::optional<uint64_t> CachedCardinality(std::string_view value);
// Stores `card` as the valid cached cardinality into the header at `header` (16 bytes).
void SetCachedCardinality(char* header, uint64_t card);
// Marks the cached cardinality invalid (sets the top bit of its last byte).
void InvalidateCache(char* header);

// Dense register access on the 12288 register bytes (after the header).
int GetDenseRegister(const uint8_t* registers, int index);
void SetDenseRegister(uint8_t* registers, int index, int value);
// Raises register `index` to `count` when that is larger (hllDenseSet). Returns whether it did.
bool DenseSet(uint8_t* registers, int index, uint8_t count);
// Adds one element to dense registers (hllDenseAdd). Returns whether a register changed.
bool DenseAdd(uint8_t* registers, std::string_view element);

// Outcome of a write into a HyperLogLog.
enum class SetResult { kUnchanged, kChanged, kCorrupt };

// Raises register `index` to `count` in a valid sparse or dense value (hllSparseSet /
// hllDenseSet). A sparse value is edited in place, adjacent equal VAL opcodes are merged, and
// the cache invalidated; it becomes dense when `count` exceeds 32 or the edit would make it
// longer than `sparse_max_bytes` (hll-sparse-max-bytes). kCorrupt when the sparse opcodes do
// not cover the register (the value may then be partly edited, as in Redis).
SetResult SetRegister(std::string* value, int index, uint8_t count, int64_t sparse_max_bytes);

// Adds `element` (hllAdd): SetRegister at its PatternOf.
SetResult Add(std::string* value, std::string_view element, int64_t sparse_max_bytes);

// Rewrites a sparse value as dense, keeping the header bytes (cached cardinality included).
// A dense value is left alone. Returns false, leaving `value` unchanged, when the sparse opcodes
// do not cover exactly 16384 registers.
bool SparseToDense(std::string* value);

// Registers as one byte each: PFCOUNT's and PFMERGE's working union.
using RawRegisters = std::array<uint8_t, kRegisters>;

// Raises each of `max`'s registers to the value's (hllMerge). Returns false when sparse opcodes
// do not cover exactly 16384 registers (`max` may be partly updated).
bool MergeInto(std::string_view value, RawRegisters* max);

// Estimated cardinality of a valid value by Redis 7's estimator (Ertl's improved estimator over
// the register histogram), ignoring the cache. `*invalid` is set when sparse opcodes do not
// cover exactly 16384 registers (the estimate is then meaningless).
uint64_t Count(std::string_view value, bool* invalid);
// The same for one-byte registers (the multi-key PFCOUNT union).
uint64_t CountRaw(const RawRegisters& registers);

// PFDEBUG DECODE text of a sparse value: "z:N", "Z:N" and "v:VALUE,N" opcodes separated by
// spaces.
std::string DecodeSparse(std::string_view value);

// PFSELFTEST: `cycles` rounds (Redis: 1000) of random values written to every dense register
// read back unchanged, then sparse and dense copies fed the same `elements` elements (Redis: 10M)
// agree and stay within 6 standard errors at each power of ten. nullopt on success, else Redis's
// "TESTFAILED ..." error text.
inline constexpr int kSelfTestCycles = 1000;
inline constexpr uint64_t kSelfTestElements = 10000000;
std::optional<std::string> SelfTest(int64_t sparse_max_bytes, int cycles = kSelfTestCycles,
                                    uint64_t elements = kSelfTestElements);

}  // namespace cairn::engine::hll
