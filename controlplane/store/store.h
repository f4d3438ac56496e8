// The control plane's state: one SQLite connection owned here, behind one mutex (WAL mode,
// numbered forward-only migrations from migrations/NNNN_name.sql). Desired state (clusters,
// nodes) is written by the API and the reconciler, observed state (hosts, node status) by the
// agent sessions. Every method is thread-safe and returns errors as Status: NotFound,
// AlreadyExists and FailedPrecondition name the resource; Internal carries SQLite's message.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cairn/v1/cluster.pb.h"
#include "cairn/v1/event.pb.h"
#include "cairn/v1/operation.pb.h"
#include "cairn/v1/snapshot.pb.h"
#include "controlplane/model/cluster.h"
#include "controlplane/model/node.h"
#include "controlplane/store/sqlite.h"
#include "dataplane/base/clock.h"
#include "dataplane/base/sha256.h"  // Sha256Hex: token secrets are stored only this way
#include "dataplane/base/status.h"

namespace cairn::controlplane {

// A cluster's desired state plus what the reconciler last concluded.
struct ClusterRecord {
  Cluster desired;  // includes auth_token
  v1::ClusterStatus status = v1::CLUSTER_STATUS_CREATING;
  int64_t observed_generation = 0;
  bool deleting = false;
  int64_t created_at_ms = 0;
  // True while a forced failover (FailoverShard with force) runs: the target is promoted with
  // REPLICAOF NO ONE without waiting to catch up, and the old primary is made its replica.
  bool failover_forced = false;
  // Set by a deletion that takes a final snapshot first: its name.
  std::string final_snapshot;
};

struct ApiTokenRecord {
  std::string id;
  std::string secret_sha256;  // hex
  std::string description;
  int64_t created_at_ms = 0;
  bool revoked = false;
};

// Operation types as they appear in Operation.type.
inline constexpr std::string_view kOpCreateCluster = "CreateCluster";
inline constexpr std::string_view kOpUpdateCluster = "UpdateCluster";
inline constexpr std::string_view kOpDeleteCluster = "DeleteCluster";
inline constexpr std::string_view kOpFailoverShard = "FailoverShard";
inline constexpr std::string_view kOpCreateSnapshot = "CreateSnapshot";

// "clusters/NAME", the resource string of operations and events.
std::string ClusterResource(std::string_view name);
// "snapshots/NAME", the resource of CreateSnapshot operations.
std::string SnapshotResource(std::string_view name);

class Store {
 public:
  // Opens `path` (":memory:" for tests) and applies pending migrations.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const Clock& clock);

  // Schema version after migrations (the highest NNNN applied).
  Result<int64_t> SchemaVersion();

  // ---- Clusters (cluster_store.cc) ----
  // Inserts `cluster` (status CREATING, generation 1) with its PENDING CreateCluster operation
  // and a ClusterCreateRequested event, atomically. A non-empty `request_id` seen before returns
  // that request's operation instead (idempotent retry). AlreadyExists if the name is taken.
  Result<v1::Operation> CreateCluster(const Cluster& cluster, const std::string& request_id);
  Result<ClusterRecord> GetCluster(const std::string& name);
  Result<std::vector<ClusterRecord>> ListClusters();
  // Replaces desired state (generation + 1, status MODIFYING) with an UpdateCluster operation.
  // FailedPrecondition while another operation on the cluster is unfinished.
  Result<v1::Operation> UpdateCluster(const Cluster& updated);
  // Marks the cluster DELETING with a DeleteCluster operation; unfinished operations on it are
  // CANCELLED. FailedPrecondition if it is already being deleted (returns nothing new).
  // `final_snapshot` (may be empty) is kept in ClusterRecord.final_snapshot: the deletion
  // waits for that snapshot and is cancelled (CancelDeletion) when it fails.
  Result<v1::Operation> MarkClusterDeleting(const std::string& name,
                                            const std::string& final_snapshot = "");
  // Takes back a deletion: the cluster is AVAILABLE again, `op` (the DeleteCluster operation)
  // FAILED with `reason`/`message`, and an event with them, atomically.
  Status CancelDeletion(const std::string& name, v1::Operation op, const std::string& reason,
                        const std::string& message);
  // Replaces the desired spec without an operation (a failed change being reverted).
  Status ReplaceClusterSpec(const Cluster& cluster);
  Status SetClusterStatus(const std::string& name, v1::ClusterStatus status,
                          int64_t observed_generation);
  // Makes `new_primary` the desired primary of the cluster (every other node a replica), with a
  // RUNNING FailoverShard operation and a FailoverStarted event carrying `message`, atomically.
  // `manual` failovers are refused (FailedPrecondition) while another operation runs. `force`
  // marks the cluster failover_forced until its status leaves FAILING_OVER.
  Result<v1::Operation> StartFailover(const std::string& cluster, const std::string& new_primary,
                                      const std::string& message, bool manual, bool force = false);
  // Removes the cluster and its node rows (the end of a deletion).
  Status DeleteCluster(const std::string& name);

  // ---- Nodes and hosts (node_store.cc) ----
  Result<std::vector<Node>> ListNodes(const std::string& cluster);
  Result<std::vector<Node>> ListAllNodes();
  Status InsertNodes(const std::vector<Node>& nodes);
  Status SetNodeRemoving(const std::string& id);
  Status SetNodePrimary(const std::string& id, bool primary);
  Status DeleteNode(const std::string& id);
  // Writes the observed fields of `node` (running .. last_exit_reason). Unknown ids are ignored.
  Status UpdateNodeObserved(const Node& node);
  // Inserts or updates a host's facts and heartbeat time; keeps `cordoned` and `joined_at_ms`.
  Status UpsertHost(const Host& host);
  Result<Host> GetHost(const std::string& id);
  Result<std::vector<Host>> ListHosts();
  Status SetHostCordoned(const std::string& id, bool cordoned);

  // ---- Operations and events (operation_store.cc) ----
  Result<v1::Operation> GetOperation(const std::string& id);
  // Newest first; `resource` empty = all.
  Result<std::vector<v1::Operation>> ListOperations(const std::string& resource, int limit);
  // Unfinished (PENDING or RUNNING) operations, oldest first: what a restart resumes.
  Result<std::vector<v1::Operation>> ListUnfinishedOperations();
  // The unfinished operation on `resource`, if any.
  Result<std::optional<v1::Operation>> UnfinishedOperation(const std::string& resource);
  // Stores `op` (state, steps, progress, error), stamping updated_at.
  Status SaveOperation(v1::Operation op);
  Status AddEvent(const std::string& resource, const std::string& type, const std::string& message,
                  const std::string& operation_id = "");
  // Events of `resource` and its children ("clusters/demo" also matches "nodes/demo-..."),
  // at or after `since_ms`, oldest first, at most `limit`.
  Result<std::vector<v1::Event>> ListEvents(const std::string& resource, int64_t since_ms,
                                            int limit);

  // ---- Tokens (token_store.cc) ----
  Status InsertApiToken(const ApiTokenRecord& token);
  Result<ApiTokenRecord> FindApiToken(const std::string& id);
  Result<std::vector<ApiTokenRecord>> ListApiTokens();
  Status RevokeApiToken(const std::string& id);
  Status InsertJoinToken(const std::string& id, const std::string& secret_sha256,
                         int64_t expires_at_ms);
  // Uses up a join token: PermissionDenied if unknown, wrong secret, expired or already used.
  Status ConsumeJoinToken(const std::string& id, const std::string& secret_sha256,
                          const std::string& host_id);

  // ---- Snapshots (snapshot_store.cc) ----
  // Records `snapshot` as CREATING (created now) with a RUNNING CreateSnapshot operation on
  // "snapshots/NAME" and a SnapshotStarted event on its cluster, atomically. AlreadyExists.
  Result<v1::Operation> StartSnapshot(v1::Snapshot snapshot);
  // Records a finished snapshot (imports, copies) as given, created now. AlreadyExists.
  Status InsertSnapshot(v1::Snapshot snapshot);
  Result<v1::Snapshot> GetSnapshot(const std::string& name);
  // Newest first; empty filters match everything.
  Result<std::vector<v1::Snapshot>> ListSnapshots(const std::string& cluster = "",
                                                  const std::string& source = "");
  // Replaces the stored record (status, size, failure). NotFound.
  Status SaveSnapshot(const v1::Snapshot& snapshot);
  // Removes the record (not the file). NotFound.
  Status DeleteSnapshot(const std::string& name);

 private:
  Store(std::unique_ptr<sql::Database> db, const Clock& clock)
      : db_(std::move(db)), clock_(clock) {}
  Status Migrate();
  Result<v1::Operation> InsertOperation(std::string_view type, const std::string& resource,
                                        const std::string& request_id);
  Status InsertEvent(const std::string& resource, const std::string& type,
                     const std::string& message, const std::string& operation_id);
  Result<std::optional<v1::Operation>> UnfinishedOperationLocked(const std::string& resource);
  Status SaveOperationLocked(v1::Operation op);
  Status InsertSnapshotLocked(const v1::Snapshot& snapshot);

  std::mutex mu_;
  std::unique_ptr<sql::Database> db_;
  const Clock& clock_;
};

// `bytes` random bytes from OpenSSL's CSPRNG as lowercase hex.
std::string RandomHex(size_t bytes);

}  // namespace cairn::controlplane
