// Following an operation to its end (--wait, `op wait`): WaitOperation in short slices so every
// change is printed to stderr as it happens.
#pragma once

#include <functional>
#include <string>

#include "cairn/v1/operation.pb.h"
#include "controlplane/cli/session.h"

namespace cairn::controlplane::cli {

// How long one WaitOperation call blocks on the server, ms. Short, so progress shows promptly.
inline constexpr int64_t kWaitSliceMs = 500;

struct WaitOutcome {
  // Not OK when an RPC failed (the operation's own failure is in `operation.state()`).
  grpc::Status status;
  // --wait-timeout passed before the operation ended.
  bool timed_out = false;
  // The last snapshot seen.
  v1::Operation operation;
};

// Follows operation `id` until it is SUCCEEDED, FAILED or CANCELLED, writing ProgressRenderer
// lines to session.err(). `first` is the snapshot already in hand (the mutation's response), or
// nullptr. Falls back to GetOperation polling when the server lacks WaitOperation.
WaitOutcome WaitForOperation(Session& session, const std::string& id, const v1::Operation* first);

// kExitOk when the operation SUCCEEDED. Otherwise writes "error: ..." to session.err() (the RPC
// error, the timeout, or the operation's error code, reason and message) and returns the exit
// code: the RPC's (ExitCodeForStatus), or kExitFailed for a timeout, FAILED or CANCELLED.
int CheckWaitOutcome(Session& session, const WaitOutcome& outcome);

// The end of every mutating command. Without `wait`, prints `started` (the operation) and
// returns 0. With `wait`, follows it: an RPC error or timeout prints "error: ..." and returns its
// exit code; FAILED or CANCELLED prints the operation's error and returns kExitFailed; SUCCEEDED
// returns `on_success(final operation)` (which prints the resulting resource).
int FinishMutation(Session& session, const v1::Operation& started, bool wait,
                   const std::function<int(const v1::Operation&)>& on_success);

}  // namespace cairn::controlplane::cli
