// OpenSSL helpers: key generation, PEM conversions and fingerprints.
#include "controlplane/agents/openssl_util.h"

#include <climits>

#include <openssl/err.h>
#include <openssl/pem.h>

namespace cairn::controlplane::ssl {
namespace {

Result<BioPtr> MemBio(std::string_view data) {
  if (data.size() > INT_MAX) {
    return Status::InvalidArgument("PEM text too large");
  }
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) {
    return Status::Internal("BIO_new_mem_buf: " + LastError());
  }
  return bio;
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

}  // namespace

std::string LastError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "unknown";
  }
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

Result<PkeyPtr> GenerateKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return Status::Internal("EC key generation failed: " + LastError());
  }
  return key;
}

Result<X509Ptr> ParseCertificatePem(std::string_view pem, std::string_view what) {
  Result<BioPtr> bio = MemBio(pem);
  if (!bio.ok()) {
    return bio.status();
  }
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return Status::InvalidArgument(std::string(what) + ": not a PEM certificate (" + LastError() +
                                   ")");
  }
  return cert;
}

Result<X509ReqPtr> ParseCsrPem(std::string_view pem) {
  Result<BioPtr> bio = MemBio(pem);
  if (!bio.ok()) {
    return bio.status();
  }
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio->get(), nullptr, nullptr, nullptr));
  if (!req) {
    return Status::InvalidArgument("csr_pem: not a PEM certificate request (" + LastError() + ")");
  }
  return req;
}

Result<PkeyPtr> ParsePrivateKeyPem(std::string_view pem) {
  Result<BioPtr> bio = MemBio(pem);
  if (!bio.ok()) {
    return bio.status();
  }
  PkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, nullptr, nullptr));
  if (!key) {
    // The error text names no key material, only OpenSSL's reason.
    return Status::InvalidArgument("not a PEM private key (" + LastError() + ")");
  }
  return key;
}

Result<std::string> CertificateToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return Status::Internal("PEM_write_bio_X509: " + LastError());
  }
  return BioToString(bio.get());
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Status::Internal("PEM_write_bio_PrivateKey: " + LastError());
  }
  return BioToString(bio.get());
}

std::string FingerprintSha256Hex(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

}  // namespace cairn::controlplane::ssl
