// The gRPC edge: authentication from call metadata and Status -> grpc::Status, once for every
// service (STYLE.md §3).
#pragma once

#include <grpcpp/grpcpp.h>

#include "controlplane/api/auth.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane {

grpc::Status ToGrpcStatus(const Status& status);

// Authenticates the call from its "authorization" metadata (Unauthenticated when it fails).
Status AuthenticateCall(const Authenticator& auth, grpc::ServerContext* context);

// Authenticates the call, runs `call` and copies its result into `response`.
template <typename Response, typename Call>
grpc::Status Serve(const Authenticator& auth, grpc::ServerContext* context, Response* response,
                   Call&& call) {
  if (Status who = AuthenticateCall(auth, context); !who.ok()) {
    return ToGrpcStatus(who);
  }
  Result<Response> result = call();
  if (!result.ok()) {
    return ToGrpcStatus(result.status());
  }
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace cairn::controlplane
