// EventLoop: epoll readiness dispatch plus a periodic cron, on the command thread. Handlers run
// one at a time. A handler removed during a batch is not called again in that batch; its owner
// must keep it alive until the batch ends (the server frees closed connections in before_sleep).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace cairn::server {

class FdHandler {
 public:
  virtual ~FdHandler() = default;
  // `events` is the epoll event mask (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP).
  virtual void OnEvent(uint32_t events) = 0;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epoll_fd_ >= 0; }
  // Watches `fd` (level-triggered). Returns false on failure (errno set).
  bool Add(int fd, uint32_t events, FdHandler* handler);
  bool Modify(int fd, uint32_t events);
  void Remove(int fd);

  // `cron` runs every `period_ms`; `before_sleep` runs before every wait (flushing replies).
  void SetCron(int period_ms, std::function<void()> cron);
  void SetBeforeSleep(std::function<void()> fn) { before_sleep_ = std::move(fn); }

  // Runs until Stop().
  void Run();
  // Waits up to `timeout_ms` (0: not at all) and runs the handlers of the ready fds once, with
  // neither cron nor before-sleep. For serving clients while a script is busy.
  void PollOnce(int timeout_ms);
  void Stop() { running_ = false; }

 private:
  // One epoll_wait and its handlers; false on an error other than EINTR.
  bool WaitAndDispatch(int timeout_ms);

  int epoll_fd_ = -1;
  bool running_ = false;
  std::vector<FdHandler*> handlers_;  // indexed by fd
  int cron_period_ms_ = 100;
  std::function<void()> cron_;
  std::function<void()> before_sleep_;
};

}  // namespace cairn::server
