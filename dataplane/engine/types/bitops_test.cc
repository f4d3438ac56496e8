#include "dataplane/engine/types/bitops.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "dataplane/engine/keyspace.h"
#include "dataplane/engine/types/string.h"

namespace cairn::engine::bits {
namespace {

// Bit-by-bit reference implementations for the word-at-a-time code.
int RefBit(const std::string& s, int64_t pos) {
  return (static_cast<uint8_t>(s[static_cast<size_t>(pos >> 3)]) >> (7 - (pos & 7))) & 1;
}

int64_t RefCount(const std::string& s, BitRange r) {
  int64_t n = 0;
  for (int64_t i = r.first; i <= r.last; i++) {
    n += RefBit(s, i);
  }
  return n;
}

int64_t RefFind(const std::string& s, int bit, BitRange r) {
  for (int64_t i = r.first; i <= r.last; i++) {
    if (RefBit(s, i) == bit) {
      return i;
    }
  }
  return -1;
}

TEST(BitopsTest, PopCountMatchesBitByBitCount) {
  std::mt19937 rng(7);
  for (size_t len : {0, 1, 7, 8, 9, 31, 32, 33, 100, 1000}) {
    std::string s(len, '\0');
    for (char& c : s) {
      c = static_cast<char>(rng());
    }
    int64_t expected = len == 0 ? 0 : RefCount(s, {0, static_cast<int64_t>(len * 8) - 1});
    EXPECT_EQ(PopCount(s), expected) << "len=" << len;
  }
  EXPECT_EQ(PopCount(std::string(1000, '\xff')), 8000);
}

TEST(BitopsTest, CountAndFindAgreeWithReferenceOnRandomRanges) {
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; round++) {
    std::string s(1 + rng() % 40, '\0');
    for (char& c : s) {
      // Mostly 0x00 / 0xff bytes so long runs without the bit are common.
      int kind = static_cast<int>(rng() % 4);
      c = static_cast<char>(kind == 0 ? 0 : kind == 1 ? 0xff : static_cast<int>(rng()));
    }
    int64_t total = static_cast<int64_t>(s.size()) * 8;
    int64_t a = static_cast<int64_t>(rng() % total);
    int64_t b = static_cast<int64_t>(rng() % total);
    BitRange r{std::min(a, b), std::max(a, b)};
    ASSERT_EQ(CountRange(s, r), RefCount(s, r));
    ASSERT_EQ(FindFirst(s, true, r), RefFind(s, 1, r));
    ASSERT_EQ(FindFirst(s, false, r), RefFind(s, 0, r));
  }
}

TEST(BitopsTest, ResolveRangeFollowsRedisIndexing) {
  // 11 bytes, byte units by default.
  auto r = ResolveRange(11, 0, -1, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 87);
  r = ResolveRange(11, -2, -1, false);
  EXPECT_EQ(r->first, 72);
  r = ResolveRange(11, 3, 20, true);
  EXPECT_EQ(r->first, 3);
  EXPECT_EQ(r->last, 20);
  EXPECT_FALSE(ResolveRange(11, 5, 2, false));
  EXPECT_FALSE(ResolveRange(11, 100, 200, false));
  EXPECT_FALSE(ResolveRange(0, 0, -1, false));
  r = ResolveRange(11, INT64_MIN, INT64_MAX, true);
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 87);
}

TEST(BitopsTest, FieldsReadAndWriteAcrossByteBoundaries) {
  std::string s(10, '\0');
  SetField(s.data(), 3, 13, 0x1abc);
  EXPECT_EQ(GetField(s, 3, 13), 0x1abcu);
  EXPECT_EQ(GetField(s, 0, 3), 0u);
  SetField(s.data(), 7, 64, 0xfedcba9876543210ULL);
  EXPECT_EQ(GetField(s, 7, 64), 0xfedcba9876543210ULL);
  // Past the end reads zeros.
  EXPECT_EQ(GetField("\xff", 4, 8), 0xf0u);
  EXPECT_EQ(GetField("", 1000, 64), 0u);
  EXPECT_EQ(SignExtend(0xff, 8), -1);
  EXPECT_EQ(SignExtend(0x7f, 8), 127);
  EXPECT_EQ(SignExtend(~uint64_t{0}, 64), -1);
}

TEST(BitopsTest, OverflowPoliciesMatchRedis) {
  int64_t s = 0;
  EXPECT_FALSE(FitSigned(100, 27, 8, Overflow::kWrap, &s));
  EXPECT_EQ(s, 127);
  EXPECT_TRUE(FitSigned(100, 28, 8, Overflow::kWrap, &s));
  EXPECT_EQ(s, -128);
  EXPECT_TRUE(FitSigned(-100, -300, 8, Overflow::kSat, &s));
  EXPECT_EQ(s, -128);
  EXPECT_TRUE(FitSigned(INT64_MAX, 1, 64, Overflow::kWrap, &s));
  EXPECT_EQ(s, INT64_MIN);
  EXPECT_TRUE(FitSigned(INT64_MAX, 1, 64, Overflow::kSat, &s));
  EXPECT_EQ(s, INT64_MAX);
  // Redis's quirk: SET i10 of INT64_MIN saturates to the maximum, -1000 to the minimum.
  EXPECT_TRUE(FitSigned(INT64_MIN, 0, 10, Overflow::kSat, &s));
  EXPECT_EQ(s, 511);
  EXPECT_TRUE(FitSigned(-1000, 0, 10, Overflow::kSat, &s));
  EXPECT_EQ(s, -512);
  EXPECT_TRUE(FitSigned(INT64_MIN, 0, 10, Overflow::kWrap, &s));
  EXPECT_EQ(s, 0);
  uint64_t u = 0;
  EXPECT_TRUE(FitUnsigned(3, 5, 2, Overflow::kWrap, &u));
  EXPECT_EQ(u, 0u);
  // SET u8 -1: the value is unsigned, so it overflows upward.
  EXPECT_TRUE(FitUnsigned(static_cast<uint64_t>(-1), 0, 8, Overflow::kSat, &u));
  EXPECT_EQ(u, 255u);
  EXPECT_TRUE(FitUnsigned(static_cast<uint64_t>(-1), 0, 8, Overflow::kWrap, &u));
  EXPECT_EQ(u, 255u);
  EXPECT_TRUE(FitUnsigned(1, -2, 8, Overflow::kSat, &u));
  EXPECT_EQ(u, 0u);
  u = 42;
  EXPECT_TRUE(FitUnsigned(1, -2, 8, Overflow::kFail, &u));
  EXPECT_EQ(u, 42u);
}

TEST(BitopsTest, CombinePadsShorterSourcesWithZeros) {
  EXPECT_EQ(Combine(BitOpKind::kAnd, {"\xff\xff", "\x0f"}), std::string("\x0f\x00", 2));
  EXPECT_EQ(Combine(BitOpKind::kOr, {"\xf0", "\x0f\x01"}), "\xff\x01");
  EXPECT_EQ(Combine(BitOpKind::kXor, {"\xff", "\x0f", ""}), "\xf0");
  EXPECT_EQ(Combine(BitOpKind::kNot, {"\x0f"}), "\xf0");
  EXPECT_EQ(Combine(BitOpKind::kAnd, {"", ""}), "");
  // A missing key is a default (null) view.
  EXPECT_EQ(Combine(BitOpKind::kOr, {std::string_view(), "\x01"}), "\x01");
}

class BitopsDbTest : public ::testing::Test {
 protected:
  BitopsDbTest() : ks_(KeyspaceConfig{}, &clock_, [] { return size_t{0}; }) {
    ks_.RefreshCommandTime();
  }
  Db& db() { return ks_.db(0); }
  ManualClock clock_;
  Keyspace ks_;
};

TEST_F(BitopsDbTest, SetBitReportsChangesAndMakesRaw) {
  Result<SetBitResult> r = SetBit(db(), "k", 7, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->old_bit, 0);
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(db().Find("k")->string_value(), "\x01");
  r = SetBit(db(), "k", 7, true);
  EXPECT_EQ(r->old_bit, 1);
  EXPECT_FALSE(r->changed);
  strings::Set(db(), "n", "5", {});
  r = SetBit(db(), "n", 0, false);
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(db().Find("n")->encoding(), Encoding::kRaw);
  r = SetBit(db(), "n", 20, false);
  EXPECT_TRUE(r->changed);  // grew
  EXPECT_EQ(db().Find("n")->string_value().size(), 3u);
}

TEST_F(BitopsDbTest, BitOpStoresRawAndDeletesOnEmptyResult) {
  strings::Set(db(), "a", "\xff", {});
  strings::Set(db(), "d", "x", {.expire_at_ms = clock_.NowMs() + 1000});
  Result<BitOpResult> r = BitOp(db(), BitOpKind::kOr, "d", {"a", "missing"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->length, 1);
  EXPECT_EQ(db().Find("d")->encoding(), Encoding::kRaw);
  EXPECT_FALSE(db().Find("d")->has_expire());
  r = BitOp(db(), BitOpKind::kAnd, "d", {"missing"});
  EXPECT_EQ(r->length, 0);
  EXPECT_TRUE(r->deleted);
  EXPECT_EQ(db().Find("d"), nullptr);
}

TEST_F(BitopsDbTest, BitfieldGrowsOnceAndCountsRealChanges) {
  std::vector<FieldOp> ops(2);
  ops[0] = {FieldOp::Kind::kSet, false, 8, 0, 255, Overflow::kWrap};
  ops[1] = {FieldOp::Kind::kIncrBy, true, 8, 0, 1, Overflow::kWrap};
  Result<BitfieldResult> r = Bitfield(db(), "k", ops);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->values[0], 0);
  EXPECT_EQ(r->values[1], 0);  // -1 + 1
  EXPECT_EQ(r->changes, 2);
  // FAIL: no write, no change, but the key was created.
  std::vector<FieldOp> fail = {{FieldOp::Kind::kIncrBy, false, 2, 100, 10, Overflow::kFail}};
  r = Bitfield(db(), "f", fail);
  EXPECT_FALSE(r->values[0].has_value());
  EXPECT_EQ(r->changes, 0);
  EXPECT_EQ(db().Find("f")->string_value().size(), 13u);
  // GET only does not create.
  std::vector<FieldOp> get = {{FieldOp::Kind::kGet, true, 4, 0, 0, Overflow::kWrap}};
  r = Bitfield(db(), "nothing", get);
  EXPECT_EQ(r->values[0], 0);
  EXPECT_EQ(db().Find("nothing"), nullptr);
}

}  // namespace
}  // namespace cairn::engine::bits
