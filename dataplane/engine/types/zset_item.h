// The byte form of one sorted-set element inside packed runs (the "listpack" encoding and the
// leaves of ZSetTree) and of a score inside the member table:
//   score | member bytes
// A score is one tag byte, then its payload:
//   tag < 0xF0          an integral score whose zigzag form is the tag (-120..119), no payload
//   tag 0xF0 + n (1..7) an integral score (|v| <= 2^53, not -0) as n little-endian zigzag bytes
//   tag 0xFF            any other double (fractions, -0, inf, huge) as 8 raw bytes
// Small integral scores, the common case, take one byte. Ordering is Redis's: score, then member
// bytes (memcmp, shorter first); scores are never NaN.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cairn::engine::zset {

inline constexpr uint8_t kSmallLimit = 0xF0;
inline constexpr uint8_t kDoubleTag = 0xFF;
inline constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

// Appends the encoding of `score` to `out`.
inline void AppendScore(std::string* out, double score) {
  if (std::fabs(score) <= kMaxExactInt && score == std::floor(score) &&
      !(score == 0 && std::signbit(score))) {
    auto v = static_cast<int64_t>(score);
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    if (z < kSmallLimit) {
      out->push_back(static_cast<char>(z));
      return;
    }
    char buf[8];
    size_t n = 0;
    for (; z != 0; z >>= 8) {
      buf[n++] = static_cast<char>(z & 0xff);
    }
    out->push_back(static_cast<char>(kSmallLimit + n));
    out->append(buf, n);
    return;
  }
  char buf[8];
  std::memcpy(buf, &score, sizeof(buf));
  out->push_back(static_cast<char>(kDoubleTag));
  out->append(buf, sizeof(buf));
}

// Decodes the score at the start of `s` into *score; returns the bytes it takes.
// REQUIRES: `s` starts with a score written by AppendScore.
inline size_t DecodeScore(std::string_view s, double* score) {
  auto tag = static_cast<uint8_t>(s[0]);
  if (tag == kDoubleTag) {
    std::memcpy(score, s.data() + 1, sizeof(double));
    return 1 + sizeof(double);
  }
  uint64_t z = tag;
  size_t n = 0;
  if (tag >= kSmallLimit) {
    n = tag - kSmallLimit;
    z = 0;
    for (size_t i = 0; i < n; i++) {
      z |= static_cast<uint64_t>(static_cast<uint8_t>(s[1 + i])) << (8 * i);
    }
  }
  auto v = static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  *score = static_cast<double>(v);
  return 1 + n;
}

// An element's score and member (the member views the element's bytes).
struct Item {
  double score = 0;
  std::string_view member;
};

inline std::string EncodeItem(double score, std::string_view member) {
  std::string out;
  out.reserve(member.size() + 9);
  AppendScore(&out, score);
  out.append(member);
  return out;
}

inline Item DecodeItem(std::string_view s) {
  Item item;
  size_t n = DecodeScore(s, &item.score);
  item.member = s.substr(n);
  return item;
}

// <0, 0, >0 as (s1, m1) sorts before, equal to, after (s2, m2).
inline int Compare(double s1, std::string_view m1, double s2, std::string_view m2) {
  if (s1 < s2) {
    return -1;
  }
  if (s1 > s2) {
    return 1;
  }
  int c = m1.compare(m2);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace cairn::engine::zset
