// Replication, replica side: REPLICAOF, promotion (REPLICAOF NO ONE keeps the old history as
// replid2 for PSYNC2), the link to the primary (connect, handshake, transfer, retries) and the
// hand-over of its socket to the primary's client, and REPLCONF ACK.
#include <sys/epoll.h>

#include <spdlog/spdlog.h>

#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/server/connection.h"
#include "dataplane/server/replication.h"
#include "dataplane/server/server.h"

namespace cairn::server {
namespace {

constexpr int64_t kRetryMs = 1000;      // between sync attempts
constexpr int64_t kAckPeriodMs = 1000;  // REPLCONF ACK to the primary

class LinkHandler final : public FdHandler {
 public:
  explicit LinkHandler(Replication* r) : r_(r) {}
  void OnEvent(uint32_t events) override { r_->OnLinkEvent(events); }

 private:
  Replication* r_;
};

}  // namespace

// ----------------------------------------------------------------------------------

void Replication::BecomeReplica(std::string host, int port) {
  DropLink("");
  if (primary_client_id_ != 0) {
    if (commands::Client* c = server_.state().FindClient(primary_client_id_)) {
      server_.Close(static_cast<Connection*>(c));
    }
    primary_client_id_ = 0;
  }
  if (!is_replica()) {
    DisconnectReplicas();  // they resync with us, ideally partially
    primary_db_ = stream_db_ >= 0 ? stream_db_ : 0;
  }
  primary_host_ = std::move(host);
  primary_port_ = port;
  link_down_since_ms_ = server_.state().clock().NowMs();
  next_connect_ms_ = 0;
  server_.keyspace().set_expiry_deletes(false);
  ConnectToPrimary();
}

void Replication::BecomePrimary() {
  DropLink("");
  if (primary_client_id_ != 0) {
    if (commands::Client* c = server_.state().FindClient(primary_client_id_)) {
      server_.Close(static_cast<Connection*>(c));
    }
    primary_client_id_ = 0;
  }
  primary_host_.clear();
  primary_port_ = 0;
  // PSYNC2: keep serving partial syncs to replicas of the old history up to here.
  replid2_ = replid_;
  second_offset_ = offset_ + 1;
  replid_ = replication::NewReplicationId();
  EnsureBacklog();
  stream_db_ = -1;
  server_.keyspace().set_expiry_deletes(true);
  spdlog::info("MASTER MODE enabled (user request) replid={} replid2={} second_offset={}", replid_,
               replid2_, second_offset_);
}

void Replication::ReplicaOf(commands::CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.arg(1), "no") && EqualsIgnoreCase(ctx.arg(2), "one")) {
    if (is_replica()) {
      BecomePrimary();
    }
    ctx.reply().Ok();
    return;
  }
  std::optional<int64_t> port = ParseInt64(ctx.arg(2));
  if (!port || *port < 0 || *port > 65535) {
    ctx.reply().Error("ERR Invalid master port");
    return;
  }
  std::string host(ctx.arg(1));
  if (is_replica() && host == primary_host_ && *port == primary_port_) {
    ctx.reply().Simple("OK Already connected to specified master");
    return;
  }
  spdlog::info("REPLICAOF {}:{} enabled (user request from id={})", host, *port, ctx.client().id());
  BecomeReplica(host, static_cast<int>(*port));
  ctx.reply().Ok();
}

void Replication::DropLink(const std::string& why) {
  if (!link_) {
    return;
  }
  if (!why.empty()) {
    spdlog::warn("Replication link to {}:{}: {}", primary_host_, primary_port_, why);
  }
  bool failover_failed = !why.empty() && failover_ == FailoverState::kInProgress;
  if (link_->fd() >= 0) {
    server_.loop().Remove(link_->fd());
  }
  link_.reset();
  next_connect_ms_ = server_.state().clock().NowMs() + kRetryMs;
  if (failover_failed) {
    EndFailover("Failover target rejected psync request", /*aborted=*/true);
  }
}

void Replication::ConnectToPrimary() {
  replication::LinkConfig config;
  config.host = primary_host_;
  config.port = primary_port_;
  config.masterauth = masterauth;
  config.masteruser = masteruser;
  config.listening_port = server_.config().port;
  config.timeout_ms = repl_timeout_s * 1000;
  config.failover = failover_ == FailoverState::kInProgress;
  if (offset_ > 0 || backlog_) {
    config.psync_replid = replid_;
    config.psync_offset = offset_ + 1;
  }
  int64_t now = server_.state().clock().NowMs();
  link_ = std::make_unique<replication::ReplicaLink>(config);
  spdlog::info("Connecting to MASTER {}:{}", primary_host_, primary_port_);
  if (!link_->Start(now).ok()) {
    DropLink(link_->error());
    return;
  }
  if (!link_handler_) {
    link_handler_ = std::make_unique<LinkHandler>(this);
  }
  server_.loop().Add(link_->fd(), link_->events(), link_handler_.get());
}

void Replication::OnLinkEvent(uint32_t events) {
  if (!link_) {
    return;
  }
  replication::ReplicaLink::State before = link_->state();
  link_->OnEvent(events, server_.state().clock().NowMs());
  replication::ReplicaLink::State after = link_->state();
  if (after == replication::ReplicaLink::State::kFailed) {
    DropLink(link_->error());
  } else if (after == replication::ReplicaLink::State::kDone) {
    FinishSync();
  } else if (before != after) {
    server_.loop().Modify(link_->fd(), link_->events());
  }
}

void Replication::FinishSync() {
  if (link_->full_sync()) {
    spdlog::info("MASTER <-> REPLICA sync: loading {} bytes of RDB", link_->rdb().size());
    Status loaded = server_.snapshots().LoadFromMemory(link_->rdb(), /*replica=*/true);
    if (!loaded.ok()) {
      DropLink("Failed trying to load the MASTER synchronization DB: " +
               std::string(loaded.message()));
      return;
    }
    DisconnectReplicas();  // our dataset changed under them
    // The old AOF describes the old dataset: it restarts from a rewrite of this one.
    server_.aof().RestartAfterFullSync();
    const auto& aux = server_.snapshots().last_load().aux;
    auto db = aux.find("repl-stream-db");
    std::optional<int64_t> index = db != aux.end() ? ParseInt64(db->second) : std::nullopt;
    primary_db_ = index && *index >= 0 && *index < server_.keyspace().db_count()
                      ? static_cast<int>(*index)
                      : 0;
    replid_ = link_->replid();
    replid2_ = std::string(40, '0');
    second_offset_ = -1;
    offset_ = link_->offset();
    backlog_ = std::make_unique<replication::Backlog>(backlog_size, offset_);
  } else {
    if (link_->replid() != replid_) {
      replid2_ = replid_;
      second_offset_ = offset_ + 1;
      replid_ = link_->replid();
      DisconnectReplicas();  // they learn the new id by reconnecting
    }
    EnsureBacklog();
    spdlog::info("Successful partial resynchronization with master, offset={}", offset_ + 1);
  }
  server_.loop().Remove(link_->fd());
  std::string leftover = std::move(link_->leftover());
  int fd = link_->ReleaseFd();
  link_.reset();
  Connection* conn =
      server_.AdoptPrimaryConnection(fd, primary_host_ + ":" + std::to_string(primary_port_));
  primary_client_id_ = conn->id();
  conn->db_index = primary_db_;
  last_primary_io_ms_ = server_.state().clock().NowMs();
  stream_db_ = -1;
  SendAck();
  spdlog::info("MASTER <-> REPLICA sync: Finished with success");
  if (failover_ == FailoverState::kInProgress) {
    EndFailover("", /*aborted=*/false);
  }
  if (!leftover.empty()) {
    conn->Inject(leftover);
  }
}

void Replication::SendAck() {
  commands::Client* c = server_.state().FindClient(primary_client_id_);
  if (c == nullptr) {
    return;
  }
  std::string offset = std::to_string(offset_);
  c->reply().set_muted(false);
  c->reply().Raw(EncodeCommand({"REPLCONF", "ACK", offset}));
  c->reply().set_muted(true);
  server_.state().MarkPendingWrite(c);
  last_ack_sent_ms_ = server_.state().clock().NowMs();
}

void Replication::Start(const std::string& snapshot_replid, int64_t snapshot_offset) {
  if (configured_primary_host.empty()) {
    return;
  }
  if (snapshot_replid.size() == 40 && snapshot_offset >= 0) {
    replid_ = snapshot_replid;  // our snapshot's place in the primary's history
    offset_ = snapshot_offset;
    EnsureBacklog();
  }
  BecomeReplica(configured_primary_host, static_cast<int>(configured_primary_port));
}

void Replication::Cron() {
  int64_t now = server_.state().clock().NowMs();
  if (is_replica()) {
    if (link_) {
      link_->CheckTimeout(now);
      if (link_->state() == replication::ReplicaLink::State::kFailed) {
        DropLink(link_->error());
      }
    } else if (primary_client_id_ == 0 && now >= next_connect_ms_) {
      ConnectToPrimary();
    }
    if (primary_client_id_ != 0 && now - last_ack_sent_ms_ >= kAckPeriodMs) {
      SendAck();
    }
  }
  UpdateFailover(now);
  // No PINGs while a failover waits: the target must be able to acknowledge the whole stream.
  if (!replicas_.empty() && !is_replica() && failover_ == FailoverState::kNone &&
      now - last_ping_ms_ >= ping_period_s * 1000) {
    last_ping_ms_ = now;
    Feed(EncodeCommand({"PING"}));
  }
  CheckWaiters(now);
}

void Replication::BeforeSleep() {
  if (ack_requested_) {
    ack_requested_ = false;
    if (!replicas_.empty()) {
      Feed(EncodeCommand({"REPLCONF", "GETACK", "*"}));
    }
  }
}

}  // namespace cairn::server
