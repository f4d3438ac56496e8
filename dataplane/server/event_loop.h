// EventLoop: epoll readiness dispatch plus a periodic cron, on the command thread. Handlers run
// one at a time. A handler removed during a batch is not called again in that batch; its owner
// must keep it alive until the batch ends (the server frees closed connections in before_sleep).
#pragma once

#include <algorithm>
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

  // Busy polling: for `us` microseconds after a wait that returned ready fds, Run() polls epoll
  // without sleeping, so a request arriving meanwhile is read without the wake-up of a sleeping
  // thread (about 50-80 us on loopback). Costs up to `us` of CPU per burst of activity; an idle
  // loop sleeps as before. 0 turns it off. Set from the busy-poll-us parameter.
  static constexpr int64_t kDefaultBusyPollUs = 50;
  void SetBusyPoll(int64_t us) { busy_poll_us_ = std::max<int64_t>(us, 0); }
  int64_t busy_poll_us() const { return busy_poll_us_; }

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
  int last_ready_ = 0;  // fds the last epoll_wait returned
  int64_t busy_poll_us_ = kDefaultBusyPollUs;
  bool running_ = false;
  std::vector<FdHandler*> handlers_;  // indexed by fd
  int cron_period_ms_ = 100;
  std::function<void()> cron_;
  std::function<void()> before_sleep_;
};

}  // namespace cairn::server
