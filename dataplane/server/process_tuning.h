// Settings Redis applies to its own process: oom-score-adj / oom-score-adj-values (the kernel's
// OOM-killer preference, per process class) and disable-thp (transparent huge pages off, which
// keep fork copy-on-write and latency small).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "dataplane/base/status.h"

namespace cairn::server {

// Process classes of oom-score-adj-values, in its order.
enum class OomClass { kPrimary = 0, kReplica = 1, kBackgroundChild = 2 };

// oom-score-adj: `no` leaves the score alone; `relative` (alias `yes`) adds the class's value to
// the score the process had when cairn first changed it; `absolute` writes the value as is.
// Results are clamped to the kernel's -1000..1000.
enum class OomScoreAdjMode { kNo, kRelative, kAbsolute };

struct OomScoreAdj {
  OomScoreAdjMode mode = OomScoreAdjMode::kNo;
  std::array<int, 3> values = {0, 200, 800};  // primary, replica, background child
};

// "no" | "yes" | "relative" | "absolute" (case-insensitive), as CONFIG GET prints them ("yes"
// for relative).
Status ParseOomScoreAdjMode(std::string_view text, OomScoreAdjMode* out);
std::string FormatOomScoreAdjMode(OomScoreAdjMode mode);
// Three integers in -2000..2000 separated by single spaces; Redis's error texts ("wrong number
// of arguments", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.").
Status ParseOomScoreAdjValues(std::string_view text, std::array<int, 3>* out);
std::string FormatOomScoreAdjValues(const std::array<int, 3>& values);

// Writes /proc/self/oom_score_adj for `cls` under `config`, as Redis's setOOMScoreAdj: the first
// change saves the process's own score, and mode `no` after a change restores it. Errors carry
// the errno text. Also remembers `config` for ApplyOomScoreAdjInForkChild.
Status ApplyOomScoreAdj(const OomScoreAdj& config, OomClass cls);
// Registers (once) a fork handler that moves every forked child (background saves and
// rewrites) to the background-child class of the last applied config.
void InstallOomScoreAdjForkHandler();

// prctl(PR_SET_THP_DISABLE): this process and its children get no transparent huge pages.
// Returns false (errno set) when the kernel refused.
bool DisableTransparentHugePages();

}  // namespace cairn::server
