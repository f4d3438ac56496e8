// Join: exchange a one-time join token and a CSR for a client certificate, over TLS that pins the
// control plane's CA by the fingerprint in the token (the agent has no CA certificate yet).
#pragma once

#include <chrono>
#include <string>

#include "agent/link/credentials.h"
#include "dataplane/base/status.h"

namespace cairn::agent {

// Calls AgentService.Join at `control_plane` ("host:port") with a fresh key. The server's chain
// must contain a CA whose SHA-256 is the token's fingerprint and its certificate must verify
// against that CA. Returns the new credentials (not yet saved). Errors: InvalidArgument for a
// malformed token; FailedPrecondition when the control plane refuses the token or the host id
// (its message says why); Unavailable when it cannot be reached within `timeout` or its
// certificate does not match the pin.
Result<AgentCredentials> Join(const std::string& control_plane, const std::string& join_token,
                              const std::string& host_id, std::chrono::milliseconds timeout);

}  // namespace cairn::agent
