// AOF pieces: the manifest parser and writer, the command-stream parser, and the dataset written
// as commands.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "dataplane/base/clock.h"
#include "dataplane/engine/types/list.h"
#include "dataplane/engine/types/string.h"
#include "dataplane/persistence/aof_file.h"
#include "dataplane/persistence/aof_manifest.h"
#include "dataplane/persistence/aof_rewrite.h"
#include "dataplane/persistence/aof_stream.h"
#include "dataplane/persistence/snapshot.h"

namespace cairn::persistence {
namespace {

constexpr char kRedisManifest[] =
    "file appendonly.aof.2.base.rdb seq 2 type b\n"
    "file appendonly.aof.2.incr.aof seq 2 type i\n";

TEST(AofManifestTest, ParsesWhatRedisWritesAndWritesItBackByteForByte) {
  Result<AofManifest> m = ParseAofManifest(kRedisManifest);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE(m->base.has_value());
  EXPECT_EQ(m->base->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(m->base_seq, 2);
  ASSERT_EQ(m->incrs.size(), 1u);
  EXPECT_EQ(m->incr_seq, 2);
  EXPECT_EQ(FormatAofManifest(*m), kRedisManifest);
}

TEST(AofManifestTest, OrdersBaseHistoryIncrAndAcceptsCommentsAndAnyKeyOrder) {
  Result<AofManifest> m = ParseAofManifest(
      "# comment\n"
      "file a.1.incr.aof seq 1 type i\n"
      "type h seq 1 file a.1.base.rdb\n"
      "file a.2.base.rdb seq 2 type b extra ignored\n"
      "file a.3.incr.aof seq 3 type i\n");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(FormatAofManifest(*m),
            "file a.2.base.rdb seq 2 type b\n"
            "file a.1.base.rdb seq 1 type h\n"
            "file a.1.incr.aof seq 1 type i\n"
            "file a.3.incr.aof seq 3 type i\n");
  EXPECT_EQ(m->incr_seq, 3);
}

TEST(AofManifestTest, QuotesNamesWithSpaces) {
  AofManifest m;
  m.base = AofFileInfo{"my file.1.base.rdb", 1, AofFileType::kBase};
  std::string text = FormatAofManifest(m);
  EXPECT_EQ(text, "file \"my file.1.base.rdb\" seq 1 type b\n");
  Result<AofManifest> back = ParseAofManifest(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->base->name, "my file.1.base.rdb");
}

void ExpectRefused(std::string_view text, std::string_view reason) {
  Result<AofManifest> m = ParseAofManifest(text);
  ASSERT_FALSE(m.ok()) << text;
  EXPECT_NE(m.status().message().find(reason), std::string_view::npos)
      << text << " -> " << m.status().message();
}

TEST(AofManifestTest, RefusesBadManifestsWithClearErrors) {
  ExpectRefused("", "Found an empty AOF manifest");
  ExpectRefused("# only a comment\n", "Found an empty AOF manifest");
  ExpectRefused("file a seq 1 type b", "no newline");
  ExpectRefused("file a seq 1\n", "line 1: Invalid AOF manifest file format");
  ExpectRefused("file a seq x type b\n", "Invalid AOF manifest file format");
  ExpectRefused("file a seq 0 type b\n", "Invalid AOF manifest file format");
  ExpectRefused("file a seq 1 type z\n", "Unknown AOF file type 'z'");
  ExpectRefused("file a seq 1 type b\nfile b seq 2 type b\n",
                "line 2: Found duplicate base file information");
  ExpectRefused("file a seq 2 type i\nfile b seq 2 type i\n",
                "line 2: Found a non-monotonic sequence number");
  ExpectRefused("file ../etc/passwd seq 1 type b\n", "is a path");
  ExpectRefused("file \"unbalanced seq 1 type b\n", "Invalid AOF manifest file format");
  ExpectRefused("\n", "Invalid AOF manifest file format");
  ExpectRefused(std::string(2000, 'x') + "\n", "too long line");
}

TEST(AofManifestTest, NamesPartsAsRedis) {
  EXPECT_EQ(AofBaseFileName("appendonly.aof", 1, true), "appendonly.aof.1.base.rdb");
  EXPECT_EQ(AofBaseFileName("appendonly.aof", 3, false), "appendonly.aof.3.base.aof");
  EXPECT_EQ(AofIncrFileName("appendonly.aof", 7), "appendonly.aof.7.incr.aof");
  EXPECT_EQ(AofManifestFileName("appendonly.aof"), "appendonly.aof.manifest");
}

std::vector<std::vector<std::string>> ParseAll(std::string_view data, AofParseResult* result,
                                               Status* error = nullptr) {
  std::vector<std::vector<std::string>> commands;
  Result<AofParseResult> r =
      ParseAofStream(data, 0, [&commands](const std::vector<std::string_view>& args) {
        commands.emplace_back(args.begin(), args.end());
        return Status::Ok();
      });
  if (!r.ok()) {
    if (error != nullptr) {
      *error = r.status();
    }
    return commands;
  }
  *result = *r;
  return commands;
}

TEST(AofStreamTest, ParsesCommandsAndSkipsTimestampAnnotations) {
  std::string data = "#TS:1700000000\r\n" + EncodeRespCommand({"SELECT", "0"}) +
                     EncodeRespCommand({"SET", "k", std::string("a\r\nb", 4)});
  AofParseResult r;
  auto commands = ParseAll(data, &r);
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[1][2], std::string("a\r\nb", 4));
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.valid_bytes, data.size());
}

TEST(AofStreamTest, TruncatedTailReportsWhereTheCompletePartEnds) {
  std::string whole = EncodeRespCommand({"SET", "a", "1"});
  std::string second = EncodeRespCommand({"SET", "b", "2"});
  for (size_t cut = 1; cut < second.size(); cut++) {
    AofParseResult r;
    auto commands = ParseAll(whole + second.substr(0, cut), &r);
    ASSERT_EQ(commands.size(), 1u) << cut;
    EXPECT_TRUE(r.truncated) << cut;
    EXPECT_EQ(r.valid_bytes, whole.size()) << cut;
  }
}

TEST(AofStreamTest, AnOpenMultiAtTheEndRevertsToItsStart) {
  std::string before = EncodeRespCommand({"SET", "a", "1"});
  std::string data = before + EncodeRespCommand({"MULTI"}) + EncodeRespCommand({"INCR", "n"});
  AofParseResult r;
  ParseAll(data, &r);
  EXPECT_TRUE(r.truncated);
  EXPECT_TRUE(r.open_multi);
  EXPECT_EQ(r.valid_bytes, before.size());
  ParseAll(data + EncodeRespCommand({"EXEC"}), &r);
  EXPECT_FALSE(r.truncated);
}

TEST(AofStreamTest, CorruptionIsAnErrorNamingTheOffset) {
  std::string good = EncodeRespCommand({"SET", "a", "1"});
  // (bad bytes after a good command, offset of the bad part within them)
  std::vector<std::pair<std::string, size_t>> cases = {
      {"+OK\r\n", 0},      {"*0\r\n", 0},       {"*-1\r\n", 0},
      {"*1\r\n$x\r\n", 4}, {"*1\r\n+3\r\n", 4}, {"*1\r\n$3\r\nfooXY", 11}};
  for (const auto& [bad, at] : cases) {
    AofParseResult r;
    Status error;
    ParseAll(good + bad, &r, &error);
    ASSERT_FALSE(error.ok()) << bad;
    EXPECT_NE(
        error.message().find("Bad file format at offset " + std::to_string(good.size() + at) + ":"),
        std::string_view::npos)
        << error.message();
  }
}

class AofFileTest : public ::testing::Test {
 protected:
  AofFileTest() : ks_(engine::KeyspaceConfig{}, &clock_, [] { return size_t{0}; }) {
    ks_.RefreshCommandTime();
    dir_ = std::filesystem::temp_directory_path() / ("cairn-aof-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~AofFileTest() override { std::filesystem::remove_all(dir_); }

  ManualClock clock_;
  engine::Keyspace ks_;
  std::filesystem::path dir_;
};

TEST_F(AofFileTest, KeyspaceAsCommandsBatchesCollectionsAndKeepsTtls) {
  engine::strings::Set(ks_.db(0), "s", "v", {});
  auto* list = new engine::ListValue(128);
  for (int i = 0; i < 100; i++) {
    list->PushBack(std::to_string(i));
  }
  ks_.db(2).Insert(engine::Entry::NewObject("l", engine::ValueType::kList,
                                            engine::Encoding::kQuicklist, list, false, 0));
  engine::Entry* e = ks_.db(2).Find("l");
  ks_.db(2).SetExpire(e, clock_.NowMs() + 100000);
  std::string out;
  ASSERT_TRUE(WriteKeyspaceAsCommands(ks_, clock_.NowMs(), {}, [&out](std::string_view b) {
                out.append(b);
                return Status::Ok();
              }).ok());
  AofParseResult r;
  auto commands = ParseAll(out, &r);
  ASSERT_EQ(commands.size(), 6u);  // SELECT 0, SET, SELECT 2, RPUSH x64, RPUSH x36, PEXPIREAT
  EXPECT_EQ(commands[1], (std::vector<std::string>{"SET", "s", "v"}));
  EXPECT_EQ(commands[3].size(), 2u + 64u);
  EXPECT_EQ(commands[4].size(), 2u + 36u);
  EXPECT_EQ(commands[5][0], "PEXPIREAT");
  EXPECT_EQ(commands[5][2], std::to_string(clock_.NowMs() + 100000));
}

TEST_F(AofFileTest, AppenderAppendsAndSyncsInTheBackground) {
  std::string path = (dir_ / "x.incr.aof").string();
  {
    AofAppender a;
    ASSERT_TRUE(a.Open(path, true).ok());
    size_t kept = 0;
    ASSERT_TRUE(a.Append("abc", &kept).ok());
    FsyncThread thread;
    a.SyncInBackground(thread, /*close_after=*/true);
    thread.Drain();
    EXPECT_EQ(thread.pending(), 0);
  }
  AofAppender again;
  ASSERT_TRUE(again.Open(path, false).ok());
  EXPECT_EQ(again.size(), 3);
  size_t kept = 0;
  ASSERT_TRUE(again.Append("de", &kept).ok());
  ASSERT_TRUE(again.Sync().ok());
  EXPECT_EQ(*ReadWholeFile(path), "abcde");
  AofAppender bad;
  Status s = bad.Open((dir_ / "nodir" / "x").string(), false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("No such file or directory"), std::string_view::npos);
}

}  // namespace
}  // namespace cairn::persistence
