// ServerState: what every command can reach beyond its own client: the keyspace, the command
// table, configuration values, the client registry, Pub/Sub, WATCH bookkeeping, statistics,
// slowlog and latency records, and hooks the server layer fills in (INFO sections, shutdown).
// Owned by the server; single-threaded (the command thread).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dataplane/base/config_table.h"
#include "dataplane/commands/blocking.h"
#include "dataplane/commands/client.h"
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/node_hooks.h"
#include "dataplane/commands/notify.h"
#include "dataplane/commands/pubsub.h"
#include "dataplane/engine/keyspace.h"
#include "dataplane/protocol/reply_writer.h"
#include "dataplane/security/acl.h"

namespace cairn::commands {

class Scripting;

// Values of the parameters commands read. The server registers redis.conf parameters that
// point into this struct (dataplane/server/config.cc).
struct ServerConfig {
  int64_t port = 6379;
  std::string bind = "* -::*";
  std::string requirepass;  // empty: no password for the default user
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  int64_t maxclients = 10000;
  int64_t timeout_s = 0;
  int64_t tcp_keepalive_s = 300;
  int64_t slowlog_log_slower_than_us = 10000;
  int64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold_ms = 0;
  // latency-tracking: per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats),
  // and the percentiles INFO latencystats reports.
  bool latency_tracking = true;
  std::vector<double> latency_tracking_percentiles = {50, 99, 99.9};
  std::string enable_debug_command = "no";      // no | yes | local
  std::string enable_protected_configs = "no";  // no | yes | local
  uint32_t notify_keyspace_events = 0;          // NotifyClass bits
  std::string dir = ".";
  std::string dbfilename = "dump.rdb";
  std::string logfile;
  std::string loglevel = "notice";
  std::string unixsocket;
  int64_t unixsocketperm = 0;
  bool protected_mode = true;
  bool daemonize = false;
  std::string pidfile;
  // client-output-buffer-limit per class: hard bytes, soft bytes, soft seconds.
  struct OutputLimit {
    int64_t hard = 0;
    int64_t soft = 0;
    int64_t soft_seconds = 0;
  };
  OutputLimit output_limit_normal{};
  OutputLimit output_limit_replica{256LL * 1024 * 1024, 64LL * 1024 * 1024, 60};
  OutputLimit output_limit_pubsub{32LL * 1024 * 1024, 8LL * 1024 * 1024, 60};
  // busy-reply-threshold (alias lua-time-limit): a script running longer is "busy": other
  // clients get -BUSY and SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE are served.
  int64_t busy_reply_threshold_ms = 5000;
  // hll-sparse-max-bytes: a sparse HyperLogLog growing past this many bytes becomes dense.
  int64_t hll_sparse_max_bytes = 3000;
};

struct SlowlogEntry {
  int64_t id = 0;
  int64_t time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;  // at most 32, each at most 128 bytes (as Redis trims them)
  std::string peer;
  std::string client_name;
};

struct LatencySample {
  int64_t time_s = 0;
  int64_t latency_ms = 0;
};

struct LatencyEvent {
  std::deque<LatencySample> samples;  // newest last, at most 160
  int64_t max_ms = 0;
};

// Counters shown by INFO stats and errorstats.
struct ServerStats : public protocol::ErrorObserver {
  int64_t start_time_ms = 0;
  int64_t total_connections_received = 0;
  int64_t total_commands_processed = 0;
  int64_t rejected_connections = 0;
  int64_t net_input_bytes = 0;
  int64_t net_output_bytes = 0;
  int64_t total_error_replies = 0;
  int64_t unexpected_error_replies = 0;
  int64_t dirty = 0;  // changes since the last save
  int64_t client_qbuf_limit_disconnections = 0;
  int64_t client_outbuf_limit_disconnections = 0;
  int64_t total_reads_processed = 0;
  int64_t total_writes_processed = 0;
  std::map<std::string, int64_t> errorstats;  // error code -> count
  // Error replies already charged to a command's failed or rejected calls (Redis's
  // prev_err_count in incrCommandStatsOnError): a command fails only by errors after it.
  int64_t errors_charged = 0;
  // Error replies that were counted where they arose (a script passing one on).
  int64_t uncounted_error_replies = 0;

  void OnErrorReply(std::string_view code) override;
  void OnUncountedErrorReply() override { uncounted_error_replies++; }
  // True when error replies were counted since the last charge, which they now are.
  bool ChargeNewErrors() {
    bool fresh = total_error_replies > errors_charged;
    errors_charged = total_error_replies;
    return fresh;
  }
};

// CLIENT PAUSE state.
struct PauseState {
  int64_t until_ms = 0;
  bool writes_only = false;  // WRITE vs ALL
  bool active(int64_t now_ms) const { return until_ms > now_ms; }
};

// Also the keyspace's observer: keys the engine creates, misses, expires or evicts become keyspace
// notifications and WATCH invalidations here, for the server and the test harness alike.
class ServerState final : public engine::KeyspaceObserver {
 public:
  ServerState(engine::Keyspace* keyspace, CommandTable* table, ParameterTable* parameters,
              ServerConfig* config, const Clock* clock);

  // engine::KeyspaceObserver.
  void OnKeyExpired(int db, std::string_view key) override;
  void OnKeyEvicted(int db, std::string_view key) override;
  void OnKeyAdded(int db, std::string_view key) override;
  void OnKeyRemoved(int db, std::string_view key) override;
  void OnDbReplaced(int db) override;
  void OnKeyMiss(int db, std::string_view key) override;

  engine::Keyspace& keyspace() { return *keyspace_; }
  CommandTable& table() { return *table_; }
  ParameterTable& parameters() { return *parameters_; }
  ServerConfig& config() { return *config_; }
  const Clock& clock() const { return *clock_; }
  ServerStats& stats() { return stats_; }
  PubSub& pubsub() { return pubsub_; }

  // Client registry, by id (CLIENT LIST order is by id).
  void AddClient(Client* client);
  void RemoveClient(Client* client);
  Client* FindClient(uint64_t id);
  const std::map<uint64_t, Client*>& clients() const { return clients_; }
  uint64_t NextClientId() { return next_client_id_++; }

  // Queues a client for the server to flush its output (set when a reply or a Pub/Sub message
  // is written outside the client's own command).
  void MarkPendingWrite(Client* client);
  std::vector<Client*>& pending_writes() { return pending_writes_; }

  // WATCH: records that `client` watches (db, key), noting whether the key is already logically
  // expired (Redis 7.0: such a key deleted later is no change, one still there at EXEC neither).
  void Watch(Client* client, int db, std::string_view key);
  void UnwatchAll(Client* client);
  // Called after `key` changed (signalModifiedKey): marks its watchers kClientDirtyCas and
  // unwatches them, except watchers of an already expired key that is now gone.
  void TouchWatchedKey(int db, std::string_view key);
  // FLUSHDB / FLUSHALL (db = -1): touches watched keys that exist in `db`. SWAPDB db other_db:
  // touches watched keys of either db that exist on either side.
  // REQUIRES: called before the flush or swap.
  void TouchAllWatchedKeysInDb(int db, int other_db = -1);
  // True when a key `client` watches, live at WATCH time, has logically expired since (EXEC).
  bool WatchedKeyExpired(const Client* client);
  // Ends a transaction: drops the queue, clears MULTI and its dirty flags, unwatches everything
  // (EXEC, DISCARD, an EXEC rejected before running).
  void DiscardTransaction(Client* client);
  size_t watched_keys_count() const { return watched_.size(); }

  // Keyspace notifications (notify-keyspace-events).
  void Notify(NotifyClass cls, std::string_view event, std::string_view key, int db);

  // MONITOR clients.
  std::vector<Client*>& monitors() { return monitors_; }

  // Slowlog and latency monitor.
  std::deque<SlowlogEntry>& slowlog() { return slowlog_; }
  int64_t NextSlowlogId() { return next_slowlog_id_++; }
  std::map<std::string, LatencyEvent>& latency_events() { return latency_events_; }
  void AddLatencySample(const std::string& event, int64_t latency_ms);

  PauseState& pause() { return pause_; }
  // ACL users and log (access_control.h). Built from the command table on first use unless the
  // server installed its own (which config loading filled) with set_acl.
  security::Acl& acl();
  void set_acl(std::shared_ptr<security::Acl> acl) { acl_ = std::move(acl); }
  // Clients waiting in blocking list commands (blocking.h).
  BlockedClients& blocked() { return blocked_; }

  // INFO sections, registered by each layer in display order: name -> appends "field:value\r\n"
  // lines (without the "# Name" header).
  using InfoSection = std::function<void(std::string& out)>;
  void AddInfoSection(std::string name, InfoSection section, bool in_default = true);
  struct InfoSectionEntry {
    std::string name;
    InfoSection fill;
    bool in_default;
  };
  const std::vector<InfoSectionEntry>& info_sections() const { return info_sections_; }

  // Set by the server: asks it to shut down after this command (SHUTDOWN). Flags: save, nosave,
  // now, force. Returns an error text when refused, else empty (the server may then block
  // `caller` while it waits for replicas).
  std::function<std::string(Client& caller, bool save, bool nosave, bool now, bool force)> shutdown;
  // Set by the server: SHUTDOWN ABORT. Cancels a shutdown waiting for replicas; false if none.
  std::function<bool()> abort_shutdown;
  // Set by the server: closes another client's connection (CLIENT KILL, user deleted). Closing
  // the calling client itself should use kClientCloseAfterReply instead.
  std::function<void(Client*)> close_client;
  // Last successful save, seconds since the epoch (LASTSAVE); the persistence layer updates it.
  int64_t last_save_s = 0;
  // Set while a snapshot loads with the server serving clients (a replica's full sync): commands
  // without the loading flag get -LOADING, and INFO persistence shows loading:1.
  bool loading = false;
  // DEBUG PAUSE-CRON: the server skips its cron while set.
  bool cron_paused = false;
  // Set by the server: snapshots and replication (null in the command harness: SAVE and the
  // replication commands then reply with an error, and writes are not propagated).
  SnapshotHooks* snapshots = nullptr;
  ReplicationHooks* replication = nullptr;
  // Sends an executed write to replicas (not for the primary's own stream on a replica, which is
  // proxied as received). Called by CommandContext::MarkWritten.
  void PropagateCommand(const Client& client, const std::vector<std::string_view>& args);
  // While a script runs: the writes its commands propagate are collected here (db, argv) and
  // sent when it ends (effects replication), instead of going out one by one.
  std::vector<std::pair<int, std::vector<std::string>>>* propagate_capture = nullptr;
  // Absolute path of the config file the server started with ("" without one): CONFIG REWRITE.
  std::string config_file;
  // Scripts and functions (scripting.h), created on first use.
  std::shared_ptr<Scripting> scripting;
  // Set while a script runs past busy-reply-threshold: 1 for EVAL, 2 for FCALL. Commands
  // without kAllowBusy then get -BUSY.
  int script_busy = 0;
  // Set by the server: serves other clients once while a script is busy (Redis processes events
  // from its Lua hook). Returns true when the server is shutting down and the script must stop.
  std::function<bool(Client& caller)> serve_while_busy;

 private:
  engine::Keyspace* keyspace_;
  CommandTable* table_;
  ParameterTable* parameters_;
  ServerConfig* config_;
  const Clock* clock_;
  ServerStats stats_;
  PubSub pubsub_;
  std::map<uint64_t, Client*> clients_;
  uint64_t next_client_id_ = 1;
  std::vector<Client*> pending_writes_;
  // One client watching one key; `expired`: the key was logically expired when watched.
  struct Watcher {
    Client* client = nullptr;
    bool expired = false;
  };
  bool KeyLogicallyExpired(int db, std::string_view key);
  void MarkDirty(const std::vector<Client*>& clients);

  // (db, key) -> watching clients.
  std::map<std::pair<int, std::string>, std::vector<Watcher>, std::less<>> watched_;
  std::vector<Client*> monitors_;
  std::deque<SlowlogEntry> slowlog_;
  int64_t next_slowlog_id_ = 0;
  std::map<std::string, LatencyEvent> latency_events_;
  PauseState pause_;
  std::shared_ptr<security::Acl> acl_;
  BlockedClients blocked_;
  std::vector<InfoSectionEntry> info_sections_;
};

}  // namespace cairn::commands
