#include "dataplane/base/logging.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace cairn {
namespace {

TEST(LoggingTest, WritesKeyValueLinesToFile) {
  std::string path = ::testing::TempDir() + "cairn_logging_test.log";
  std::remove(path.c_str());
  ASSERT_TRUE(SetUpLogging("cairn-test", "info", path).ok());
  spdlog::info("node started port={}", 6379);
  spdlog::debug("hidden at info level");
  spdlog::default_logger()->flush();
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("cairn-test["), std::string::npos);
  EXPECT_NE(text.str().find("node started port=6379"), std::string::npos);
  EXPECT_EQ(text.str().find("hidden"), std::string::npos);
}

TEST(LoggingTest, RejectsUnknownLevelAndUnopenableFile) {
  EXPECT_EQ(SetUpLogging("t", "loud", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SetUpLogging("t", "info", "/dev/null/x.log").code(), StatusCode::kUnavailable);
  EXPECT_TRUE(SetUpLogging("t", "warning", "").ok());
}

}  // namespace
}  // namespace cairn
