#include "dataplane/engine/types/hyperloglog.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace cairn::engine::hll {
namespace {

constexpr int64_t kDefaultMax = 3000;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) {
    s.push_back(static_cast<char>(b));
  }
  return s;
}

// A sparse header with an invalid cache, as PFADD leaves it, followed by `opcodes`.
std::string SparseWith(const std::string& opcodes) {
  std::string v = NewSparse().substr(0, kHeaderBytes);
  InvalidateCache(v.data());
  return v + opcodes;
}

std::string AddAll(int from, int to, int64_t max_bytes) {
  std::string v = NewSparse();
  for (int i = from; i < to; i++) {
    EXPECT_NE(Add(&v, "e" + std::to_string(i), max_bytes), SetResult::kCorrupt);
  }
  return v;
}

TEST(HyperLogLogTest, EmptyValueIsRedisBytes) {
  std::string v = NewSparse();
  EXPECT_EQ(v, std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0", 16) + Bytes({0x7f, 0xff}));
  EXPECT_TRUE(IsValid(v));
  EXPECT_EQ(CachedCardinality(v), 0u);
  EXPECT_EQ(DecodeSparse(v), "Z:16384");
}

// Byte strings redis-server 7.0 produced for the same PFADDs.
TEST(HyperLogLogTest, MatchesRedisBytes) {
  std::string v = NewSparse();
  EXPECT_EQ(Add(&v, "a", kDefaultMax), SetResult::kChanged);
  EXPECT_EQ(DecodeSparse(v), "Z:12711 v:2,1 Z:3672");
  EXPECT_EQ(v.substr(kHeaderBytes), Bytes({0x71, 0xa6, 0x84, 0x4e, 0x57}));
  EXPECT_EQ(Add(&v, "a", kDefaultMax), SetResult::kUnchanged);

  std::string w = NewSparse();
  for (const char* e : {"hello", "world", "foo", "bar"}) {
    Add(&w, e, kDefaultMax);
  }
  EXPECT_EQ(w.substr(kHeaderBytes), Bytes({0x4a, 0xb5, 0x88, 0x51, 0xfc, 0x90, 0x47, 0x4a, 0x80,
                                           0x43, 0x15, 0x80, 0x58, 0xe7}));
  EXPECT_EQ(CachedCardinality(w), std::nullopt);
  EXPECT_EQ(Count(w, nullptr), 4u);
}

TEST(HyperLogLogTest, PatternStaysInRange) {
  for (int i = 0; i < 10000; i++) {
    Pattern p = PatternOf(std::to_string(i));
    EXPECT_GE(p.index, 0);
    EXPECT_LT(p.index, kRegisters);
    EXPECT_GE(p.count, 1);
    EXPECT_LE(p.count, 51);
  }
}

TEST(HyperLogLogTest, DenseRegistersRoundTrip) {
  std::vector<uint8_t> regs(kDenseRegisterBytes, 0);
  std::mt19937 rng(7);
  std::vector<int> expect(kRegisters);
  for (int i = 0; i < kRegisters; i++) {
    expect[i] = static_cast<int>(rng() % 64);
    SetDenseRegister(regs.data(), i, expect[i]);
  }
  for (int i = 0; i < kRegisters; i++) {
    ASSERT_EQ(GetDenseRegister(regs.data(), i), expect[i]) << i;
  }
  EXPECT_FALSE(DenseSet(regs.data(), 5, static_cast<uint8_t>(expect[5])));
}

// Sparse and dense copies of the same elements hold the same registers and estimate.
TEST(HyperLogLogTest, SparseAndDenseAgree) {
  for (int n : {1, 10, 100, 500, 1000, 3000}) {
    std::string sparse = AddAll(0, n, 1 << 20);
    ASSERT_EQ(EncodingOf(sparse), kEncodingSparse) << n;
    std::string dense = NewSparse();
    ASSERT_TRUE(SparseToDense(&dense));
    for (int i = 0; i < n; i++) {
      DenseAdd(reinterpret_cast<uint8_t*>(dense.data()) + kHeaderBytes, "e" + std::to_string(i));
    }
    bool invalid = false;
    EXPECT_EQ(Count(sparse, &invalid), Count(dense, nullptr)) << n;
    EXPECT_FALSE(invalid);
    std::string converted = sparse;
    ASSERT_TRUE(SparseToDense(&converted));
    EXPECT_EQ(converted.substr(kHeaderBytes), dense.substr(kHeaderBytes)) << n;
    RawRegisters a{};
    RawRegisters b{};
    ASSERT_TRUE(MergeInto(sparse, &a));
    ASSERT_TRUE(MergeInto(dense, &b));
    EXPECT_EQ(a, b);
    EXPECT_EQ(CountRaw(a), Count(dense, nullptr));
  }
}

TEST(HyperLogLogTest, PromotesPastSparseMaxBytes) {
  std::string v = AddAll(0, 2000, kDefaultMax);
  EXPECT_EQ(EncodingOf(v), kEncodingDense);
  EXPECT_EQ(v.size(), kDenseBytes);
  std::string small = AddAll(0, 100, kDefaultMax);
  EXPECT_EQ(EncodingOf(small), kEncodingSparse);
  EXPECT_LE(small.size(), 3000u);
  // A register value above 32 cannot be sparse.
  std::string big = NewSparse();
  EXPECT_EQ(SetRegister(&big, 100, 33, kDefaultMax), SetResult::kChanged);
  EXPECT_EQ(EncodingOf(big), kEncodingDense);
  EXPECT_EQ(GetDenseRegister(reinterpret_cast<uint8_t*>(big.data()) + kHeaderBytes, 100), 33);
}

TEST(HyperLogLogTest, MergesAdjacentValOpcodes) {
  std::string v = NewSparse();
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(SetRegister(&v, 10 + i, 3, kDefaultMax), SetResult::kChanged);
  }
  EXPECT_EQ(DecodeSparse(v), "z:10 v:3,4 Z:16370");
  ASSERT_EQ(SetRegister(&v, 14, 3, kDefaultMax), SetResult::kChanged);
  EXPECT_EQ(DecodeSparse(v), "z:10 v:3,4 v:3,1 Z:16369");
  ASSERT_EQ(SetRegister(&v, 11, 5, kDefaultMax), SetResult::kChanged);
  EXPECT_EQ(DecodeSparse(v), "z:10 v:3,1 v:5,1 v:3,3 Z:16369");
}

TEST(HyperLogLogTest, EstimatesWithinErrorBound) {
  std::string v = NewSparse();
  int added = 0;
  for (int target : {10, 100, 1000, 10000, 100000}) {
    for (; added < target; added++) {
      Add(&v, "x" + std::to_string(added), kDefaultMax);
    }
    auto est = static_cast<double>(Count(v, nullptr));
    EXPECT_NEAR(est, target, target * 0.05 + 1) << target;
  }
}

TEST(HyperLogLogTest, CacheBytes) {
  std::string v = NewSparse();
  SetCachedCardinality(v.data(), 0x0102030405060708ULL);
  EXPECT_EQ(CachedCardinality(v), 0x0102030405060708ULL);
  EXPECT_EQ(v[8], 0x08);
  InvalidateCache(v.data());
  EXPECT_EQ(CachedCardinality(v), std::nullopt);
}

TEST(HyperLogLogTest, ValidityChecks) {
  EXPECT_FALSE(IsValid("HYLL"));
  EXPECT_FALSE(IsValid(std::string("HYLX\x01", 5) + std::string(13, '\0')));
  EXPECT_FALSE(IsValid(std::string("HYLL\x02", 5) + std::string(13, '\0')));
  EXPECT_FALSE(IsValid(std::string("HYLL\x00", 5) + std::string(13, '\0')));
  std::string dense = NewSparse();
  SparseToDense(&dense);
  EXPECT_TRUE(IsValid(dense));
  EXPECT_FALSE(IsValid(dense + "x"));
}

TEST(HyperLogLogTest, CorruptSparseIsReported) {
  std::string short_cover = SparseWith(Bytes({0x7f, 0xfe}));  // 16383 registers
  bool invalid = false;
  Count(short_cover, &invalid);
  EXPECT_TRUE(invalid);
  RawRegisters max{};
  EXPECT_FALSE(MergeInto(short_cover, &max));
  std::string copy = short_cover;
  EXPECT_FALSE(SparseToDense(&copy));
  EXPECT_EQ(copy, short_cover);
  EXPECT_EQ(SetRegister(&copy, 16383, 1, kDefaultMax), SetResult::kCorrupt);
  // No opcodes at all.
  std::string empty = SparseWith("");
  EXPECT_EQ(SetRegister(&empty, 0, 1, kDefaultMax), SetResult::kCorrupt);
  EXPECT_EQ(DecodeSparse(empty), "");
  // A truncated XZERO reads a zero low byte, as Redis reads its string terminator.
  std::string truncated = SparseWith(Bytes({0x7f}));
  EXPECT_EQ(DecodeSparse(truncated), "Z:16129");
  EXPECT_EQ(SetRegister(&truncated, 5, 1, kDefaultMax), SetResult::kChanged);
}

// Random opcode bytes never crash or read out of bounds (ASan checks the reads).
TEST(HyperLogLogTest, RandomSparseBytesAreSafe) {
  std::mt19937 rng(42);
  for (int round = 0; round < 2000; round++) {
    std::string ops;
    size_t len = rng() % 40;
    for (size_t i = 0; i < len; i++) {
      ops.push_back(static_cast<char>(rng()));
    }
    std::string v = SparseWith(ops);
    bool invalid = false;
    Count(v, &invalid);
    RawRegisters max{};
    MergeInto(v, &max);
    DecodeSparse(v);
    for (int k = 0; k < 5; k++) {
      if (Add(&v, std::to_string(rng()), 40) == SetResult::kCorrupt) {
        break;
      }
    }
    std::string dense = v;
    SparseToDense(&dense);
  }
}

TEST(HyperLogLogTest, SelfTestPasses) {
  EXPECT_EQ(SelfTest(kDefaultMax, 20, 100000), std::nullopt);
}

}  // namespace
}  // namespace cairn::engine::hll
