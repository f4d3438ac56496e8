// SessionLink: stream lifecycle, heartbeats, task dispatch to workers.
#include "agent/link/session_link.h"

#include <chrono>
#include <random>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "agent/supervisor/backoff.h"

namespace cairn::agent {
namespace {

constexpr std::chrono::milliseconds kMaxReconnectDelay{5000};

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SessionLink::SessionLink(LinkOptions options, Supervisor& supervisor)
    : options_(std::move(options)), supervisor_(supervisor) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options_.credentials.ca_pem;
  ssl.pem_cert_chain = options_.credentials.cert_pem;
  ssl.pem_private_key = options_.credentials.key_pem;
  grpc::ChannelArguments args;
  // Notice a vanished control plane (no FIN) within ~15 s.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  channel_ = grpc::CreateCustomChannel(options_.control_plane, grpc::SslCredentials(ssl), args);
  for (int i = 0; i < options_.task_workers; ++i) {
    workers_.emplace_back([this] { Worker(); });
  }
  supervisor_.SetChangeListener([this] {
    std::lock_guard<std::mutex> lock(mu_);
    heartbeat_now_ = true;
    cv_.notify_all();
  });
}

SessionLink::~SessionLink() {
  supervisor_.SetChangeListener(nullptr);
  Stop();
  for (std::thread& t : workers_) {
    t.join();
  }
}

void SessionLink::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  if (current_ != nullptr) {
    current_->TryCancel();
  }
  cv_.notify_all();
}

void SessionLink::Run() {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int failures = 0;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        return;
      }
    }
    bool accepted = RunSession();
    failures = accepted ? 1 : failures + 1;
    std::chrono::milliseconds delay =
        std::min(RestartDelay(failures, unit(rng)), kMaxReconnectDelay);
    spdlog::info("control plane session ended, reconnecting in {} ms", delay.count());
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, delay, [this] { return stopping_; });
  }
}

v1::AgentMessage SessionLink::MakeHeartbeat() const {
  v1::AgentMessage message;
  v1::Heartbeat* heartbeat = message.mutable_heartbeat();
  *heartbeat->mutable_facts() = options_.facts;
  for (v1::NodeStatus& status : supervisor_.Statuses()) {
    *heartbeat->add_nodes() = std::move(status);
  }
  heartbeat->set_sent_at_ms(NowUnixMs());
  return message;
}

bool SessionLink::RunSession() {
  auto stub = v1::AgentService::NewStub(channel_);
  grpc::ClientContext context;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      return false;
    }
    current_ = &context;
  }
  std::unique_ptr<Stream> stream = stub->Session(&context);
  std::atomic<bool> broken{false};
  std::atomic<int64_t> interval_ms{0};  // 0 until SessionAccepted arrives
  bool accepted = false;
  if (stream->Write(MakeHeartbeat())) {
    std::thread reader([&] { ReadLoop(stream.get(), &broken, &interval_ms); });
    accepted = WriteLoop(stream.get(), broken, interval_ms);
    context.TryCancel();
    reader.join();
  }
  grpc::Status status = stream->Finish();
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = nullptr;
  }
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    spdlog::warn("control plane session failed code={} message=\"{}\"",
                 static_cast<int>(status.error_code()), status.error_message());
  }
  return accepted;
}

void SessionLink::ReadLoop(Stream* stream, std::atomic<bool>* broken,
                           std::atomic<int64_t>* interval_ms) {
  v1::ControlMessage message;
  while (stream->Read(&message)) {
    if (message.has_accepted()) {
      int64_t ms = message.accepted().heartbeat_interval_ms();
      interval_ms->store(ms > 0 ? ms : 1000);
      spdlog::info("control plane session accepted heartbeat_interval_ms={}", interval_ms->load());
    } else if (message.has_task()) {
      EnqueueTask(message.task());
    }
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
  broken->store(true);
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

bool SessionLink::WriteLoop(Stream* stream, const std::atomic<bool>& broken,
                            const std::atomic<int64_t>& interval_ms) {
  auto next_heartbeat = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_ && !broken.load()) {
    if (!results_.empty()) {
      v1::AgentMessage message;
      *message.mutable_task_result() = results_.front();
      lock.unlock();
      bool written = stream->Write(message);
      lock.lock();
      if (!written) {
        break;  // kept in results_ for the next Session
      }
      results_.pop_front();
      continue;
    }
    int64_t interval = interval_ms.load();
    auto now = std::chrono::steady_clock::now();
    if (interval > 0 && (now >= next_heartbeat || heartbeat_now_)) {
      heartbeat_now_ = false;
      lock.unlock();
      bool written = stream->Write(MakeHeartbeat());
      lock.lock();
      if (!written) {
        break;
      }
      next_heartbeat = now + std::chrono::milliseconds(interval);
      continue;
    }
    auto wake = interval > 0 ? next_heartbeat : now + std::chrono::milliseconds(100);
    cv_.wait_until(lock, wake);
  }
  return interval_ms.load() > 0;
}

void SessionLink::EnqueueTask(const v1::Task& task) {
  std::lock_guard<std::mutex> lock(mu_);
  // A task re-sent after a reconnect while it still runs is answered once, when it finishes.
  if (!in_flight_.insert(task.id()).second) {
    return;
  }
  tasks_.push_back(task);
  cv_.notify_all();
}

void SessionLink::Worker() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (stopping_) {
      return;
    }
    v1::Task task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    spdlog::info("task started task_id={} kind={}", task.id(), static_cast<int>(task.kind_case()));
    v1::TaskResult result = supervisor_.Execute(task);
    spdlog::info("task done task_id={} ok={} reason={}", task.id(), result.ok(), result.reason());
    lock.lock();
    in_flight_.erase(task.id());
    results_.push_back(std::move(result));
    cv_.notify_all();
  }
}

}  // namespace cairn::agent
