// Restart backoff and exit descriptions.
#include "agent/supervisor/backoff.h"

#include <sys/wait.h>

#include <algorithm>

namespace cairn::agent {

std::chrono::milliseconds RestartDelay(int crash_streak, double jitter_unit) {
  int doublings = std::clamp(crash_streak, 1, 32) - 1;
  int64_t delay = kRestartBaseDelay.count();
  for (int i = 0; i < doublings && delay < kRestartMaxDelay.count(); ++i) {
    delay *= 2;
  }
  delay = std::min<int64_t>(delay, kRestartMaxDelay.count());
  double jitter = 0.8 + 0.4 * std::clamp(jitter_unit, 0.0, 0.999999);
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(delay) * jitter));
}

std::string DescribeExit(int wait_status) {
  if (wait_status < 0) {
    return "exited";
  }
  if (WIFEXITED(wait_status)) {
    return "exited " + std::to_string(WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    return "exited " + std::to_string(128 + WTERMSIG(wait_status));
  }
  return "exited";
}

std::string FormatDelay(std::chrono::milliseconds delay) {
  if (delay < std::chrono::milliseconds(1000)) {
    return std::to_string(delay.count()) + "ms";
  }
  return std::to_string((delay.count() + 500) / 1000) + "s";
}

}  // namespace cairn::agent
