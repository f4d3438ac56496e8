#include "controlplane/backup/backup_store.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "controlplane/backup/rdb_check.h"

namespace cairn::controlplane {
namespace {

namespace fs = std::filesystem;

class BackupStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cairn-backup-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    Result<std::unique_ptr<DirectoryBackupStore>> store = DirectoryBackupStore::Open(dir_ / "b");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path WriteLocal(const std::string& name, std::string_view data) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << data;
    return p;
  }
  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path dir_;
  std::unique_ptr<DirectoryBackupStore> store_;
};

TEST_F(BackupStoreTest, PutFetchCopyDeleteRoundTrip) {
  Result<StoredObject> put = store_->PutFile(SnapshotKey("one"), WriteLocal("src", "hello"));
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->key, "snapshots/one.rdb");
  EXPECT_EQ(put->size_bytes, 5);
  EXPECT_EQ(put->sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  ASSERT_TRUE(store_->FetchTo(*put, dir_ / "out").ok());
  EXPECT_EQ(Slurp(dir_ / "out"), "hello");
  Result<StoredObject> copy = store_->Copy(*put, SnapshotKey("two"));
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->sha256, put->sha256);
  ASSERT_TRUE(store_->Delete(put->key).ok());
  EXPECT_EQ(store_->Stat(put->key).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Delete(put->key).ok()) << "deleting twice is fine";
  EXPECT_TRUE(store_->Verify(*copy).ok());
  // No temp files are left behind.
  for (const auto& e : fs::directory_iterator(store_->root() / "snapshots")) {
    EXPECT_EQ(e.path().filename(), "two.rdb");
  }
}

TEST_F(BackupStoreTest, UncommittedWriterLeavesNothing) {
  {
    Result<std::unique_ptr<BackupWriter>> w = store_->Create("snapshots/x.rdb");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write("partial").ok());
  }
  EXPECT_TRUE(fs::is_empty(store_->root() / "snapshots"));
}

TEST_F(BackupStoreTest, CorruptFileFailsFetchAndLeavesNoDestination) {
  Result<StoredObject> put = store_->PutFile("snapshots/c.rdb", WriteLocal("src", "abcdef"));
  ASSERT_TRUE(put.ok());
  {
    std::fstream f(store_->root() / "snapshots/c.rdb",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2);
    f.put('X');
  }
  Status fetched = store_->FetchTo(*put, dir_ / "restored");
  EXPECT_EQ(fetched.code(), StatusCode::kDataLoss);
  EXPECT_NE(fetched.message().find("sha256 mismatch"), std::string::npos) << fetched.message();
  EXPECT_FALSE(fs::exists(dir_ / "restored"));
  EXPECT_EQ(store_->Verify(*put).code(), StatusCode::kDataLoss);
  bool read_any = false;
  EXPECT_EQ(store_
                ->Read(put->key, &*put,
                       [&](std::string_view) {
                         read_any = true;
                         return Status::Ok();
                       })
                .code(),
            StatusCode::kDataLoss);
  EXPECT_FALSE(read_any) << "nothing streams before the checksum is verified";
}

TEST_F(BackupStoreTest, KeysOutsideTheRootAreRefused) {
  for (std::string key : {"", "/etc/passwd", "../x.rdb", "snapshots/../../x", "a/./b"}) {
    EXPECT_EQ(store_->Create(key).status().code(), StatusCode::kInvalidArgument) << key;
  }
}

TEST(RdbCheckTest, AcceptsAnRdbAndRefusesOtherFiles) {
  fs::path dir = fs::temp_directory_path() / ("cairn-rdbcheck-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // Version 10, one string key "foo" = "bar", EOF, a zero (not computed) checksum.
  std::string rdb = std::string("REDIS0010") + '\xfa' + '\x09' + "redis-ver" + '\x05' + "7.0.0" +
                    '\x00' + '\x03' + "foo" + '\x03' + "bar" + '\xff' + std::string(8, '\0');
  std::ofstream(dir / "ok.rdb", std::ios::binary) << rdb;
  Result<RdbFileInfo> ok = ValidateRdbFile(dir / "ok.rdb");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->version, 10);
  EXPECT_EQ(ok->keys, 1);
  EXPECT_EQ(ok->redis_version, "7.0.0");
  std::ofstream(dir / "text.rdb", std::ios::binary) << "this is not an rdb file";
  Result<RdbFileInfo> bad = ValidateRdbFile(dir / "text.rdb");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("not a valid RDB file"), std::string::npos);
  std::ofstream(dir / "trailing.rdb", std::ios::binary) << rdb << "junk";
  EXPECT_EQ(ValidateRdbFile(dir / "trailing.rdb").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRdbFile(dir / "missing.rdb").status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cairn::controlplane
