// Rendering of a running operation for --wait and `op wait`: one stderr line per change of a
// step's state or detail, and of the operation's own state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cairn/v1/operation.pb.h"

namespace cairn::controlplane::cli {

// "[ 40%] start demo-0001-002 ... SUCCEEDED", with " (detail)" appended when detail is not
// empty. `percent` is clamped to 0..100 and right-aligned in three columns.
std::string ProgressLine(int percent, std::string_view what, std::string_view state,
                         std::string_view detail);

// "operation op-7f3a failed: RESOURCE_EXHAUSTED CapacityUnavailable: no host has 1 GiB free";
// for CANCELLED, "operation op-7f3a was cancelled". Parts the server left empty are skipped.
std::string OperationFailureText(const v1::Operation& operation);

// True for SUCCEEDED, FAILED and CANCELLED.
bool IsTerminal(v1::OperationState state);

// Remembers the last snapshot of one operation and reports what changed in the next.
class ProgressRenderer {
 public:
  // Lines for everything new in `operation` since the previous call, in order: a first line
  // naming the operation ("operation op-1: CreateCluster clusters/demo"), then one line per step
  // that appeared or whose state or detail changed, then one line when the operation's state
  // changed. Returns no lines when nothing changed.
  std::vector<std::string> Update(const v1::Operation& operation);

 private:
  struct SeenStep {
    std::string name;
    v1::OperationState state;
    std::string detail;
  };
  bool started_ = false;
  v1::OperationState state_ = v1::OPERATION_STATE_UNSPECIFIED;
  std::vector<SeenStep> steps_;
};

}  // namespace cairn::controlplane::cli
