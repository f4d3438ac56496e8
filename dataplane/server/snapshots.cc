// Snapshot scheduling and the glue between commands and the RDB files. Texts of replies and log
// lines follow Redis 7.0's rdb.c.
#include "dataplane/server/snapshots.h"

#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "dataplane/base/errors.h"
#include "dataplane/base/memory.h"
#include "dataplane/persistence/aof_file.h"
#include "dataplane/persistence/dump_payload.h"
#include "dataplane/server/server.h"

namespace cairn::server {
namespace {

// A failed BGSAVE is retried by save points only after this long (CONFIG_BGSAVE_RETRY_DELAY).
constexpr int64_t kBgsaveRetryDelayMs = 5000;

void Field(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ':';
  out += value;
  out += "\r\n";
}

void Field(std::string& out, const char* name, int64_t value) {
  Field(out, name, std::to_string(value));
}

}  // namespace

std::string Snapshots::path() const {
  return server_.config().dbfilename;  // relative to `dir`, the working directory
}

persistence::RdbSaveInfo Snapshots::MakeSaveInfo() const {
  persistence::RdbSaveInfo info;
  info.compression = rdbcompression;
  info.checksum = rdbchecksum;
  info.ctime_s = server_.state().clock().NowMs() / 1000;
  info.used_mem = static_cast<int64_t>(AllocatedBytes());
  info.key_delay_us = key_save_delay_us;
  if (fill_repl_info) {
    fill_repl_info(info);
  }
  if (function_codes) {
    info.functions = function_codes();
  }
  return info;
}

void Snapshots::AfterLoad(const persistence::RdbLoadInfo& info) {
  last_load_ = info;
  if (load_functions) {
    load_functions(info.functions);
  }
}

Result<std::string> Snapshots::DumpFunctions(const std::vector<std::string>& codes) {
  return persistence::DumpFunctionsPayload(codes, rdbcompression);
}

Result<std::vector<std::string>> Snapshots::RestoreFunctions(std::string_view payload) {
  return persistence::ParseFunctionsPayload(payload);
}

void Snapshots::OnSaved(int64_t now_ms) {
  server_.state().last_save_s = now_ms / 1000;
  saves_++;
}

Status Snapshots::Save() {
  if (child_.running()) {
    return Status::FailedPrecondition("ERR Background save already in progress");
  }
  Status s = persistence::WriteRdbFile(server_.keyspace(), MakeSaveInfo(), path());
  if (!s.ok()) {
    spdlog::warn("Failed saving the DB: {}", s.message());
    return Status::Internal("ERR");
  }
  spdlog::info("DB saved on disk");
  server_.state().stats().dirty = 0;
  OnSaved(server_.state().clock().NowMs());
  return Status::Ok();
}

Status Snapshots::StartBackgroundSave(SaveWaiter waiter) {
  if (child_.running()) {
    if (waiter.forked || waiter.done) {
      next_.push_back(std::move(waiter));
    }
    return Status::Ok();
  }
  if (waiter.forked || waiter.done) {
    waiters_.push_back(std::move(waiter));
  }
  persistence::RdbSaveInfo info = MakeSaveInfo();
  std::string file = path();
  engine::Keyspace& keyspace = server_.keyspace();
  int64_t now = server_.state().clock().NowMs();
  last_bgsave_try_ms_ = now;
  Status s = child_.Start(
      [&keyspace, info, file] { return persistence::WriteRdbFile(keyspace, info, file); });
  if (!s.ok()) {
    spdlog::warn("{}", s.message());
    FinishBackgroundSave(false, now);
    return s;
  }
  child_.set_started_ms(now);
  dirty_at_fork_ = server_.state().stats().dirty;
  spdlog::info("Background saving started by pid {}", child_.pid());
  for (SaveWaiter& w : waiters_) {
    if (w.forked) {
      w.forked();
    }
  }
  return Status::Ok();
}

Result<std::string> Snapshots::BackgroundSave(bool schedule) {
  if (server_.aof().rewrite_in_progress() && !child_.running()) {
    if (schedule) {
      bgsave_scheduled_ = true;
      return std::string("Background saving scheduled");
    }
    return Status::FailedPrecondition(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE "
        "in order to schedule a BGSAVE whenever possible.");
  }
  if (child_.running()) {
    if (schedule) {
      bgsave_scheduled_ = true;
      return std::string("Background saving scheduled");
    }
    return Status::FailedPrecondition("ERR Background save already in progress");
  }
  Status s = StartBackgroundSave();
  if (!s.ok()) {
    return Status::Internal("ERR " + std::string(s.message()));
  }
  return std::string("Background saving started");
}

Result<std::string> Snapshots::BackgroundRewriteAof() {
  return server_.aof().BackgroundRewrite();
}

void Snapshots::FinishBackgroundSave(bool ok, int64_t now_ms) {
  last_bgsave_ok_ = ok;
  if (ok) {
    server_.state().stats().dirty -= dirty_at_fork_;
    OnSaved(now_ms);
    last_bgsave_seconds_ = (now_ms - child_.started_ms()) / 1000;
    spdlog::info("Background saving terminated with success");
  } else {
    spdlog::warn("Background saving error");
  }
  dirty_at_fork_ = 0;
  std::vector<SaveWaiter> waiters;
  waiters.swap(waiters_);
  for (SaveWaiter& w : waiters) {
    if (w.done) {
      w.done(ok);
    }
  }
}

void Snapshots::Cron() {
  int64_t now = server_.state().clock().NowMs();
  if (std::optional<persistence::BackgroundSave::Outcome> outcome = child_.Poll()) {
    if (outcome->ok) {
      spdlog::info("RDB: {} MB of memory used by copy-on-write", outcome->cow_bytes >> 20);
    }
    FinishBackgroundSave(outcome->ok, now);
  }
  if (child_.running() || server_.aof().rewrite_in_progress()) {
    return;  // one child at a time, as Redis's hasActiveChildProcess
  }
  if (bgsave_scheduled_ || !next_.empty()) {
    bgsave_scheduled_ = false;
    std::vector<SaveWaiter> next;
    next.swap(next_);
    waiters_ = std::move(next);
    (void)StartBackgroundSave();  // failures are logged and reported to the waiters
    return;
  }
  int64_t since_s = now / 1000 - server_.state().last_save_s;
  bool may_retry = last_bgsave_ok_ || now - last_bgsave_try_ms_ > kBgsaveRetryDelayMs;
  if (may_retry && persistence::SavePointDue(save_points, server_.state().stats().dirty, since_s)) {
    spdlog::info("{} changes in {} seconds. Saving...", server_.state().stats().dirty, since_s);
    (void)StartBackgroundSave();
  }
}

Status Snapshots::Reload(bool merge, bool noflush, bool nosave) {
  if (!nosave) {
    if (!Save().ok()) {
      return Status::Internal("ERR Error trying to save the DB");
    }
  }
  engine::Keyspace& keyspace = server_.keyspace();
  if (!noflush) {
    keyspace.FlushAll();
  }
  Result<std::string> data = persistence::ReadWholeFile(path());
  if (!data.ok()) {
    spdlog::warn("Error loading the RDB dump: {}", data.status().message());
    return Status::Internal("ERR Error trying to load the RDB dump, check server logs.");
  }
  commands::ServerState& state = server_.state();
  keyspace.set_observer(nullptr);  // loading fires no notifications
  Result<persistence::RdbLoadInfo> info = persistence::LoadRdb(
      *data, keyspace,
      {.skip_expired = true, .now_ms = state.clock().NowMs(), .replace_existing = merge});
  keyspace.set_observer(&state);
  if (!info.ok()) {
    spdlog::warn("Error loading the RDB dump: {}", info.status().message());
    return Status::Internal("ERR Error trying to load the RDB dump, check server logs.");
  }
  AfterLoad(*info);
  spdlog::warn("DB reloaded by DEBUG RELOAD");
  return Status::Ok();
}

void Snapshots::SaveAfterFlushAll() {
  if (child_.running()) {
    child_.Kill();
    FinishBackgroundSave(false, server_.state().clock().NowMs());
  }
  (void)Save();  // as rdbSave in flushAllDataAndResetRDB: a failure is logged, FLUSHALL stands
}

Status Snapshots::LoadAtStartup() {
  commands::ServerState& state = server_.state();
  engine::Keyspace& keyspace = server_.keyspace();
  int64_t start = state.clock().NowMs();
  BeginLoading(persistence::FileSize(path()));
  Result<persistence::RdbLoadInfo> info =
      persistence::LoadRdbFile(path(), keyspace, LoadingOptions(/*skip_expired=*/true, 0));
  EndLoading();
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    return Status::Ok();
  }
  if (!info.ok()) {
    keyspace.FlushAll();  // never serve half a dataset
    return Status::DataLoss("Fatal error loading the DB: " + std::string(info.status().message()) +
                            ". Exiting.");
  }
  AfterLoad(*info);
  spdlog::info("DB loaded from disk: {:.3f} seconds keys_loaded={} keys_expired={}",
               static_cast<double>(state.clock().NowMs() - start) / 1000, info->keys_loaded,
               info->keys_expired);
  return Status::Ok();
}

std::string Snapshots::WriteRefusal() const {
  if (stop_writes_on_bgsave_error && !last_bgsave_ok_ && !save_points.empty()) {
    return std::string(kErrMisconf);
  }
  if (int err = server_.aof().write_errno(); err != 0) {
    return std::string("MISCONF Errors writing to the AOF file: ") + std::strerror(err);
  }
  return "";
}

void Snapshots::BeginLoading(int64_t total_bytes) {
  commands::ServerState& state = server_.state();
  server_.keyspace().set_observer(nullptr);  // loading fires no notifications
  state.loading = true;
  loading_start_ms_ = state.clock().NowMs();
  loading_total_bytes_ = total_bytes;
  loading_loaded_bytes_ = 0;
}

void Snapshots::EndLoading() {
  commands::ServerState& state = server_.state();
  state.loading = false;
  server_.keyspace().set_observer(&state);
}

bool Snapshots::LoadingProgress(int64_t loaded_bytes) {
  loading_loaded_bytes_ = loaded_bytes;
  return server_.ServeWhileLoading();
}

persistence::RdbLoadOptions Snapshots::LoadingOptions(bool skip_expired, int64_t base_bytes) {
  persistence::RdbLoadOptions options{.skip_expired = skip_expired, .now_ms = loading_start_ms_};
  options.progress = [this, base_bytes](size_t bytes_read) {
    return LoadingProgress(base_bytes + static_cast<int64_t>(bytes_read));
  };
  options.progress_interval_bytes = static_cast<size_t>(loading_interval_bytes);
  options.key_delay_us = key_load_delay_us;
  return options;
}

Status Snapshots::SaveForShutdown(bool force_save, bool nosave) {
  if (child_.running()) {
    spdlog::warn("There is a child saving an .rdb. Killing it!");
    child_.Kill();
    FinishBackgroundSave(false, server_.state().clock().NowMs());
  }
  if (nosave || (!force_save && !HasSavePoints())) {
    return Status::Ok();
  }
  spdlog::info("Saving the final RDB snapshot before exiting.");
  Status s = Save();
  if (!s.ok()) {
    spdlog::warn("Error trying to save the DB, can't exit.");
  }
  return s;
}

Result<std::string> Snapshots::Dump(const engine::Entry& e) {
  return persistence::DumpPayload(e, rdbcompression);
}

Result<engine::Entry*> Snapshots::Restore(std::string_view key, std::string_view payload,
                                          bool has_expire, int64_t expire_at_ms) {
  return persistence::ParseDumpPayload(payload, key, has_expire, expire_at_ms);
}

Status Snapshots::LoadFromMemory(std::string_view data, bool replica) {
  engine::Keyspace& keyspace = server_.keyspace();
  keyspace.FlushAll();
  BeginLoading(static_cast<int64_t>(data.size()));
  Result<persistence::RdbLoadInfo> info =
      persistence::LoadRdb(data, keyspace, LoadingOptions(/*skip_expired=*/!replica, 0));
  EndLoading();
  if (!info.ok()) {
    keyspace.FlushAll();  // never serve half a dataset
    return info.status();
  }
  AfterLoad(*info);
  return Status::Ok();
}

std::string Snapshots::SnapshotToMemory() {
  persistence::RdbWriter writer(nullptr, rdbcompression);
  (void)persistence::SaveRdb(server_.keyspace(), MakeSaveInfo(), writer);  // memory never fails
  return std::move(writer.buffer());
}

void Snapshots::FillInfo(std::string& out) {
  commands::ServerState& st = server_.state();
  int64_t now = st.clock().NowMs();
  Field(out, "loading", st.loading ? 1 : 0);
  Field(out, "async_loading", 0);
  Field(out, "current_cow_peak", 0);
  Field(out, "current_cow_size", 0);
  Field(out, "current_cow_size_age", 0);
  Field(out, "current_fork_perc", "0.00");
  Field(out, "current_save_keys_processed", 0);
  Field(out, "current_save_keys_total", 0);
  Field(out, "rdb_changes_since_last_save", st.stats().dirty);
  Field(out, "rdb_bgsave_in_progress", child_.running() ? 1 : 0);
  Field(out, "rdb_last_save_time", st.last_save_s);
  Field(out, "rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  Field(out, "rdb_last_bgsave_time_sec", last_bgsave_seconds_);
  Field(out, "rdb_current_bgsave_time_sec",
        child_.running() ? (now - child_.started_ms()) / 1000 : -1);
  Field(out, "rdb_saves", saves_);
  Field(out, "rdb_last_cow_size", child_.last_cow_bytes());
  Field(out, "rdb_last_load_keys_expired", last_load_.keys_expired);
  Field(out, "rdb_last_load_keys_loaded", last_load_.keys_loaded);
  server_.aof().FillInfo(out);
  if (st.loading) {
    FillLoadingInfo(out);
  }
}

void Snapshots::FillLoadingInfo(std::string& out) {
  int64_t elapsed_s = (server_.state().clock().NowMs() - loading_start_ms_) / 1000;
  int64_t left = loading_total_bytes_ - loading_loaded_bytes_;
  double perc = loading_total_bytes_ > 0 ? static_cast<double>(loading_loaded_bytes_) * 100 /
                                               static_cast<double>(loading_total_bytes_)
                                         : 0;
  char perc_text[32];
  std::snprintf(perc_text, sizeof(perc_text), "%.2f", perc);
  Field(out, "loading_start_time", loading_start_ms_ / 1000);
  Field(out, "loading_total_bytes", loading_total_bytes_);
  Field(out, "loading_rdb_used_mem", 0);
  Field(out, "loading_loaded_bytes", loading_loaded_bytes_);
  Field(out, "loading_loaded_perc", perc_text);
  Field(out, "loading_eta_seconds", elapsed_s * left / (loading_loaded_bytes_ + 1));
}

}  // namespace cairn::server
