#include "agent/render/node_config.h"

#include <gtest/gtest.h>

#include "dataplane/protocol/resp_parser.h"

namespace cairn::agent {
namespace {

TEST(NodeConfigTest, RendersOneLinePerParameter) {
  NodeConfig c;
  c.port = 7001;
  c.dir = "/var/lib/cairn/demo-0001-001";
  c.maxmemory_bytes = 268435456;
  c.parameters = {{"appendonly", "no"}};
  Result<std::string> text = RenderNodeConfig(c);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\nport 7001\n"), std::string::npos);
  EXPECT_NE(text->find("\nmaxmemory 268435456\n"), std::string::npos);
  EXPECT_NE(text->find("\ndir /var/lib/cairn/demo-0001-001\n"), std::string::npos);
  EXPECT_NE(text->find("\nappendonly no\n"), std::string::npos);
  // The process title carries the config file's path, inside the node's directory.
  EXPECT_NE(text->find("\nproc-title-template \"{title} {listen-addr} {server-mode} "
                       "{config-file}\"\n"),
            std::string::npos);
}

TEST(NodeConfigTest, QuotedValuesReadBackExactly) {
  // The engine's config loader splits lines like inline commands; the round trip must be exact.
  for (std::string value : {std::string("pa ss\"w\\ord"), std::string("tab\tnl\n"), std::string(""),
                            std::string("\x01\xff", 2)}) {
    std::string line = "requirepass " + QuoteConfigValue(value);
    std::vector<std::string> args;
    ASSERT_TRUE(protocol::SplitInlineArgs(line, &args)) << line;
    ASSERT_EQ(args.size(), 2u) << line;
    EXPECT_EQ(args[1], value);
  }
}

TEST(NodeConfigTest, RejectsBadParameterNames) {
  NodeConfig c;
  c.parameters = {{"bad name\nport", "1"}};
  EXPECT_EQ(RenderNodeConfig(c).status().code(), StatusCode::kInvalidArgument);
}

TEST(NodeConfigTest, RendersSocketAuthAndReplication) {
  NodeConfig c;
  c.port = 7002;
  c.bind = "10.0.0.7 127.0.0.1";
  c.unixsocket = "/data/n1/node.sock";
  c.requirepass = "s3 cret";
  c.masterauth = "s3 cret";
  c.replicaof_host = "10.0.0.5";
  c.replicaof_port = 7001;
  Result<std::string> text = RenderNodeConfig(c);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("\nport 7002\n"), std::string::npos);
  EXPECT_NE(text->find("\nbind 10.0.0.7 127.0.0.1\n"), std::string::npos);
  EXPECT_NE(text->find("\nunixsocket /data/n1/node.sock\nunixsocketperm 700\n"), std::string::npos);
  EXPECT_NE(text->find("\nrequirepass \"s3 cret\"\n"), std::string::npos);
  EXPECT_NE(text->find("\nmasterauth \"s3 cret\"\n"), std::string::npos);
  EXPECT_NE(text->find("\nreplicaof 10.0.0.5 7001\n"), std::string::npos);
  EXPECT_EQ(text->find("tls"), std::string::npos);
}

TEST(NodeConfigTest, LeavesOutUnsetSecretsAndReplication) {
  NodeConfig c;
  Result<std::string> text = RenderNodeConfig(c);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("requirepass"), std::string::npos);
  EXPECT_EQ(text->find("masterauth"), std::string::npos);
  EXPECT_EQ(text->find("replicaof"), std::string::npos);
  EXPECT_EQ(text->find("unixsocket"), std::string::npos);
}

TEST(NodeConfigTest, TlsServesOnlyTheTlsPort) {
  NodeConfig c;
  c.port = 7003;
  c.tls = true;
  EXPECT_EQ(RenderNodeConfig(c).status().code(), StatusCode::kInvalidArgument);
  c.tls_cert_file = "/d/tls.crt";
  c.tls_key_file = "/d/tls.key";
  c.tls_ca_cert_file = "/d/ca.crt";
  Result<std::string> text = RenderNodeConfig(c);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\nport 0\ntls-port 7003\n"), std::string::npos);
  EXPECT_NE(text->find("\ntls-cert-file /d/tls.crt\n"), std::string::npos);
  EXPECT_NE(text->find("\ntls-key-file /d/tls.key\n"), std::string::npos);
  EXPECT_NE(text->find("\ntls-ca-cert-file /d/ca.crt\n"), std::string::npos);
  EXPECT_NE(text->find("\ntls-auth-clients no\n"), std::string::npos);
  EXPECT_NE(text->find("\ntls-replication yes\n"), std::string::npos);
}

TEST(NodeConfigTest, RejectsBadReplicaofPort) {
  NodeConfig c;
  c.replicaof_host = "10.0.0.5";
  c.replicaof_port = 0;
  EXPECT_EQ(RenderNodeConfig(c).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::agent
