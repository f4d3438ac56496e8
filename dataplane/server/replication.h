// Replication: this node's role (primary, or replica of host:port), its replication id + offset
// (and the previous id for PSYNC2), the backlog, the replicas fed from it, and the replica-side
// link to its own primary. Implements the replication commands and write propagation for the
// command layer (commands::ReplicationHooks). Command thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/commands/node_hooks.h"
#include "dataplane/replication/backlog.h"
#include "dataplane/replication/replica_link.h"
#include "dataplane/server/event_loop.h"

namespace cairn::commands {
class Client;
}

namespace cairn::server {

class Server;

// A command as a RESP array, the form the replication stream carries.
std::string EncodeCommand(const std::vector<std::string_view>& args);

class Replication final : public commands::ReplicationHooks {
 public:
  explicit Replication(Server& server);
  ~Replication() override;

  // commands::ReplicationHooks.
  void Propagate(int db, const std::vector<std::string_view>& args) override;
  void BeginTransaction() override;
  void EndTransaction() override;
  bool RejectsWrites() const override { return is_replica() && replica_read_only; }
  bool DeniesStaleData() const override {
    return is_replica() && primary_client_id_ == 0 && !serve_stale_data;
  }
  bool EnoughGoodReplicas() const override;
  void ReplicaOf(commands::CommandContext& ctx) override;
  void Replconf(commands::CommandContext& ctx) override;
  void Psync(commands::CommandContext& ctx) override;
  void Wait(commands::CommandContext& ctx) override;
  void Role(commands::CommandContext& ctx) override;
  void Failover(commands::CommandContext& ctx) override;

  // Start-up: adopts the replication id/offset a snapshot recorded (a restarted replica can then
  // continue with a partial sync) and starts connecting when `replicaof` is configured.
  void Start(const std::string& snapshot_replid, int64_t snapshot_offset);
  // Once per cron tick: connects or retries the link, pings replicas, acknowledges to the
  // primary, times out WAIT.
  void Cron();
  // Before the loop sleeps: asks replicas for acknowledgements WAIT needs.
  void BeforeSleep();
  // Shutdown (Redis's isReadyToShutdown): every replica past the handshake has acknowledged
  // the stream up to `offset` (true without replicas).
  bool ReplicasAcked(int64_t offset) const;
  // Asks replicas for REPLCONF ACK before the loop sleeps next.
  void RequestAcks() { ack_requested_ = true; }
  // Logs how many replicas acknowledged `offset` (shutdown).
  void LogReplicasInSync(int64_t offset) const;
  // A client's connection is closing (a replica, or our primary's link).
  void OnClientClosed(commands::Client* client);
  // On a replica: `bytes` of the primary's stream were applied; they advance our offset and are
  // proxied unchanged to our own replicas and backlog (so offsets match across the chain).
  void OnPrimaryStreamApplied(std::string_view bytes);
  // The link socket is ready.
  void OnLinkEvent(uint32_t events);
  // The replication AUX fields of a snapshot (repl-id, repl-offset, repl-stream-db).
  void FillSaveInfo(std::string* replid, int64_t* offset, int* stream_db);
  // INFO replication fields.
  void FillInfo(std::string& out);

  // Applies a new repl-backlog-size to an existing backlog (keeping its newest bytes).
  void ResizeBacklog() {
    if (backlog_) {
      backlog_->Resize(backlog_size);
    }
  }
  // INFO stats: full syncs served, partial syncs accepted and refused.
  int64_t sync_full() const { return sync_full_; }
  int64_t sync_partial_ok() const { return sync_partial_ok_; }
  int64_t sync_partial_err() const { return sync_partial_err_; }
  bool is_replica() const { return !primary_host_.empty(); }
  const std::string& replid() const { return replid_; }
  int64_t offset() const { return offset_; }

  // Parameters (config.cc binds them).
  std::string masterauth;
  std::string masteruser;
  bool replica_read_only = true;
  int64_t backlog_size = 1024 * 1024;
  // repl-backlog-ttl: a primary without replicas for this long frees its backlog (and starts a
  // new replication id); 0 keeps it forever. Replicas never free theirs.
  int64_t backlog_ttl_s = 3600;
  // replica-serve-stale-data: no makes a replica whose link is down answer -MASTERDOWN.
  bool serve_stale_data = true;
  int64_t repl_timeout_s = 60;
  int64_t ping_period_s = 10;
  // repl-diskless-sync: yes sends a snapshot serialized in memory on the command thread; no (the
  // default here) forks a BGSAVE and sends the file, as Redis's disk-backed sync.
  bool diskless_sync = false;
  int64_t min_replicas_to_write = 0;
  int64_t min_replicas_max_lag_s = 10;
  // `replicaof host port` from the config file (applied by Start).
  std::string configured_primary_host;
  int64_t configured_primary_port = 0;

 private:
  // Where a replica is in its sync (Redis's SLAVE_STATE_*).
  enum class SyncState { kHandshake, kWaitBgsaveStart, kWaitBgsaveEnd, kOnline };
  struct ReplicaInfo {
    std::string ip;
    int64_t listening_port = 0;
    int64_t ack_offset = 0;
    int64_t ack_time_ms = 0;
    bool psync2 = false;
    bool online = false;
    SyncState state = SyncState::kHandshake;
    std::string pending;  // the stream written since the fork, sent after the RDB
  };

  void Feed(std::string_view bytes);
  void EnsureBacklog();
  void BecomeReplica(std::string host, int port);  // by value: callers pass replicas_ fields
  void BecomePrimary();
  void ConnectToPrimary();
  void DropLink(const std::string& why);
  void FinishSync();
  void SendAck();
  void DisconnectReplicas();
  void CheckWaiters(int64_t now_ms);
  // repl-backlog-ttl: frees the backlog of a primary that has had no replica for that long.
  void ExpireBacklog(int64_t now_ms);
  int64_t CountAcked(int64_t offset) const;
  // FAILOVER (Redis's failover states): waiting for a replica to catch up, then handing over.
  enum class FailoverState { kNone, kWaitForSync, kInProgress };
  void UpdateFailover(int64_t now_ms);
  void StartHandover(std::string host, int port);
  void EndFailover(const std::string& why, bool aborted);
  const char* FailoverStateName() const;
  void FullSync(commands::CommandContext& ctx, bool legacy_sync);
  void FullSyncInMemory(commands::CommandContext& ctx, bool legacy_sync);
  void OnSnapshotForked();
  void OnSnapshotDone(bool ok);
  void MakeOnline(uint64_t id, ReplicaInfo& info);
  std::string LinkStatus() const;

  Server& server_;
  std::string replid_;
  std::string replid2_;
  int64_t offset_ = 0;
  int64_t second_offset_ = -1;
  std::unique_ptr<replication::Backlog> backlog_;
  int stream_db_ = -1;
  bool in_transaction_ = false;
  bool multi_sent_ = false;
  std::map<uint64_t, ReplicaInfo> replicas_;  // by client id, handshaking or online
  int64_t no_replicas_since_ms_ = 0;          // 0: not yet known (set by the first cron)

  std::string primary_host_;
  int primary_port_ = 0;
  std::unique_ptr<replication::ReplicaLink> link_;
  std::unique_ptr<FdHandler> link_handler_;
  uint64_t primary_client_id_ = 0;
  int primary_db_ = 0;  // the primary stream's selected db, kept across a reconnect
  int64_t next_connect_ms_ = 0;
  int64_t link_down_since_ms_ = 0;
  int64_t last_primary_io_ms_ = 0;
  int64_t last_ping_ms_ = 0;
  int64_t last_ack_sent_ms_ = 0;
  bool ack_requested_ = false;
  std::vector<uint64_t> waiters_;
  FailoverState failover_ = FailoverState::kNone;
  std::string failover_host_;  // empty: any replica that catches up
  int failover_port_ = 0;
  int64_t failover_deadline_ms_ = 0;  // 0: no timeout
  bool failover_force_ = false;
  int64_t sync_full_ = 0;
  int64_t sync_partial_ok_ = 0;
  int64_t sync_partial_err_ = 0;
};

}  // namespace cairn::server
