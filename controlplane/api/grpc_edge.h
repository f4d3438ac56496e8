// The gRPC edge: authentication from call metadata and Status -> grpc::Status, once for every
// service (STYLE.md §3).
#pragma once

#include <grpcpp/grpcpp.h>

#include "controlplane/api/auth.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane {

grpc::Status ToGrpcStatus(const Status& status);

// Authenticates the call from its "authorization" metadata, runs `call` and copies its result
// into `response`.
template <typename Response, typename Call>
grpc::Status Serve(const Authenticator& auth, grpc::ServerContext* context, Response* response,
                   Call&& call) {
  std::string header;
  auto it = context->client_metadata().find("authorization");
  if (it != context->client_metadata().end()) {
    header.assign(it->second.data(), it->second.size());
  }
  if (Result<std::string> who = auth.Authenticate(header); !who.ok()) {
    return ToGrpcStatus(who.status());
  }
  Result<Response> result = call();
  if (!result.ok()) {
    return ToGrpcStatus(result.status());
  }
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace cairn::controlplane
