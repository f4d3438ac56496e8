// BuildTlsContexts: the errors a bad configuration gets, before any socket is involved.
#include "dataplane/security/tls/tls_context.h"

#include <gtest/gtest.h>

namespace cairn::tls {
namespace {

TEST(TlsContextTest, MissingCertificateFileNamesTheFile) {
  TlsSettings s;
  s.cert_file = "/nonexistent/server.crt";
  s.key_file = "/nonexistent/server.key";
  s.needs_ca = false;
  Result<TlsContexts> built = BuildTlsContexts(s);
  ASSERT_FALSE(built.ok());
  EXPECT_TRUE(
      built.status().message().starts_with("Failed to load certificate: /nonexistent/server.crt: "))
      << built.status().message();
}

TEST(TlsContextTest, VerificationWithoutCaIsRefused) {
  TlsSettings s;
  s.cert_file = "a.crt";
  s.key_file = "a.key";
  s.needs_ca = true;
  Result<TlsContexts> built = BuildTlsContexts(s);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().message(),
            "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
            "tls-replication or tls-auth-clients are enabled!");
}

TEST(TlsContextTest, UnknownProtocolIsRefused) {
  TlsSettings s;
  s.cert_file = "a.crt";
  s.key_file = "a.key";
  s.needs_ca = false;
  s.protocols = "TLSv1.3 TLSv1.4";
  Result<TlsContexts> built = BuildTlsContexts(s);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().message(),
            "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
            "and 'TLSv1.3'.");
}

TEST(TlsContextTest, ClientAuthModes) {
  EXPECT_EQ(ParseClientAuth("YES"), ClientAuth::kYes);
  EXPECT_EQ(ParseClientAuth("no"), ClientAuth::kNo);
  EXPECT_EQ(ParseClientAuth("optional"), ClientAuth::kOptional);
  EXPECT_EQ(ParseClientAuth("maybe"), std::nullopt);
}

}  // namespace
}  // namespace cairn::tls
