// Restart backoff for crashed nodes: exponential with jitter (STYLE.md §5).
#pragma once

#include <chrono>
#include <string>

namespace cairn::agent {

inline constexpr std::chrono::milliseconds kRestartBaseDelay{500};
inline constexpr std::chrono::milliseconds kRestartMaxDelay{30000};
// A node that ran this long since its last start has its crash streak forgiven.
inline constexpr std::chrono::milliseconds kStableRunTime{60000};

// Delay before restarting a node after its `crash_streak`-th consecutive crash (1-based): 500 ms
// doubled per further crash, capped at 30 s, then scaled by 0.8 + 0.4 * `jitter_unit` so nodes
// that crashed together do not restart in lockstep. `jitter_unit` in [0, 1); values outside are
// clamped. crash_streak < 1 counts as 1.
std::chrono::milliseconds RestartDelay(int crash_streak, double jitter_unit);

// "exited 1" for an exit code, "exited 137" for a signal (128 + signal, as shells print it),
// from a waitpid status; "exited" when unknown (status < 0: a process we did not start).
std::string DescribeExit(int wait_status);

// "500ms", "8s" (whole seconds, rounded) for restart reasons ("exited 137, retry in 8s").
std::string FormatDelay(std::chrono::milliseconds delay);

}  // namespace cairn::agent
