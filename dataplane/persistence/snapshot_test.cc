#include "dataplane/persistence/snapshot.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "dataplane/base/clock.h"
#include "dataplane/engine/types/string.h"

namespace cairn::persistence {
namespace {

TEST(SavePointsTest, ParsesPairsAndEmpty) {
  Result<std::vector<SavePoint>> points = ParseSavePoints("3600 1 300 100");
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[1].seconds, 300);
  EXPECT_EQ((*points)[1].changes, 100);
  EXPECT_EQ(FormatSavePoints(*points), "3600 1 300 100");
  EXPECT_TRUE(ParseSavePoints("")->empty());
  EXPECT_FALSE(ParseSavePoints("3600").ok());
  EXPECT_FALSE(ParseSavePoints("x 1").ok());
  EXPECT_FALSE(ParseSavePoints("0 1").ok());
}

TEST(SavePointsTest, DueWhenChangesAndTimeBothReached) {
  std::vector<SavePoint> points = {{3600, 1}, {300, 100}};
  EXPECT_FALSE(SavePointDue(points, 0, 100000));
  EXPECT_FALSE(SavePointDue(points, 50, 400));
  EXPECT_TRUE(SavePointDue(points, 100, 300));
  EXPECT_TRUE(SavePointDue(points, 1, 3600));
}

class SnapshotFileTest : public ::testing::Test {
 protected:
  SnapshotFileTest() : ks_(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; }) {
    ks_.RefreshCommandTime();
    dir_ = std::filesystem::temp_directory_path() /
           ("cairn-snapshot-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~SnapshotFileTest() override { std::filesystem::remove_all(dir_); }

  ManualClock clock_;
  engine::Keyspace ks_;
  std::filesystem::path dir_;
};

TEST_F(SnapshotFileTest, WritesAtomicallyAndLoadsBack) {
  engine::strings::Set(ks_.db(1), "k", "v", {});
  std::string path = (dir_ / "dump.rdb").string();
  ASSERT_TRUE(WriteRdbFile(ks_, {}, path).ok());
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename(), "dump.rdb");  // no temp file left behind
  }
  engine::Keyspace loaded(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; });
  Result<RdbLoadInfo> info = LoadRdbFile(path, loaded, {});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(loaded.db(1).Find("k")->string_value(), "v");
  EXPECT_EQ(LoadRdbFile((dir_ / "missing.rdb").string(), loaded, {}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(SnapshotFileTest, UnwritableDirectoryIsAnErrorAndKeepsTheOldFile) {
  EXPECT_FALSE(WriteRdbFile(ks_, {}, (dir_ / "no-such-dir" / "dump.rdb").string()).ok());
}

TEST_F(SnapshotFileTest, BackgroundSaveWritesFromAForkedChild) {
  engine::strings::Set(ks_.db(0), "k", "before", {});
  std::string path = (dir_ / "bg.rdb").string();
  BackgroundSave bg;
  ASSERT_TRUE(bg.Start([&] { return WriteRdbFile(ks_, {}, path); }).ok());
  engine::strings::Set(ks_.db(0), "k", "after", {});  // the child saw the dataset at fork
  std::optional<BackgroundSave::Outcome> outcome;
  for (int i = 0; i < 5000 && !outcome; i++) {
    outcome = bg.Poll();
    usleep(1000);
  }
  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(outcome->ok);
  engine::Keyspace loaded(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; });
  ASSERT_TRUE(LoadRdbFile(path, loaded, {}).ok());
  EXPECT_EQ(loaded.db(0).Find("k")->string_value(), "before");
}

}  // namespace
}  // namespace cairn::persistence
