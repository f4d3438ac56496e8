// Snapshots and seeds (agent.proto SnapshotNode, NodeSpec.seed): SnapshotNode runs BGSAVE on a
// running node, polls INFO persistence until that save has finished, and copies the node's RDB
// file into the backup store; StartNode fetches a new node's seed from the store into its data
// file before the first start. Both engines (cairn-server, redis-server) answer the same
// commands and INFO fields.
#include <map>
#include <thread>

#include <spdlog/spdlog.h>

#include "agent/supervisor/node_client.h"
#include "agent/supervisor/supervisor.h"

namespace cairn::agent {
namespace {

constexpr int64_t kDefaultSnapshotTimeoutMs = 600000;
// Every single command to the node (BGSAVE, INFO) must answer within this.
constexpr std::chrono::milliseconds kSnapshotCallTimeout{2000};

using Clock = std::chrono::steady_clock;

// BGSAVE replies that mean another child process (a save or an AOF rewrite) is running: ours
// can start once it has finished.
bool Busy(const Status& status) {
  return status.message().find("already in progress") != std::string_view::npos ||
         status.message().find("Another child process is active") != std::string_view::npos;
}

// Starts a BGSAVE of its own, waiting out a save (or other child) already running. Ok once the
// node answered "Background saving started": every save that finishes from then on began after
// the call. DeadlineExceeded when `deadline` passes first; FailedPrecondition with the engine's
// text for any other refusal.
Status StartOwnSave(NodeClient& client, Clock::time_point deadline,
                    std::chrono::milliseconds poll) {
  while (true) {
    Result<std::string> reply = client.Command({"BGSAVE"});
    if (reply.ok()) {
      return Status::Ok();
    }
    if (!Busy(reply.status())) {
      return Status::FailedPrecondition("BGSAVE: " + std::string(reply.status().message()));
    }
    if (Clock::now() >= deadline) {
      return Status::DeadlineExceeded("another save was still running at the deadline");
    }
    std::this_thread::sleep_for(poll);  // polling until the running child is done
  }
}

// Polls INFO persistence until no save runs, then checks the last one succeeded. Called after
// StartOwnSave, so the finished save is ours (or a later one).
Status WaitSaveDone(NodeClient& client, Clock::time_point deadline,
                    std::chrono::milliseconds poll) {
  while (true) {
    Result<std::map<std::string, std::string>> info = client.Info("persistence");
    if (!info.ok()) {
      return info.status();
    }
    if (InfoField(*info, "rdb_bgsave_in_progress") == "0") {
      if (InfoField(*info, "rdb_last_bgsave_status") != "ok") {
        return Status::Internal("the save failed (rdb_last_bgsave_status:" +
                                InfoField(*info, "rdb_last_bgsave_status") + ")");
      }
      return Status::Ok();
    }
    if (Clock::now() >= deadline) {
      return Status::DeadlineExceeded("the save was still running at the deadline");
    }
    std::this_thread::sleep_for(poll);  // polling the save's progress
  }
}

// BGSAVE on the node behind `socket` and wait until it is on disk.
Status SaveNow(const std::filesystem::path& socket, const std::string& password, int64_t timeout_ms,
               std::chrono::milliseconds poll) {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto client = NodeClient::Connect(socket, password, kSnapshotCallTimeout);
  if (!client.ok()) {
    return client.status();
  }
  CAIRN_RETURN_IF_ERROR(StartOwnSave(**client, deadline, poll));
  return WaitSaveDone(**client, deadline, poll);
}

controlplane::StoredObject ToStored(const v1::BackupObject& object) {
  return {object.key(), object.size_bytes(), object.sha256()};
}

v1::BackupObject ToProto(const controlplane::StoredObject& stored) {
  v1::BackupObject object;
  object.set_key(stored.key);
  object.set_size_bytes(stored.size_bytes);
  object.set_sha256(stored.sha256);
  return object;
}

v1::TaskResult NoBackupStore() {
  return Failure("NoBackupStore",
                 "this agent has no backup store; start cairn-agent with --backup-dir (the "
                 "directory the control plane uses as its backup store)");
}

}  // namespace

v1::TaskResult Supervisor::SnapshotNode(const v1::SnapshotNode& s) {
  if (Status valid = ValidateNodeId(s.node_id()); !valid.ok()) {
    return Failure("InvalidSpec", valid.message());
  }
  if (s.key().empty() || s.timeout_ms() < 0) {
    return Failure("InvalidSpec", "snapshot needs a key and a timeout_ms >= 0");
  }
  if (options_.backup_store == nullptr) {
    return NoBackupStore();
  }
  int64_t timeout_ms = s.timeout_ms() > 0 ? s.timeout_ms() : kDefaultSnapshotTimeoutMs;
  NodePaths paths;
  v1::NodeSpec spec;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(s.node_id());
    if (it == nodes_.end()) {
      return Failure("SnapshotFailed", "node " + s.node_id() + " is not on this host");
    }
    if (it->second.pid == 0) {
      return Failure("SnapshotFailed", "node " + s.node_id() + " is not running");
    }
    paths = it->second.paths;
    spec = it->second.spec;
  }
  spdlog::info("snapshot started node_id={} key={}", s.node_id(), s.key());
  Status saved = SaveNow(paths.socket, spec.auth_token(), timeout_ms, options_.snapshot_poll);
  if (!saved.ok()) {
    std::string log = LastLogLine(paths);
    return Failure("SnapshotFailed", "node " + s.node_id() + ": " + std::string(saved.message()) +
                                         (log.empty() ? "" : "; last log line: " + log));
  }
  Result<controlplane::StoredObject> stored =
      options_.backup_store->PutFile(s.key(), DataFilePath(spec, paths));
  if (!stored.ok()) {
    return Failure("SnapshotFailed", "storing " + DataFilePath(spec, paths).string() + " as " +
                                         s.key() + ": " + std::string(stored.status().message()));
  }
  spdlog::info("snapshot stored node_id={} key={} size_bytes={} sha256={}", s.node_id(),
               stored->key, stored->size_bytes, stored->sha256);
  v1::TaskResult result;
  result.set_ok(true);
  *result.mutable_snapshot() = ToProto(*stored);
  *result.mutable_node() = StatusOf(s.node_id());
  return result;
}

std::optional<v1::TaskResult> Supervisor::SeedNode(const v1::NodeSpec& spec) {
  if (spec.seed().key().empty()) {
    return std::nullopt;
  }
  NodePaths paths = NodePaths::For(options_.nodes_dir, spec.node_id());
  std::filesystem::path data_file = DataFilePath(spec, paths);
  std::error_code ec;
  if (std::filesystem::exists(data_file, ec)) {
    return std::nullopt;  // not a first start: the node's own data wins over the seed
  }
  if (options_.backup_store == nullptr) {
    return NoBackupStore();
  }
  bool created = !std::filesystem::exists(paths.dir, ec);
  std::filesystem::create_directories(paths.dir, ec);
  std::filesystem::permissions(paths.dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  Status fetched = options_.backup_store->FetchTo(ToStored(spec.seed()), data_file);
  if (fetched.ok()) {
    spdlog::info("seeded node node_id={} from key={} size_bytes={}", spec.node_id(),
                 spec.seed().key(), spec.seed().size_bytes());
    return std::nullopt;
  }
  if (created) {
    std::filesystem::remove_all(paths.dir, ec);
  }
  std::string reason = fetched.code() == StatusCode::kDataLoss   ? "SnapshotCorrupt"
                       : fetched.code() == StatusCode::kNotFound ? "SnapshotMissing"
                                                                 : "SnapshotFailed";
  return Failure(reason, "seed " + spec.seed().key() + ": " + std::string(fetched.message()));
}

}  // namespace cairn::agent
