// Aof: the server's append-only file in Redis 7.0's multi-part layout (dir/appenddirname/ with a
// base file, incr files and "<appendfilename>.manifest"): feeding the propagated write stream,
// writing it before replies go out, fsync per appendfsync, BGREWRITEAOF (forked child writing a
// new base while the parent appends to a new incr file), auto rewrite, loading at start-up,
// CONFIG SET appendonly and INFO persistence's aof_* fields. Command thread only, except the
// fsync thread it owns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/config_table.h"
#include "dataplane/base/status.h"
#include "dataplane/persistence/aof_file.h"
#include "dataplane/persistence/aof_manifest.h"
#include "dataplane/persistence/snapshot.h"

namespace cairn::server {

class Server;

class Aof final {
 public:
  explicit Aof(Server& server);
  ~Aof();

  // Registers appendonly, appendfilename, appenddirname, appendfsync, no-appendfsync-on-rewrite,
  // auto-aof-rewrite-percentage, auto-aof-rewrite-min-size, aof-load-truncated,
  // aof-use-rdb-preamble, aof-timestamp-enabled and aof-rewrite-incremental-fsync.
  void RegisterParameters(ParameterTable& table);

  bool enabled() const { return state_ != State::kOff; }
  // Start-up with appendonly yes: loads the manifest's base and incr files (or upgrades an old
  // single appendonly.aof in dir), or creates base 1 and incr 1 when there is no AOF, and opens
  // the last incr file for appending. Errors name the file, the offset and the reason; the server
  // must not start with them.
  Status LoadAtStartup();

  // The propagated write stream (the same commands replicas get): a SELECT when the db changes,
  // MULTI before the first write of a transaction, EXEC at its end.
  void Feed(int db, const std::vector<std::string_view>& args);
  void BeginTransaction();
  void EndTransaction();

  // Before the loop sleeps, before replies are written: writes the buffer; fsyncs now with
  // appendfsync always, or queues a background fsync once a second with everysec.
  void BeforeSleep();
  // Reaps a finished rewrite child, starts a scheduled or automatic rewrite, runs everysec
  // fsyncs on an idle server.
  void Cron();
  // BGREWRITEAOF: the status reply or the error reply text (as Redis 7.0).
  Result<std::string> BackgroundRewrite();
  // SHUTDOWN and exit: kills a rewrite child, writes and fsyncs what is buffered.
  void FlushForShutdown();
  // A replica loaded its primary's snapshot: with AOF on, the AOF is started again from a rewrite
  // of the new dataset (Redis's restartAOFAfterSYNC).
  void RestartAfterFullSync();
  bool rewrite_in_progress() const { return child_.running(); }
  // While AOF is on: the errno of the failed AOF write, or of the last background fsync if that
  // failed; 0 when both are fine. Writes are refused with -MISCONF meanwhile (Redis's
  // writeCommandsDeniedByDiskError).
  int write_errno() const;
  // INFO persistence, from aof_enabled to the end of the section.
  void FillInfo(std::string& out);

 private:
  enum class State { kOff, kOn, kWaitRewrite };  // Redis's AOF_OFF / AOF_ON / AOF_WAIT_REWRITE

  std::string DirPath() const;
  std::string PathOf(const std::string& name) const;
  // Replaces the manifest atomically (temp file, fsync, rename, directory fsync).
  Status PersistManifest(const persistence::AofManifest& manifest);
  // Creates dir/appenddirname if missing. Errors name it and the system error.
  Status EnsureDir() const;
  // Loading.
  Status LoadManifestFiles(const persistence::AofManifest& manifest);
  Status LoadFile(const std::string& name, bool last, bool may_be_rdb);
  Status LoadCommands(const std::string& name, std::string_view data, size_t offset, bool last);
  Status ApplyTruncation(const std::string& name, size_t valid_bytes, bool last);
  Status UpgradeOldFile();
  Status CreateOnStart();
  Status OpenLastIncr();
  // Rewriting.
  Status WriteBase(const std::string& path);
  Status StartRewrite();
  Status OpenNewIncr();
  void FinishRewrite(bool ok);
  // The files a finished rewrite replaces (old base, incrs before it, history), as history.
  std::vector<persistence::AofFileInfo> ReplacedFiles(
      const persistence::AofManifest& updated) const;
  void MaybeBackgroundFsync(int64_t now_ms);
  void MaybeAutoRewrite();
  // Turning on/off at runtime (CONFIG SET appendonly).
  Status SetEnabled(bool on);
  void Stop();
  void WriteBuffer();
  int64_t CurrentSize() const;

  Server& server_;
  State state_ = State::kOff;
  bool configured_on_ = false;
  // Parameters.
  std::string filename_ = "appendonly.aof";
  std::string dirname_ = "appendonlydir";
  std::string fsync_ = "everysec";
  bool no_fsync_on_rewrite_ = false;
  int64_t rewrite_percentage_ = 100;
  int64_t rewrite_min_size_ = 64 * 1024 * 1024;
  bool load_truncated_ = true;
  bool use_rdb_preamble_ = true;
  bool timestamp_enabled_ = false;
  bool incremental_fsync_ = true;
  bool disable_auto_gc_ = false;
  std::string rewrite_cpulist_;

  persistence::AofManifest manifest_;
  persistence::AofAppender incr_;
  std::unique_ptr<persistence::FsyncThread> fsync_thread_;
  std::string buffer_;
  int stream_db_ = -1;
  bool in_transaction_ = false;
  bool multi_sent_ = false;
  bool loading_ = false;
  int64_t loaded_bytes_ = 0;  // start-up load: bytes of the files loaded so far
  int64_t last_fsync_ms_ = 0;
  int64_t last_ts_s_ = 0;
  int64_t delayed_fsync_ = 0;
  bool last_write_ok_ = true;
  int last_write_errno_ = 0;

  persistence::BackgroundSave child_;
  bool rewrite_scheduled_ = false;
  bool last_rewrite_ok_ = true;
  int64_t last_rewrite_s_ = -1;
  int64_t rewrites_ = 0;
  int64_t consecutive_failures_ = 0;
  int64_t last_rewrite_try_ms_ = 0;
  int64_t rewrite_incr_seq_ = 0;    // incr files from this seq on stay after the running rewrite
  std::string child_base_;          // the base file name the running rewrite writes
  int64_t rewrite_base_size_ = 0;   // aof_base_size: the AOF's size after the last rewrite/load
  int64_t base_bytes_ = 0;          // the base file's size
  int64_t incr_before_ = 0;         // bytes in incr files other than the open one
  int64_t postponed_since_ms_ = 0;  // everysec: a write waiting for a running fsync since then
};

}  // namespace cairn::server
