// AgentHub: Join (certificate issue) and Session streams (heartbeats in, tasks out).
#include "controlplane/agents/agent_hub.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <spdlog/spdlog.h>

#include "controlplane/model/names.h"

namespace cairn::controlplane {

using agent::v1::AgentMessage;
using agent::v1::ControlMessage;
using Stream = grpc::ServerReaderWriter<ControlMessage, AgentMessage>;

namespace {

grpc::Status RefusalToGrpc(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::string(status.message()));
    default:
      // Codes share gRPC's numbering (status.h), including any added later.
      return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                          std::string(status.message()));
  }
}

// The common name of the verified client certificate, or empty when there is none.
std::string PeerHostId(const grpc::ServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) {
    return "";
  }
  std::vector<grpc::string_ref> names = auth->FindPropertyValues("x509_common_name");
  if (names.empty()) {
    return "";
  }
  return std::string(names[0].data(), names[0].size());
}

}  // namespace

struct AgentHub::Session {
  std::string host_id;
  grpc::ServerContext* context = nullptr;
  // Guarded by AgentHub::mu_.
  std::deque<agent::v1::Task> outbox;
  bool closed = false;
  std::condition_variable cv;
};

class AgentHub::Service final : public agent::v1::AgentService::Service {
 public:
  explicit Service(AgentHub& hub) : hub_(hub) {}
  grpc::Status Join(grpc::ServerContext*, const agent::v1::JoinRequest* request,
                    agent::v1::JoinResponse* response) override {
    return hub_.HandleJoin(*request, response);
  }
  grpc::Status Session(grpc::ServerContext* context, Stream* stream) override {
    return hub_.HandleSession(context, stream);
  }

 private:
  AgentHub& hub_;
};

AgentHub::AgentHub(CertificateAuthority& ca, AgentHubCallbacks callbacks)
    : ca_(ca), callbacks_(std::move(callbacks)), service_(std::make_unique<Service>(*this)) {}

AgentHub::~AgentHub() {
  Stop();
}

Result<std::string> AgentHub::Start(const std::string& addr,
                                    const std::vector<std::string>& server_sans) {
  if (server_) {
    return Status::FailedPrecondition("agent hub already started");
  }
  std::vector<std::string> sans = server_sans;
  if (sans.empty()) {
    sans = {"localhost", "127.0.0.1"};
  }
  Result<CertificateAuthority::KeyPair> pair = ca_.IssueServerCertificate("cairn-agent-hub", sans);
  if (!pair.ok()) {
    return pair.status();
  }
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ca_.ca_certificate_pem();
  options.pem_key_cert_pairs.push_back(
      {pair->private_key_pem, pair->certificate_pem + ca_.ca_certificate_pem()});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(addr, grpc::SslServerCredentials(options), &port);
  builder.RegisterService(service_.get());
  // Detect agents that vanished without closing their stream (power loss, partition).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    server_.reset();
    return Status::Unavailable("agent hub: cannot listen on " + addr);
  }
  std::string host = addr.substr(0, addr.rfind(':'));
  std::string bound = host + ":" + std::to_string(port);
  spdlog::info("agent hub listening addr={}", bound);
  return bound;
}

void AgentHub::Stop() {
  if (!server_) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [host, session] : sessions_) {
      session->closed = true;
      session->cv.notify_all();
      session->context->TryCancel();
    }
  }
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  server_.reset();
}

bool AgentHub::IsConnected(const std::string& host_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.count(host_id) > 0;
}

void AgentHub::SendTask(const std::string& host_id, agent::v1::Task task) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<agent::v1::Task>& queue = pending_[host_id];
  bool replaced = false;
  for (agent::v1::Task& queued : queue) {
    if (queued.id() == task.id()) {
      queued = task;
      replaced = true;
    }
  }
  if (!replaced) {
    queue.push_back(task);
  }
  auto it = sessions_.find(host_id);
  if (it != sessions_.end()) {
    it->second->outbox.push_back(std::move(task));
    it->second->cv.notify_all();
  }
}

size_t AgentHub::PendingTaskCountForTest(const std::string& host_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(host_id);
  return it == pending_.end() ? 0 : it->second.size();
}

grpc::Status AgentHub::HandleJoin(const agent::v1::JoinRequest& request,
                                  agent::v1::JoinResponse* response) {
  Result<JoinTokenParts> token = ParseJoinToken(request.join_token());
  if (!token.ok()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(token.status().message()));
  }
  if (token->ca_fingerprint_hex != ca_.ca_fingerprint_sha256_hex()) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "join token was issued by another control plane (CA fingerprint differs)");
  }
  if (Status valid = ValidateName("host_id", request.host_id()); !valid.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(valid.message()));
  }
  if (callbacks_.consume_join_token) {
    Status consumed = callbacks_.consume_join_token(token->id, token->secret, request.host_id());
    if (!consumed.ok()) {
      spdlog::warn("agent join refused host_id={} token_id={} reason={}", request.host_id(),
                   token->id, consumed.message());
      return RefusalToGrpc(consumed);
    }
  } else {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "joining is not enabled");
  }
  Result<std::string> cert = ca_.SignAgentCsr(request.csr_pem(), request.host_id());
  if (!cert.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(cert.status().message()));
  }
  spdlog::info("agent joined host_id={} token_id={}", request.host_id(), token->id);
  response->set_certificate_pem(*cert);
  response->set_ca_certificate_pem(ca_.ca_certificate_pem());
  return grpc::Status::OK;
}

std::shared_ptr<AgentHub::Session> AgentHub::OpenSession(const std::string& host_id,
                                                         grpc::ServerContext* context) {
  auto session = std::make_shared<Session>();
  session->host_id = host_id;
  session->context = context;
  std::lock_guard<std::mutex> lock(mu_);
  auto old = sessions_.find(host_id);
  if (old != sessions_.end()) {
    // A reconnecting agent replaces its old stream, which may not have noticed the break yet.
    old->second->closed = true;
    old->second->cv.notify_all();
    old->second->context->TryCancel();
  }
  sessions_[host_id] = session;
  auto pending = pending_.find(host_id);
  if (pending != pending_.end()) {
    session->outbox.assign(pending->second.begin(), pending->second.end());
  }
  return session;
}

void AgentHub::CloseSession(const std::shared_ptr<Session>& session) {
  bool current = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    session->closed = true;
    session->cv.notify_all();
    auto it = sessions_.find(session->host_id);
    if (it != sessions_.end() && it->second == session) {
      sessions_.erase(it);
      current = true;
    }
  }
  if (current && callbacks_.on_disconnect) {
    callbacks_.on_disconnect(session->host_id);
  }
}

void AgentHub::TaskAnswered(const std::string& host_id, const std::string& task_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(host_id);
  if (it == pending_.end()) {
    return;
  }
  std::erase_if(it->second, [&](const agent::v1::Task& t) { return t.id() == task_id; });
  if (it->second.empty()) {
    pending_.erase(it);
  }
}

grpc::Status AgentHub::ReadLoop(Session& session, Stream* stream) {
  AgentMessage message;
  while (stream->Read(&message)) {
    if (message.has_heartbeat()) {
      const std::string& claimed = message.heartbeat().facts().host_id();
      if (!claimed.empty() && claimed != session.host_id) {
        spdlog::warn("agent session refused: certificate host_id={} heartbeat claims host_id={}",
                     session.host_id, claimed);
        return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                            "heartbeat host_id differs from the certificate's common name");
      }
      if (callbacks_.on_heartbeat) {
        callbacks_.on_heartbeat(session.host_id, message.heartbeat());
      }
    } else if (message.has_task_result()) {
      if (callbacks_.on_task_result) {
        callbacks_.on_task_result(session.host_id, message.task_result());
      }
      TaskAnswered(session.host_id, message.task_result().task_id());
    }
  }
  return grpc::Status::OK;
}

grpc::Status AgentHub::HandleSession(grpc::ServerContext* context, Stream* stream) {
  std::string host_id = PeerHostId(*context);
  if (host_id.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "Session needs the client certificate issued at Join");
  }
  ControlMessage accepted;
  accepted.mutable_accepted()->set_heartbeat_interval_ms(kHeartbeatIntervalMs);
  if (!stream->Write(accepted)) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream closed");
  }
  std::shared_ptr<Session> session = OpenSession(host_id, context);
  spdlog::info("agent session opened host_id={} peer={}", host_id, context->peer());
  // Writes happen on their own thread so a slow agent never blocks SendTask or the reads.
  std::thread writer([this, session, stream] {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      session->cv.wait(lock, [&] { return session->closed || !session->outbox.empty(); });
      if (session->closed) {
        return;
      }
      ControlMessage out;
      *out.mutable_task() = std::move(session->outbox.front());
      session->outbox.pop_front();
      lock.unlock();
      bool written = stream->Write(out);
      lock.lock();
      if (!written) {
        return;
      }
    }
  });
  grpc::Status status = ReadLoop(*session, stream);
  CloseSession(session);
  writer.join();
  spdlog::info("agent session closed host_id={}", host_id);
  return status;
}

}  // namespace cairn::controlplane
