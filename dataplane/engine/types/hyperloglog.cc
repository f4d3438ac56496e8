// HyperLogLog codec and estimator (Redis 7.0 hyperloglog.c semantics); see hyperloglog.h.
#include "dataplane/engine/types/hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace cairn::engine::hll {
namespace {

constexpr uint64_t kHashSeed = 0xadc83b19ULL;
constexpr int kQ = 64 - kPrecision;  // hash bits left for the pattern
constexpr int kRegisterMax = (1 << kRegisterBits) - 1;
constexpr uint8_t kXZeroBit = 0x40;
constexpr uint8_t kValBit = 0x80;
constexpr int kZeroMaxLen = 64;
constexpr int kValMaxLen = 4;
constexpr int kXZeroMaxLen = 16384;
constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)

// Byte `i` of `v`, or 0 past its end (Redis reads the sds terminator there).
uint8_t ByteAt(std::string_view v, size_t i) {
  return i < v.size() ? static_cast<uint8_t>(v[i]) : 0;
}

bool IsZero(uint8_t op) {
  return (op & 0xc0) == 0;
}
bool IsXZero(uint8_t op) {
  return (op & 0xc0) == kXZeroBit;
}
bool IsVal(uint8_t op) {
  return (op & kValBit) != 0;
}
int ValValue(uint8_t op) {
  return ((op >> 2) & 0x1f) + 1;
}
int ValLen(uint8_t op) {
  return (op & 0x3) + 1;
}
uint8_t MakeVal(int value, int len) {
  return static_cast<uint8_t>(((value - 1) << 2) | (len - 1) | kValBit);
}

// One decoded opcode at byte `p` of a sparse value.
struct Op {
  int span = 0;   // registers covered
  int value = 0;  // register value (0 for ZERO / XZERO)
  size_t size = 1;
};

Op ReadOp(std::string_view v, size_t p) {
  uint8_t op = ByteAt(v, p);
  if (IsZero(op)) {
    return {(op & 0x3f) + 1, 0, 1};
  }
  if (IsVal(op)) {
    return {ValLen(op), ValValue(op), 1};
  }
  return {(((op & 0x3f) << 8) | ByteAt(v, p + 1)) + 1, 0, 2};
}

// Appends a ZERO or XZERO run of `len` registers to `out`.
void AppendZeros(std::string* out, int len) {
  if (len > kZeroMaxLen) {
    out->push_back(static_cast<char>(((len - 1) >> 8) | kXZeroBit));
    out->push_back(static_cast<char>((len - 1) & 0xff));
  } else {
    out->push_back(static_cast<char>(len - 1));
  }
}

uint8_t* Registers(std::string* value) {
  return reinterpret_cast<uint8_t*>(value->data()) + kHeaderBytes;
}

// Merges adjacent VAL opcodes of equal value, scanning up to five opcodes from byte `from`
// (step 4 of hllSparseSet).
void MergeAdjacentVals(std::string* value, size_t from) {
  size_t p = from;
  int scan = 5;
  while (p < value->size() && scan-- > 0) {
    auto op = static_cast<uint8_t>((*value)[p]);
    if (IsXZero(op)) {
      p += 2;
      continue;
    }
    if (IsZero(op)) {
      p++;
      continue;
    }
    if (p + 1 < value->size() && IsVal(static_cast<uint8_t>((*value)[p + 1]))) {
      auto next = static_cast<uint8_t>((*value)[p + 1]);
      int len = ValLen(op) + ValLen(next);
      if (ValValue(op) == ValValue(next) && len <= kValMaxLen) {
        (*value)[p + 1] = static_cast<char>(MakeVal(ValValue(op), len));
        value->erase(p, 1);
        continue;  // try to merge the result with its right neighbour too
      }
    }
    p++;
  }
}

// The opcodes replacing `op` (first register `first`) when register `index` becomes `count`:
// at most XZERO VAL XZERO (5 bytes).
std::string SplitOp(Op op, int first, int index, uint8_t count) {
  std::string seq;
  int last = first + op.span - 1;
  if (op.value == 0) {
    if (index != first) {
      AppendZeros(&seq, index - first);
    }
    seq.push_back(static_cast<char>(MakeVal(count, 1)));
    if (index != last) {
      AppendZeros(&seq, last - index);
    }
    return seq;
  }
  if (index != first) {
    seq.push_back(static_cast<char>(MakeVal(op.value, index - first)));
  }
  seq.push_back(static_cast<char>(MakeVal(count, 1)));
  if (index != last) {
    seq.push_back(static_cast<char>(MakeVal(op.value, last - index)));
  }
  return seq;
}

SetResult PromoteAndSet(std::string* value, int index, uint8_t count) {
  if (!SparseToDense(value)) {
    return SetResult::kCorrupt;
  }
  // Promotion happens only for a register that needs raising, so this always changes it.
  DenseSet(Registers(value), index, count);
  return SetResult::kChanged;
}

// The opcode covering a register, found by a scan from the first opcode.
struct Located {
  size_t pos = 0;   // byte offset of the opcode
  size_t prev = 0;  // byte offset of the opcode before it (the first opcode when none)
  int first = 0;    // first register it covers
  Op op;
};

// Step 1 of hllSparseSet; nullopt when the opcodes end before register `index`.
std::optional<Located> Locate(std::string_view value, int index) {
  Located at;
  at.pos = kHeaderBytes;
  at.prev = kHeaderBytes;
  while (at.pos < value.size()) {
    at.op = ReadOp(value, at.pos);
    if (index <= at.first + at.op.span - 1) {
      return at;
    }
    at.prev = at.pos;
    at.pos += at.op.size;
    at.first += at.op.span;
  }
  return std::nullopt;
}

SetResult SparseSet(std::string* value, int index, uint8_t count, int64_t sparse_max_bytes) {
  if (count > kSparseValMax) {
    return PromoteAndSet(value, index, count);
  }
  std::optional<Located> at = Locate(*value, index);
  if (!at) {
    return SetResult::kCorrupt;
  }
  // Steps 2 and 3: update in place, or split the opcode.
  if (at->op.value >= count) {
    return SetResult::kUnchanged;
  }
  if (at->op.span == 1 && at->op.size == 1) {  // VAL or ZERO of one register
    (*value)[at->pos] = static_cast<char>(MakeVal(count, 1));
  } else {
    std::string seq = SplitOp(at->op, at->first, index, count);
    int64_t delta = static_cast<int64_t>(seq.size()) - static_cast<int64_t>(at->op.size);
    int64_t new_size = static_cast<int64_t>(value->size()) + delta;
    if (delta > 0 && new_size > sparse_max_bytes) {
      return PromoteAndSet(value, index, count);
    }
    size_t tail = std::min(at->pos + at->op.size, value->size());
    value->replace(at->pos, tail - at->pos, seq);
    // A truncated trailing XZERO counted a byte past the end: keep Redis's length arithmetic.
    value->resize(static_cast<size_t>(new_size));
  }
  MergeAdjacentVals(value, at->prev);
  InvalidateCache(value->data());
  return SetResult::kChanged;
}

// Tau and sigma of Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", arXiv:1702.01284), iterated to a fixed point as Redis does.
double Sigma(double x) {
  if (x == 1.) {
    return INFINITY;
  }
  double z_prev;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) {
    return 0.;
  }
  double z_prev;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prev != z);
  return z / 3;
}

// Histogram of register values: 64 slots, so corrupt dense values stay in bounds.
using Histogram = std::array<int64_t, 64>;

uint64_t EstimateFromHistogram(const Histogram& histo) {
  double m = kRegisters;
  double z = m * Tau((m - histo[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * Sigma(histo[0] / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

void SparseHistogram(std::string_view value, Histogram* histo, bool* invalid) {
  int64_t idx = 0;
  size_t p = kHeaderBytes;
  while (p < value.size()) {
    Op op = ReadOp(value, p);
    idx += op.span;
    (*histo)[op.value] += op.span;
    p += op.size;
  }
  if (idx != kRegisters && invalid != nullptr) {
    *invalid = true;
  }
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint32_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t len = data.size();
  // Redis multiplies the length as a C int (elements are far below 2 GB).
  uint64_t h = seed ^ (static_cast<uint64_t>(static_cast<int>(len)) * m);
  size_t blocks = len / 8;
  for (size_t i = 0; i < blocks; i++, p += 8) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; b--) {
      k = (k << 8) | p[b];
    }
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  size_t rest = len & 7;
  if (rest != 0) {
    for (size_t b = rest; b-- > 0;) {
      h ^= static_cast<uint64_t>(p[b]) << (8 * b);
    }
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Pattern PatternOf(std::string_view element) {
  uint64_t hash = MurmurHash64A(element, kHashSeed);
  Pattern out;
  out.index = static_cast<int>(hash & (kRegisters - 1));
  hash >>= kPrecision;
  hash |= uint64_t{1} << kQ;  // the loop ends by bit Q: count <= Q + 1
  int count = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) {
    count++;
  }
  out.count = static_cast<uint8_t>(count);
  return out;
}

std::string NewSparse() {
  std::string v(kHeaderBytes, '\0');
  std::memcpy(v.data(), "HYLL", 4);
  v[4] = static_cast<char>(kEncodingSparse);
  for (int left = kRegisters; left > 0; left -= kXZeroMaxLen) {
    int run = std::min(left, kXZeroMaxLen);
    v.push_back(static_cast<char>(((run - 1) >> 8) | kXZeroBit));
    v.push_back(static_cast<char>((run - 1) & 0xff));
  }
  return v;
}

bool IsValid(std::string_view value) {
  if (value.size() < kHeaderBytes || value.substr(0, 4) != "HYLL") {
    return false;
  }
  uint8_t encoding = EncodingOf(value);
  if (encoding > kEncodingSparse) {
    return false;
  }
  return encoding != kEncodingDense || value.size() == kDenseBytes;
}

std::optional<uint64_t> CachedCardinality(std::string_view value) {
  if ((static_cast<uint8_t>(value[15]) & 0x80) != 0) {
    return std::nullopt;
  }
  uint64_t card = 0;
  for (int i = 7; i >= 0; i--) {
    card = (card << 8) | static_cast<uint8_t>(value[8 + i]);
  }
  return card;
}

void SetCachedCardinality(char* header, uint64_t card) {
  for (int i = 0; i < 8; i++) {
    header[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
  }
}

void InvalidateCache(char* header) {
  header[15] = static_cast<char>(static_cast<uint8_t>(header[15]) | 0x80);
}

int GetDenseRegister(const uint8_t* registers, int index) {
  size_t byte = static_cast<size_t>(index) * kRegisterBits / 8;
  unsigned fb = (static_cast<unsigned>(index) * kRegisterBits) & 7;
  unsigned b0 = registers[byte];
  unsigned b1 = byte + 1 < kDenseRegisterBytes ? registers[byte + 1] : 0;
  return static_cast<int>(((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax);
}

void SetDenseRegister(uint8_t* registers, int index, int value) {
  size_t byte = static_cast<size_t>(index) * kRegisterBits / 8;
  unsigned fb = (static_cast<unsigned>(index) * kRegisterBits) & 7;
  auto v = static_cast<unsigned>(value);
  registers[byte] = static_cast<uint8_t>((registers[byte] & ~(kRegisterMax << fb)) | (v << fb));
  if (byte + 1 < kDenseRegisterBytes) {
    unsigned fb8 = 8 - fb;
    registers[byte + 1] =
        static_cast<uint8_t>((registers[byte + 1] & ~(kRegisterMax >> fb8)) | (v >> fb8));
  }
}

bool DenseSet(uint8_t* registers, int index, uint8_t count) {
  if (count <= GetDenseRegister(registers, index)) {
    return false;
  }
  SetDenseRegister(registers, index, count);
  return true;
}

bool DenseAdd(uint8_t* registers, std::string_view element) {
  Pattern pat = PatternOf(element);
  return DenseSet(registers, pat.index, pat.count);
}

SetResult SetRegister(std::string* value, int index, uint8_t count, int64_t sparse_max_bytes) {
  if (EncodingOf(*value) == kEncodingDense) {
    return DenseSet(Registers(value), index, count) ? SetResult::kChanged : SetResult::kUnchanged;
  }
  return SparseSet(value, index, count, sparse_max_bytes);
}

SetResult Add(std::string* value, std::string_view element, int64_t sparse_max_bytes) {
  Pattern pat = PatternOf(element);
  return SetRegister(value, pat.index, pat.count, sparse_max_bytes);
}

bool SparseToDense(std::string* value) {
  if (EncodingOf(*value) == kEncodingDense) {
    return true;
  }
  std::string dense(kDenseBytes, '\0');
  std::memcpy(dense.data(), value->data(), kHeaderBytes);
  dense[4] = static_cast<char>(kEncodingDense);
  int64_t idx = 0;
  for (size_t p = kHeaderBytes; p < value->size();) {
    Op op = ReadOp(*value, p);
    p += op.size;
    if (op.value != 0) {
      if (idx + op.span > kRegisters) {
        break;
      }
      for (int i = 0; i < op.span; i++) {
        SetDenseRegister(Registers(&dense), static_cast<int>(idx) + i, op.value);
      }
    }
    idx += op.span;
  }
  if (idx != kRegisters) {
    return false;
  }
  *value = std::move(dense);
  return true;
}

bool MergeInto(std::string_view value, RawRegisters* max) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(value.data());
  if (EncodingOf(value) == kEncodingDense) {
    for (int i = 0; i < kRegisters; i++) {
      auto v = static_cast<uint8_t>(GetDenseRegister(bytes + kHeaderBytes, i));
      (*max)[i] = std::max((*max)[i], v);
    }
    return true;
  }
  int64_t idx = 0;
  for (size_t p = kHeaderBytes; p < value.size();) {
    Op op = ReadOp(value, p);
    p += op.size;
    if (op.value != 0) {
      if (idx + op.span > kRegisters) {
        break;
      }
      for (int64_t i = idx; i < idx + op.span; i++) {
        (*max)[i] = std::max<uint8_t>((*max)[i], static_cast<uint8_t>(op.value));
      }
    }
    idx += op.span;
  }
  return idx == kRegisters;
}

uint64_t Count(std::string_view value, bool* invalid) {
  Histogram histo{};
  if (EncodingOf(value) == kEncodingDense) {
    const auto* regs = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderBytes;
    for (int i = 0; i < kRegisters; i++) {
      histo[GetDenseRegister(regs, i)]++;
    }
  } else {
    SparseHistogram(value, &histo, invalid);
  }
  return EstimateFromHistogram(histo);
}

uint64_t CountRaw(const RawRegisters& registers) {
  Histogram histo{};
  for (uint8_t r : registers) {
    histo[r & 63]++;
  }
  return EstimateFromHistogram(histo);
}

std::string DecodeSparse(std::string_view value) {
  std::string out;
  for (size_t p = kHeaderBytes; p < value.size();) {
    uint8_t byte = ByteAt(value, p);
    Op op = ReadOp(value, p);
    p += op.size;
    if (!out.empty()) {
      out.push_back(' ');
    }
    if (op.value != 0) {
      out += "v:" + std::to_string(op.value) + "," + std::to_string(op.span);
    } else {
      out += (IsZero(byte) ? "z:" : "Z:") + std::to_string(op.span);
    }
  }
  return out;
}

namespace {

// Test 1 of PFSELFTEST: random values written to every dense register read back unchanged.
std::optional<std::string> SelfTestRegisters(std::mt19937_64& rng, int cycles) {
  std::vector<uint8_t> packed(kDenseRegisterBytes, 0);
  std::vector<uint8_t> expected(kRegisters);
  for (int cycle = 0; cycle < cycles; cycle++) {
    for (int i = 0; i < kRegisters; i++) {
      expected[i] = static_cast<uint8_t>(rng() & kRegisterMax);
      SetDenseRegister(packed.data(), i, expected[i]);
    }
    for (int i = 0; i < kRegisters; i++) {
      int got = GetDenseRegister(packed.data(), i);
      if (got != expected[i]) {
        return "TESTFAILED Register " + std::to_string(i) + " should be " +
               std::to_string(expected[i]) + " but is " + std::to_string(got);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> SelfTest(int64_t sparse_max_bytes, int cycles, uint64_t elements) {
  std::mt19937_64 rng(std::random_device{}());
  if (std::optional<std::string> failed = SelfTestRegisters(rng, cycles)) {
    return failed;
  }
  // Test 2: dense and sparse copies of the same elements agree, within 6 standard errors.
  std::string dense = NewSparse();
  SparseToDense(&dense);
  std::string sparse = NewSparse();
  const double relerr = 1.04 / std::sqrt(kRegisters);
  uint64_t checkpoint = 1;
  uint64_t seed = rng();
  for (uint64_t j = 1; j <= elements; j++) {
    uint64_t ele = j ^ seed;
    std::string_view bytes(reinterpret_cast<const char*>(&ele), sizeof(ele));
    DenseAdd(Registers(&dense), bytes);
    Add(&sparse, bytes, sparse_max_bytes);
    if (j != checkpoint) {
      continue;
    }
    if (static_cast<int64_t>(j) < sparse_max_bytes / 2 && EncodingOf(sparse) != kEncodingSparse) {
      return "TESTFAILED sparse encoding not used";
    }
    uint64_t card = Count(dense, nullptr);
    if (card != Count(sparse, nullptr)) {
      return "TESTFAILED dense/sparse disagree";
    }
    auto maxerr = static_cast<uint64_t>(std::ceil(relerr * 6 * static_cast<double>(checkpoint)));
    if (j == 10) {
      maxerr = 1;  // collisions make larger errors at 10 statistically likely (as Redis)
    }
    uint64_t abserr = card > checkpoint ? card - checkpoint : checkpoint - card;
    if (abserr > maxerr) {
      return "TESTFAILED Too big error. card:" + std::to_string(checkpoint) +
             " abserr:" + std::to_string(abserr);
    }
    checkpoint *= 10;
  }
  return std::nullopt;
}

}  // namespace cairn::engine::hll
