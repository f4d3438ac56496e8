#include "dataplane/base/crc64.h"

#include <string>

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(Crc64Test, MatchesRedisCheckValue) {
  // Redis's crc64.c self-test: crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9ca.
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
}

TEST(Crc64Test, ContinuesAcrossChunks) {
  EXPECT_EQ(Crc64(Crc64(0, "1234"), "56789"), Crc64(0, "123456789"));
  EXPECT_EQ(Crc64(0, ""), 0u);
}

TEST(Crc64Test, EightByteStepsMatchByteByByte) {
  // One byte per call takes the byte-at-a-time path only; whole buffers of every length and
  // start offset mix it with the 8-byte steps.
  std::string data;
  for (int i = 0; i < 300; i++) {
    data.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  }
  for (size_t start = 0; start < 9; start++) {
    for (size_t len = 0; start + len <= data.size(); len += 13) {
      std::string_view part(data.data() + start, len);
      uint64_t bytewise = 0;
      for (char c : part) {
        bytewise = Crc64(bytewise, std::string_view(&c, 1));
      }
      EXPECT_EQ(Crc64(0, part), bytewise) << start << "+" << len;
    }
  }
}

}  // namespace
}  // namespace cairn
