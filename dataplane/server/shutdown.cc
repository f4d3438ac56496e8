// Shutdown, as Redis 7.0's prepareForShutdown / finishShutdown: a node with replicas pauses
// writes and waits up to shutdown-timeout for them to acknowledge its offset before it saves and
// exits, so no acknowledged-to-the-client write is lost on a planned restart. Also SHUTDOWN ABORT
// and the shutdown-timeout / shutdown-on-sigterm / shutdown-on-sigint parameters.
#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/server/connection.h"
#include "dataplane/server/server.h"

namespace cairn::server {
namespace {

constexpr char kSigFlagsError[] =
    "argument(s) must be one of the following: default, save, nosave, now, force";

// "default" or space-separated save/nosave/now/force, as Redis's shutdown-on-sig* flags.
Status ParseShutdownFlags(std::string_view text, ShutdownFlags* out) {
  ShutdownFlags flags;
  bool is_default = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(' ', start), text.size());
    std::string word = AsciiLower(text.substr(start, end - start));
    bool* target = word == "save"     ? &flags.save
                   : word == "nosave" ? &flags.nosave
                   : word == "now"    ? &flags.now
                   : word == "force"  ? &flags.force
                                      : nullptr;
    if (word == "default") {
      is_default = true;
    } else if (target == nullptr) {
      return Status::InvalidArgument(kSigFlagsError);
    } else {
      *target = true;
    }
    start = end + 1;
  }
  if (flags.save && flags.nosave) {
    return Status::InvalidArgument("shutdown options SAVE and NOSAVE can't be used simultaneously");
  }
  (void)is_default;  // "default" adds nothing; it may appear beside other flags, as in Redis
  *out = flags;
  return Status::Ok();
}

std::string FormatShutdownFlags(const ShutdownFlags& f) {
  std::string out;
  for (auto [on, name] : {std::pair{f.save, "save"}, std::pair{f.nosave, "nosave"},
                          std::pair{f.now, "now"}, std::pair{f.force, "force"}}) {
    if (on) {
      out += out.empty() ? name : std::string(" ") + name;
    }
  }
  return out.empty() ? "default" : out;
}

Parameter SignalFlagsParam(std::string name, ShutdownFlags* target) {
  Parameter p;
  p.name = std::move(name);
  p.flags = Parameter::kMultiArg;
  p.get = [target] { return FormatShutdownFlags(*target); };
  p.set = [target](std::string_view v, bool) { return ParseShutdownFlags(v, target); };
  p.default_value = "default";
  return p;
}

}  // namespace

void Server::RegisterShutdownParameters() {
  parameters_.Add({.name = "shutdown-timeout",
                   .get = [this] { return std::to_string(shutdown_timeout_s_); },
                   .set = IntSetter(&shutdown_timeout_s_, 0, INT32_MAX)});
  parameters_.Add(SignalFlagsParam("shutdown-on-sigterm", &sigterm_flags_));
  parameters_.Add(SignalFlagsParam("shutdown-on-sigint", &sigint_flags_));
}

std::string Server::Shutdown(commands::Client* caller, ShutdownFlags flags) {
  if (shutdown_deadline_ms_ == 0 && !flags.now && shutdown_timeout_s_ > 0 &&
      !replication_->ReplicasAcked(replication_->offset())) {
    int64_t now = clock_.NowMs();
    // Writes are paused from here: later stream bytes (GETACK, PING) carry no data.
    shutdown_offset_ = replication_->offset();
    shutdown_deadline_ms_ = now + shutdown_timeout_s_ * 1000;
    shutdown_flags_ = flags;
    // Writes wait (as CLIENT PAUSE WRITE) so the offset the replicas must reach stays put.
    commands::PauseState& pause = state_->pause();
    pause_before_shutdown_ = pause;
    pause.writes_only = pause.active(now) ? pause.writes_only : true;
    pause.until_ms = INT64_MAX;
    replication_->RequestAcks();
    spdlog::info("Waiting for replicas before shutting down.");
  }
  if (shutdown_deadline_ms_ != 0) {
    if (caller != nullptr) {  // answered when the shutdown fails or is aborted
      caller->set_flag(commands::kClientBlocked);
      shutdown_callers_.push_back(caller->id());
    }
    return "";
  }
  spdlog::warn("User requested shutdown...");
  return FinishShutdown(flags) ? "" : kErrShutdownFailed;
}

bool Server::FinishShutdown(ShutdownFlags flags) {
  replication_->LogReplicasInSync(shutdown_deadline_ms_ != 0 ? shutdown_offset_
                                                             : replication_->offset());
  if (state_->loading) {
    flags.save = false;  // half a dataset must not replace the snapshot on disk
    flags.nosave = true;
  }
  aof_->FlushForShutdown();  // as Redis: the AOF is written and fsynced before the save
  if (!snapshots_->SaveForShutdown(flags.save, flags.nosave).ok() && !flags.force) {
    return false;
  }
  // The loop stops before its next before-sleep: send replicas what is queued for them now.
  for (auto& [fd, conn] : connections_) {
    if (conn->has_flag(commands::kClientReplica) && !conn->closed()) {
      conn->Flush();
    }
  }
  shutdown_requested_ = true;
  loop_.Stop();
  return true;
}

void Server::CheckShutdown() {
  if (shutdown_deadline_ms_ == 0) {
    return;
  }
  bool acked = replication_->ReplicasAcked(shutdown_offset_);
  if (!acked && clock_.NowMs() < shutdown_deadline_ms_) {
    return;
  }
  if (!acked) {
    spdlog::warn("Timed out after {} seconds waiting for replicas to acknowledge the offset",
                 shutdown_timeout_s_);
  }
  if (!FinishShutdown(shutdown_flags_)) {
    spdlog::warn("Errors trying to shut down the server. Check the logs for more information.");
    EndShutdownWait(kErrShutdownFailed);
  }
}

bool Server::AbortShutdown() {
  if (shutdown_deadline_ms_ == 0) {
    return false;
  }
  spdlog::info("Shutdown manually aborted.");
  EndShutdownWait(kErrShutdownFailed);
  return true;
}

void Server::EndShutdownWait(const std::string& error) {
  shutdown_deadline_ms_ = 0;
  int64_t now = clock_.NowMs();
  commands::PauseState& pause = state_->pause();
  pause = pause_before_shutdown_;
  if (!pause.active(now)) {
    // As CLIENT UNPAUSE: past but not 0, so the cron resumes the input held meanwhile.
    pause.until_ms = std::max<int64_t>(now, 1);
    pause.writes_only = false;
  }
  for (uint64_t id : shutdown_callers_) {
    if (commands::Client* c = state_->FindClient(id)) {
      c->clear_flag(commands::kClientBlocked);
      c->reply().Error(error);
      state_->MarkPendingWrite(c);
    }
  }
  shutdown_callers_.clear();
}

int64_t Server::shutdown_in_ms() const {
  return shutdown_deadline_ms_ == 0 ? -1
                                    : std::max<int64_t>(shutdown_deadline_ms_ - clock_.NowMs(), 0);
}

}  // namespace cairn::server
