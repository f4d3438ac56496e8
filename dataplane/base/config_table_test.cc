#include "dataplane/base/config_table.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(ParseMemoryTest, UnitsAsRedisConf) {
  EXPECT_EQ(ParseMemory("100"), 100);
  EXPECT_EQ(ParseMemory("1k"), 1000);
  EXPECT_EQ(ParseMemory("1kb"), 1024);
  EXPECT_EQ(ParseMemory("2GB"), 2LL * 1024 * 1024 * 1024);
  EXPECT_EQ(ParseMemory("3m"), 3'000'000);
  EXPECT_FALSE(ParseMemory("-1").has_value());
  EXPECT_FALSE(ParseMemory("1xb").has_value());
  EXPECT_FALSE(ParseMemory("").has_value());
}

TEST(ParameterTableTest, GetMatchesGlobsAndAliasesSetValidates) {
  ParameterTable t;
  int64_t port = 6379;
  bool yes = false;
  std::string replicaof;
  t.Add({.name = "port",
         .flags = Parameter::kImmutable,
         .get = [&] { return std::to_string(port); },
         .set = IntSetter(&port, 0, 65535)});
  t.Add({.name = "appendonly",
         .get = [&] { return std::string(yes ? "yes" : "no"); },
         .set = BoolSetter(&yes)});
  t.Add({.name = "replicaof",
         .aliases = {"slaveof"},
         .get = [&] { return replicaof; },
         .set = StringSetter(&replicaof)});
  auto got = t.Get({"p*", "appendonly", "PORT"});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::pair<std::string, std::string>{"port", "6379"}));
  EXPECT_EQ(got[1].first, "appendonly");
  EXPECT_EQ(t.Get({"slave*"})[0].first, "slaveof");
  EXPECT_EQ(t.Set("port", "7000", false).message(), "can't set immutable config");
  EXPECT_TRUE(t.Set("port", "7000", true).ok());
  EXPECT_EQ(port, 7000);
  EXPECT_EQ(t.Set("port", "70000", true).message(),
            "argument must be between 0 and 65535 inclusive");
  EXPECT_EQ(t.Set("appendonly", "maybe", false).message(), "argument must be 'yes' or 'no'");
  EXPECT_EQ(t.Set("nope", "1", false).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cairn
