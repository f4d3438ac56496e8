#include "dataplane/base/crc64.h"

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

}  // namespace
}  // namespace cairn
