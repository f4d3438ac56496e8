// The REST gateway: maps each /v1 route onto the same service implementation the gRPC services
// use, converting JSON and protobuf with protobuf's JSON mapping (proto field names). Errors are
// HTTP status + {"code", "message", "details": [{"field"}]}; every route but /healthz needs a
// bearer token.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "controlplane/api/auth.h"
#include "controlplane/api/cluster_service.h"
#include "controlplane/api/host_service.h"
#include "controlplane/api/operation_service.h"
#include "controlplane/api/snapshot_service.h"

namespace httplib {
class Server;
}

namespace cairn::controlplane {

struct RestServices {
  ClusterApi& clusters;
  OperationApi& operations;
  HostApi& hosts;
  SnapshotApi& snapshots;
  const Authenticator& auth;
};

class RestGateway {
 public:
  // With `tls_cert_file` and `tls_key_file` (PEM) the gateway serves HTTPS only.
  explicit RestGateway(RestServices services, const std::string& tls_cert_file = "",
                       const std::string& tls_key_file = "");
  ~RestGateway();

  // Binds "host:port" (port 0 picks a free one) and serves on a background thread. Returns the
  // bound "host:port"; Unavailable when the address cannot be bound.
  Result<std::string> Start(const std::string& addr);
  void Stop();

 private:
  void AddClusterRoutes();
  void AddOperationRoutes();
  void AddHostRoutes();
  void AddSnapshotRoutes();

  RestServices services_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// HTTP status for a gRPC code (google.rpc mapping: INVALID_ARGUMENT 400, NOT_FOUND 404, ...).
int HttpStatusOf(StatusCode code);
// The error body {"code": "NOT_FOUND", "message": ..., "details": [{"field": ...}]}; `field` is
// the message's leading "a.b_c:" when it has one.
std::string ErrorJson(const Status& status);

}  // namespace cairn::controlplane
