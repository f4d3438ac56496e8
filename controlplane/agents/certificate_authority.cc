// Certificate authority: key/cert files, CSR signing and server certificates with OpenSSL 3.
#include "controlplane/agents/certificate_authority.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <utility>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "controlplane/agents/openssl_util.h"
#include "dataplane/base/files.h"

namespace cairn::controlplane {
namespace {

constexpr long kCaDays = 3650;
constexpr long kLeafDays = 365;
constexpr std::string_view kTokenPrefix = "cjt1";

using Extensions = std::vector<std::pair<int, std::string>>;

Status AddExtensions(X509* cert, X509* issuer, const Extensions& extensions) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) {
      return Status::InvalidArgument("certificate extension '" + value + "': " + ssl::LastError());
    }
    int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (added != 1) {
      return Status::Internal("X509_add_ext: " + ssl::LastError());
    }
  }
  return Status::Ok();
}

Status SetRandomSerial(X509* cert) {
  BIGNUM* bn = BN_new();
  bool ok = bn != nullptr && BN_rand(bn, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok ? Status::Ok() : Status::Internal("serial number: " + ssl::LastError());
}

// Builds and signs a certificate. `issuer` null means self-signed (then `issuer_key` is `key`'s
// private half).
Result<ssl::X509Ptr> BuildCertificate(std::string_view common_name, EVP_PKEY* key, X509* issuer,
                                      EVP_PKEY* issuer_key, long days,
                                      const Extensions& extensions) {
  ssl::X509Ptr cert(X509_new());
  if (!cert) {
    return Status::Internal("X509_new: " + ssl::LastError());
  }
  X509_set_version(cert.get(), 2);
  CAIRN_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return Status::InvalidArgument("common name: " + ssl::LastError());
  }
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  // Back-dated an hour so hosts with slightly slow clocks accept a fresh certificate.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  CAIRN_RETURN_IF_ERROR(AddExtensions(cert.get(), issuer, extensions));
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return Status::Internal("X509_sign: " + ssl::LastError());
  }
  return cert;
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Unavailable("cannot read " + path.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

struct CertificateAuthority::Keys {
  ssl::PkeyPtr key;
  ssl::X509Ptr cert;
};

CertificateAuthority::CertificateAuthority(std::unique_ptr<Keys> keys, std::string ca_cert_pem)
    : keys_(std::move(keys)), ca_cert_pem_(std::move(ca_cert_pem)) {}

CertificateAuthority::~CertificateAuthority() = default;

Result<std::unique_ptr<CertificateAuthority>> CertificateAuthority::LoadOrCreate(
    const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  }
  auto keys = std::make_unique<Keys>();
  std::filesystem::path key_path = dir / "ca.key", cert_path = dir / "ca.crt";
  bool have_key = std::filesystem::exists(key_path, ec);
  bool have_cert = std::filesystem::exists(cert_path, ec);
  if (have_key != have_cert) {
    return Status::FailedPrecondition("CA directory " + dir.string() +
                                      " holds only one of ca.key and ca.crt");
  }
  if (have_key) {
    Result<std::string> key_pem = ReadFile(key_path);
    Result<std::string> cert_pem = ReadFile(cert_path);
    if (!key_pem.ok() || !cert_pem.ok()) {
      return !key_pem.ok() ? key_pem.status() : cert_pem.status();
    }
    Result<ssl::PkeyPtr> key = ssl::ParsePrivateKeyPem(*key_pem);
    Result<ssl::X509Ptr> cert = ssl::ParseCertificatePem(*cert_pem, cert_path.string());
    if (!key.ok() || !cert.ok()) {
      return Status::FailedPrecondition(
          "CA files in " + dir.string() + " are unreadable: " +
          std::string(!key.ok() ? key.status().message() : cert.status().message()));
    }
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
      ssl::LastError();
      return Status::FailedPrecondition("ca.key does not match ca.crt in " + dir.string());
    }
    keys->key = std::move(*key);
    keys->cert = std::move(*cert);
    return std::unique_ptr<CertificateAuthority>(
        new CertificateAuthority(std::move(keys), std::move(*cert_pem)));
  }
  Result<ssl::PkeyPtr> key = ssl::GenerateKey();
  if (!key.ok()) {
    return key.status();
  }
  Result<ssl::X509Ptr> cert =
      BuildCertificate("Cairn control plane CA", key->get(), nullptr, key->get(), kCaDays,
                       {{NID_basic_constraints, "critical,CA:TRUE"},
                        {NID_key_usage, "critical,keyCertSign,cRLSign"},
                        {NID_subject_key_identifier, "hash"},
                        {NID_authority_key_identifier, "keyid:always"}});
  if (!cert.ok()) {
    return cert.status();
  }
  Result<std::string> key_pem = ssl::PrivateKeyToPem(key->get());
  Result<std::string> cert_pem = ssl::CertificateToPem(cert->get());
  if (!key_pem.ok() || !cert_pem.ok()) {
    return !key_pem.ok() ? key_pem.status() : cert_pem.status();
  }
  CAIRN_RETURN_IF_ERROR(WriteFileAtomic(key_path, *key_pem, 0600));
  CAIRN_RETURN_IF_ERROR(WriteFileAtomic(cert_path, *cert_pem, 0644));
  keys->key = std::move(*key);
  keys->cert = std::move(*cert);
  return std::unique_ptr<CertificateAuthority>(
      new CertificateAuthority(std::move(keys), std::move(*cert_pem)));
}

std::string CertificateAuthority::ca_fingerprint_sha256_hex() const {
  return ssl::FingerprintSha256Hex(keys_->cert.get());
}

Result<std::string> CertificateAuthority::SignAgentCsr(std::string_view csr_pem,
                                                       std::string_view host_id) {
  if (host_id.empty()) {
    return Status::InvalidArgument("host_id: must not be empty");
  }
  Result<ssl::X509ReqPtr> req = ssl::ParseCsrPem(csr_pem);
  if (!req.ok()) {
    return req.status();
  }
  ssl::PkeyPtr pub(X509_REQ_get_pubkey(req->get()));
  if (!pub || X509_REQ_verify(req->get(), pub.get()) != 1) {
    ssl::LastError();
    return Status::InvalidArgument("csr_pem: the request's signature does not verify");
  }
  Result<ssl::X509Ptr> cert =
      BuildCertificate(host_id, pub.get(), keys_->cert.get(), keys_->key.get(), kLeafDays,
                       {{NID_basic_constraints, "critical,CA:FALSE"},
                        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                        {NID_ext_key_usage, "clientAuth"},
                        {NID_subject_key_identifier, "hash"},
                        {NID_authority_key_identifier, "keyid:always"}});
  if (!cert.ok()) {
    return cert.status();
  }
  return ssl::CertificateToPem(cert->get());
}

Result<CertificateAuthority::KeyPair> CertificateAuthority::IssueServerCertificate(
    std::string_view common_name, const std::vector<std::string>& sans) {
  if (sans.empty()) {
    return Status::InvalidArgument("server certificate needs at least one subject alt name");
  }
  std::string san_value;
  for (const std::string& san : sans) {
    for (unsigned char c : san) {
      if (c == ',' || c < 0x20 || c == 0x7f) {
        return Status::InvalidArgument("subject alt name '" + san + "' has a bad character");
      }
    }
    if (san.empty()) {
      return Status::InvalidArgument("subject alt name must not be empty");
    }
    san_value += san_value.empty() ? "" : ",";
    san_value += (IsIpAddress(san) ? "IP:" : "DNS:") + san;
  }
  Result<ssl::PkeyPtr> key = ssl::GenerateKey();
  if (!key.ok()) {
    return key.status();
  }
  Result<ssl::X509Ptr> cert =
      BuildCertificate(common_name, key->get(), keys_->cert.get(), keys_->key.get(), kLeafDays,
                       {{NID_basic_constraints, "critical,CA:FALSE"},
                        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                        {NID_ext_key_usage, "serverAuth,clientAuth"},
                        {NID_subject_alt_name, san_value},
                        {NID_subject_key_identifier, "hash"},
                        {NID_authority_key_identifier, "keyid:always"}});
  if (!cert.ok()) {
    return cert.status();
  }
  Result<std::string> cert_pem = ssl::CertificateToPem(cert->get());
  Result<std::string> key_pem = ssl::PrivateKeyToPem(key->get());
  if (!cert_pem.ok() || !key_pem.ok()) {
    return !cert_pem.ok() ? cert_pem.status() : key_pem.status();
  }
  return KeyPair{std::move(*cert_pem), std::move(*key_pem)};
}

std::string FormatJoinToken(std::string_view ca_fp_hex, std::string_view id,
                            std::string_view secret) {
  std::string out(kTokenPrefix);
  for (std::string_view part : {ca_fp_hex, id, secret}) {
    out += '.';
    out += part;
  }
  return out;
}

Result<JoinTokenParts> ParseJoinToken(std::string_view token) {
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
  if (parts.size() != 4 || parts[0] != kTokenPrefix) {
    return Status::InvalidArgument(
        "join token: expected \"cjt1.<ca-sha256-hex>.<token-id>.<secret>\"");
  }
  const std::string& fp = parts[1];
  bool hex = fp.size() == 64 && fp.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!hex) {
    return Status::InvalidArgument(
        "join token: the CA fingerprint must be 64 lowercase hex digits");
  }
  if (parts[2].empty() || parts[3].empty()) {
    return Status::InvalidArgument("join token: the token id and the secret must not be empty");
  }
  return JoinTokenParts{std::move(parts[1]), std::move(parts[2]), std::move(parts[3])};
}

}  // namespace cairn::controlplane
