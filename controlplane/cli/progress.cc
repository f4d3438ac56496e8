// Progress lines of a running operation.
#include "controlplane/cli/progress.h"

#include <algorithm>
#include <cstdio>

#include "controlplane/cli/views.h"

namespace cairn::controlplane::cli {

std::string ProgressLine(int percent, std::string_view what, std::string_view state,
                         std::string_view detail) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "[%3d%%] ", std::clamp(percent, 0, 100));
  std::string line = prefix;
  line += what;
  line += " ... ";
  line += state.empty() ? "PENDING" : state;
  if (!detail.empty()) {
    line += " (";
    line += detail;
    line += ")";
  }
  return line;
}

std::string OperationFailureText(const v1::Operation& operation) {
  if (operation.state() == v1::OPERATION_STATE_CANCELLED) {
    return "operation " + operation.id() + " was cancelled";
  }
  const v1::OperationError& error = operation.error();
  std::string cause = error.code();
  if (!error.reason().empty()) {
    cause += (cause.empty() ? "" : " ") + error.reason();
  }
  if (!error.message().empty()) {
    cause += (cause.empty() ? "" : ": ") + error.message();
  }
  if (cause.empty()) {
    cause = "no error details given";
  }
  return "operation " + operation.id() + " failed: " + cause;
}

bool IsTerminal(v1::OperationState state) {
  return state == v1::OPERATION_STATE_SUCCEEDED || state == v1::OPERATION_STATE_FAILED ||
         state == v1::OPERATION_STATE_CANCELLED;
}

std::vector<std::string> ProgressRenderer::Update(const v1::Operation& operation) {
  std::vector<std::string> lines;
  int percent = operation.progress_percent();
  if (!started_) {
    started_ = true;
    lines.push_back("operation " + operation.id() + ": " + operation.type() + " " +
                    operation.resource());
  }
  for (int i = 0; i < operation.steps_size(); ++i) {
    const v1::OperationStep& step = operation.steps(i);
    size_t index = static_cast<size_t>(i);
    bool is_new = index >= steps_.size() || steps_[index].name != step.name();
    if (!is_new && steps_[index].state == step.state() && steps_[index].detail == step.detail()) {
      continue;
    }
    lines.push_back(ProgressLine(percent, step.name(), StateName(step.state()), step.detail()));
    SeenStep seen{step.name(), step.state(), step.detail()};
    if (index < steps_.size()) {
      steps_[index] = std::move(seen);
    } else {
      steps_.push_back(std::move(seen));
    }
  }
  if (operation.state() != state_) {
    state_ = operation.state();
    lines.push_back(ProgressLine(percent, "operation", StateName(operation.state()), ""));
  }
  return lines;
}

}  // namespace cairn::controlplane::cli
