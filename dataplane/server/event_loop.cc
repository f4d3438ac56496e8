// epoll-based event loop.
#include "dataplane/server/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace cairn::server {
namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t NowMs() {
  return NowUs() / 1000;
}

}  // namespace

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) {
    close(epoll_fd_);
  }
}

void EventLoop::SetCron(int period_ms, std::function<void()> cron) {
  cron_period_ms_ = std::max(period_ms, 1);
  cron_ = std::move(cron);
}

bool EventLoop::Add(int fd, uint32_t events, FdHandler* handler) {
  struct epoll_event ev {};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return false;
  }
  if (handlers_.size() <= static_cast<size_t>(fd)) {
    handlers_.resize(static_cast<size_t>(fd) + 1, nullptr);
  }
  handlers_[static_cast<size_t>(fd)] = handler;
  return true;
}

bool EventLoop::Modify(int fd, uint32_t events) {
  struct epoll_event ev {};
  ev.events = events;
  ev.data.fd = fd;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::Remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  if (static_cast<size_t>(fd) < handlers_.size()) {
    handlers_[static_cast<size_t>(fd)] = nullptr;
  }
}

bool EventLoop::WaitAndDispatch(int timeout_ms) {
  constexpr int kMaxEvents = 1024;
  struct epoll_event events[kMaxEvents];
  int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
  if (n < 0) {
    last_ready_ = 0;
    return errno == EINTR;
  }
  last_ready_ = n;
  for (int i = 0; i < n; i++) {
    auto fd = static_cast<size_t>(events[i].data.fd);
    FdHandler* handler = fd < handlers_.size() ? handlers_[fd] : nullptr;
    if (handler != nullptr) {
      handler->OnEvent(events[i].events);
    }
  }
  return true;
}

void EventLoop::PollOnce(int timeout_ms) {
  WaitAndDispatch(timeout_ms);
}

void EventLoop::Run() {
  running_ = true;
  int64_t next_cron = NowMs() + cron_period_ms_;
  int64_t poll_until_us = 0;  // busy-poll window: epoll_wait does not sleep before this time
  while (running_) {
    if (before_sleep_) {
      before_sleep_();
    }
    int64_t now = NowMs();
    int timeout = static_cast<int>(std::max<int64_t>(0, next_cron - now));
    if (busy_poll_us_ > 0 && timeout > 0) {
      int64_t now_us = NowUs();
      if (last_ready_ > 0) {
        poll_until_us = now_us + busy_poll_us_;  // activity: keep polling a while longer
      }
      if (now_us < poll_until_us) {
        timeout = 0;
      }
    }
    if (!WaitAndDispatch(timeout)) {
      break;
    }
    now = NowMs();
    if (now >= next_cron) {
      if (cron_) {
        cron_();
      }
      next_cron = now + cron_period_ms_;
    }
  }
}

}  // namespace cairn::server
