#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/base/clock.h"
#include "dataplane/base/crc64.h"
#include "dataplane/engine/keyspace.h"
#include "dataplane/engine/types/string.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"

namespace cairn::persistence {
namespace {

using namespace std::string_literals;

class RdbTest : public ::testing::Test {
 protected:
  RdbTest()
      : src_(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; }),
        dst_(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; }) {
    src_.RefreshCommandTime();
    dst_.RefreshCommandTime();
  }

  std::string Save(bool compression = true, bool checksum = true) {
    RdbWriter w(nullptr, compression);
    RdbSaveInfo info{.compression = compression, .checksum = checksum, .ctime_s = 1700000000};
    EXPECT_TRUE(SaveRdb(src_, info, w).ok());
    return w.buffer();
  }

  Result<RdbLoadInfo> Load(std::string_view data) {
    return LoadRdb(data, dst_, {.skip_expired = true, .now_ms = clock_.NowMs()});
  }

  std::string Get(engine::Keyspace& ks, int db, std::string_view key) {
    engine::Entry* e = ks.db(db).Find(key);
    return e == nullptr ? "(nil)" : std::string(e->string_value());
  }

  ManualClock clock_;
  engine::Keyspace src_;
  engine::Keyspace dst_;
};

TEST_F(RdbTest, EmptyKeyspaceIsHeaderAuxEofAndChecksum) {
  std::string file = Save();
  ASSERT_TRUE(file.starts_with("REDIS0010"));
  EXPECT_EQ(static_cast<uint8_t>(file[file.size() - 9]), kOpEof);
  uint64_t stored = 0;
  for (int i = 7; i >= 0; i--) {
    stored = (stored << 8) | static_cast<unsigned char>(file[file.size() - 8 + i]);
  }
  EXPECT_EQ(stored, Crc64(0, std::string_view(file).substr(0, file.size() - 8)));
  Result<RdbLoadInfo> info = Load(file);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->aux["redis-ver"], "7.0.15");
  EXPECT_EQ(info->aux["ctime"], "1700000000");
  EXPECT_EQ(info->keys_loaded, 0);
}

TEST_F(RdbTest, StringsOfEveryEncodingRoundTrip) {
  std::string big(5000, 'x');
  std::string binary("a\0b\xff\r\n", 6);
  std::string incompressible;
  for (int i = 0; i < 300; i++) {
    incompressible += static_cast<char>((i * 7919) % 251);
  }
  const std::pair<std::string, std::string> kCases[] = {{"empty", ""},
                                                        {"int8", "-5"},
                                                        {"int16", "3000"},
                                                        {"int32", "-70000"},
                                                        {"int64", "9223372036854775807"},
                                                        {"leading0", "007"},
                                                        {"big", big},
                                                        {"binary", binary},
                                                        {"noise", incompressible},
                                                        {"12345", "numeric key"}};
  for (const auto& [k, v] : kCases) {
    engine::strings::Set(src_.db(0), k, v, {});
  }
  for (bool compression : {true, false}) {
    dst_.FlushAll();
    std::string file = Save(compression);
    Result<RdbLoadInfo> info = Load(file);
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(info->keys_loaded, static_cast<int64_t>(std::size(kCases)));
    for (const auto& [k, v] : kCases) {
      EXPECT_EQ(Get(dst_, 0, k), v) << k;
    }
    EXPECT_EQ(dst_.db(0).Find("int16")->encoding(), engine::Encoding::kInt);
  }
  EXPECT_LT(Save(true).size() + 4000, Save(false).size());  // LZF made "big" small
}

TEST_F(RdbTest, DatabasesAndTtlsRoundTripAndExpiredKeysAreSkipped) {
  int64_t now = clock_.NowMs();
  engine::strings::Set(src_.db(0), "a", "1", {});
  engine::strings::Set(src_.db(3), "ttl", "v", {.expire_at_ms = now + 60000});
  engine::strings::Set(src_.db(15), "gone", "v", {.expire_at_ms = now - 1});
  std::string file = Save();
  Result<RdbLoadInfo> info = Load(file);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->keys_loaded, 2);
  EXPECT_EQ(info->keys_expired, 1);
  EXPECT_EQ(Get(dst_, 3, "ttl"), "v");
  EXPECT_EQ(dst_.db(3).Find("ttl")->expire_at_ms(), now + 60000);
  EXPECT_EQ(dst_.db(3).expires_size(), 1u);
  EXPECT_EQ(dst_.db(15).Find("gone"), nullptr);

  // A replica keeps the expired key for its primary's DEL.
  engine::Keyspace replica(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; });
  ASSERT_TRUE(LoadRdb(file, replica, {.skip_expired = false, .now_ms = now}).ok());
  EXPECT_NE(replica.db(15).Find("gone"), nullptr);
}

TEST_F(RdbTest, ProgressIsReportedBetweenRecordsAndCanStopTheLoad) {
  for (int i = 0; i < 200; i++) {
    engine::strings::Set(src_.db(0), "key:" + std::to_string(i), std::string(50, 'v'), {});
  }
  std::string file = Save(/*compression=*/false);
  std::vector<size_t> seen;
  RdbLoadOptions options{.now_ms = clock_.NowMs()};
  options.progress_interval_bytes = 1024;
  options.progress = [&seen](size_t bytes_read) {
    seen.push_back(bytes_read);
    return true;
  };
  Result<RdbLoadInfo> info = LoadRdb(file, dst_, options);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->keys_loaded, 200);
  ASSERT_GE(seen.size(), file.size() / 1100);  // about every KiB
  for (size_t i = 1; i < seen.size(); i++) {
    EXPECT_GE(seen[i] - seen[i - 1], 1024u);
  }

  engine::Keyspace stopped(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; });
  options.progress = [](size_t) { return false; };
  Result<RdbLoadInfo> aborted = LoadRdb(file, stopped, options);
  ASSERT_FALSE(aborted.ok());
  EXPECT_EQ(aborted.status().code(), StatusCode::kAborted);
}

TEST_F(RdbTest, EveryTruncationIsRefusedWithAnOffset) {
  engine::strings::Set(src_.db(0), "k", std::string(100, 'z'), {});
  engine::strings::Set(src_.db(2), "n", "42", {.expire_at_ms = clock_.NowMs() + 1000});
  std::string file = Save();
  for (size_t n = 0; n < file.size(); n++) {
    engine::Keyspace ks(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; });
    Result<RdbLoadInfo> info = LoadRdb(std::string_view(file).substr(0, n), ks, {});
    ASSERT_FALSE(info.ok()) << "prefix of " << n << " bytes loaded";
    EXPECT_NE(info.status().message().find("offset"), std::string::npos) << info.status().message();
  }
}

TEST_F(RdbTest, ChecksumMismatchIsRefusedAndZeroChecksumIsAccepted) {
  engine::strings::Set(src_.db(0), "key", "value", {});
  std::string file = Save();
  std::string flipped = file;
  flipped[flipped.find("value")] = 'V';
  Result<RdbLoadInfo> bad = Load(flipped);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("wrong RDB checksum"), std::string::npos);

  dst_.FlushAll();
  std::string unchecked = Save(true, /*checksum=*/false);
  ASSERT_TRUE(unchecked.ends_with(std::string(8, '\0')));
  EXPECT_TRUE(Load(unchecked).ok());
}

TEST_F(RdbTest, UnsupportedTypeIsRefusedByNameAndOffset) {
  // Header, SELECTDB 0, then a module value (type 7) for key "z".
  std::string file = "REDIS0010\xfe\x00\x07\x01z"s;
  Result<RdbLoadInfo> info = Load(file);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(),
            "RDB error at offset 11: value type 7 (module-2) is not supported by this "
            "cairn-server build yet");
}

TEST_F(RdbTest, BadHeadersAndDuplicatesAreRefused) {
  EXPECT_EQ(Load("REDIX0010").status().message(),
            "RDB error at offset 0: wrong signature, not an RDB file");
  EXPECT_EQ(Load("REDIS0011").status().message(),
            "RDB error at offset 5: can't handle RDB format version 0011");
  std::string dup = "REDIS0010\xfe\x00\x00\x01k\x01v\x00\x01k\x01w"s;
  EXPECT_EQ(Load(dup).status().message(), "RDB error at offset 17: duplicate key 'k' in db 0");
  std::string db99 = std::string("REDIS0010") + "\xfe\x40\x63";
  EXPECT_NE(Load(db99).status().message().find("db index 99 out of range"), std::string::npos);
}

}  // namespace
}  // namespace cairn::persistence
