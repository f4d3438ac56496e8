// Test helpers for agents/: temp directories, CSRs and chain verification with OpenSSL.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "controlplane/agents/openssl_util.h"

namespace cairn::controlplane::testing {

inline std::filesystem::path MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "cairn-agents-XXXXXX").string();
  return mkdtemp(tmpl.data());
}

struct CsrAndKey {
  std::string csr_pem, key_pem;
};

// A P-256 key and a CSR for it with subject CN=`cn`.
inline CsrAndKey MakeCsr(const std::string& cn) {
  ssl::PkeyPtr key = std::move(*ssl::GenerateKey());
  X509_REQ* req = X509_REQ_new();
  X509_NAME* name = X509_REQ_get_subject_name(req);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req, key.get());
  X509_REQ_sign(req, key.get(), EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(bio, req);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  CsrAndKey out{std::string(data, len), *ssl::PrivateKeyToPem(key.get())};
  BIO_free(bio);
  X509_REQ_free(req);
  return out;
}

// Verifies `leaf_pem` against `ca_pem` as a trust anchor for `purpose` (X509_PURPOSE_SSL_CLIENT /
// _SERVER). Returns OpenSSL's verify error string, or "ok".
inline std::string VerifyChain(const std::string& leaf_pem, const std::string& ca_pem,
                               int purpose) {
  ssl::X509Ptr leaf = std::move(*ssl::ParseCertificatePem(leaf_pem, "leaf"));
  ssl::X509Ptr ca = std::move(*ssl::ParseCertificatePem(ca_pem, "ca"));
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  int ok = X509_verify_cert(ctx);
  std::string result =
      ok == 1 ? "ok" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return result;
}

}  // namespace cairn::controlplane::testing
