// Bit operations on string values.
#include "dataplane/engine/types/bitops.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "dataplane/engine/types/string.h"

namespace cairn::engine::bits {
namespace {

const uint8_t* Bytes(std::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

// Eight bytes as a big-endian word, so bit 0 of the string is the word's top bit.
uint64_t LoadBigEndian(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

uint64_t LoadNative(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Always inlined, so the copy inside PopCountHardware is compiled for the POPCNT instruction.
__attribute__((always_inline)) inline int64_t PopCountWords(const uint8_t* p, size_t n) {
  // Four independent sums so the popcounts of consecutive words can run in parallel.
  uint64_t c0 = 0;
  uint64_t c1 = 0;
  uint64_t c2 = 0;
  uint64_t c3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 += std::popcount(LoadNative(p + i));
    c1 += std::popcount(LoadNative(p + i + 8));
    c2 += std::popcount(LoadNative(p + i + 16));
    c3 += std::popcount(LoadNative(p + i + 24));
  }
  for (; i + 8 <= n; i += 8) {
    c0 += std::popcount(LoadNative(p + i));
  }
  for (; i < n; i++) {
    c1 += std::popcount(static_cast<unsigned>(p[i]));
  }
  return static_cast<int64_t>(c0 + c1 + c2 + c3);
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) int64_t PopCountHardware(const uint8_t* p, size_t n) {
  return PopCountWords(p, n);
}
#endif

// Byte `b` with the bits before bit `from` (0..7, counted from the top) cleared.
uint8_t ClearBefore(uint8_t b, int64_t from) {
  return static_cast<uint8_t>(b & (0xFFu >> from));
}
// Byte `b` with the bits after bit `to` (0..7, counted from the top) cleared.
uint8_t ClearAfter(uint8_t b, int64_t to) {
  return static_cast<uint8_t>(b & (0xFFu << (7 - to)));
}

// Position of the first `bit` in the whole bytes [from, to) of `p`, or -1.
int64_t FindInBytes(const uint8_t* p, size_t from, size_t to, bool bit) {
  uint64_t invert = bit ? 0 : ~uint64_t{0};
  size_t i = from;
  for (; i + 8 <= to; i += 8) {
    uint64_t w = LoadBigEndian(p + i) ^ invert;
    if (w != 0) {
      return static_cast<int64_t>(i * 8) + std::countl_zero(w);
    }
  }
  for (; i < to; i++) {
    auto b = static_cast<uint8_t>(p[i] ^ static_cast<uint8_t>(invert));
    if (b != 0) {
      return static_cast<int64_t>(i * 8) + std::countl_zero(b);
    }
  }
  return -1;
}

// Reads the 1..9 bytes holding bits [offset, offset + bits) as one big-endian number; bytes past
// `size` read as 0. Returns the number and sets *width to its width in bits.
unsigned __int128 LoadWindow(const uint8_t* p, size_t size, uint64_t offset, int bits, int* width) {
  uint64_t first = offset >> 3;
  int nbytes = static_cast<int>(((offset & 7) + static_cast<uint64_t>(bits) + 7) >> 3);
  unsigned __int128 window = 0;
  for (int i = 0; i < nbytes; i++) {
    uint64_t at = first + static_cast<uint64_t>(i);
    window = (window << 8) | (at < size ? p[at] : 0);
  }
  *width = nbytes * 8;
  return window;
}

uint64_t LowMask(int bits) {
  return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
}

}  // namespace

int64_t PopCount(std::string_view bytes) {
#if defined(__x86_64__)
  static const bool kHasPopcnt = __builtin_cpu_supports("popcnt");
  if (kHasPopcnt) {
    return PopCountHardware(Bytes(bytes), bytes.size());
  }
#endif
  return PopCountWords(Bytes(bytes), bytes.size());
}

std::optional<BitRange> ResolveRange(int64_t size, int64_t start, int64_t end, bool in_bits) {
  int64_t total = in_bits ? size * 8 : size;
  if (start < 0) {
    start += total;
  }
  if (end < 0) {
    end += total;
  }
  start = std::max<int64_t>(start, 0);
  end = std::max<int64_t>(end, 0);
  end = std::min(end, total - 1);
  if (start > end) {
    return std::nullopt;
  }
  if (in_bits) {
    return BitRange{start, end};
  }
  return BitRange{start * 8, end * 8 + 7};
}

int64_t CountRange(std::string_view bytes, BitRange range) {
  const uint8_t* p = Bytes(bytes);
  int64_t first_byte = range.first >> 3;
  int64_t last_byte = range.last >> 3;
  int64_t count = PopCount(bytes.substr(static_cast<size_t>(first_byte),
                                        static_cast<size_t>(last_byte - first_byte + 1)));
  // Take back the bits of the edge bytes that lie outside the range.
  count -=
      std::popcount(static_cast<unsigned>(p[first_byte] & ~(0xFFu >> (range.first & 7)) & 0xFF));
  count -= std::popcount(static_cast<unsigned>(p[last_byte] & (0xFFu >> ((range.last & 7) + 1))));
  return count;
}

int64_t FindFirst(std::string_view bytes, bool bit, BitRange range) {
  const uint8_t* p = Bytes(bytes);
  auto first_byte = static_cast<size_t>(range.first >> 3);
  auto last_byte = static_cast<size_t>(range.last >> 3);
  uint8_t invert = bit ? 0 : 0xFF;
  // The first byte, masked to the range on both sides when it is also the last.
  uint8_t head = ClearBefore(static_cast<uint8_t>(p[first_byte] ^ invert), range.first & 7);
  if (first_byte == last_byte) {
    head = ClearAfter(head, range.last & 7);
  }
  if (head != 0) {
    return static_cast<int64_t>(first_byte * 8) + std::countl_zero(head);
  }
  if (first_byte == last_byte) {
    return -1;
  }
  int64_t pos = FindInBytes(p, first_byte + 1, last_byte, bit);
  if (pos >= 0) {
    return pos;
  }
  uint8_t tail = ClearAfter(static_cast<uint8_t>(p[last_byte] ^ invert), range.last & 7);
  if (tail != 0) {
    return static_cast<int64_t>(last_byte * 8) + std::countl_zero(tail);
  }
  return -1;
}

int GetBit(std::string_view bytes, uint64_t offset) {
  uint64_t byte = offset >> 3;
  if (byte >= bytes.size()) {
    return 0;
  }
  return (Bytes(bytes)[byte] >> (7 - (offset & 7))) & 1;
}

uint64_t GetField(std::string_view bytes, uint64_t offset, int bits) {
  int width = 0;
  unsigned __int128 window = LoadWindow(Bytes(bytes), bytes.size(), offset, bits, &width);
  int shift = width - static_cast<int>(offset & 7) - bits;
  return static_cast<uint64_t>(window >> shift) & LowMask(bits);
}

void SetField(char* data, uint64_t offset, int bits, uint64_t value) {
  auto* p = reinterpret_cast<uint8_t*>(data);
  int width = 0;
  // The window only covers bytes the field touches, which the caller guarantees exist.
  unsigned __int128 window = LoadWindow(p, SIZE_MAX, offset, bits, &width);
  int shift = width - static_cast<int>(offset & 7) - bits;
  unsigned __int128 mask = static_cast<unsigned __int128>(LowMask(bits)) << shift;
  window = (window & ~mask) | (static_cast<unsigned __int128>(value & LowMask(bits)) << shift);
  uint64_t first = offset >> 3;
  for (int i = width / 8 - 1; i >= 0; i--) {
    p[first + static_cast<uint64_t>(i)] = static_cast<uint8_t>(window);
    window >>= 8;
  }
}

int64_t SignExtend(uint64_t value, int bits) {
  if (bits < 64 && (value & (uint64_t{1} << (bits - 1))) != 0) {
    value |= ~uint64_t{0} << bits;
  }
  return static_cast<int64_t>(value);
}

bool FitSigned(int64_t value, int64_t incr, int bits, Overflow overflow, int64_t* out) {
  int64_t max = bits == 64 ? INT64_MAX : static_cast<int64_t>((uint64_t{1} << (bits - 1)) - 1);
  int64_t min = -max - 1;
  // Redis's checkSignedBitfieldOverflow, including its wrapping of max - value and min - value:
  // a SET of a value far below the range (max - value past INT64_MAX) counts as overflowing
  // upward, so SAT stores the maximum there.
  auto max_incr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  auto min_incr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  bool high =
      value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr);
  bool low = !high && (value < min || (bits != 64 && incr < min_incr) ||
                       (value < 0 && incr < 0 && incr < min_incr));
  if (!high && !low) {
    *out = value + incr;
    return false;
  }
  if (overflow == Overflow::kWrap) {
    uint64_t wrapped = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    *out = SignExtend(wrapped & LowMask(bits), bits);
  } else if (overflow == Overflow::kSat) {
    *out = high ? max : min;
  }
  return true;
}

bool FitUnsigned(uint64_t value, int64_t incr, int bits, Overflow overflow, uint64_t* out) {
  uint64_t max = LowMask(bits);
  __int128 sum = static_cast<__int128>(value) + incr;
  if (sum >= 0 && sum <= static_cast<__int128>(max)) {
    *out = static_cast<uint64_t>(sum);
    return false;
  }
  if (overflow == Overflow::kWrap) {
    *out = (value + static_cast<uint64_t>(incr)) & max;
  } else if (overflow == Overflow::kSat) {
    *out = sum > 0 ? max : 0;
  }
  return true;
}

std::string Combine(BitOpKind op, const std::vector<std::string_view>& sources) {
  size_t max_len = 0;
  for (std::string_view s : sources) {
    max_len = std::max(max_len, s.size());
  }
  std::string out(max_len, '\0');
  if (max_len == 0) {
    return out;
  }
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  if (op == BitOpKind::kNot) {
    const uint8_t* src = Bytes(sources[0]);
    for (size_t i = 0; i < max_len; i++) {
      dst[i] = static_cast<uint8_t>(~src[i]);
    }
    return out;
  }
  // Start from the first source (zero-padded), then fold the others in. Bytes past a source's
  // end count as zero, which for AND clears the rest of the result.
  if (!sources[0].empty()) {  // a missing key's view may have a null data pointer
    std::memcpy(dst, sources[0].data(), sources[0].size());
  }
  for (size_t k = 1; k < sources.size(); k++) {
    const uint8_t* src = Bytes(sources[k]);
    size_t n = sources[k].size();
    size_t i = 0;
    if (op == BitOpKind::kAnd) {
      for (; i < n; i++) {
        dst[i] &= src[i];
      }
      std::memset(dst + n, 0, max_len - n);
    } else if (op == BitOpKind::kOr) {
      for (; i < n; i++) {
        dst[i] |= src[i];
      }
    } else {
      for (; i < n; i++) {
        dst[i] ^= src[i];
      }
    }
  }
  return out;
}

Result<SetBitResult> SetBit(Db& db, std::string_view key, uint64_t offset, bool on) {
  bool grew = false;
  Result<RawString*> raw =
      strings::MutableString(db, key, static_cast<size_t>(offset >> 3) + 1, &grew);
  CAIRN_RETURN_IF_ERROR(raw.status());
  auto* byte = reinterpret_cast<uint8_t*>((*raw)->mutable_data() + (offset >> 3));
  auto mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
  SetBitResult result;
  result.old_bit = (*byte & mask) != 0 ? 1 : 0;
  result.changed = grew || result.old_bit != static_cast<int>(on);
  if (on) {
    *byte = static_cast<uint8_t>(*byte | mask);
  } else {
    *byte = static_cast<uint8_t>(*byte & ~mask);
  }
  return result;
}

Result<BitOpResult> BitOp(Db& db, BitOpKind op, std::string_view dest,
                          const std::vector<std::string_view>& sources) {
  std::vector<std::string_view> values;
  values.reserve(sources.size());
  for (std::string_view key : sources) {
    Result<std::optional<std::string_view>> v = strings::Get(db, key);
    CAIRN_RETURN_IF_ERROR(v.status());
    values.push_back(v->value_or(std::string_view()));
  }
  std::string result = Combine(op, values);
  BitOpResult out;
  out.length = static_cast<int64_t>(result.size());
  if (result.empty()) {
    out.deleted = db.Delete(dest);
  } else {
    strings::SetWithEncoding(db, dest, result, Encoding::kRaw, /*keep_ttl=*/false);
  }
  return out;
}

namespace {

// Runs one SET or INCRBY on a value that holds the field; returns the reply value.
std::optional<int64_t> WriteField(RawString& raw, const FieldOp& op, bool grew, int64_t* changes) {
  uint64_t old_bits = GetField(raw.view(), op.offset, op.bits);
  bool incr = op.kind == FieldOp::Kind::kIncrBy;
  uint64_t new_bits = 0;
  int64_t reply = 0;
  bool overflowed;
  if (op.is_signed) {
    int64_t old_value = SignExtend(old_bits, op.bits);
    int64_t fitted = 0;
    overflowed =
        FitSigned(incr ? old_value : op.value, incr ? op.value : 0, op.bits, op.overflow, &fitted);
    new_bits = static_cast<uint64_t>(fitted) & LowMask(op.bits);
    reply = incr ? fitted : old_value;
  } else {
    uint64_t fitted = 0;
    overflowed = FitUnsigned(incr ? old_bits : static_cast<uint64_t>(op.value), incr ? op.value : 0,
                             op.bits, op.overflow, &fitted);
    new_bits = fitted;
    reply = static_cast<int64_t>(incr ? fitted : old_bits);
  }
  if (overflowed && op.overflow == Overflow::kFail) {
    return std::nullopt;
  }
  SetField(raw.mutable_data(), op.offset, op.bits, new_bits);
  if (grew || new_bits != old_bits) {
    (*changes)++;
  }
  return reply;
}

std::optional<int64_t> ReadField(std::string_view value, const FieldOp& op) {
  uint64_t field = GetField(value, op.offset, op.bits);
  return op.is_signed ? SignExtend(field, op.bits) : static_cast<int64_t>(field);
}

}  // namespace

Result<BitfieldResult> Bitfield(Db& db, std::string_view key, const std::vector<FieldOp>& ops) {
  BitfieldResult result;
  result.values.reserve(ops.size());
  uint64_t highest = 0;
  bool writes = false;
  for (const FieldOp& op : ops) {
    if (op.kind != FieldOp::Kind::kGet) {
      writes = true;
      highest = std::max(highest, op.offset + static_cast<uint64_t>(op.bits) - 1);
    }
  }
  if (!writes) {
    Result<std::optional<std::string_view>> v = strings::Get(db, key);
    CAIRN_RETURN_IF_ERROR(v.status());
    for (const FieldOp& op : ops) {
      result.values.push_back(ReadField(v->value_or(std::string_view()), op));
    }
    return result;
  }
  bool grew = false;
  Result<RawString*> raw =
      strings::MutableString(db, key, static_cast<size_t>(highest >> 3) + 1, &grew);
  CAIRN_RETURN_IF_ERROR(raw.status());
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::Kind::kGet) {
      result.values.push_back(ReadField((*raw)->view(), op));
    } else {
      result.values.push_back(WriteField(**raw, op, grew, &result.changes));
    }
  }
  return result;
}

}  // namespace cairn::engine::bits
