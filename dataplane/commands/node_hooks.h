// Hooks from commands to the layers the server wires in above them: snapshots (persistence/) and
// replication (replication/). Commands cannot include those layers (STYLE.md §1), so the server
// implements these interfaces and sets them on ServerState. Called on the command thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/entry.h"

namespace cairn::commands {

class CommandContext;
class Client;

// RDB snapshots: SAVE, BGSAVE, DEBUG RELOAD, FLUSHALL's save.
class SnapshotHooks {
 public:
  virtual ~SnapshotHooks() = default;
  // SAVE: writes the snapshot in the foreground. The error's message is the reply text
  // ("ERR Background save already in progress", or "ERR" when writing failed).
  virtual Status Save() = 0;
  // BGSAVE [SCHEDULE]: forks a child that writes the snapshot. Returns the status reply
  // ("Background saving started" / "Background saving scheduled") or the error reply text.
  virtual Result<std::string> BackgroundSave(bool schedule) = 0;
  // BGREWRITEAOF: the status reply ("Background append only file rewriting started" /
  // "... scheduled") or the error reply text, as Redis 7.0.
  virtual Result<std::string> BackgroundRewriteAof() {
    return Status::FailedPrecondition("ERR BGREWRITEAOF needs the persistence layer");
  }
  // DEBUG RELOAD: save (unless `nosave`), empty the dataset (unless `noflush`), load the file
  // (`merge`: keys already present are replaced instead of refused). The error is the reply text.
  virtual Status Reload(bool merge, bool noflush, bool nosave) = 0;
  // FLUSHALL with save points configured: stops a running background save and writes the now
  // empty dataset, as Redis 7.0 does.
  virtual void SaveAfterFlushAll() = 0;
  // The -MISCONF error text (without the '-') writes and PING must be refused with, or "" when
  // they may run (Redis's writeCommandsDeniedByDiskError and writeCommandsGetDiskErrorMessage):
  // the last background save failed while save points are set and stop-writes-on-bgsave-error
  // is yes, or with AOF on, the last AOF write or background fsync failed ("MISCONF Errors
  // writing to the AOF file: <strerror>").
  virtual std::string WriteRefusal() const = 0;
  // DUMP: e's value as Redis's payload (RDB type and value, 2-byte RDB version, CRC-64).
  // Errors: FailedPrecondition for a type without a codec.
  virtual Result<std::string> Dump(const engine::Entry& e) = 0;
  // RESTORE: a new entry for `key` from a DUMP payload, fully validated. Errors (the reply text):
  // "ERR DUMP payload version or checksum are wrong", "ERR Bad data format".
  virtual Result<engine::Entry*> Restore(std::string_view key, std::string_view payload,
                                         bool has_expire, int64_t expire_at_ms) = 0;
  // FUNCTION DUMP: library codes as Redis's payload (FUNCTION2 records, RDB version, CRC-64).
  virtual Result<std::string> DumpFunctions(const std::vector<std::string>& codes) {
    (void)codes;
    return Status::FailedPrecondition("ERR FUNCTION DUMP needs the persistence layer");
  }
  // FUNCTION RESTORE: the library codes of a payload. Errors (the reply text): "ERR payload
  // version or checksum are wrong", "ERR given type is not a function".
  virtual Result<std::vector<std::string>> RestoreFunctions(std::string_view payload) {
    (void)payload;
    return Status::FailedPrecondition("ERR FUNCTION RESTORE needs the persistence layer");
  }
};

// Replication: the commands that drive it and the propagation of writes to replicas.
class ReplicationHooks {
 public:
  virtual ~ReplicationHooks() = default;
  // Queues one executed write for replicas and the backlog, in db `db` (a SELECT is sent first
  // when the stream's db differs). `args` is the command as the replica must run it.
  virtual void Propagate(int db, const std::vector<std::string_view>& args) = 0;
  // EXEC brackets its queued commands: the writes among them are sent inside MULTI ... EXEC.
  virtual void BeginTransaction() = 0;
  virtual void EndTransaction() = 0;
  // True on a read-only replica: writes from clients other than the primary get -READONLY.
  virtual bool RejectsWrites() const = 0;
  // False on a primary with min-replicas-to-write set and fewer replicas than that acknowledging
  // within min-replicas-max-lag seconds: writes then get -NOREPLICAS.
  virtual bool EnoughGoodReplicas() const = 0;
  // True on a replica whose link to its primary is not up (connecting, handshaking or syncing)
  // with replica-serve-stale-data no: commands without the stale flag then get -MASTERDOWN, as
  // Redis's processCommand.
  virtual bool DeniesStaleData() const { return false; }

  // Command handlers (REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC, WAIT, ROLE, FAILOVER).
  virtual void ReplicaOf(CommandContext& ctx) = 0;
  virtual void Replconf(CommandContext& ctx) = 0;
  virtual void Psync(CommandContext& ctx) = 0;
  virtual void Wait(CommandContext& ctx) = 0;
  virtual void Role(CommandContext& ctx) = 0;
  virtual void Failover(CommandContext& ctx) = 0;
};

}  // namespace cairn::commands
