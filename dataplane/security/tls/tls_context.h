// TLS settings (redis.conf's tls-* names) and the OpenSSL contexts built from them: one for
// connections the node accepts, one for the connections it opens (the replica link to its
// primary). A context is immutable once built; a reload builds new ones and connections keep
// the context they started with.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <openssl/types.h>

#include "dataplane/base/status.h"
#include "dataplane/security/tls/transport.h"

namespace cairn::tls {

// The tls-* parameters that shape a context, as redis.conf names them. File paths are used as
// given (relative ones against the working directory, as Redis does).
struct TlsSettings {
  std::string cert_file;             // tls-cert-file: PEM chain presented by this node
  std::string key_file;              // tls-key-file
  std::string key_file_pass;         // tls-key-file-pass (never logged)
  std::string client_cert_file;      // tls-client-cert-file: for outgoing links; "" = cert_file
  std::string client_key_file;       // tls-client-key-file
  std::string client_key_file_pass;  // tls-client-key-file-pass
  std::string ca_cert_file;          // tls-ca-cert-file: verifies peers
  std::string ca_cert_dir;           // tls-ca-cert-dir
  std::string dh_params_file;        // tls-dh-params-file; "" = OpenSSL's automatic groups
  std::string protocols;             // tls-protocols "TLSv1.2 TLSv1.3"; "" = those two
  std::string ciphers;               // tls-ciphers (TLSv1.2 and below); "" = OpenSSL default
  std::string ciphersuites;          // tls-ciphersuites (TLSv1.3); "" = OpenSSL default
  bool prefer_server_ciphers = false;
  bool session_caching = true;
  int64_t session_cache_size = 20480;     // sessions
  int64_t session_cache_timeout_s = 300;  // seconds
  // Whether peers must be verified (tls-auth-clients yes/optional, tls-replication): then a CA
  // is required, as Redis requires it.
  bool needs_ca = true;
};

using SslCtxPtr = std::shared_ptr<SSL_CTX>;

struct TlsContexts {
  SslCtxPtr server;  // accepted connections
  SslCtxPtr client;  // outgoing connections (verifies the peer against the CA)
};

// Builds both contexts. Errors (InvalidArgument) carry Redis's log texts, e.g. "Failed to load
// certificate: /x.crt: error:80000002:system library::No such file or directory", "Failed to
// load private key: ...", "Invalid tls-protocols specified. Use a combination of 'TLSv1',
// 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.", "Either tls-ca-cert-file or tls-ca-cert-dir must be
// specified when tls-cluster, tls-replication or tls-auth-clients are enabled!".
Result<TlsContexts> BuildTlsContexts(const TlsSettings& settings);

// Parses tls-auth-clients (no|yes|optional; case-insensitive). nullopt when it is none of them.
std::optional<ClientAuth> ParseClientAuth(std::string_view text);

}  // namespace cairn::tls
