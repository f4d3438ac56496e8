// The cluster reconciler: a work queue of cluster names and one worker thread that re-reads
// desired and observed state, plans (plan.h), acts through agent tasks, and records progress on
// the cluster's unfinished operation. Level-based: duplicate queue entries, stale observations
// and a restart midway are harmless, because every pass starts from the store again; Start()
// resumes every unfinished operation.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "cairn/agent/v1/agent.pb.h"
#include "controlplane/reconciler/agent_tasks.h"
#include "controlplane/reconciler/plan.h"
#include "controlplane/store/store.h"
#include "dataplane/base/clock.h"

namespace cairn::controlplane {

struct ReconcilerOptions {
  // A host whose last heartbeat is older than this is unreachable (no new nodes), ms.
  int64_t host_unreachable_ms = 10'000;
  // Every cluster is re-checked this often even without events, ms.
  int64_t resync_interval_ms = 1'000;
  // A task without a result is re-sent after this long, ms.
  int64_t task_resend_ms = 15'000;
  // Failed start attempts of one node before the operation fails.
  int max_start_failures = 3;
};

class ClusterReconciler {
 public:
  // `certs` may be null when TLS clusters are not offered.
  ClusterReconciler(Store& store, AgentTasks& agents, NodeCertificateIssuer* certs,
                    const Clock& clock, ReconcilerOptions options = {});
  ~ClusterReconciler();

  // Starts the worker; queues every cluster (resuming unfinished operations).
  void Start();
  void Stop();
  // Queues a reconcile of `cluster`. Thread-safe, never blocks on work.
  void Enqueue(const std::string& cluster);

  // Agent session callbacks (called on gRPC threads). Update observed state in the store and
  // queue the clusters whose nodes changed.
  void OnHeartbeat(const std::string& host_id, const agent::v1::Heartbeat& heartbeat);
  void OnTaskResult(const std::string& host_id, const agent::v1::TaskResult& result);

  // True when `host` may receive new nodes now: not cordoned and reachable, or, in the first
  // host_unreachable_ms after Start, with a fresh last heartbeat (its agent reconnecting).
  bool IsSchedulable(const Host& host) const;
  // True when the host's agent is connected and its heartbeat is fresh.
  bool IsReachable(const Host& host) const;
  // True in the first host_unreachable_ms after Start for a host whose last heartbeat is
  // fresh: its agent is presumably reconnecting to this new control plane process.
  bool Reconnecting(const Host& host) const;

  // Makes `target` (or, when empty, the replica with the highest offset) the shard's primary:
  // a FailoverShard operation, desired roles swapped, the discovery listener told. `manual`
  // failovers need a running replica and no other unfinished operation (FailedPrecondition).
  // `force` promotes the target at once (REPLICAOF NO ONE) without the coordinated FAILOVER TO
  // that waits for it to catch up: writes the old primary took meanwhile may be lost, as with
  // ElastiCache's TestFailover and Redis's FAILOVER ... FORCE.
  Result<v1::Operation> RequestFailover(const std::string& cluster, const std::string& target,
                                        const std::string& message, bool manual,
                                        bool force = false);

  // Called with (cluster, old primary "host:port", new primary "host:port") when the desired
  // primary changes (Sentinel's +switch-master). Set before Start().
  void set_on_primary_changed(
      std::function<void(const std::string&, const std::string&, const std::string&)> fn) {
    on_primary_changed_ = std::move(fn);
  }

  // One reconcile pass, synchronously (tests).
  Status ReconcileForTest(const std::string& cluster) { return Reconcile(cluster); }

 private:
  // The last task sent for a node; no new task goes out before not_before_ms (a resend
  // timeout while it runs, a backoff after it failed).
  struct InFlight {
    std::string task_id;
    int64_t not_before_ms = 0;
  };

  void Run();
  Status Reconcile(const std::string& name);
  Status ReconcileDeletion(const ClusterView& view, v1::Operation* op);
  Status Apply(const ClusterView& view, const ClusterActions& actions, v1::Operation* op);
  Status Fail(const ClusterView& view, v1::Operation* op, const Status& why);
  Status Converge(const ClusterView& view, v1::Operation* op);
  Result<agent::v1::NodeSpec> BuildSpec(const ClusterView& view, const Node& node);
  void SendNodeTask(const Node& node, agent::v1::Task task, std::string_view kind);
  bool TaskInFlight(const std::string& node_id);
  Status UpdateObserved(const Node& stored, const agent::v1::NodeStatus& status);
  Status ReplaceOnBusyPort(const std::string& host_id, const std::string& node_id,
                           const std::string& cluster);
  Status SendSwitchover(const ClusterView& view, const std::string& from, const std::string& to);
  std::string AddressOf(const std::string& node_id, const std::vector<Node>& nodes);

  Store& store_;
  AgentTasks& agents_;
  NodeCertificateIssuer* certs_;
  const Clock& clock_;
  ReconcilerOptions options_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::set<std::string> queue_;
  std::map<std::string, InFlight> in_flight_;        // node id -> the task last sent for it
  std::map<std::string, int> start_failures_;        // node id -> failed StartNode results
  std::map<std::string, std::string> last_failure_;  // node id -> the agent's reason
  std::map<std::string, TlsMaterial> tls_by_cluster_;
  // host id -> ports an agent found taken by something else (PortInUse): never placed again.
  std::map<std::string, std::set<int>> busy_ports_;
  std::function<void(const std::string&, const std::string&, const std::string&)>
      on_primary_changed_;
  uint64_t task_counter_ = 0;
  int64_t started_ms_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace cairn::controlplane
