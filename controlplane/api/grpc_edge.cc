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

}  // namespace cairn::controlplane
