#include "dataplane/persistence/dump_payload.h"

#include <gtest/gtest.h>

namespace cairn::persistence {
namespace {

using namespace std::string_literals;

engine::Entry* MakeString(std::string_view key, std::string_view value) {
  return engine::Entry::NewString(key, value, engine::Encoding::kRaw, false, 0);
}

TEST(DumpPayloadTest, MatchesRedisBytesForASmallString) {
  engine::Entry* e = MakeString("k", "hello");
  Result<std::string> payload = DumpPayload(*e, true);
  engine::Entry::Free(e);
  ASSERT_TRUE(payload.ok());
  // redis-cli DUMP of "hello" on Redis 7.0: "\x00\x05hello\n\x00" + CRC-64.
  EXPECT_TRUE(payload->starts_with("\x00\x05hello\x0a\x00"s));
  EXPECT_EQ(payload->size(), 1 + 1 + 5 + 2 + 8u);
}

TEST(DumpPayloadTest, RoundTripsIntAndCompressedStrings) {
  for (std::string value : {"12345"s, std::string(500, 'q'), ""s, "\x00\xff"s}) {
    engine::Entry* e = MakeString("k", value);
    Result<std::string> payload = DumpPayload(*e, true);
    engine::Entry::Free(e);
    ASSERT_TRUE(payload.ok());
    Result<engine::Entry*> back = ParseDumpPayload(*payload, "k2", true, 42);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ((*back)->string_value(), value);
    EXPECT_EQ((*back)->key(), "k2");
    EXPECT_EQ((*back)->expire_at_ms(), 42);
    engine::Entry::Free(*back);
  }
}

TEST(DumpPayloadTest, EveryCorruptionIsRefused) {
  engine::Entry* e = MakeString("k", std::string(100, 'z'));
  std::string payload = *DumpPayload(*e, true);
  engine::Entry::Free(e);
  for (size_t i = 0; i < payload.size(); i++) {
    std::string bad = payload;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    EXPECT_FALSE(ParseDumpPayload(bad, "k", false, 0).ok()) << "byte " << i;
  }
  for (size_t n = 0; n < payload.size(); n++) {
    EXPECT_FALSE(ParseDumpPayload(payload.substr(0, n), "k", false, 0).ok()) << n;
  }
  EXPECT_EQ(ParseDumpPayload("short", "k", false, 0).status().message(),
            "ERR DUMP payload version or checksum are wrong");
}

}  // namespace
}  // namespace cairn::persistence
