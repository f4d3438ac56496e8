// The node's TLS state: the tls-* parameters (redis.conf names), the contexts built from them,
// and their reload when CONFIG SET changes a file or cipher setting. Command thread only.
#pragma once

#include <cstdint>

#include "dataplane/base/config_table.h"
#include "dataplane/base/status.h"
#include "dataplane/security/tls/tls_context.h"

namespace cairn::server {

struct TlsState {
  tls::TlsSettings settings;
  int64_t port = 0;  // tls-port: 0 = no TLS listener
  tls::ClientAuth auth_clients = tls::ClientAuth::kYes;
  bool replication = false;  // tls-replication: the link to our primary uses TLS
  bool cluster = false;      // tls-cluster: stored (there is no cluster bus)
  // tls-handshake-timeout (cairn's own, milliseconds): a client that has not finished its TLS
  // handshake by then is dropped, whatever `timeout` says.
  int64_t handshake_timeout_ms = 10000;
  // Built by ReloadTls; null while TLS is off. Connections hold their own reference.
  tls::TlsContexts contexts;

  // TLS is needed: a TLS port or TLS replication is configured.
  bool enabled() const { return port != 0 || replication; }
};

// Registers the tls-* parameters into `table`, bound to `state`. The file, protocol, cipher and
// session settings rebuild the contexts once per CONFIG SET (Parameter::apply); a failed rebuild
// keeps the previous contexts and fails the CONFIG SET with Redis's text "Unable to update TLS
// configuration. Check server logs." (the reason goes to the log).
void RegisterTlsParameters(ParameterTable& table, TlsState& state);

// Builds new contexts from `state.settings` when TLS is enabled (a no-op otherwise). On error
// the old contexts stay and the Status carries the reason (a file name and OpenSSL's text).
Status ReloadTls(TlsState& state);

}  // namespace cairn::server
