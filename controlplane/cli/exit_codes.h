// cairnctl's exit codes and the mapping from gRPC status codes onto them. Scripts depend on these
// numbers (issue 9): never renumber them.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

namespace cairn::controlplane::cli {

enum ExitCode : int {
  kExitOk = 0,
  // The operation failed, or the server returned any error not listed below.
  kExitFailed = 1,
  // Command-line usage error: unknown command or flag, bad flag value, bad config file.
  kExitUsage = 2,
  // gRPC NOT_FOUND: the named cluster, operation, host or token does not exist.
  kExitNotFound = 3,
  // gRPC UNAUTHENTICATED or PERMISSION_DENIED: missing, wrong or revoked token.
  kExitUnauthenticated = 4,
};

// The exit code for a failed RPC's status code. OK maps to kExitOk.
ExitCode ExitCodeForStatus(grpc::StatusCode code);

// The text printed after "error: " for a failed RPC. Usually the server's message, which names the
// bad field; transport failures (UNAVAILABLE, DEADLINE_EXCEEDED) say which address and deadline
// were used and what to check. Never contains the token.
std::string DescribeRpcError(const grpc::Status& status, std::string_view addr,
                             std::chrono::milliseconds timeout);

}  // namespace cairn::controlplane::cli
