// FAILOVER: a coordinated switchover without data loss, as Redis 7.0 does it. The primary pauses
// writes, waits until a replica (the TO target, or any) has acknowledged its whole stream, then
// becomes that replica's replica with `PSYNC <replid> <offset> FAILOVER`, which tells the target
// to promote itself and continue partially. TIMEOUT aborts (or, with FORCE, hands over anyway);
// ABORT ends it early.
#include <spdlog/spdlog.h>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/server/replication.h"
#include "dataplane/server/server.h"

namespace cairn::server {

const char* Replication::FailoverStateName() const {
  switch (failover_) {
    case FailoverState::kWaitForSync:
      return "waiting-for-sync";
    case FailoverState::kInProgress:
      return "failover-in-progress";
    default:
      return "no-failover";
  }
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]
void Replication::Failover(commands::CommandContext& ctx) {
  std::string host;
  int64_t port = 0;
  int64_t timeout_ms = 0;
  bool force = false;
  bool abort = false;
  for (size_t j = 1; j < ctx.argc(); j++) {
    std::string_view a = ctx.arg(j);
    if (EqualsIgnoreCase(a, "to") && host.empty() && j + 2 < ctx.argc()) {
      std::optional<int64_t> p = ParseInt64(ctx.arg(j + 2));
      if (!p) {
        ctx.reply().Error(kErrNotInteger);
        return;
      }
      host = std::string(ctx.arg(j + 1));
      port = *p;
      j += 2;
    } else if (EqualsIgnoreCase(a, "timeout") && timeout_ms == 0 && j + 1 < ctx.argc()) {
      std::optional<int64_t> t = ParseInt64(ctx.arg(++j));
      if (!t) {
        ctx.reply().Error(kErrNotInteger);
        return;
      }
      if (*t <= 0) {
        ctx.reply().Error("ERR FAILOVER timeout must be greater than 0");
        return;
      }
      timeout_ms = *t;
    } else if (EqualsIgnoreCase(a, "force") && !force) {
      force = true;
    } else if (EqualsIgnoreCase(a, "abort") && !abort) {
      abort = true;
    } else {
      ctx.reply().Error(kErrSyntax);
      return;
    }
  }
  if (abort) {
    if (failover_ == FailoverState::kNone) {
      ctx.reply().Error("ERR No failover in progress.");
      return;
    }
    EndFailover("Failover manually aborted", /*aborted=*/true);
    ctx.reply().Ok();
    return;
  }
  if (force && (timeout_ms == 0 || host.empty())) {
    ctx.reply().Error(
        "ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
    return;
  }
  if (failover_ != FailoverState::kNone) {
    ctx.reply().Error("ERR FAILOVER already in progress.");
    return;
  }
  if (is_replica()) {
    ctx.reply().Error("ERR FAILOVER is not valid when server is a replica.");
    return;
  }
  bool any_online = false;
  const ReplicaInfo* target = nullptr;
  for (const auto& [id, info] : replicas_) {
    any_online = any_online || info.online;
    if (!host.empty() && info.ip == host && info.listening_port == port) {
      target = &info;
    }
  }
  if (!any_online) {
    ctx.reply().Error("ERR FAILOVER requires connected replicas.");
    return;
  }
  if (!host.empty() && target == nullptr) {
    ctx.reply().Error("ERR FAILOVER target HOST and PORT is not a replica.");
    return;
  }
  if (target != nullptr && !target->online) {
    ctx.reply().Error("ERR FAILOVER target replica is not online.");
    return;
  }
  spdlog::info("FAILOVER requested to {}",
               host.empty() ? "any replica" : host + ":" + std::to_string(port));
  failover_host_ = host;
  failover_port_ = static_cast<int>(port);
  failover_deadline_ms_ = timeout_ms > 0 ? ctx.now_ms() + timeout_ms : 0;
  failover_force_ = force;
  failover_ = FailoverState::kWaitForSync;
  commands::PauseState& pause = server_.state().pause();
  pause.until_ms = INT64_MAX;  // writes wait until the failover ends
  pause.writes_only = true;
  ack_requested_ = true;
  ctx.reply().Ok();
}

void Replication::UpdateFailover(int64_t now_ms) {
  if (failover_ != FailoverState::kWaitForSync) {
    return;
  }
  if (failover_deadline_ms_ != 0 && now_ms >= failover_deadline_ms_) {
    if (failover_force_) {
      StartHandover(failover_host_, failover_port_);
    } else {
      EndFailover("Replica never caught up before timeout", /*aborted=*/true);
    }
    return;
  }
  for (const auto& [id, info] : replicas_) {
    bool wanted = failover_host_.empty() ||
                  (info.ip == failover_host_ && info.listening_port == failover_port_);
    if (info.online && wanted && info.ack_offset == offset_) {
      StartHandover(info.ip, static_cast<int>(info.listening_port));
      return;
    }
  }
}

void Replication::StartHandover(std::string host, int port) {
  spdlog::info("Failover target {}:{} is synced, failing over", host, port);
  failover_ = FailoverState::kInProgress;
  BecomeReplica(std::move(host), port);  // the link's PSYNC carries FAILOVER
}

void Replication::EndFailover(const std::string& why, bool aborted) {
  if (aborted) {
    spdlog::warn("FAILOVER aborted: {}", why);
  } else {
    spdlog::info("FAILOVER to {}:{} succeeded", primary_host_, primary_port_);
  }
  bool handing_over = failover_ == FailoverState::kInProgress;
  failover_ = FailoverState::kNone;
  failover_host_.clear();
  if (aborted && handing_over && is_replica()) {
    BecomePrimary();  // the target refused: stay the primary
  }
  commands::PauseState& pause = server_.state().pause();
  if (pause.until_ms == INT64_MAX) {
    pause.until_ms = 1;  // ended: the cron resumes the clients that waited
  }
}

}  // namespace cairn::server
