// OperationService and EventService.
#include "controlplane/api/operation_service.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "controlplane/api/grpc_edge.h"
#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {
namespace {

int PageSize(int requested) {
  return requested <= 0 ? 100 : std::min(requested, 1000);
}

bool Finished(const v1::Operation& op) {
  return op.state() == v1::OPERATION_STATE_SUCCEEDED || op.state() == v1::OPERATION_STATE_FAILED ||
         op.state() == v1::OPERATION_STATE_CANCELLED;
}

}  // namespace

Result<v1::Operation> OperationApi::GetOperation(const v1::GetOperationRequest& request) {
  return deps_.store.GetOperation(request.id());
}

Result<v1::ListOperationsResponse> OperationApi::ListOperations(
    const v1::ListOperationsRequest& request) {
  Result<std::vector<v1::Operation>> ops =
      deps_.store.ListOperations(request.resource(), PageSize(request.page_size()));
  CAIRN_RETURN_IF_ERROR(ops.status());
  v1::ListOperationsResponse out;
  for (v1::Operation& op : *ops) {
    *out.add_operations() = std::move(op);
  }
  return out;
}

Result<v1::Operation> OperationApi::WaitOperation(const v1::WaitOperationRequest& request) {
  int64_t timeout_ms =
      request.timeout_ms() <= 0 ? 30'000 : std::min<int64_t>(request.timeout_ms(), 300'000);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    Result<v1::Operation> op = deps_.store.GetOperation(request.id());
    if (!op.ok() || Finished(*op) || std::chrono::steady_clock::now() >= deadline) {
      return op;
    }
    // A server-side poll of the store: reconcilers write progress there.
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

Result<v1::ListEventsResponse> OperationApi::ListEvents(const v1::ListEventsRequest& request) {
  int64_t since = request.has_since() ? TimestampMs(request.since()) : 0;
  Result<std::vector<v1::Event>> events =
      deps_.store.ListEvents(request.resource(), since, PageSize(request.page_size()));
  CAIRN_RETURN_IF_ERROR(events.status());
  v1::ListEventsResponse out;
  for (v1::Event& e : *events) {
    *out.add_events() = std::move(e);
  }
  return out;
}

grpc::Status OperationGrpcService::GetOperation(grpc::ServerContext* c,
                                                const v1::GetOperationRequest* r,
                                                v1::Operation* out) {
  return Serve(auth_, c, out, [&] { return api_.GetOperation(*r); });
}
grpc::Status OperationGrpcService::ListOperations(grpc::ServerContext* c,
                                                  const v1::ListOperationsRequest* r,
                                                  v1::ListOperationsResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListOperations(*r); });
}
grpc::Status OperationGrpcService::WaitOperation(grpc::ServerContext* c,
                                                 const v1::WaitOperationRequest* r,
                                                 v1::Operation* out) {
  return Serve(auth_, c, out, [&] { return api_.WaitOperation(*r); });
}
grpc::Status EventGrpcService::ListEvents(grpc::ServerContext* c, const v1::ListEventsRequest* r,
                                          v1::ListEventsResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListEvents(*r); });
}

}  // namespace cairn::controlplane
