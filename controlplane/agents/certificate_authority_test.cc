#include "controlplane/agents/certificate_authority.h"

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "controlplane/agents/test_util.h"

namespace cairn::controlplane {
namespace {

using testing::MakeCsr;
using testing::MakeTempDir;
using testing::VerifyChain;

std::string CommonName(const std::string& pem) {
  ssl::X509Ptr cert = std::move(*ssl::ParseCertificatePem(pem, "cert"));
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, buf, sizeof(buf));
  return buf;
}

TEST(CertificateAuthorityTest, CreatesKeyFilesOnceAndReloadsThem) {
  std::filesystem::path dir = MakeTempDir() / "ca";
  auto ca = CertificateAuthority::LoadOrCreate(dir);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  struct stat st;
  ASSERT_EQ(stat((dir / "ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string fp = (*ca)->ca_fingerprint_sha256_hex();
  EXPECT_EQ(fp.size(), 64u);
  auto again = CertificateAuthority::LoadOrCreate(dir);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->ca_fingerprint_sha256_hex(), fp);
  EXPECT_EQ((*again)->ca_certificate_pem(), (*ca)->ca_certificate_pem());
}

TEST(CertificateAuthorityTest, RefusesHalfADirectoryAndMismatchedFiles) {
  std::filesystem::path a = MakeTempDir(), b = MakeTempDir();
  ASSERT_TRUE(CertificateAuthority::LoadOrCreate(a).ok());
  ASSERT_TRUE(CertificateAuthority::LoadOrCreate(b).ok());
  std::filesystem::copy_file(b / "ca.key", a / "ca.key",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(CertificateAuthority::LoadOrCreate(a).status().code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove(b / "ca.crt");
  EXPECT_EQ(CertificateAuthority::LoadOrCreate(b).status().code(), StatusCode::kFailedPrecondition);
}

TEST(CertificateAuthorityTest, SignedAgentCertificateVerifiesAsClientWithForcedCommonName) {
  auto ca = CertificateAuthority::LoadOrCreate(MakeTempDir());
  ASSERT_TRUE(ca.ok());
  Result<std::string> cert = (*ca)->SignAgentCsr(MakeCsr("someone-else").csr_pem, "host-a");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(CommonName(*cert), "host-a");
  EXPECT_EQ(VerifyChain(*cert, (*ca)->ca_certificate_pem(), X509_PURPOSE_SSL_CLIENT), "ok");
  EXPECT_NE(VerifyChain(*cert, (*ca)->ca_certificate_pem(), X509_PURPOSE_SSL_SERVER), "ok");
  auto other = CertificateAuthority::LoadOrCreate(MakeTempDir());
  EXPECT_NE(VerifyChain(*cert, (*other)->ca_certificate_pem(), X509_PURPOSE_SSL_CLIENT), "ok");
}

TEST(CertificateAuthorityTest, RejectsMalformedAndTamperedCsrs) {
  auto ca = CertificateAuthority::LoadOrCreate(MakeTempDir());
  EXPECT_EQ((*ca)->SignAgentCsr("not a csr", "host-a").status().code(),
            StatusCode::kInvalidArgument);
  std::string csr = MakeCsr("host-a").csr_pem;
  EXPECT_EQ((*ca)->SignAgentCsr(csr, "").status().code(), StatusCode::kInvalidArgument);
  // Flip a byte inside the base64 body: either the DER or the signature breaks.
  std::string tampered = csr;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE((*ca)->SignAgentCsr(tampered, "host-a").ok());
}

TEST(CertificateAuthorityTest, ServerCertificateCarriesIpAndDnsNames) {
  auto ca = CertificateAuthority::LoadOrCreate(MakeTempDir());
  auto pair = (*ca)->IssueServerCertificate("node", {"localhost", "127.0.0.1", "10.1.2.3"});
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_EQ(
      VerifyChain(pair->certificate_pem, (*ca)->ca_certificate_pem(), X509_PURPOSE_SSL_SERVER),
      "ok");
  ssl::X509Ptr cert = std::move(*ssl::ParseCertificatePem(pair->certificate_pem, "c"));
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.1.2.3", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.1.2.4", 0), 0);
  auto key = ssl::ParsePrivateKeyPem(pair->private_key_pem);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(X509_check_private_key(cert.get(), key->get()), 1);
  EXPECT_EQ((*ca)->IssueServerCertificate("n", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*ca)->IssueServerCertificate("n", {"a,DNS:b"}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(JoinTokenTest, FormatsAndParsesBack) {
  std::string fp(64, 'a');
  std::string token = FormatJoinToken(fp, "tok1", "s3cret");
  EXPECT_EQ(token, "cjt1." + fp + ".tok1.s3cret");
  auto parts = ParseJoinToken(token);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->ca_fingerprint_hex, fp);
  EXPECT_EQ(parts->id, "tok1");
  EXPECT_EQ(parts->secret, "s3cret");
}

TEST(JoinTokenTest, RejectsMalformedTokensWithoutEchoingThem) {
  std::string fp(64, 'a');
  for (std::string bad :
       {std::string(""), "cjt2." + fp + ".a.b", "cjt1." + fp + ".a", "cjt1." + fp + ".a.b.c",
        "cjt1." + std::string(63, 'a') + ".a.b", "cjt1." + std::string(64, 'A') + ".a.b",
        "cjt1." + fp + "..b", "cjt1." + fp + ".a."}) {
    auto parts = ParseJoinToken(bad);
    EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument) << bad;
    if (bad.size() > 5) {
      EXPECT_EQ(parts.status().message().find(bad), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace cairn::controlplane
