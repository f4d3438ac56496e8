// Status conversion at the gRPC edge.
#include "controlplane/api/grpc_edge.h"

namespace cairn::controlplane {

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  // StatusCode values are gRPC's canonical codes.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

Status AuthenticateCall(const Authenticator& auth, grpc::ServerContext* context) {
  std::string header;
  auto it = context->client_metadata().find("authorization");
  if (it != context->client_metadata().end()) {
    header.assign(it->second.data(), it->second.size());
  }
  return auth.Authenticate(header).status();
}

}  // namespace cairn::controlplane
