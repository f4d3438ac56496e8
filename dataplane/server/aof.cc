// AOF writing, rewriting, parameters and INFO. Log lines and reply texts follow Redis 7.0's aof.c
// so operators find the messages they know.
#include "dataplane/server/aof.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "dataplane/base/files.h"
#include "dataplane/base/strings.h"
#include "dataplane/persistence/aof_rewrite.h"
#include "dataplane/persistence/aof_stream.h"
#include "dataplane/server/info.h"
#include "dataplane/server/server.h"

namespace cairn::server {
namespace {

// A failed rewrite is retried by the auto-rewrite check only after this long.
constexpr int64_t kRewriteRetryDelayMs = 5000;
// everysec: a write waits at most this long for a background fsync still running (Redis's 2 s).
constexpr int64_t kMaxFsyncDelayMs = 2000;

// A file-name parameter: no '/' (Redis's "can't be a path, just a filename"), immutable.
Parameter NameParam(const char* name, std::string* target, const char* error) {
  Parameter p;
  p.name = name;
  p.flags = Parameter::kImmutable;
  p.get = [target] { return *target; };
  p.set = [target, error](std::string_view v, bool) -> Status {
    if (v.empty() || v.find('/') != std::string_view::npos || v == "." || v == "..") {
      return Status::InvalidArgument(error);
    }
    *target = std::string(v);
    return Status::Ok();
  };
  return p;
}

Parameter BoolParam(const char* name, bool* target) {
  Parameter p;
  p.name = name;
  p.get = [target] { return std::string(*target ? "yes" : "no"); };
  p.set = BoolSetter(target);
  return p;
}

}  // namespace

Aof::Aof(Server& server) : server_(server) {}

Aof::~Aof() {
  if (child_.running()) {
    child_.Kill();
  }
}

void Aof::RegisterParameters(ParameterTable& t) {
  t.Add({.name = "appendonly",
         .get = [this] { return std::string(configured_on_ ? "yes" : "no"); },
         .set = [this](std::string_view v, bool startup) -> Status {
           std::optional<bool> on = ParseYesNo(v);
           if (!on) {
             return Status::InvalidArgument("argument must be 'yes' or 'no'");
           }
           if (!startup && *on != enabled()) {
             CAIRN_RETURN_IF_ERROR(SetEnabled(*on));
           }
           configured_on_ = *on;
           return Status::Ok();
         }});
  t.Add(NameParam("appendfilename", &filename_, "appendfilename can't be a path, just a filename"));
  t.Add(NameParam("appenddirname", &dirname_, "appenddirname can't be a path, just a dirname"));
  Parameter fsync;
  fsync.name = "appendfsync";
  fsync.get = [this] { return fsync_; };
  fsync.set = EnumSetter(&fsync_, {"everysec", "always", "no"});
  t.Add(std::move(fsync));
  t.Add(BoolParam("no-appendfsync-on-rewrite", &no_fsync_on_rewrite_));
  t.Add({.name = "auto-aof-rewrite-percentage",
         .get = [this] { return std::to_string(rewrite_percentage_); },
         .set = IntSetter(&rewrite_percentage_, 0, INT32_MAX)});
  t.Add({.name = "auto-aof-rewrite-min-size",
         .get = [this] { return std::to_string(rewrite_min_size_); },
         .set = MemorySetter(&rewrite_min_size_, 0, INT64_MAX)});
  t.Add(BoolParam("aof-load-truncated", &load_truncated_));
  t.Add(BoolParam("aof-use-rdb-preamble", &use_rdb_preamble_));
  t.Add(BoolParam("aof-timestamp-enabled", &timestamp_enabled_));
  t.Add(BoolParam("aof-rewrite-incremental-fsync", &incremental_fsync_));
  t.Add(BoolParam("aof-disable-auto-gc", &disable_auto_gc_));
  t.Add({.name = "aof_rewrite_cpulist",  // accepted; the rewrite child is not pinned to CPUs
         .flags = Parameter::kImmutable,
         .get = [this] { return rewrite_cpulist_; },
         .set = StringSetter(&rewrite_cpulist_)});
}

std::string Aof::DirPath() const {
  return dirname_;  // relative to `dir`, the working directory
}

std::string Aof::PathOf(const std::string& name) const {
  return DirPath() + "/" + name;
}

Status Aof::PersistManifest(const persistence::AofManifest& manifest) {
  CAIRN_RETURN_IF_ERROR(WriteFileAtomic(PathOf(persistence::AofManifestFileName(filename_)),
                                        persistence::FormatAofManifest(manifest), 0644));
  persistence::FsyncDirectory(DirPath());  // the rename itself must survive a crash
  return Status::Ok();
}

Status Aof::EnsureDir() const {
  if (mkdir(DirPath().c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::Internal("Can't open or create append-only dir " + DirPath() + ": " +
                            std::strerror(errno));
  }
  return Status::Ok();
}

int64_t Aof::CurrentSize() const {
  return base_bytes_ + incr_before_ + incr_.size() + static_cast<int64_t>(buffer_.size());
}

// Feeding ---------------------------------------------------------------------------------------

void Aof::Feed(int db, const std::vector<std::string_view>& args) {
  // While AOF is being turned on, only what happens after the fork goes to the new incr file:
  // the base holds everything before it.
  if (loading_ || state_ == State::kOff || (state_ == State::kWaitRewrite && !child_.running())) {
    return;
  }
  if (timestamp_enabled_) {
    int64_t now_s = server_.state().clock().NowMs() / 1000;
    if (now_s > last_ts_s_) {
      buffer_ += "#TS:" + std::to_string(now_s) + "\r\n";
      last_ts_s_ = now_s;
    }
  }
  if (db != stream_db_) {
    std::string index = std::to_string(db);
    persistence::AppendRespCommand(buffer_, {"SELECT", index});
    stream_db_ = db;
  }
  if (in_transaction_ && !multi_sent_) {
    persistence::AppendRespCommand(buffer_, {"MULTI"});
    multi_sent_ = true;
  }
  persistence::AppendRespCommand(buffer_, args);
}

void Aof::BeginTransaction() {
  in_transaction_ = true;
  multi_sent_ = false;
}

void Aof::EndTransaction() {
  if (multi_sent_) {
    persistence::AppendRespCommand(buffer_, {"EXEC"});
  }
  in_transaction_ = false;
  multi_sent_ = false;
}

void Aof::WriteBuffer() {
  if (buffer_.empty() || !incr_.is_open()) {
    return;
  }
  size_t kept = 0;
  Status s = incr_.Append(buffer_, &kept);
  if (!s.ok()) {
    buffer_.erase(0, kept);  // what stayed in the file is not written twice
    last_write_errno_ = incr_.last_errno();
    // As Redis with appendfsync always, losing acknowledged writes is not an option: stop.
    if (fsync_ == "always") {
      spdlog::error(
          "Can't recover from AOF write error when the AOF fsync policy is 'always'. "
          "Exiting... ({})",
          s.message());
      _exit(1);
    }
    if (last_write_ok_) {
      spdlog::warn("{}", s.message());
    }
    last_write_ok_ = false;
    return;  // kept in the buffer: retried at the next turn
  }
  if (!last_write_ok_) {
    spdlog::warn("AOF write error looks solved, Redis can write again.");
  }
  last_write_ok_ = true;
  last_write_errno_ = 0;
  buffer_.clear();
}

int Aof::write_errno() const {
  if (state_ == State::kOff) {
    return 0;
  }
  if (!last_write_ok_) {
    return last_write_errno_;
  }
  return fsync_thread_ ? fsync_thread_->last_error() : 0;
}

void Aof::BeforeSleep() {
  if (state_ == State::kOff || buffer_.empty()) {
    return;
  }
  int64_t now = server_.state().clock().NowMs();
  bool everysec = fsync_ == "everysec";
  // everysec: while the last background fsync still runs, hold writes (up to 2 s) so the write
  // does not block behind it in the kernel, as Redis does.
  if (everysec && fsync_thread_ && fsync_thread_->pending() > 0) {
    if (postponed_since_ms_ == 0) {
      postponed_since_ms_ = now;
      return;
    }
    if (now - postponed_since_ms_ < kMaxFsyncDelayMs) {
      return;
    }
    delayed_fsync_++;
    spdlog::info(
        "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF "
        "buffer without waiting for fsync to complete, this may slow down Redis.");
  }
  postponed_since_ms_ = 0;
  WriteBuffer();
  if (!last_write_ok_) {
    return;
  }
  bool skip =
      no_fsync_on_rewrite_ && (child_.running() || server_.snapshots().bgsave_in_progress());
  if (fsync_ == "always" && !skip) {
    Status s = incr_.Sync();
    if (!s.ok()) {
      spdlog::error("{}. Exiting...", s.message());
      _exit(1);  // as Redis: acknowledged writes must be on disk
    }
    last_fsync_ms_ = now;
  } else if (everysec && !skip) {
    MaybeBackgroundFsync(now);
  }
}

void Aof::MaybeBackgroundFsync(int64_t now_ms) {
  if (now_ms - last_fsync_ms_ < 1000 || !incr_.is_open()) {
    return;
  }
  if (!fsync_thread_) {
    fsync_thread_ = std::make_unique<persistence::FsyncThread>();
  }
  if (fsync_thread_->pending() == 0) {
    incr_.SyncInBackground(*fsync_thread_, false);
    last_fsync_ms_ = now_ms;
  }
}

void Aof::FlushForShutdown() {
  if (child_.running()) {
    spdlog::warn("There is a child rewriting the AOF. Killing it!");
    child_.Kill();
    FinishRewrite(false);
  }
  if (state_ == State::kOn) {
    WriteBuffer();
    spdlog::info("Calling fsync() on the AOF file.");
    (void)incr_.Sync();  // a failure was already reported by the writes; nothing more to do
  }
  if (fsync_thread_) {
    fsync_thread_->Drain();
  }
}

// Rewriting -------------------------------------------------------------------------------------

Status Aof::WriteBase(const std::string& path) {
  engine::Keyspace& keyspace = server_.keyspace();
  persistence::RdbSaveInfo info = server_.snapshots().MakeSaveInfo();
  if (use_rdb_preamble_) {
    info.aof_base = true;
    return persistence::WriteRdbFile(keyspace, info, path);
  }
  persistence::AofAppender out;
  CAIRN_RETURN_IF_ERROR(out.Open(path, /*truncate=*/true));
  CAIRN_RETURN_IF_ERROR(persistence::WriteKeyspaceAsCommands(
      keyspace, server_.state().clock().NowMs(), info.functions, [&out](std::string_view chunk) {
        size_t kept = 0;
        return out.Append(chunk, &kept);
      }));
  return out.Sync();
}

Status Aof::OpenNewIncr() {
  int64_t seq = manifest_.incr_seq + 1;
  std::string name = persistence::AofIncrFileName(filename_, seq);
  WriteBuffer();
  persistence::AofAppender next;
  CAIRN_RETURN_IF_ERROR(next.Open(PathOf(name), /*truncate=*/true));
  persistence::AofManifest updated = manifest_;
  updated.incrs.push_back({name, seq, persistence::AofFileType::kIncr});
  updated.incr_seq = seq;
  if (state_ == State::kOn) {
    // A crash during the rewrite then still loads the old base, the old incrs and this one.
    Status s = PersistManifest(updated);
    if (!s.ok()) {
      unlink(PathOf(name).c_str());
      return s;
    }
  }
  manifest_ = std::move(updated);
  if (incr_.is_open()) {
    incr_before_ += incr_.size();
    if (!fsync_thread_) {
      fsync_thread_ = std::make_unique<persistence::FsyncThread>();
    }
    incr_.SyncInBackground(*fsync_thread_, /*close_after=*/true);
  }
  incr_ = std::move(next);
  stream_db_ = -1;  // the new file starts with a SELECT
  spdlog::info("Creating AOF incr file {} on background rewrite", name);
  return Status::Ok();
}

Status Aof::StartRewrite() {
  CAIRN_RETURN_IF_ERROR(EnsureDir());
  if (state_ != State::kOff) {
    CAIRN_RETURN_IF_ERROR(OpenNewIncr());
    rewrite_incr_seq_ = manifest_.incr_seq;
  } else {
    rewrite_incr_seq_ = manifest_.incr_seq + 1;  // no incr: the new manifest has the base only
  }
  int64_t now = server_.state().clock().NowMs();
  last_rewrite_try_ms_ = now;
  child_base_ = persistence::AofBaseFileName(filename_, manifest_.base_seq + 1, use_rdb_preamble_);
  std::string path = PathOf(child_base_);
  rewrites_++;  // counted when started, as Redis's aof_rewrites
  Status s = child_.Start([this, path] { return WriteBase(path); });
  if (!s.ok()) {
    spdlog::warn("Can't rewrite append only file in background: {}", s.message());
    last_rewrite_ok_ = false;
    consecutive_failures_++;
    return s;
  }
  child_.set_started_ms(now);
  spdlog::info("Background append only file rewriting started by pid {}", child_.pid());
  return Status::Ok();
}

Result<std::string> Aof::BackgroundRewrite() {
  if (child_.running()) {
    return Status::FailedPrecondition(
        "ERR Background append only file rewriting already in progress");
  }
  if (server_.snapshots().bgsave_in_progress()) {
    rewrite_scheduled_ = true;
    return std::string("Background append only file rewriting scheduled");
  }
  if (!StartRewrite().ok()) {
    return Status::Internal(
        "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
        "information.");
  }
  return std::string("Background append only file rewriting started");
}

void Aof::FinishRewrite(bool ok) {
  int64_t now = server_.state().clock().NowMs();
  persistence::AofManifest updated;
  if (ok) {
    updated.base = persistence::AofFileInfo{child_base_, manifest_.base_seq + 1,
                                            persistence::AofFileType::kBase};
    updated.base_seq = manifest_.base_seq + 1;
    updated.incr_seq = manifest_.incr_seq;
    for (const persistence::AofFileInfo& f : manifest_.incrs) {
      if (f.seq >= rewrite_incr_seq_) {
        updated.incrs.push_back(f);
      }
    }
    if (disable_auto_gc_) {
      updated.history = ReplacedFiles(updated);  // kept on disk and listed as type h
    }
    Status s = PersistManifest(updated);
    if (!s.ok()) {
      spdlog::warn("Error trying to persist the AOF manifest after the rewrite: {}", s.message());
      ok = false;
    }
  }
  if (!ok) {
    unlink(PathOf(child_base_).c_str());
    last_rewrite_ok_ = false;
    consecutive_failures_++;
    spdlog::warn("Background AOF rewrite terminated with error");
    return;
  }
  if (!disable_auto_gc_) {
    for (const persistence::AofFileInfo& f : ReplacedFiles(updated)) {
      spdlog::info("Removing the history file {}", f.name);
      unlink(PathOf(f.name).c_str());
    }
    persistence::FsyncDirectory(DirPath());
  }
  manifest_ = std::move(updated);
  base_bytes_ = persistence::FileSize(PathOf(child_base_));
  incr_before_ = 0;
  for (const persistence::AofFileInfo& f : manifest_.incrs) {
    if (PathOf(f.name) != incr_.path()) {
      incr_before_ += persistence::FileSize(PathOf(f.name));
    }
  }
  rewrite_base_size_ = CurrentSize();
  last_rewrite_ok_ = true;
  consecutive_failures_ = 0;
  last_rewrite_s_ = (now - child_.started_ms()) / 1000;
  if (state_ == State::kWaitRewrite) {
    state_ = State::kOn;
  }
  spdlog::info("Background AOF rewrite finished successfully");
}

std::vector<persistence::AofFileInfo> Aof::ReplacedFiles(
    const persistence::AofManifest& updated) const {
  std::vector<persistence::AofFileInfo> old = manifest_.history;
  if (manifest_.base) {
    old.push_back(*manifest_.base);
  }
  for (const persistence::AofFileInfo& f : manifest_.incrs) {
    if (f.seq < rewrite_incr_seq_) {
      old.push_back(f);
    }
  }
  std::erase_if(old, [&updated](const persistence::AofFileInfo& f) {
    return updated.base && f.name == updated.base->name;
  });
  for (persistence::AofFileInfo& f : old) {
    f.type = persistence::AofFileType::kHistory;
  }
  return old;
}

void Aof::MaybeAutoRewrite() {
  int64_t now = server_.state().clock().NowMs();
  if (state_ != State::kOn || rewrite_percentage_ == 0 || child_.running() ||
      server_.snapshots().bgsave_in_progress()) {
    return;
  }
  if (!last_rewrite_ok_ && now - last_rewrite_try_ms_ < kRewriteRetryDelayMs) {
    return;
  }
  int64_t size = CurrentSize();
  int64_t base = std::max<int64_t>(rewrite_base_size_, 1);
  if (size > rewrite_min_size_ && (size - base) * 100 / base >= rewrite_percentage_) {
    spdlog::info("Starting automatic rewriting of AOF on {}% growth", (size - base) * 100 / base);
    (void)StartRewrite();  // a failure is logged and counted
  }
}

void Aof::Cron() {
  if (std::optional<persistence::BackgroundSave::Outcome> outcome = child_.Poll()) {
    if (outcome->ok) {
      spdlog::info("AOF rewrite: {} MB of memory used by copy-on-write", outcome->cow_bytes >> 20);
    }
    FinishRewrite(outcome->ok);
  }
  bool busy = child_.running() || server_.snapshots().bgsave_in_progress();
  if (!busy && (rewrite_scheduled_ ||
                (state_ == State::kWaitRewrite &&
                 server_.state().clock().NowMs() - last_rewrite_try_ms_ > kRewriteRetryDelayMs))) {
    rewrite_scheduled_ = false;
    (void)StartRewrite();  // a failure is logged and counted
  }
  MaybeAutoRewrite();
  if (state_ != State::kOff) {
    BeforeSleep();  // writes postponed by a slow fsync, and everysec on an idle server
    if (fsync_ == "everysec" && buffer_.empty()) {
      MaybeBackgroundFsync(server_.state().clock().NowMs());
    }
  }
}

// Turning on and off ----------------------------------------------------------------------------

Status Aof::SetEnabled(bool on) {
  if (!on) {
    Stop();
    return Status::Ok();
  }
  state_ = State::kWaitRewrite;
  stream_db_ = -1;
  last_rewrite_try_ms_ = server_.state().clock().NowMs();
  if (child_.running() || server_.snapshots().bgsave_in_progress()) {
    spdlog::warn(
        "AOF was enabled but there is already another background operation. An AOF "
        "background was scheduled to start when possible.");
    rewrite_scheduled_ = true;
    return Status::Ok();
  }
  Status s = StartRewrite();
  if (!s.ok()) {
    spdlog::warn(
        "Redis needs to enable the AOF but can't trigger a background AOF rewrite "
        "operation. ({})",
        s.message());
    state_ = State::kOff;
    return Status::Internal("Unable to turn on AOF. Check server logs.");
  }
  return Status::Ok();
}

void Aof::RestartAfterFullSync() {
  if (state_ == State::kOff) {
    return;
  }
  Stop();
  if (!SetEnabled(true).ok()) {
    spdlog::warn(
        "Failed enabling the AOF after successful master synchronization! Trying it "
        "again in one second.");
    state_ = State::kWaitRewrite;  // the cron retries the rewrite
  }
}

void Aof::Stop() {
  if (child_.running()) {
    spdlog::warn("Killing running AOF rewrite child: {}", child_.pid());
    child_.Kill();
    unlink(PathOf(child_base_).c_str());
  }
  if (state_ == State::kOn) {
    WriteBuffer();
    (void)incr_.Sync();  // best effort, as Redis's stopAppendOnly
  }
  if (fsync_thread_) {
    fsync_thread_->Drain();  // no background fsync may still use the descriptor
  }
  incr_.Close();
  buffer_.clear();
  state_ = State::kOff;
  rewrite_scheduled_ = false;
}

// INFO ------------------------------------------------------------------------------------------

void Aof::FillInfo(std::string& out) {
  int64_t now = server_.state().clock().NowMs();
  InfoField(out, "aof_enabled", enabled() ? 1 : 0);
  InfoField(out, "aof_rewrite_in_progress", child_.running() ? 1 : 0);
  InfoField(out, "aof_rewrite_scheduled", rewrite_scheduled_ ? 1 : 0);
  InfoField(out, "aof_last_rewrite_time_sec", last_rewrite_s_);
  InfoField(out, "aof_current_rewrite_time_sec",
            child_.running() ? (now - child_.started_ms()) / 1000 : -1);
  InfoField(out, "aof_last_bgrewrite_status", last_rewrite_ok_ ? "ok" : "err");
  InfoField(out, "aof_rewrites", rewrites_);
  InfoField(out, "aof_rewrites_consecutive_failures", consecutive_failures_);
  InfoField(out, "aof_last_write_status", last_write_ok_ ? "ok" : "err");
  InfoField(out, "aof_last_cow_size", child_.last_cow_bytes());
  InfoField(out, "module_fork_in_progress", 0);
  InfoField(out, "module_fork_last_cow_size", 0);
  if (state_ == State::kOff) {
    return;
  }
  InfoField(out, "aof_current_size", CurrentSize());
  InfoField(out, "aof_base_size", rewrite_base_size_);
  InfoField(out, "aof_pending_rewrite", rewrite_scheduled_ ? 1 : 0);
  InfoField(out, "aof_buffer_length", static_cast<int64_t>(buffer_.size()));
  InfoField(out, "aof_pending_bio_fsync", fsync_thread_ ? fsync_thread_->pending() : 0);
  InfoField(out, "aof_delayed_fsync", delayed_fsync_);
}

}  // namespace cairn::server
