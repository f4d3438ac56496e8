#include "controlplane/cli/output.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "cairn/v1/cluster.pb.h"
#include "cairn/v1/token.pb.h"

namespace cairn::controlplane::cli {
namespace {

TEST(OutputTest, ParsesFormats) {
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("yaml"), OutputFormat::kYaml);
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

TEST(OutputTest, ListTableAlignsColumnsWithoutTrailingSpaces) {
  Table table({"NAME", "STATUS", "PRIMARY"});
  table.AddRow({"demo", "AVAILABLE", "127.0.0.1:7001"});
  table.AddRow({"a-much-longer-name", "CREATING", ""});
  EXPECT_EQ(table.Render(),
            "NAME                STATUS     PRIMARY\n"
            "demo                AVAILABLE  127.0.0.1:7001\n"
            "a-much-longer-name  CREATING   -\n");
}

TEST(OutputTest, EmptyListRendersHeaderOnly) {
  Table table({"ID", "STATE"});
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.Render(), "ID  STATE\n");
}

TEST(OutputTest, ShortRowsArePaddedWithDashes) {
  Table table({"A", "B"});
  table.AddRow({"x"});
  EXPECT_EQ(table.Render(), "A  B\nx  -\n");
}

TEST(OutputTest, FieldTableAlignsValues) {
  Table table = Table::Fields();
  table.AddField("Name", "demo");
  table.AddField("Primary endpoint", "127.0.0.1:7001");
  table.AddField("Description", "");
  EXPECT_EQ(table.Render(),
            "Name:              demo\n"
            "Primary endpoint:  127.0.0.1:7001\n"
            "Description:       -\n");
}

v1::Cluster SampleCluster() {
  v1::Cluster cluster;
  cluster.set_name("demo");
  cluster.set_replicas_per_shard(2);
  cluster.set_status(v1::CLUSTER_STATUS_AVAILABLE);
  cluster.set_generation(3);
  cluster.mutable_endpoints()->mutable_primary()->set_address("127.0.0.1");
  cluster.mutable_endpoints()->mutable_primary()->set_port(7001);
  *cluster.mutable_created_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1714564800);
  return cluster;
}

TEST(OutputTest, JsonUsesProtoFieldNamesEnumNamesAndPrintsZeroValues) {
  std::string json = MessageToJson(SampleCluster());
  EXPECT_NE(json.find("\"replicas_per_shard\": 2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"CLUSTER_STATUS_AVAILABLE\""), std::string::npos);
  EXPECT_NE(json.find("\"generation\": \"3\""), std::string::npos) << "int64 as string";
  EXPECT_NE(json.find("\"created_at\": \"2024-05-01T12:00:00Z\""), std::string::npos);
  EXPECT_NE(json.find("\"shard_count\": 0"), std::string::npos) << "zero values present";
  EXPECT_NE(json.find("\"tls\": false"), std::string::npos);
  EXPECT_EQ(json.find("replicasPerShard"), std::string::npos);
  EXPECT_EQ(json.back(), '\n');
}

TEST(OutputTest, YamlQuotesStringsThatWouldReadAsOtherTypes) {
  Result<std::string> yaml =
      JsonToYaml(R"({"a": "yes", "b": "123", "c": "", "d": "demo", "e": 5, "f": true, "g": null,)"
                 R"( "h": "2024-05-01T12:00:00Z", "i": "NULL", "j": "-x"})");
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(*yaml,
            "a: \"yes\"\n"
            "b: \"123\"\n"
            "c: \"\"\n"
            "d: demo\n"
            "e: 5\n"
            "f: true\n"
            "g: ~\n"
            "h: \"2024-05-01T12:00:00Z\"\n"
            "i: \"NULL\"\n"
            "j: \"-x\"\n");
}

TEST(OutputTest, YamlNestsMapsAndListsAndWritesEmptyOnesInFlowStyle) {
  Result<std::string> yaml =
      JsonToYaml(R"({"clusters": [{"name": "a", "nodes": []}, {"name": "b", "x": {}}]})");
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(*yaml,
            "clusters:\n"
            "  - name: a\n"
            "    nodes: []\n"
            "  - name: b\n"
            "    x: {}\n");
}

TEST(OutputTest, YamlOfMessageFollowsJsonFieldOrder) {
  v1::Token token;
  token.set_id("tok-1");
  token.set_description("ci: pipeline #3");
  std::string yaml = MessageToYaml(token);
  EXPECT_EQ(yaml,
            "id: tok-1\n"
            "description: \"ci: pipeline #3\"\n"
            "secret: \"\"\n");
}

TEST(OutputTest, MalformedJsonIsAnError) {
  EXPECT_FALSE(JsonToYaml("{not json").ok());
}

TEST(OutputTest, RenderPicksTheFormat) {
  v1::Token token;
  token.set_id("tok-1");
  auto table = [] { return std::string("TABLE\n"); };
  EXPECT_EQ(Render(OutputFormat::kTable, token, table), "TABLE\n");
  EXPECT_EQ(Render(OutputFormat::kJson, token, table).front(), '{');
  EXPECT_EQ(Render(OutputFormat::kYaml, token, table).substr(0, 10), "id: tok-1\n");
}

}  // namespace
}  // namespace cairn::controlplane::cli
