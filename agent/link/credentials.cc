// Agent credentials with OpenSSL 3: key and CSR generation, files, pinned-CA verification.
#include "agent/link/credentials.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "dataplane/base/files.h"

namespace cairn::agent {
namespace {

struct Free {
  void operator()(BIO* b) const { BIO_free_all(b); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(X509* x) const { X509_free(x); }
  void operator()(X509_REQ* r) const { X509_REQ_free(r); }
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

Ptr<BIO> MemBio(std::string_view data) {
  return Ptr<BIO>(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

// Every certificate in a PEM bundle, in order.
std::vector<Ptr<X509>> ParseBundle(std::string_view pem) {
  std::vector<Ptr<X509>> out;
  Ptr<BIO> bio = MemBio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return out;
}

std::string Fingerprint(X509* cert) {
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

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound(path.string());
  }
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

}  // namespace

Result<AgentCredentials> LoadCredentials(const std::filesystem::path& data_dir) {
  Result<std::string> ca = ReadFile(data_dir / "ca.crt");
  Result<std::string> cert = ReadFile(data_dir / "agent.crt");
  Result<std::string> key = ReadFile(data_dir / "agent.key");
  int present = ca.ok() + cert.ok() + key.ok();
  if (present == 0) {
    return Status::NotFound("no agent credentials in " + data_dir.string());
  }
  if (present != 3) {
    return Status::FailedPrecondition("incomplete agent credentials in " + data_dir.string() +
                                      ": need ca.crt, agent.crt and agent.key");
  }
  if (CertificateFingerprint(*ca).empty() || CertificateCommonName(*cert).empty()) {
    return Status::FailedPrecondition("ca.crt or agent.crt in " + data_dir.string() +
                                      " does not parse");
  }
  return AgentCredentials{std::move(*ca), std::move(*cert), std::move(*key)};
}

Status SaveCredentials(const std::filesystem::path& data_dir, const AgentCredentials& creds) {
  CAIRN_RETURN_IF_ERROR(WriteFileAtomic(data_dir / "agent.key", creds.key_pem, 0600));
  CAIRN_RETURN_IF_ERROR(WriteFileAtomic(data_dir / "agent.crt", creds.cert_pem, 0644));
  return WriteFileAtomic(data_dir / "ca.crt", creds.ca_pem, 0644);
}

std::string CertificateCommonName(std::string_view cert_pem) {
  std::vector<Ptr<X509>> certs = ParseBundle(cert_pem);
  if (certs.empty()) {
    return "";
  }
  char buf[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(certs[0].get()), NID_commonName, buf,
                                sizeof(buf)) < 0) {
    return "";
  }
  return buf;
}

std::string CertificateFingerprint(std::string_view pem) {
  std::vector<Ptr<X509>> certs = ParseBundle(pem);
  return certs.empty() ? "" : Fingerprint(certs[0].get());
}

Result<KeyAndCsr> GenerateKeyAndCsr(const std::string& host_id) {
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  Ptr<X509_REQ> req(X509_REQ_new());
  if (!key || !req) {
    ERR_clear_error();
    return Status::Internal("cannot generate the agent key");
  }
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(host_id.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), key.get());
  Ptr<BIO> key_bio(BIO_new(BIO_s_mem()));
  Ptr<BIO> csr_bio(BIO_new(BIO_s_mem()));
  if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) == 0 ||
      PEM_write_bio_X509_REQ(csr_bio.get(), req.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    ERR_clear_error();
    return Status::Internal("cannot sign the certificate request");
  }
  return KeyAndCsr{BioString(key_bio.get()), BioString(csr_bio.get())};
}

Result<JoinToken> ParseJoinToken(std::string_view token) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = token.find('.', start);
    parts.emplace_back(token.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  if (parts.size() != 4 || parts[0] != "cjt1" || parts[1].size() != 64 ||
      parts[1].find_first_not_of("0123456789abcdef") != std::string::npos || parts[2].empty() ||
      parts[3].empty()) {
    return Status::InvalidArgument(
        "--join-token: expected \"cjt1.<ca-sha256-hex>.<token-id>.<secret>\" from `cairnctl "
        "host join-token`");
  }
  return JoinToken{parts[1], parts[2], parts[3]};
}

Status VerifyPinnedChain(std::string_view chain_pem, std::string_view leaf_pem,
                         std::string_view ca_fingerprint_hex) {
  std::vector<Ptr<X509>> chain = ParseBundle(chain_pem);
  std::vector<Ptr<X509>> leaf = ParseBundle(leaf_pem);
  if (leaf.empty()) {
    return Status::FailedPrecondition("the server sent no certificate");
  }
  X509* pinned = nullptr;
  for (const Ptr<X509>& cert : chain) {
    if (Fingerprint(cert.get()) == ca_fingerprint_hex) {
      pinned = cert.get();
    }
  }
  if (pinned == nullptr) {
    return Status::FailedPrecondition(
        "the server's certificate chain has no CA with the join token's fingerprint");
  }
  Ptr<X509_STORE> store(X509_STORE_new());
  Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  X509_STORE_add_cert(store.get(), pinned);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf[0].get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) != 1) {
    std::string why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return Status::FailedPrecondition(
        "the server's certificate does not verify against the "
        "pinned CA: " +
        why);
  }
  return Status::Ok();
}

}  // namespace cairn::agent
