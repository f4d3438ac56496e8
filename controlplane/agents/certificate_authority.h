// The control plane's certificate authority: signs agent client certificates at join and issues
// server certificates for the agent port and for the nodes of TLS clusters (ARCHITECTURE.md §5).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::controlplane {

// Join tokens: "cjt1.<ca-sha256-hex>.<token-id>.<secret>". The CA fingerprint lets a joining agent
// pin the control plane's CA before it has it. `id` and `secret` must not contain '.'.
std::string FormatJoinToken(std::string_view ca_fp_hex, std::string_view id,
                            std::string_view secret);

// The parts of a join token.
struct JoinTokenParts {
  std::string ca_fingerprint_hex;  // 64 lowercase hex characters
  std::string id;
  std::string secret;
};

// Parses FormatJoinToken's output. InvalidArgument (naming no secret) when the prefix, the number
// of parts or the fingerprint's shape is wrong or a part is empty.
Result<JoinTokenParts> ParseJoinToken(std::string_view token);

// A CA key pair kept as ca.key (0600) and ca.crt in one directory: EC P-256, self-signed, valid
// 10 years. Thread-safe after construction (signing uses no shared mutable state).
class CertificateAuthority {
 public:
  // Loads `dir`/ca.key and `dir`/ca.crt, or creates both (and `dir`) when neither exists.
  // FailedPrecondition when only one exists or they do not match; Unavailable on I/O errors.
  static Result<std::unique_ptr<CertificateAuthority>> LoadOrCreate(
      const std::filesystem::path& dir);
  ~CertificateAuthority();

  const std::string& ca_certificate_pem() const { return ca_cert_pem_; }
  // Lowercase hex SHA-256 of the CA certificate's DER (what join tokens carry).
  std::string ca_fingerprint_sha256_hex() const;

  // Signs an agent's PKCS#10 CSR (PEM): the CSR's own signature must verify; the subject is
  // replaced by CN=`host_id`; extended key usage clientAuth; valid 1 year. Returns the certificate
  // PEM. InvalidArgument for a malformed CSR, a bad signature or an empty host id.
  Result<std::string> SignAgentCsr(std::string_view csr_pem, std::string_view host_id);

  struct KeyPair {
    std::string certificate_pem, private_key_pem;
  };
  // A fresh EC P-256 key and a certificate for it: CN=`common_name`, subjectAltNames from `sans`
  // (entries that parse as IPv4/IPv6 addresses become IP SANs, the rest DNS names), extended key
  // usage serverAuth (plus clientAuth, so a TLS replica can present the same certificate to its
  // primary), valid 1 year. InvalidArgument for an empty SAN list or a SAN with a ',' or control
  // byte.
  Result<KeyPair> IssueServerCertificate(std::string_view common_name,
                                         const std::vector<std::string>& sans);

 private:
  struct Keys;
  explicit CertificateAuthority(std::unique_ptr<Keys> keys, std::string ca_cert_pem);

  std::unique_ptr<Keys> keys_;
  std::string ca_cert_pem_;
};

}  // namespace cairn::controlplane
