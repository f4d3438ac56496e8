// The control plane's end of the agent protocol (api/cairn/agent/v1/agent.proto): serves Join
// and Session on a dedicated gRPC port with TLS, keeps one Session per host, and delivers tasks
// until their results arrive (ARCHITECTURE.md §5).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/agent/v1/agent.grpc.pb.h"
#include "controlplane/agents/certificate_authority.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane {

// Heartbeat interval the hub asks agents for (SessionAccepted.heartbeat_interval_ms).
inline constexpr int64_t kHeartbeatIntervalMs = 1000;

// What the hub tells its owner. Every callback runs on a gRPC server thread (one per Session
// stream; Join on any), possibly concurrently for different hosts, never concurrently for one
// host's Session; callbacks must not block for long and must not call AgentHub::Stop.
struct AgentHubCallbacks {
  // Validates and consumes a one-time join token. Returns an error Status to refuse the Join:
  // its code is sent to the agent (NotFound, InvalidArgument, FailedPrecondition and
  // AlreadyExists become PERMISSION_DENIED; other codes are passed through). Never gets the
  // token's CA fingerprint (the hub checks it).
  std::function<Status(std::string_view token_id, std::string_view secret,
                       std::string_view host_id)>
      consume_join_token;
  // Every Heartbeat of an authenticated Session (the first one carries fresh facts).
  std::function<void(const std::string& host_id, const agent::v1::Heartbeat&)> on_heartbeat;
  // A task's result; the task is forgotten (not re-sent) once this has returned.
  std::function<void(const std::string& host_id, const agent::v1::TaskResult&)> on_task_result;
  // The host's Session ended (stream broken, agent gone, or replaced by a newer Session: then it
  // is not called for the old one).
  std::function<void(const std::string& host_id)> on_disconnect;
};

// Serves AgentService. Join needs no client certificate (the agent pins our CA by the fingerprint
// in its token); Session needs a client certificate signed by our CA and takes the host id from
// its common name. Thread-safe.
class AgentHub {
 public:
  AgentHub(CertificateAuthority& ca, AgentHubCallbacks callbacks);
  ~AgentHub();  // Stops.
  AgentHub(const AgentHub&) = delete;
  AgentHub& operator=(const AgentHub&) = delete;

  // Listens on `addr` ("127.0.0.1:50052"; port 0 picks a free one) with a server certificate
  // issued by the CA for `server_sans` (the names/IPs agents dial; empty = "localhost",
  // "127.0.0.1"). Returns the bound "host:port". FailedPrecondition when already started,
  // Unavailable when the address cannot be bound, InvalidArgument for a bad SAN.
  Result<std::string> Start(const std::string& addr, const std::vector<std::string>& server_sans);
  // Ends every Session (agents reconnect later) and stops listening. Idempotent.
  void Stop();

  // True while `host_id` has an open Session.
  bool IsConnected(const std::string& host_id) const;
  // Queues `task` for the host (a queued task with the same id is replaced): written at once on
  // an open Session, else when the host's next Session opens; re-sent on every new Session until
  // on_task_result has been delivered for its id.
  void SendTask(const std::string& host_id, agent::v1::Task task);
  // Number of tasks queued for the host and not yet answered (for tests and metrics).
  size_t PendingTaskCountForTest(const std::string& host_id) const;

 private:
  class Service;
  struct Session;

  // Called by the service.
  grpc::Status HandleJoin(const agent::v1::JoinRequest& request, agent::v1::JoinResponse* response);
  grpc::Status HandleSession(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<agent::v1::ControlMessage, agent::v1::AgentMessage>* stream);
  std::shared_ptr<Session> OpenSession(const std::string& host_id, grpc::ServerContext* context);
  void CloseSession(const std::shared_ptr<Session>& session);
  grpc::Status ReadLoop(
      Session& session,
      grpc::ServerReaderWriter<agent::v1::ControlMessage, agent::v1::AgentMessage>* stream);
  void TaskAnswered(const std::string& host_id, const std::string& task_id);

  CertificateAuthority& ca_;
  AgentHubCallbacks callbacks_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;

  mutable std::mutex mu_;
  // host id -> tasks not yet answered, in queueing order.
  std::map<std::string, std::vector<agent::v1::Task>> pending_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
};

}  // namespace cairn::controlplane
