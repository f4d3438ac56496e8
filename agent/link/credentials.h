// The agent's identity: its key, the client certificate from Join and the control plane's CA,
// kept in the data directory (ca.crt, agent.crt, agent.key 0600); join tokens; CA pinning.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "dataplane/base/status.h"

namespace cairn::agent {

struct AgentCredentials {
  std::string ca_pem;    // the control plane's CA certificate
  std::string cert_pem;  // client certificate, CN = host id
  std::string key_pem;   // the agent's private key (secret)
};

// Reads ca.crt, agent.crt and agent.key from `data_dir`. NotFound when none exists (not joined
// yet); FailedPrecondition when only some exist or one does not parse.
Result<AgentCredentials> LoadCredentials(const std::filesystem::path& data_dir);

// Writes the three files (agent.key 0600, the others 0644) via rename.
Status SaveCredentials(const std::filesystem::path& data_dir, const AgentCredentials& creds);

// The common name of a PEM certificate ("" when it does not parse).
std::string CertificateCommonName(std::string_view cert_pem);

struct KeyAndCsr {
  std::string key_pem, csr_pem;
};
// A fresh EC P-256 key and a PKCS#10 request for it with CN=`host_id`.
Result<KeyAndCsr> GenerateKeyAndCsr(const std::string& host_id);

struct JoinToken {
  std::string ca_fingerprint_hex, id, secret;
};
// Parses "cjt1.<ca-sha256-hex>.<token-id>.<secret>" (the format the control plane's
// FormatJoinToken writes). InvalidArgument, never echoing the token, when malformed.
Result<JoinToken> ParseJoinToken(std::string_view token);

// Checks a server's TLS chain against a pinned CA: some certificate in `chain_pem` (PEM, the
// server's full chain) has SHA-256 (DER) `ca_fingerprint_hex`, and the leaf `leaf_pem` verifies
// against it (signature, validity, server purpose). Unavailable-free: returns FailedPrecondition
// saying what did not match.
Status VerifyPinnedChain(std::string_view chain_pem, std::string_view leaf_pem,
                         std::string_view ca_fingerprint_hex);

// Lowercase hex SHA-256 of the first certificate in `pem` ("" when it does not parse).
std::string CertificateFingerprint(std::string_view pem);

}  // namespace cairn::agent
