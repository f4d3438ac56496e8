// OperationService and EventService: reading the progress of work and what happened.
#pragma once

#include "cairn/v1/event.grpc.pb.h"
#include "cairn/v1/operation.grpc.pb.h"
#include "controlplane/api/api_deps.h"
#include "controlplane/api/auth.h"

namespace cairn::controlplane {

class OperationApi {
 public:
  explicit OperationApi(ApiDeps deps) : deps_(std::move(deps)) {}
  // NotFound for an unknown id.
  Result<v1::Operation> GetOperation(const v1::GetOperationRequest& request);
  // Newest first; page_size default 100, at most 1000.
  Result<v1::ListOperationsResponse> ListOperations(const v1::ListOperationsRequest& request);
  // Returns when the operation ends or after timeout_ms (default 30000, max 300000), with the
  // operation as it then is. Polls the store; never holds a lock while waiting.
  Result<v1::Operation> WaitOperation(const v1::WaitOperationRequest& request);
  // Events, oldest first (page_size default 100, max 1000).
  Result<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request);

 private:
  ApiDeps deps_;
};

class OperationGrpcService final : public v1::OperationService::Service {
 public:
  OperationGrpcService(OperationApi& api, const Authenticator& auth) : api_(api), auth_(auth) {}
  grpc::Status GetOperation(grpc::ServerContext* c, const v1::GetOperationRequest* r,
                            v1::Operation* out) override;
  grpc::Status ListOperations(grpc::ServerContext* c, const v1::ListOperationsRequest* r,
                              v1::ListOperationsResponse* out) override;
  grpc::Status WaitOperation(grpc::ServerContext* c, const v1::WaitOperationRequest* r,
                             v1::Operation* out) override;

 private:
  OperationApi& api_;
  const Authenticator& auth_;
};

class EventGrpcService final : public v1::EventService::Service {
 public:
  EventGrpcService(OperationApi& api, const Authenticator& auth) : api_(api), auth_(auth) {}
  grpc::Status ListEvents(grpc::ServerContext* c, const v1::ListEventsRequest* r,
                          v1::ListEventsResponse* out) override;

 private:
  OperationApi& api_;
  const Authenticator& auth_;
};

}  // namespace cairn::controlplane
