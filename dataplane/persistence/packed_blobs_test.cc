// Tests of the listpack, ziplist and intset decoders: every encoding Redis writes, and every
// truncation or byte flip of a valid blob refused or decoded without a crash.
#include "dataplane/persistence/packed_blobs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::persistence {
namespace {

std::string Le(uint64_t v, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; i++) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  return out;
}

// A ziplist of raw entries (encoding + data), with prev-lengths, tail and count filled in.
std::string Ziplist(const std::vector<std::string>& encoded) {
  std::string body;
  size_t prev = 0;
  size_t tail = 10;
  for (const std::string& e : encoded) {
    tail = 10 + body.size();
    std::string entry = prev < 254 ? std::string(1, static_cast<char>(prev)) : "\xfe" + Le(prev, 4);
    entry += e;
    prev = entry.size();
    body += entry;
  }
  std::string out = Le(11 + body.size(), 4) + Le(tail, 4) + Le(encoded.size(), 2) + body + "\xff";
  return out;
}

// A listpack of raw entries (encoding + data); back-lengths appended here.
std::string Listpack(const std::vector<std::string>& encoded) {
  std::string body;
  for (const std::string& e : encoded) {
    body += e;
    size_t l = e.size();
    if (l <= 127) {
      body.push_back(static_cast<char>(l));
    } else {
      body.push_back(static_cast<char>(l >> 7));
      body.push_back(static_cast<char>((l & 127) | 128));
    }
  }
  return Le(7 + body.size(), 4) + Le(encoded.size(), 2) + body + "\xff";
}

using Strings = std::vector<std::string>;

TEST(PackedBlobsTest, ZiplistEveryEncoding) {
  std::string long_str(300, 'x');
  std::string z = Ziplist({"\x03" "abc", std::string("\x41\x2c", 2) + long_str,
                           std::string("\xc0", 1) + Le(static_cast<uint16_t>(-2), 2),
                           "\xd0" + Le(100000, 4), "\xe0" + Le(static_cast<uint64_t>(-5), 8),
                           "\xf0" + Le(0x7fffff, 3), "\xfe" + Le(static_cast<uint8_t>(-7), 1),
                           "\xf1", "\xfd"});
  Result<Strings> r = DecodeZiplist(z);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, (Strings{"abc", long_str, "-2", "100000", "-5", "8388607", "-7", "0", "12"}));
}

TEST(PackedBlobsTest, ListpackEveryEncoding) {
  std::string mid(100, 'm');
  std::string l = Listpack({"\x05", "\x83" "abc", "\xdf\xff", std::string("\xe0\x64", 2) + mid,
                            "\xf0" + Le(2, 4) + "hi", "\xf1" + Le(static_cast<uint16_t>(-300), 2),
                            "\xf2" + Le(0x800000, 3), "\xf3" + Le(static_cast<uint32_t>(-1), 4),
                            "\xf4" + Le(static_cast<uint64_t>(INT64_MIN), 8)});
  Result<Strings> r = DecodeListpack(l);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, (Strings{"5", "abc", "-1", mid, "hi", "-300", "-8388608", "-1",
                         "-9223372036854775808"}));
}

TEST(PackedBlobsTest, IntsetWidthsAndOrder) {
  Result<Strings> r = DecodeIntset(Le(4, 4) + Le(2, 4) + Le(static_cast<uint32_t>(-9), 4) +
                                   Le(70000, 4));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Strings{"-9", "70000"}));
  EXPECT_FALSE(DecodeIntset(Le(2, 4) + Le(2, 4) + Le(5, 2) + Le(5, 2)).ok());  // duplicate
  EXPECT_FALSE(DecodeIntset(Le(3, 4) + Le(1, 4) + Le(5, 3)).ok());            // bad width
  EXPECT_FALSE(DecodeIntset(Le(2, 4) + Le(3, 4) + Le(5, 2)).ok());            // short
}

TEST(PackedBlobsTest, TruncationsAndFlipsNeverCrash) {
  std::vector<std::string> blobs = {
      Ziplist({"\x03" "abc", "\xc0" + Le(7, 2), "\xf5"}),
      Listpack({"\x83" "abc", "\xf1" + Le(7, 2), "\x01"}),
  };
  for (size_t b = 0; b < blobs.size(); b++) {
    auto decode = b == 0 ? DecodeZiplist : DecodeListpack;
    ASSERT_TRUE(decode(blobs[b]).ok());
    for (size_t n = 0; n < blobs[b].size(); n++) {
      EXPECT_FALSE(decode(blobs[b].substr(0, n)).ok()) << b << " truncated to " << n;
    }
    for (size_t i = 0; i < blobs[b].size(); i++) {
      for (int bit = 0; bit < 8; bit++) {
        std::string flipped = blobs[b];
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        (void)decode(flipped);  // any result, but no crash or overread (ASan)
      }
    }
  }
}

}  // namespace
}  // namespace cairn::persistence
