// The agent's Session with the control plane: one mTLS bidi stream carrying heartbeats (host
// facts + every node's status, each interval and at once when the supervisor reports a change)
// and task results up, and tasks down. Reconnects with
// backoff; tasks run on worker threads, never on the stream's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/link/credentials.h"
#include "agent/supervisor/supervisor.h"
#include "cairn/agent/v1/agent.grpc.pb.h"

namespace cairn::agent {

struct LinkOptions {
  std::string control_plane;  // "host:port" of the AgentHub
  AgentCredentials credentials;
  v1::HostFacts facts;  // sent in every heartbeat
  int task_workers = 4;
};

// Thread-safe. Run() blocks on the calling thread until Stop().
class SessionLink {
 public:
  SessionLink(LinkOptions options, Supervisor& supervisor);
  ~SessionLink();

  // Keeps a Session open until Stop(): after a broken stream, waits 0.5 s doubling to 5 s (with
  // jitter; reset once a session was accepted) and reconnects. Unacknowledged task results are
  // kept and sent on the next Session.
  void Run();
  // Ends Run() and the worker threads. Safe from any thread, idempotent.
  void Stop();

 private:
  using Stream = grpc::ClientReaderWriter<v1::AgentMessage, v1::ControlMessage>;
  // One stream; returns true when the control plane accepted it.
  bool RunSession();
  void ReadLoop(Stream* stream, std::atomic<bool>* broken, std::atomic<int64_t>* interval_ms);
  bool WriteLoop(Stream* stream, const std::atomic<bool>& broken,
                 const std::atomic<int64_t>& interval_ms);
  v1::AgentMessage MakeHeartbeat() const;
  void EnqueueTask(const v1::Task& task);
  void Worker();

  const LinkOptions options_;
  Supervisor& supervisor_;
  std::shared_ptr<grpc::Channel> channel_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool heartbeat_now_ = false;              // the supervisor saw a change: send one at once
  grpc::ClientContext* current_ = nullptr;  // the open stream's context
  std::deque<v1::Task> tasks_;              // waiting for a worker
  std::set<std::string> in_flight_;         // task ids queued or running
  std::deque<v1::TaskResult> results_;      // waiting to be written
  std::vector<std::thread> workers_;
};

}  // namespace cairn::agent
