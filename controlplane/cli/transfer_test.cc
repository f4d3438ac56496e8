// The export sink (temp file + rename, SHA-256 check), chunked reads and the hash, on real files.
#include "controlplane/cli/transfer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

namespace cairn::controlplane::cli {
namespace {

namespace fs = std::filesystem;

// sha256("abc") and sha256("") (FIPS 180-2 test vectors).
constexpr char kAbcSha[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cairnctl-transfer-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  static std::string ReadAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(TransferTest, Sha256MatchesKnownVectorsWhenFedInPieces) {
  Sha256 abc;
  abc.Update("a");
  abc.Update("");
  abc.Update("bc");
  EXPECT_EQ(abc.HexDigest(), kAbcSha);
  Sha256 empty;
  EXPECT_EQ(empty.HexDigest(), kEmptySha);
}

TEST_F(TransferTest, FileAppearsOnlyAfterAVerifiedCommit) {
  std::ostringstream unused;
  fs::path target = dir_ / "dump.rdb";
  std::ofstream(target) << "old contents";
  Result<std::unique_ptr<ExportSink>> sink = ExportSink::Open(target.string(), unused);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE((*sink)->Write("a").ok());
  ASSERT_TRUE((*sink)->Write("bc").ok());
  EXPECT_EQ(ReadAll(target), "old contents");  // the temp file takes the bytes meanwhile
  EXPECT_EQ(Entries().size(), 2u);
  ASSERT_TRUE((*sink)->Commit(3, kAbcSha).ok());
  EXPECT_EQ((*sink)->bytes(), 3);
  EXPECT_EQ((*sink)->sha256(), kAbcSha);
  sink->reset();
  EXPECT_EQ(ReadAll(target), "abc");
  EXPECT_EQ(Entries(), std::vector<std::string>{"dump.rdb"});
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(unused.str().empty());
}

TEST_F(TransferTest, MismatchLeavesNothingAndSaysBothDigests) {
  std::ostringstream unused;
  fs::path target = dir_ / "dump.rdb";
  Result<std::unique_ptr<ExportSink>> sink = ExportSink::Open(target.string(), unused);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write("abd").ok());
  Status status = (*sink)->Commit(3, kAbcSha);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("sha256 mismatch"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find(kAbcSha), std::string::npos);
  EXPECT_NE(status.message().find("was not written"), std::string::npos);
  // A size difference alone fails too.
  Result<std::unique_ptr<ExportSink>> short_sink = ExportSink::Open(target.string(), unused);
  ASSERT_TRUE(short_sink.ok());
  ASSERT_TRUE((*short_sink)->Write("abc").ok());
  EXPECT_EQ((*short_sink)->Commit(4, kAbcSha).code(), StatusCode::kDataLoss);
  sink->reset();
  short_sink->reset();
  EXPECT_TRUE(Entries().empty());
}

TEST_F(TransferTest, AbandonedSinkRemovesItsTempFile) {
  std::ostringstream unused;
  {
    Result<std::unique_ptr<ExportSink>> sink =
        ExportSink::Open((dir_ / "dump.rdb").string(), unused);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Write("partial").ok());
    EXPECT_EQ(Entries().size(), 1u);
  }
  EXPECT_TRUE(Entries().empty());
}

TEST_F(TransferTest, StdoutSinkWritesAsItGoesAndStillVerifies) {
  std::ostringstream out;
  Result<std::unique_ptr<ExportSink>> sink = ExportSink::Open("-", out);
  ASSERT_TRUE(sink.ok());
  EXPECT_TRUE((*sink)->to_stdout());
  ASSERT_TRUE((*sink)->Write(std::string("a\0b", 3)).ok());
  EXPECT_EQ(out.str(), std::string("a\0b", 3));
  Status status = (*sink)->Commit(3, kAbcSha);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("stdout is not the snapshot"), std::string::npos);
  EXPECT_TRUE(Entries().empty());
}

TEST_F(TransferTest, UnusableDestinationsAreInvalidArgument) {
  std::ostringstream unused;
  for (const std::string& path :
       {dir_.string(), (dir_ / "missing-dir" / "dump.rdb").string(), std::string()}) {
    Result<std::unique_ptr<ExportSink>> sink = ExportSink::Open(path, unused);
    ASSERT_FALSE(sink.ok()) << path;
    EXPECT_EQ(sink.status().code(), StatusCode::kInvalidArgument) << path;
  }
}

TEST_F(TransferTest, ReadsFullChunksThenTheRest) {
  fs::path file = dir_ / "in.rdb";
  std::string data(2 * 1000 + 7, 'x');
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>(i * 31);
  }
  std::ofstream(file, std::ios::binary) << data;
  std::vector<size_t> sizes;
  std::string joined;
  ASSERT_TRUE(ReadFileChunks(file.string(), 1000, [&](std::string_view chunk) {
                sizes.push_back(chunk.size());
                joined += chunk;
                return true;
              }).ok());
  EXPECT_EQ(sizes, (std::vector<size_t>{1000, 1000, 7}));
  EXPECT_EQ(joined, data);

  int calls = 0;
  ASSERT_TRUE(ReadFileChunks(file.string(), 1000, [&](std::string_view) {
                ++calls;
                return false;
              }).ok());
  EXPECT_EQ(calls, 1);

  fs::path empty = dir_ / "empty.rdb";
  std::ofstream(empty).flush();
  calls = 0;
  ASSERT_TRUE(ReadFileChunks(empty.string(), 1000, [&](std::string_view) {
                ++calls;
                return true;
              }).ok());
  EXPECT_EQ(calls, 0);
}

TEST_F(TransferTest, UnreadableInputsAreNamed) {
  Status missing = CheckReadableFile((dir_ / "nope.rdb").string());
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("nope.rdb: no such file"), std::string::npos);
  Status directory = CheckReadableFile(dir_.string());
  EXPECT_NE(directory.message().find("not a regular file"), std::string::npos);
  fs::path file = dir_ / "ok.rdb";
  std::ofstream(file) << "REDIS0011";
  EXPECT_TRUE(CheckReadableFile(file.string()).ok());
  EXPECT_EQ(ReadFileChunks((dir_ / "nope.rdb").string(), 10, [](std::string_view) { return true; })
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::controlplane::cli
