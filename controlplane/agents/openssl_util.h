// Small RAII and PEM helpers over OpenSSL 3 for the control plane's CA (internal to agents/).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dataplane/base/status.h"

namespace cairn::controlplane::ssl {

struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct X509ReqFree {
  void operator()(X509_REQ* r) const { X509_REQ_free(r); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using X509ReqPtr = std::unique_ptr<X509_REQ, X509ReqFree>;

// The last OpenSSL error queue entry as text (and clears the queue); "unknown" when empty.
std::string LastError();

// A new EC P-256 key. Internal on failure.
Result<PkeyPtr> GenerateKey();

// PEM <-> objects. Parse errors are InvalidArgument naming `what` ("CSR", "certificate").
Result<X509Ptr> ParseCertificatePem(std::string_view pem, std::string_view what);
Result<X509ReqPtr> ParseCsrPem(std::string_view pem);
Result<PkeyPtr> ParsePrivateKeyPem(std::string_view pem);
Result<std::string> CertificateToPem(X509* cert);
Result<std::string> PrivateKeyToPem(EVP_PKEY* key);

// Lowercase hex SHA-256 of the certificate's DER encoding.
std::string FingerprintSha256Hex(X509* cert);

}  // namespace cairn::controlplane::ssl
