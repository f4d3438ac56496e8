#include "agent/link/credentials.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

namespace cairn::agent {
namespace {

std::filesystem::path TempDir() {
  std::string tmpl = "/tmp/cairn-cred-XXXXXX";
  return mkdtemp(tmpl.data());
}

TEST(CredentialsTest, ParsesJoinTokensAndRejectsMalformedOnes) {
  std::string fp(64, 'e');
  auto token = ParseJoinToken("cjt1." + fp + ".abc.s3cret");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->ca_fingerprint_hex, fp);
  EXPECT_EQ(token->id, "abc");
  EXPECT_EQ(token->secret, "s3cret");
  for (std::string bad :
       {std::string("s3cret"), "cjt1." + fp + ".abc", std::string("cjt1.xyz.abc.s3cret"),
        "cjt1." + fp + "..s3cret", "cjt0." + fp + ".abc.s3cret"}) {
    auto parsed = ParseJoinToken(bad);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(parsed.status().message().find("s3cret"), std::string::npos);
  }
}

TEST(CredentialsTest, CsrCarriesTheHostIdAndKeyIsPem) {
  auto pair = GenerateKeyAndCsr("host-a");
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->csr_pem.rfind("-----BEGIN CERTIFICATE REQUEST-----", 0), 0u);
  EXPECT_EQ(pair->key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
}

TEST(CredentialsTest, SavedKeyIsPrivateAndPartialSetsAreRefused) {
  std::filesystem::path dir = TempDir();
  EXPECT_EQ(LoadCredentials(dir).status().code(), StatusCode::kNotFound);
  AgentCredentials creds{"ca", "cert", "key"};
  ASSERT_TRUE(SaveCredentials(dir, creds).ok());
  struct stat st;
  ASSERT_EQ(stat((dir / "agent.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Not PEM: refused with a clear error rather than used.
  EXPECT_EQ(LoadCredentials(dir).status().code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove(dir / "agent.crt");
  EXPECT_EQ(LoadCredentials(dir).status().code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove_all(dir);
}

TEST(CredentialsTest, PinnedChainNeedsTheFingerprint) {
  EXPECT_EQ(VerifyPinnedChain("", "", std::string(64, 'a')).code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cairn::agent
