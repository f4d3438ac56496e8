// Loading the AOF at start-up (Redis 7.0's loadAppendOnlyFiles): the manifest's base (an RDB
// preamble or commands) and incr files in order, run through a fake client as Redis does; the
// upgrade of an old single appendonly.aof; creating base 1 and incr 1 for a new AOF. Texts of
// errors and log lines follow aof.c.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "dataplane/commands/dispatch.h"
#include "dataplane/persistence/aof_stream.h"
#include "dataplane/server/aof.h"
#include "dataplane/server/server.h"

namespace cairn::server {
namespace {

constexpr std::string_view kRdbMagic = "REDIS";
constexpr int64_t kCommandsPerProgress = 1024;

double SecondsSince(const Clock& clock, int64_t start_ms) {
  return static_cast<double>(clock.NowMs() - start_ms) / 1000;
}

}  // namespace

Status Aof::LoadAtStartup() {
  std::string manifest_path = PathOf(persistence::AofManifestFileName(filename_));
  Result<std::string> text = persistence::ReadWholeFile(manifest_path);
  bool have_manifest = text.ok();
  if (!text.ok() && text.status().code() != StatusCode::kNotFound) {
    return Status::DataLoss("Fatal error: can't read the AOF manifest: " +
                            std::string(text.status().message()));
  }
  if (have_manifest) {
    Result<persistence::AofManifest> parsed = persistence::ParseAofManifest(*text);
    if (!parsed.ok()) {
      return Status::DataLoss("Fatal error: the AOF manifest '" + manifest_path +
                              "' is invalid: " + std::string(parsed.status().message()));
    }
    manifest_ = std::move(*parsed);
  }
  if (!configured_on_) {
    return Status::Ok();  // the manifest only continues its sequence numbers if AOF is turned on
  }
  state_ = State::kOn;
  loading_ = true;
  // Clients connected meanwhile get -LOADING; INFO's loading_* fields count all files' bytes.
  int64_t total = 0;
  if (have_manifest) {
    if (manifest_.base) {
      total += persistence::FileSize(PathOf(manifest_.base->name));
    }
    for (const persistence::AofFileInfo& f : manifest_.incrs) {
      total += persistence::FileSize(PathOf(f.name));
    }
  } else {
    total = persistence::FileSize(filename_);  // an old-style file in `dir`, if any
  }
  loaded_bytes_ = 0;
  server_.snapshots().BeginLoading(total);
  Status s = have_manifest                          ? LoadManifestFiles(manifest_)
             : access(filename_.c_str(), F_OK) == 0 ? UpgradeOldFile()
                                                    : CreateOnStart();
  server_.snapshots().EndLoading();
  loading_ = false;
  if (!s.ok()) {
    server_.keyspace().FlushAll();  // never serve half a dataset
  }
  CAIRN_RETURN_IF_ERROR(s);
  return OpenLastIncr();
}

Status Aof::LoadManifestFiles(const persistence::AofManifest& manifest) {
  const Clock& clock = server_.state().clock();
  int64_t start = clock.NowMs();
  std::vector<const persistence::AofFileInfo*> files;
  if (manifest.base) {
    files.push_back(&*manifest.base);
  }
  for (const persistence::AofFileInfo& f : manifest.incrs) {
    files.push_back(&f);
  }
  for (size_t i = 0; i < files.size(); i++) {
    int64_t file_start = clock.NowMs();
    bool base = files[i]->type == persistence::AofFileType::kBase;
    CAIRN_RETURN_IF_ERROR(LoadFile(files[i]->name, i + 1 == files.size(), base));
    spdlog::info("DB loaded from {} file {}: {:.3f} seconds", base ? "base" : "incr",
                 files[i]->name, SecondsSince(clock, file_start));
  }
  base_bytes_ = manifest.base ? persistence::FileSize(PathOf(manifest.base->name)) : 0;
  incr_before_ = 0;
  for (size_t i = 0; i + 1 < manifest.incrs.size(); i++) {
    incr_before_ += persistence::FileSize(PathOf(manifest.incrs[i].name));
  }
  spdlog::info("DB loaded from append only file: {:.3f} seconds", SecondsSince(clock, start));
  return Status::Ok();
}

Status Aof::LoadFile(const std::string& name, bool last, bool may_be_rdb) {
  std::string path = PathOf(name);
  Result<std::string> data = persistence::ReadWholeFile(path);
  if (!data.ok()) {
    if (data.status().code() == StatusCode::kNotFound) {
      return Status::DataLoss("Fatal error: The AOF file " + name + " doesn't exist");
    }
    return Status::DataLoss("Fatal error: " + std::string(data.status().message()));
  }
  size_t offset = 0;
  if (may_be_rdb && data->starts_with(kRdbMagic)) {
    Result<persistence::RdbLoadInfo> info = persistence::LoadRdb(
        *data, server_.keyspace(),
        server_.snapshots().LoadingOptions(/*skip_expired=*/true, loaded_bytes_));
    if (!info.ok()) {
      return Status::DataLoss("Fatal error loading the RDB preamble of the AOF file '" + name +
                              "': " + std::string(info.status().message()));
    }
    // As Redis: a node loaded from its AOF starts a new replication history (the base's
    // position is older than the incr files that follow it).
    info->aux.erase("repl-id");
    info->aux.erase("repl-offset");
    server_.snapshots().AfterLoad(*info);
    spdlog::info("Reading RDB base file on AOF loading... keys_loaded={}", info->keys_loaded);
    offset = info->bytes;
  }
  Status s = LoadCommands(name, *data, offset, last);
  loaded_bytes_ += static_cast<int64_t>(data->size());
  return s;
}

Status Aof::LoadCommands(const std::string& name, std::string_view data, size_t offset, bool last) {
  commands::ServerState& state = server_.state();
  commands::Client client(state.NextClientId(), state.clock().NowMs());
  client.set_flag(commands::kClientPrimary);  // obeyed like a primary: no OOM or READONLY refusal
  client.authenticated = true;
  client.reply().set_muted(true);
  client.addr = "aof";
  state.AddClient(&client);
  std::string unknown;
  int64_t commands_run = 0;
  Result<persistence::AofParseResult> parsed = persistence::ParseAofStream(
      data, offset, [&](const std::vector<std::string_view>& args) -> Status {
        if (commands::LookupCommand(state.table(), args) == nullptr) {
          unknown = std::string(args[0]);
          return Status::DataLoss("unknown command");
        }
        commands::ProcessCommand(state, client, args);  // replies are muted
        // As Redis's loadSingleAppendOnlyFile: serve clients (-LOADING) every 1024 commands.
        if (++commands_run % kCommandsPerProgress == 0 &&
            !client.has_flag(commands::kClientMulti)) {
          size_t at = static_cast<size_t>(args.back().data() + args.back().size() - data.data());
          if (!server_.snapshots().LoadingProgress(loaded_bytes_ + static_cast<int64_t>(at))) {
            return Status::Aborted("the server is shutting down");
          }
        }
        return Status::Ok();
      });
  if (client.has_flag(commands::kClientMulti)) {
    spdlog::warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", name);
    state.DiscardTransaction(&client);
  }
  state.RemoveClient(&client);
  if (!unknown.empty()) {
    return Status::DataLoss("Unknown command '" + unknown + "' reading the append only file " +
                            name);
  }
  if (!parsed.ok() && parsed.status().code() == StatusCode::kAborted) {
    return parsed.status();
  }
  if (!parsed.ok()) {
    return Status::DataLoss("Bad file format reading the append only file " + name + ": " +
                            std::string(parsed.status().message()) +
                            ". Make a backup of your AOF file, then use ./redis-check-aof --fix "
                            "<filename.manifest>");
  }
  if (!parsed->truncated) {
    return Status::Ok();
  }
  return ApplyTruncation(name, parsed->valid_bytes, last);
}

Status Aof::ApplyTruncation(const std::string& name, size_t valid_bytes, bool last) {
  if (!last || !load_truncated_) {
    return Status::DataLoss(
        "Unexpected end of file reading the append only file " + name + " (valid up to offset " +
        std::to_string(valid_bytes) +
        (last ? "). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
                "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
                "configuration option to yes and restart the server."
              : "), which is not the last file of the AOF: the files in between are missing "
                "data. Make a backup of your AOF directory, then use ./redis-check-aof --fix "
                "<filename.manifest>."));
  }
  std::string path = PathOf(name);
  spdlog::warn("!!! Warning: short read while loading the AOF file {}!!!", name);
  spdlog::warn("!!! Truncating the AOF {} at offset {} !!!", name, valid_bytes);
  if (truncate(path.c_str(), static_cast<off_t>(valid_bytes)) != 0) {
    return Status::DataLoss("Error truncating the AOF file " + name + ": " + std::strerror(errno));
  }
  spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled", name);
  return Status::Ok();
}

Status Aof::CreateOnStart() {
  CAIRN_RETURN_IF_ERROR(EnsureDir());
  persistence::AofManifest m = manifest_;
  std::string base = persistence::AofBaseFileName(filename_, m.base_seq + 1, use_rdb_preamble_);
  spdlog::info("Creating AOF base file {} on server start", base);
  CAIRN_RETURN_IF_ERROR(WriteBase(PathOf(base)));
  m.base = persistence::AofFileInfo{base, m.base_seq + 1, persistence::AofFileType::kBase};
  m.base_seq++;
  std::string incr = persistence::AofIncrFileName(filename_, m.incr_seq + 1);
  spdlog::info("Creating AOF incr file {} on server start", incr);
  CAIRN_RETURN_IF_ERROR(incr_.Open(PathOf(incr), /*truncate=*/true));
  m.incrs = {{incr, m.incr_seq + 1, persistence::AofFileType::kIncr}};
  m.incr_seq++;
  CAIRN_RETURN_IF_ERROR(PersistManifest(m));
  manifest_ = std::move(m);
  base_bytes_ = persistence::FileSize(PathOf(base));
  return Status::Ok();
}

// An AOF from before Redis 7 is one file in `dir`: it is loaded, then moved into the AOF
// directory as the base (keeping its name) with a new incr file, as Redis 7's upgrade does.
Status Aof::UpgradeOldFile() {
  spdlog::info("Loading the old-style append only file {} to upgrade it", filename_);
  std::string saved_dir = dirname_;
  dirname_ = ".";
  Status loaded = LoadFile(filename_, /*last=*/true, /*may_be_rdb=*/true);
  dirname_ = saved_dir;
  CAIRN_RETURN_IF_ERROR(loaded);
  CAIRN_RETURN_IF_ERROR(EnsureDir());
  if (rename(filename_.c_str(), PathOf(filename_).c_str()) != 0) {
    return Status::Internal("Error moving the AOF file " + filename_ + " into " + DirPath() + ": " +
                            std::strerror(errno));
  }
  persistence::AofManifest m;
  m.base = persistence::AofFileInfo{filename_, 1, persistence::AofFileType::kBase};
  m.base_seq = 1;
  std::string incr = persistence::AofIncrFileName(filename_, 1);
  CAIRN_RETURN_IF_ERROR(incr_.Open(PathOf(incr), /*truncate=*/true));
  m.incrs = {{incr, 1, persistence::AofFileType::kIncr}};
  m.incr_seq = 1;
  CAIRN_RETURN_IF_ERROR(PersistManifest(m));
  manifest_ = std::move(m);
  base_bytes_ = persistence::FileSize(PathOf(filename_));
  spdlog::info("Successfully migrated an old-style AOF into the AOF directory {}", DirPath());
  return Status::Ok();
}

Status Aof::OpenLastIncr() {
  if (!incr_.is_open()) {
    if (manifest_.incrs.empty()) {
      // A manifest with a base only (BGREWRITEAOF while AOF was off): start incr files.
      std::string incr = persistence::AofIncrFileName(filename_, manifest_.incr_seq + 1);
      CAIRN_RETURN_IF_ERROR(incr_.Open(PathOf(incr), /*truncate=*/true));
      manifest_.incrs.push_back({incr, manifest_.incr_seq + 1, persistence::AofFileType::kIncr});
      manifest_.incr_seq++;
      CAIRN_RETURN_IF_ERROR(PersistManifest(manifest_));
    } else {
      CAIRN_RETURN_IF_ERROR(incr_.Open(PathOf(manifest_.incrs.back().name), /*truncate=*/false));
    }
  }
  rewrite_base_size_ = CurrentSize();
  last_fsync_ms_ = server_.state().clock().NowMs();
  return Status::Ok();
}

}  // namespace cairn::server
