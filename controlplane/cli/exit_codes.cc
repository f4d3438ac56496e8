// Mapping of gRPC failures onto exit codes and error text.
#include "controlplane/cli/exit_codes.h"

#include "controlplane/cli/duration.h"

namespace cairn::controlplane::cli {

ExitCode ExitCodeForStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitUnauthenticated;
    default:
      return kExitFailed;
  }
}

std::string DescribeRpcError(const grpc::Status& status, std::string_view addr,
                             std::chrono::milliseconds timeout) {
  const std::string& message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return "cannot reach the control plane at " + std::string(addr) + " (" + message +
             "); check --addr / CAIRN_ADDR and, for a TLS API, --ca-file";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "no response from " + std::string(addr) + " within " + FormatDuration(timeout) +
             " (--timeout)";
    case grpc::StatusCode::UNAUTHENTICATED:
      if (message.empty()) {
        return "unauthenticated: give a valid token with --token or CAIRN_TOKEN";
      }
      return message;
    case grpc::StatusCode::UNIMPLEMENTED:
      return "the control plane at " + std::string(addr) +
             " does not implement this call (it is older than this cairnctl)" +
             (message.empty() ? "" : ": " + message);
    default:
      if (message.empty()) {
        return "request failed with status code " +
               std::to_string(static_cast<int>(status.error_code()));
      }
      return message;
  }
}

}  // namespace cairn::controlplane::cli
