// Snapshots: the server's RDB persistence: SAVE, BGSAVE (forked child), save points checked by
// the cron, loading at start-up, DEBUG RELOAD, SHUTDOWN's save and INFO persistence. The file
// format lives in dataplane/persistence/. Command thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dataplane/commands/node_hooks.h"
#include "dataplane/persistence/snapshot.h"

namespace cairn::server {

class Server;

class Snapshots final : public commands::SnapshotHooks {
 public:
  explicit Snapshots(Server& server) : server_(server) {}

  // commands::SnapshotHooks.
  Status Save() override;
  Result<std::string> BackgroundSave(bool schedule) override;
  Result<std::string> BackgroundRewriteAof() override;  // Aof::BackgroundRewrite
  Status Reload(bool merge, bool noflush, bool nosave) override;
  void SaveAfterFlushAll() override;
  std::string WriteRefusal() const override;
  Result<std::string> Dump(const engine::Entry& e) override;
  Result<engine::Entry*> Restore(std::string_view key, std::string_view payload, bool has_expire,
                                 int64_t expire_at_ms) override;
  Result<std::string> DumpFunctions(const std::vector<std::string>& codes) override;
  Result<std::vector<std::string>> RestoreFunctions(std::string_view payload) override;

  // Loads dir/dbfilename if it exists. Errors name the file, offset and reason; the server must
  // not start with them.
  Status LoadAtStartup();
  // Reaps a finished BGSAVE child, starts a scheduled one, and fires save points.
  void Cron();
  // INFO persistence fields.
  void FillInfo(std::string& out);
  // SHUTDOWN: saves when save points are set (or `force_save`), unless `nosave`. Kills a running
  // BGSAVE child first.
  Status SaveForShutdown(bool force_save, bool nosave);
  // Writes the dataset as an RDB image in memory (a full sync's payload).
  std::string SnapshotToMemory();
  // What a caller of a background save is told: right after the fork (the snapshot holds the
  // dataset as of now) and when the child ended (ok: the file is complete).
  struct SaveWaiter {
    std::function<void()> forked;
    std::function<void(bool ok)> done;
  };
  // Forks a child writing the snapshot. With a save already running, `waiter` is served by the
  // next one (started as soon as the running one ends), so its snapshot is never older than the
  // call: replication's disk-backed full sync relies on this. Errors: fork's (the waiter's
  // `done(false)` has then run).
  Status StartBackgroundSave(SaveWaiter waiter = {});
  bool bgsave_in_progress() const { return child_.running(); }

  // dir/dbfilename as the path the files go to.
  std::string path() const;
  // Loads `data` (an RDB image) into the emptied keyspace; a replica keeps expired keys. Serves
  // client events every loading-process-events-interval-bytes meanwhile, with ServerState::loading
  // set (clients get -LOADING, INFO shows the loading_* fields). Errors: the RDB's, or Aborted
  // when a SHUTDOWN arrived during the load; the keyspace is then empty.
  Status LoadFromMemory(std::string_view data, bool replica);
  // A load in progress (start-up, replica full sync): between BeginLoading and EndLoading,
  // ServerState::loading is set, clients get -LOADING and INFO persistence shows the loading_*
  // fields. `total_bytes` is the size of everything the load reads.
  void BeginLoading(int64_t total_bytes);
  void EndLoading();
  // Progress of the current load at `loaded_bytes` (of BeginLoading's total): records it and
  // serves client events once, as Redis's processEventsWhileBlocked. Returns false once a
  // shutdown was asked for (the load should stop).
  bool LoadingProgress(int64_t loaded_bytes);
  // RdbLoadOptions for an RDB image that starts `base_bytes` into the current load, reporting
  // progress every loading-process-events-interval-bytes.
  persistence::RdbLoadOptions LoadingOptions(bool skip_expired, int64_t base_bytes);
  bool HasSavePoints() const { return !save_points.empty(); }
  // The last loaded file's AUX fields (repl-id, repl-offset) for a restarted node.
  const persistence::RdbLoadInfo& last_load() const { return last_load_; }
  // What every snapshot records besides the keys (compression, AUX fields, functions).
  persistence::RdbSaveInfo MakeSaveInfo() const;
  // Records a loaded snapshot's AUX fields and installs its functions (an AOF's RDB base too).
  void AfterLoad(const persistence::RdbLoadInfo& info);

  // Parameters (config.cc binds them): save, rdbcompression, rdbchecksum.
  std::vector<persistence::SavePoint> save_points = {{3600, 1}, {300, 100}, {60, 10000}};
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  // loading-process-events-interval-bytes and key-load-delay (microseconds per key), as Redis.
  int64_t loading_interval_bytes = 2 * 1024 * 1024;
  int64_t key_load_delay_us = 0;
  int64_t key_save_delay_us = 0;  // rdb-key-save-delay (microseconds per key written), as Redis
  // Fills the replication AUX fields (replid, offset, stream db) of every snapshot.
  std::function<void(persistence::RdbSaveInfo&)> fill_repl_info;
  // Fills the function library codes of every snapshot, and installs those of a loaded one (the
  // whole set is replaced, as a load replaces the dataset).
  std::function<std::vector<std::string>()> function_codes;
  std::function<void(const std::vector<std::string>& codes)> load_functions;

 private:
  void OnSaved(int64_t now_ms);
  // INFO persistence loading_* fields of a load in progress.
  void FillLoadingInfo(std::string& out);
  void FinishBackgroundSave(bool ok, int64_t now_ms);

  Server& server_;
  persistence::BackgroundSave child_;
  std::vector<SaveWaiter> waiters_;  // served by the running save
  std::vector<SaveWaiter> next_;     // served by the next save
  bool bgsave_scheduled_ = false;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_try_ms_ = 0;
  int64_t last_bgsave_seconds_ = -1;
  int64_t dirty_at_fork_ = 0;
  int64_t saves_ = 0;
  persistence::RdbLoadInfo last_load_;
  int64_t loading_start_ms_ = 0;
  int64_t loading_total_bytes_ = 0;
  int64_t loading_loaded_bytes_ = 0;
};

}  // namespace cairn::server
