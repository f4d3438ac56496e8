// Replication glue: propagation into the backlog and replica connections, the primary side of
// PSYNC (full sync from an in-memory snapshot, or +CONTINUE from the backlog), the replica side
// (the link's handshake and transfer, then the primary's stream as a client), WAIT and the
// REPLICAOF/ROLE/INFO views. Texts follow Redis 7.0's replication.c.
#include "dataplane/server/replication.h"

#include <sys/epoll.h>

#include <spdlog/spdlog.h>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/persistence/aof_stream.h"
#include "dataplane/persistence/snapshot.h"
#include "dataplane/server/connection.h"
#include "dataplane/server/server.h"

namespace cairn::server {
std::string EncodeCommand(const std::vector<std::string_view>& args) {
  return persistence::EncodeRespCommand(args);
}

namespace {

void Field(std::string& out, const std::string& name, const std::string& value) {
  out += name + ":" + value + "\r\n";
}

void Field(std::string& out, const std::string& name, int64_t value) {
  Field(out, name, std::to_string(value));
}

}  // namespace

Replication::Replication(Server& server)
    : server_(server), replid_(replication::NewReplicationId()), replid2_(40, '0') {}

Replication::~Replication() = default;

// Propagation -----------------------------------------------------------------------------------

void Replication::EnsureBacklog() {
  if (!backlog_) {
    backlog_ = std::make_unique<replication::Backlog>(backlog_size, offset_);
  }
}

void Replication::Feed(std::string_view bytes) {
  EnsureBacklog();
  backlog_->Append(bytes);
  offset_ += static_cast<int64_t>(bytes.size());
  commands::ServerState& state = server_.state();
  for (auto& [id, info] : replicas_) {
    if (info.state == SyncState::kWaitBgsaveEnd) {
      info.pending.append(bytes);  // after the RDB, which holds everything before the fork
      continue;
    }
    commands::Client* c = info.online ? state.FindClient(id) : nullptr;
    if (c != nullptr) {
      c->reply().Raw(bytes);
      state.MarkPendingWrite(c);
    }
  }
}

void Replication::Propagate(int db, const std::vector<std::string_view>& args) {
  server_.aof().Feed(db, args);  // the AOF takes the same stream, on replicas too
  // A replica's dataset changes only through its primary's stream, which it proxies as is.
  if (is_replica() || (!backlog_ && replicas_.empty())) {
    return;
  }
  if (db != stream_db_) {
    std::string index = std::to_string(db);
    Feed(EncodeCommand({"SELECT", index}));
    stream_db_ = db;
  }
  if (in_transaction_ && !multi_sent_) {
    Feed(EncodeCommand({"MULTI"}));
    multi_sent_ = true;
  }
  Feed(EncodeCommand(args));
}

void Replication::BeginTransaction() {
  server_.aof().BeginTransaction();
  in_transaction_ = true;
  multi_sent_ = false;
}

void Replication::EndTransaction() {
  server_.aof().EndTransaction();
  if (multi_sent_) {
    Feed(EncodeCommand({"EXEC"}));
  }
  in_transaction_ = false;
  multi_sent_ = false;
}

void Replication::OnPrimaryStreamApplied(std::string_view bytes) {
  last_primary_io_ms_ = server_.state().clock().NowMs();
  Feed(bytes);
}

// Primary side ----------------------------------------------------------------------------------

void Replication::Replconf(commands::CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  commands::Client& client = ctx.client();
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    std::string option = AsciiLower(ctx.arg(i));
    std::string_view value = ctx.arg(i + 1);
    if (option == "listening-port") {
      std::optional<int64_t> port = ParseInt64(value);
      if (!port) {
        ctx.reply().Error("ERR value is not an integer or out of range");
        return;
      }
      replicas_[client.id()].listening_port = *port;
    } else if (option == "ip-address") {
      replicas_[client.id()].ip = std::string(value);
    } else if (option == "capa") {
      if (EqualsIgnoreCase(value, "psync2")) {
        replicas_[client.id()].psync2 = true;
      }
    } else if (option == "ack" || option == "fack") {
      // ACK replies nothing; only replicas send it.
      auto it = replicas_.find(client.id());
      std::optional<int64_t> offset = ParseInt64(value);
      if (option == "ack" && it != replicas_.end() && it->second.online && offset) {
        it->second.ack_offset = std::max(it->second.ack_offset, *offset);
        it->second.ack_time_ms = server_.state().clock().NowMs();
        CheckWaiters(it->second.ack_time_ms);
      }
      return;
    } else if (option == "getack") {
      if (client.has_flag(commands::kClientPrimary)) {
        SendAck();
      }
      return;
    } else if (option == "rdb-only" || option == "rdb-filter-only") {
      // Accepted for compatibility; a full sync always sends the whole dataset.
    } else {
      ctx.reply().Error("ERR Unrecognized REPLCONF option: " + std::string(ctx.arg(i)));
      return;
    }
  }
  ctx.reply().Ok();
}

void Replication::FullSync(commands::CommandContext& ctx, bool legacy_sync) {
  if (!backlog_ && !is_replica()) {
    // The first replica of a primary without history starts a new history (Redis does the same).
    replid_ = replication::NewReplicationId();
    replid2_ = std::string(40, '0');
    second_offset_ = -1;
  }
  EnsureBacklog();
  if (diskless_sync || legacy_sync) {
    FullSyncInMemory(ctx, legacy_sync);
    return;
  }
  replicas_[ctx.client().id()].state = SyncState::kWaitBgsaveStart;
  Status s = server_.snapshots().StartBackgroundSave(
      {.forked = [this] { OnSnapshotForked(); }, .done = [this](bool ok) { OnSnapshotDone(ok); }});
  if (!s.ok()) {
    // The replica retries after we close the link (as Redis does when it cannot fork).
    spdlog::warn("Can't BGSAVE for replication: {}", s.message());
    replicas_[ctx.client().id()].state = SyncState::kHandshake;
    ctx.reply().Error("ERR Unable to perform background save");
    ctx.client().set_flag(commands::kClientCloseAfterReply);
  }
}

void Replication::FullSyncInMemory(commands::CommandContext& ctx, bool legacy_sync) {
  if (!legacy_sync) {
    ctx.reply().Raw("+FULLRESYNC " + replid_ + " " + std::to_string(offset_) + "\r\n");
  }
  std::string rdb = server_.snapshots().SnapshotToMemory();
  ctx.reply().Raw("$" + std::to_string(rdb.size()) + "\r\n");
  ctx.reply().Raw(rdb);
  stream_db_ = -1;  // the next write says which db it is for
  sync_full_++;
  MakeOnline(ctx.client().id(), replicas_[ctx.client().id()]);
  spdlog::info("Synchronization with replica {} succeeded (in-memory snapshot, {} bytes)",
               ctx.client().addr, rdb.size());
}

void Replication::OnSnapshotForked() {
  commands::ServerState& state = server_.state();
  for (auto& [id, info] : replicas_) {
    commands::Client* c = state.FindClient(id);
    if (info.state != SyncState::kWaitBgsaveStart || c == nullptr) {
      continue;
    }
    // The snapshot holds the dataset as of this offset; the stream from here waits in `pending`.
    c->reply().Raw("+FULLRESYNC " + replid_ + " " + std::to_string(offset_) + "\r\n");
    state.MarkPendingWrite(c);
    info.state = SyncState::kWaitBgsaveEnd;
    info.pending.clear();
    sync_full_++;
  }
  stream_db_ = -1;  // the stream after the snapshot starts with a SELECT
}

void Replication::OnSnapshotDone(bool ok) {
  commands::ServerState& state = server_.state();
  Result<std::string> rdb = ok ? persistence::ReadWholeFile(server_.snapshots().path())
                               : Result<std::string>(Status::Internal("BGSAVE failed"));
  std::vector<commands::Client*> failed;
  for (auto& [id, info] : replicas_) {
    commands::Client* c = state.FindClient(id);
    // A failed save that never forked (a queued one) strands replicas still waiting to start.
    bool stranded = info.state == SyncState::kWaitBgsaveStart && !ok &&
                    !server_.snapshots().bgsave_in_progress();
    if (c == nullptr || (info.state != SyncState::kWaitBgsaveEnd && !stranded)) {
      continue;
    }
    if (!rdb.ok()) {
      failed.push_back(c);
      continue;
    }
    c->reply().Raw("$" + std::to_string(rdb->size()) + "\r\n");
    c->reply().Raw(*rdb);
    c->reply().Raw(info.pending);
    info.pending.clear();
    MakeOnline(id, info);
    state.MarkPendingWrite(c);
    spdlog::info("Synchronization with replica {} succeeded (disk-backed, {} bytes)", c->addr,
                 rdb->size());
  }
  for (commands::Client* c : failed) {
    spdlog::warn("SYNC failed for replica {}: {}", c->addr, rdb.status().message());
    server_.Close(static_cast<Connection*>(c));
  }
}

void Replication::MakeOnline(uint64_t id, ReplicaInfo& info) {
  (void)id;
  info.state = SyncState::kOnline;
  info.online = true;
  info.ack_time_ms = server_.state().clock().NowMs();
}

void Replication::Psync(commands::CommandContext& ctx) {
  commands::Client& client = ctx.client();
  if (client.has_flag(commands::kClientReplica)) {
    return;
  }
  if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(3), "failover")) {
    // FAILOVER from our primary: it hands its role to us and continues as our replica.
    if (ctx.arg(1) != replid_) {
      ctx.reply().Error("ERR PSYNC FAILOVER replid must match my replid.");
      return;
    }
    spdlog::info("MASTER MODE enabled (failover request from {})", client.addr);
    BecomePrimary();
  }
  if (is_replica() && primary_client_id_ == 0) {
    ctx.reply().Error("NOMASTERLINK Can't SYNC while not connected with my master");
    return;
  }
  ReplicaInfo& info = replicas_[client.id()];
  if (info.ip.empty()) {
    info.ip = client.addr.substr(0, client.addr.rfind(':'));
  }
  bool legacy = ctx.argc() == 1;
  bool partial = false;
  if (!legacy) {
    std::string_view id = ctx.arg(1);
    std::optional<int64_t> want = ParseInt64(ctx.arg(2));
    bool known_id = id == replid_ || (id == replid2_ && want && *want <= second_offset_);
    partial = known_id && want && backlog_ && backlog_->CanServe(*want);
    if (partial) {
      ctx.reply().Raw(info.psync2 ? "+CONTINUE " + replid_ + "\r\n" : "+CONTINUE\r\n");
      ctx.reply().Raw(backlog_->CopyFrom(*want));
      sync_partial_ok_++;
      spdlog::info("Partial resynchronization request from {} accepted, offset={}", client.addr,
                   *want);
    } else if (id != "?") {
      sync_partial_err_++;
    }
  }
  client.set_flag(commands::kClientReplica);
  if (partial) {
    MakeOnline(client.id(), info);
  } else {
    FullSync(ctx, legacy);
  }
}

bool Replication::EnoughGoodReplicas() const {
  if (is_replica() || min_replicas_to_write <= 0 || min_replicas_max_lag_s <= 0) {
    return true;
  }
  int64_t now = server_.state().clock().NowMs();
  int64_t good = 0;
  for (const auto& [id, info] : replicas_) {
    if (info.online && (now - info.ack_time_ms) / 1000 <= min_replicas_max_lag_s) {
      good++;
    }
  }
  return good >= min_replicas_to_write;
}

int64_t Replication::CountAcked(int64_t offset) const {
  int64_t n = 0;
  for (const auto& [id, info] : replicas_) {
    if (info.online && info.ack_offset >= offset) {
      n++;
    }
  }
  return n;
}

void Replication::Wait(commands::CommandContext& ctx) {
  if (is_replica()) {
    ctx.reply().Error(
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 "
        "if a replica is configured to be writable (which is not the default) writes to "
        "replicas are just local and are not propagated.");
    return;
  }
  std::optional<int64_t> wanted = ParseInt64(ctx.arg(1));
  if (!wanted) {
    ctx.reply().Error("ERR value is not an integer or out of range");
    return;
  }
  std::optional<int64_t> timeout_ms = ParseInt64(ctx.arg(2));
  if (!timeout_ms) {
    ctx.reply().Error("ERR timeout is not an integer or out of range");
    return;
  }
  if (*timeout_ms < 0) {
    ctx.reply().Error("ERR timeout is negative");
    return;
  }
  commands::Client& client = ctx.client();
  int64_t acked = CountAcked(offset_);
  if (acked >= *wanted || client.has_flag(commands::kClientMulti)) {
    ctx.reply().Integer(acked);
    return;
  }
  client.wait_offset = offset_;
  client.wait_replicas = *wanted;
  client.block_deadline_ms = *timeout_ms > 0 ? ctx.now_ms() + *timeout_ms : 0;
  client.set_flag(commands::kClientBlocked);
  waiters_.push_back(client.id());
  ack_requested_ = true;
}

void Replication::CheckWaiters(int64_t now_ms) {
  std::vector<uint64_t> still;
  commands::ServerState& state = server_.state();
  std::vector<Connection*> resumed;
  for (uint64_t id : waiters_) {
    commands::Client* c = state.FindClient(id);
    if (c == nullptr || !c->has_flag(commands::kClientBlocked)) {
      continue;
    }
    int64_t acked = CountAcked(c->wait_offset);
    if (acked < c->wait_replicas && (c->block_deadline_ms == 0 || now_ms < c->block_deadline_ms)) {
      still.push_back(id);
      continue;
    }
    c->clear_flag(commands::kClientBlocked);
    c->reply().Integer(acked);
    state.MarkPendingWrite(c);
    resumed.push_back(static_cast<Connection*>(c));
  }
  waiters_.swap(still);
  for (Connection* conn : resumed) {
    if (!conn->closed()) {
      conn->ProcessInput();  // commands pipelined behind WAIT
    }
  }
}

void Replication::DisconnectReplicas() {
  std::vector<commands::Client*> victims;
  for (auto& [id, info] : replicas_) {
    if (commands::Client* c = server_.state().FindClient(id);
        c != nullptr && c->has_flag(commands::kClientReplica)) {
      victims.push_back(c);
    }
  }
  for (commands::Client* c : victims) {
    server_.Close(static_cast<Connection*>(c));
  }
}

void Replication::OnClientClosed(commands::Client* client) {
  replicas_.erase(client->id());
  if (client->id() == primary_client_id_) {
    primary_client_id_ = 0;
    primary_db_ = client->db_index;
    link_down_since_ms_ = server_.state().clock().NowMs();
    next_connect_ms_ = 0;  // try again at once: a partial sync may pick up where we were
    spdlog::info("Connection with primary lost; will try a partial resync from offset {}",
                 offset_ + 1);
  }
}

// Views -----------------------------------------------------------------------------------------

std::string Replication::LinkStatus() const {
  if (primary_client_id_ != 0) {
    return "connected";
  }
  if (!link_) {
    return "connect";
  }
  switch (link_->state()) {
    case replication::ReplicaLink::State::kConnecting:
      return "connecting";
    case replication::ReplicaLink::State::kHandshake:
      return "handshake";
    default:
      return "sync";
  }
}

void Replication::Role(commands::CommandContext& ctx) {
  protocol::ReplyWriter& r = ctx.reply();
  if (is_replica()) {
    r.ArrayHeader(5);
    r.Bulk("slave");
    r.Bulk(primary_host_);
    r.Integer(primary_port_);
    r.Bulk(LinkStatus());
    r.Integer(primary_client_id_ != 0 ? offset_ : -1);
    return;
  }
  r.ArrayHeader(3);
  r.Bulk("master");
  r.Integer(offset_);
  int64_t online = 0;
  for (const auto& [id, info] : replicas_) {
    online += info.online ? 1 : 0;
  }
  r.ArrayHeader(online);
  for (const auto& [id, info] : replicas_) {
    if (info.online) {
      r.ArrayHeader(3);
      r.Bulk(info.ip);
      r.Bulk(std::to_string(info.listening_port));
      r.Bulk(std::to_string(info.ack_offset));
    }
  }
}

void Replication::FillSaveInfo(std::string* replid, int64_t* offset, int* stream_db) {
  *replid = replid_;
  *offset = offset_;
  commands::Client* primary = server_.state().FindClient(primary_client_id_);
  *stream_db = primary != nullptr ? primary->db_index : (stream_db_ >= 0 ? stream_db_ : 0);
}

void Replication::FillInfo(std::string& out) {
  int64_t now = server_.state().clock().NowMs();
  Field(out, "role", is_replica() ? "slave" : "master");
  if (is_replica()) {
    bool up = primary_client_id_ != 0;
    Field(out, "master_host", primary_host_);
    Field(out, "master_port", primary_port_);
    Field(out, "master_link_status", up ? "up" : "down");
    Field(out, "master_last_io_seconds_ago", up ? (now - last_primary_io_ms_) / 1000 : -1);
    bool syncing = link_ && link_->state() == replication::ReplicaLink::State::kTransfer;
    Field(out, "master_sync_in_progress", syncing ? 1 : 0);
    Field(out, "slave_read_repl_offset", offset_);
    Field(out, "slave_repl_offset", offset_);
    if (syncing) {
      int64_t total = link_->transfer_size();
      Field(out, "master_sync_total_bytes", total);
      Field(out, "master_sync_read_bytes", link_->transfer_read());
      Field(out, "master_sync_left_bytes", total >= 0 ? total - link_->transfer_read() : -1);
    }
    if (!up) {
      Field(out, "master_link_down_since_seconds", (now - link_down_since_ms_) / 1000);
    }
    Field(out, "slave_priority", 100);
    Field(out, "slave_read_only", replica_read_only ? 1 : 0);
    Field(out, "replica_announced", 1);
  }
  int64_t n = 0;
  std::string lines;
  for (const auto& [id, info] : replicas_) {
    if (info.state == SyncState::kHandshake) {
      continue;
    }
    const char* state = info.state == SyncState::kOnline          ? "online"
                        : info.state == SyncState::kWaitBgsaveEnd ? "send_bulk"
                                                                  : "wait_bgsave";
    lines += "slave" + std::to_string(n++) + ":ip=" + info.ip +
             ",port=" + std::to_string(info.listening_port) + ",state=" + state +
             ",offset=" + std::to_string(info.ack_offset) +
             ",lag=" + std::to_string((now - info.ack_time_ms) / 1000) + "\r\n";
  }
  Field(out, "connected_slaves", n);
  out += lines;
  Field(out, "master_failover_state", FailoverStateName());
  Field(out, "master_replid", replid_);
  Field(out, "master_replid2", replid2_);
  Field(out, "master_repl_offset", offset_);
  Field(out, "second_repl_offset", second_offset_);
  Field(out, "repl_backlog_active", backlog_ ? 1 : 0);
  Field(out, "repl_backlog_size", backlog_size);
  Field(out, "repl_backlog_first_byte_offset", backlog_ ? backlog_->first_byte_offset() : 0);
  Field(out, "repl_backlog_histlen", backlog_ ? backlog_->histlen() : 0);
}

}  // namespace cairn::server
