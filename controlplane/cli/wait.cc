// The wait loop of --wait and `op wait`.
#include "controlplane/cli/wait.h"

#include <thread>

#include "controlplane/cli/duration.h"
#include "controlplane/cli/progress.h"
#include "controlplane/cli/views.h"

namespace cairn::controlplane::cli {
namespace {

using Clock = std::chrono::steady_clock;

// One poll: WaitOperation for up to kWaitSliceMs, or GetOperation plus a pause when the server
// does not implement WaitOperation.
grpc::Status PollOnce(Session& session, const std::string& id, bool& use_wait,
                      v1::Operation& operation) {
  if (use_wait) {
    v1::WaitOperationRequest request;
    request.set_id(id);
    request.set_timeout_ms(kWaitSliceMs);
    grpc::Status status = session.operations().WaitOperation(
        session.NewContext(session.options().timeout + std::chrono::milliseconds(kWaitSliceMs))
            .get(),
        request, &operation);
    if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
      return status;
    }
    use_wait = false;
  }
  v1::GetOperationRequest request;
  request.set_id(id);
  grpc::Status status =
      session.operations().GetOperation(session.NewContext().get(), request, &operation);
  if (status.ok() && !IsTerminal(operation.state())) {
    // A poll period, not a wait for an event: the next poll re-reads the real state.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return status;
}

void PrintLines(Session& session, ProgressRenderer& renderer, const v1::Operation& operation) {
  for (const std::string& line : renderer.Update(operation)) {
    session.err() << line << "\n";
  }
  session.err().flush();
}

}  // namespace

WaitOutcome WaitForOperation(Session& session, const std::string& id, const v1::Operation* first) {
  WaitOutcome outcome;
  ProgressRenderer renderer;
  bool have_snapshot = first != nullptr;
  if (have_snapshot) {
    outcome.operation = *first;
    PrintLines(session, renderer, outcome.operation);
  }
  const Clock::time_point deadline = Clock::now() + session.options().wait_timeout;
  bool use_wait = true;
  while (!have_snapshot || !IsTerminal(outcome.operation.state())) {
    if (Clock::now() >= deadline) {
      outcome.timed_out = true;
      return outcome;
    }
    v1::Operation next;
    outcome.status = PollOnce(session, id, use_wait, next);
    if (!outcome.status.ok()) {
      return outcome;
    }
    outcome.operation = std::move(next);
    have_snapshot = true;
    PrintLines(session, renderer, outcome.operation);
  }
  return outcome;
}

int CheckWaitOutcome(Session& session, const WaitOutcome& outcome) {
  if (!outcome.status.ok()) {
    return session.Fail(outcome.status);
  }
  const v1::Operation& operation = outcome.operation;
  if (outcome.timed_out) {
    return session.Fail(
        kExitFailed, "gave up after " + FormatDuration(session.options().wait_timeout) +
                         " (--wait-timeout) waiting for operation " + operation.id() + ", still " +
                         StateName(operation.state()) + "; follow it with: cairnctl op wait " +
                         operation.id());
  }
  if (operation.state() != v1::OPERATION_STATE_SUCCEEDED) {
    return session.Fail(kExitFailed, OperationFailureText(operation));
  }
  return kExitOk;
}

int FinishMutation(Session& session, const v1::Operation& started, bool wait,
                   const std::function<int(const v1::Operation&)>& on_success) {
  if (!wait) {
    return session.Print(started, [&] { return OperationView(started); });
  }
  WaitOutcome outcome = WaitForOperation(session, started.id(), &started);
  int code = CheckWaitOutcome(session, outcome);
  if (code != kExitOk) {
    return code;
  }
  return on_success(outcome.operation);
}

}  // namespace cairn::controlplane::cli
