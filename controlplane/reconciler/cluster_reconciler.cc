// Cluster reconciler: the loop, and acting on plans.
#include "controlplane/reconciler/cluster_reconciler.h"

#include <set>

#include <spdlog/spdlog.h>

#include "controlplane/backup/backup_store.h"
#include "controlplane/health/failover.h"
#include "controlplane/model/catalog.h"

namespace cairn::controlplane {
namespace {

// Task ids carry what they are about: "<kind>/<node id>/<sequence>".
std::string TaskId(std::string_view kind, const std::string& node_id, uint64_t seq) {
  return std::string(kind) + "/" + node_id + "/" + std::to_string(seq);
}

struct TaskRef {
  std::string kind;
  std::string node_id;
};

TaskRef ParseTaskId(const std::string& id) {
  size_t first = id.find('/');
  size_t last = id.rfind('/');
  if (first == std::string::npos || last == first) {
    return {};
  }
  return {id.substr(0, first), id.substr(first + 1, last - first - 1)};
}

// "demo-0001-002" -> "demo".
std::string ClusterOfNode(const std::string& node_id) {
  size_t last = node_id.rfind('-');
  size_t shard = last == std::string::npos ? last : node_id.rfind('-', last - 1);
  return shard == std::string::npos ? "" : node_id.substr(0, shard);
}

// Splits "CapacityUnavailable: no host ..." into reason and message.
std::pair<std::string, std::string> ReasonOf(const Status& status, std::string fallback) {
  std::string_view m = status.message();
  size_t colon = m.find(": ");
  if (colon != std::string_view::npos && colon > 0 && std::isupper(m[0]) &&
      m.substr(0, colon).find(' ') == std::string_view::npos) {
    return {std::string(m.substr(0, colon)), std::string(m.substr(colon + 2))};
  }
  return {std::move(fallback), std::string(m)};
}

}  // namespace

ClusterReconciler::ClusterReconciler(Store& store, AgentTasks& agents, NodeCertificateIssuer* certs,
                                     const Clock& clock, ReconcilerOptions options)
    : store_(store), agents_(agents), certs_(certs), clock_(clock), options_(options) {}

ClusterReconciler::~ClusterReconciler() {
  Stop();
}

void ClusterReconciler::Start() {
  started_ms_ = clock_.NowMs();
  worker_ = std::thread([this] { Run(); });
}

void ClusterReconciler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) {
    worker_.join();
  }
}

void ClusterReconciler::Enqueue(const std::string& cluster) {
  {
    std::lock_guard lock(mu_);
    queue_.insert(cluster);
  }
  wake_.notify_all();
}

void ClusterReconciler::Run() {
  int64_t next_resync_ms = 0;
  for (;;) {
    std::string name;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(options_.resync_interval_ms),
                     [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      if (!queue_.empty()) {
        name = *queue_.begin();
        queue_.erase(queue_.begin());
      }
    }
    if (clock_.NowMs() >= next_resync_ms) {
      next_resync_ms = clock_.NowMs() + options_.resync_interval_ms;
      Result<std::vector<ClusterRecord>> all = store_.ListClusters();
      for (const ClusterRecord& c : all.ok() ? *all : std::vector<ClusterRecord>{}) {
        Enqueue(c.desired.name);
      }
    }
    if (name.empty()) {
      continue;
    }
    if (Status s = Reconcile(name); !s.ok()) {
      // Retried on the next resync: every pass starts from the store again.
      spdlog::warn("reconcile cluster {}: {}", name, s.ToString());
    }
  }
}

bool ClusterReconciler::IsReachable(const Host& host) const {
  return agents_.IsConnected(host.id) &&
         clock_.NowMs() - host.last_heartbeat_ms < options_.host_unreachable_ms;
}

bool ClusterReconciler::Reconnecting(const Host& host) const {
  int64_t now = clock_.NowMs();
  return now - started_ms_ < options_.host_unreachable_ms &&
         now - host.last_heartbeat_ms < options_.host_unreachable_ms;
}

bool ClusterReconciler::IsSchedulable(const Host& host) const {
  // Just after the control plane starts, agents are still reconnecting: a host whose last
  // heartbeat is fresh still gets nodes (its tasks wait for its session), so a restart in the
  // middle of a create does not crowd the nodes onto the hosts that reconnected first.
  return !host.cordoned && (IsReachable(host) || Reconnecting(host));
}

std::string ClusterReconciler::AddressOf(const std::string& node_id,
                                         const std::vector<Node>& nodes) {
  for (const Node& n : nodes) {
    if (n.id == node_id) {
      Result<Host> host = store_.GetHost(n.host_id);
      return (host.ok() ? host->address : "") + ":" + std::to_string(n.port);
    }
  }
  return "";
}

Result<v1::Operation> ClusterReconciler::RequestFailover(const std::string& cluster,
                                                         const std::string& target,
                                                         const std::string& message, bool manual,
                                                         bool force) {
  Result<std::vector<Node>> nodes = store_.ListNodes(cluster);
  CAIRN_RETURN_IF_ERROR(nodes.status());
  const Node* old_primary = FindPrimary(*nodes);
  std::string old_id = old_primary ? old_primary->id : "";
  const Node* chosen = nullptr;
  for (const Node& n : *nodes) {
    if (n.id == target) {
      chosen = &n;
    }
  }
  if (target.empty()) {
    chosen = ChoosePromotionTarget(*nodes, old_id);
  }
  if (chosen == nullptr || chosen->id == old_id || chosen->removing || !chosen->running) {
    return Status::FailedPrecondition(
        target.empty() ? "cluster \"" + cluster + "\" has no running replica to promote"
                       : "target_node_id: " + target + " is not a running replica of " + cluster);
  }
  std::string old_addr = AddressOf(old_id, *nodes);
  std::string new_addr = AddressOf(chosen->id, *nodes);
  Result<v1::Operation> op = store_.StartFailover(cluster, chosen->id, message, manual, force);
  CAIRN_RETURN_IF_ERROR(op.status());
  spdlog::info("failover of {}: {} -> {} ({})", cluster, old_id, chosen->id, message);
  if (on_primary_changed_) {
    on_primary_changed_(cluster, old_addr, new_addr);
  }
  Enqueue(cluster);
  return op;
}

Status ClusterReconciler::Reconcile(const std::string& name) {
  Result<ClusterRecord> record = store_.GetCluster(name);
  if (record.status().code() == StatusCode::kNotFound) {
    return Status::Ok();
  }
  CAIRN_RETURN_IF_ERROR(record.status());
  ClusterView view{.cluster = std::move(*record)};
  Result<std::vector<Node>> nodes = store_.ListNodes(name);
  Result<std::vector<Node>> all = store_.ListAllNodes();
  Result<std::vector<Host>> hosts = store_.ListHosts();
  CAIRN_RETURN_IF_ERROR(nodes.status());
  CAIRN_RETURN_IF_ERROR(all.status());
  CAIRN_RETURN_IF_ERROR(hosts.status());
  view.nodes = std::move(*nodes);
  view.all_nodes = std::move(*all);
  {
    // Ports found taken on a host count as used, so placement picks others.
    std::lock_guard lock(mu_);
    for (const auto& [host_id, ports] : busy_ports_) {
      for (int port : ports) {
        view.all_nodes.push_back(Node{.id = "(busy)", .host_id = host_id, .port = port});
      }
    }
  }
  std::vector<HostHealth> health;
  for (Host& h : *hosts) {
    bool schedulable = IsSchedulable(h);
    bool reachable = IsReachable(h);
    // Planning does not replace the replicas of a host whose agent is still reconnecting.
    bool plan_reachable = reachable || Reconnecting(h);
    health.push_back({h.id, reachable, h.address});
    view.hosts.push_back({std::move(h), schedulable, plan_reachable});
  }
  Result<std::optional<v1::Operation>> op = store_.UnfinishedOperation(ClusterResource(name));
  CAIRN_RETURN_IF_ERROR(op.status());
  v1::Operation* op_ptr = op->has_value() ? &**op : nullptr;
  if (view.cluster.deleting) {
    return ReconcileDeletion(view, op_ptr);
  }
  std::optional<FailoverDecision> failover = DecideFailover(
      view.cluster.desired, view.cluster.observed_generation > 0, view.nodes, health);
  if (failover) {
    Result<v1::Operation> started =
        RequestFailover(name, failover->new_primary, failover->reason + ": " + failover->message,
                        /*manual=*/false);
    return started.status();
  }
  Result<NodeType> type = FindNodeType("cluster.node_type", view.cluster.desired.node_type);
  CAIRN_RETURN_IF_ERROR(type.status());
  ClusterActions actions = PlanActions(view, type->memory_bytes);
  if (actions.terminal) {
    return Fail(view, op_ptr, *actions.terminal);
  }
  for (const Node& n : view.nodes) {
    std::lock_guard lock(mu_);
    if (!n.removing && start_failures_[n.id] >= options_.max_start_failures) {
      std::string reason = last_failure_[n.id];
      start_failures_.erase(n.id);
      return Fail(view, op_ptr, Status::FailedPrecondition(reason));
    }
  }
  return Apply(view, actions, op_ptr);
}

Status ClusterReconciler::Apply(const ClusterView& view, const ClusterActions& actions,
                                v1::Operation* op) {
  const std::string& name = view.cluster.desired.name;
  std::string op_id = op ? op->id() : "";
  if (!actions.insert_nodes.empty()) {
    CAIRN_RETURN_IF_ERROR(store_.InsertNodes(actions.insert_nodes));
    for (const Node& n : actions.insert_nodes) {
      CAIRN_RETURN_IF_ERROR(
          store_.AddEvent("nodes/" + n.id, "NodePlaced",
                          "placed on " + n.host_id + " port " + std::to_string(n.port), op_id));
    }
    Enqueue(name);  // the next pass starts them
  }
  for (const std::string& id : actions.mark_removing) {
    CAIRN_RETURN_IF_ERROR(store_.SetNodeRemoving(id));
  }
  for (const Node& n : view.nodes) {
    bool start = std::count(actions.start.begin(), actions.start.end(), n.id) > 0;
    bool reconfigure = std::count(actions.reconfigure.begin(), actions.reconfigure.end(), n.id);
    bool stop = std::count(actions.stop.begin(), actions.stop.end(), n.id) > 0;
    if ((!start && !reconfigure && !stop) || TaskInFlight(n.id)) {
      continue;
    }
    agent::v1::Task task;
    if (stop) {
      task.mutable_stop_node()->set_node_id(n.id);
      SendNodeTask(n, std::move(task), "stop");
      continue;
    }
    Result<agent::v1::NodeSpec> spec = BuildSpec(view, n);
    CAIRN_RETURN_IF_ERROR(spec.status());
    if (start) {
      *task.mutable_start_node()->mutable_spec() = std::move(*spec);
    } else {
      *task.mutable_configure_node()->mutable_spec() = std::move(*spec);
    }
    SendNodeTask(n, std::move(task), start ? "start" : "configure");
  }
  for (const auto& [from, to] : actions.switchover) {
    CAIRN_RETURN_IF_ERROR(SendSwitchover(view, from, to));
  }
  if (actions.converged) {
    return Converge(view, op);
  }
  if (op) {
    op->set_state(v1::OPERATION_STATE_RUNNING);
    op->clear_steps();
    for (const v1::OperationStep& s : actions.steps) {
      *op->add_steps() = s;
    }
    op->set_progress_percent(actions.progress_percent);
    return store_.SaveOperation(*op);
  }
  return Status::Ok();
}

Status ClusterReconciler::SendSwitchover(const ClusterView& view, const std::string& from,
                                         const std::string& to) {
  const Node* source = nullptr;
  const Node* target = nullptr;
  for (const Node& n : view.nodes) {
    source = n.id == from ? &n : source;
    target = n.id == to ? &n : target;
  }
  if (source == nullptr || target == nullptr || TaskInFlight(source->id)) {
    return Status::Ok();
  }
  agent::v1::Task task;
  agent::v1::FailoverNode* f = task.mutable_failover_node();
  f->set_node_id(source->id);
  for (const HostCandidate& h : view.hosts) {
    if (h.host.id == target->host_id) {
      f->set_target_host(h.host.address);
    }
  }
  f->set_target_port(target->port);
  f->set_timeout_ms(10'000);
  SendNodeTask(*source, std::move(task), "failover");
  return Status::Ok();
}

Status ClusterReconciler::Converge(const ClusterView& view, v1::Operation* op) {
  const ClusterRecord& c = view.cluster;
  if (c.status != v1::CLUSTER_STATUS_AVAILABLE || c.observed_generation != c.desired.generation) {
    CAIRN_RETURN_IF_ERROR(store_.SetClusterStatus(c.desired.name, v1::CLUSTER_STATUS_AVAILABLE,
                                                  c.desired.generation));
    CAIRN_RETURN_IF_ERROR(store_.AddEvent(ClusterResource(c.desired.name), "ClusterAvailable",
                                          "all nodes running and in sync", op ? op->id() : ""));
  }
  // Every unfinished operation on the cluster is done now (a failover may have overtaken an
  // update; both wanted this state).
  for (;;) {
    Result<std::optional<v1::Operation>> open =
        store_.UnfinishedOperation(ClusterResource(c.desired.name));
    CAIRN_RETURN_IF_ERROR(open.status());
    if (!open->has_value()) {
      return Status::Ok();
    }
    v1::Operation& done = **open;
    done.set_state(v1::OPERATION_STATE_SUCCEEDED);
    done.set_progress_percent(100);
    for (v1::OperationStep& s : *done.mutable_steps()) {
      s.set_state(v1::OPERATION_STATE_SUCCEEDED);
    }
    CAIRN_RETURN_IF_ERROR(store_.SaveOperation(done));
    if (done.type() == kOpFailoverShard) {
      const Node* primary = FindPrimary(view.nodes);
      CAIRN_RETURN_IF_ERROR(
          store_.AddEvent(ClusterResource(c.desired.name), "FailoverCompleted",
                          (primary ? primary->id : std::string("?")) + " is the primary (offset " +
                              std::to_string(primary ? primary->replication_offset : 0) + ")",
                          done.id()));
    }
  }
}

Status ClusterReconciler::Fail(const ClusterView& view, v1::Operation* op, const Status& why) {
  if (op == nullptr) {
    return Status::Ok();  // nothing asked for this state; it stays until the next request
  }
  const Cluster& c = view.cluster.desired;
  auto [reason, message] = ReasonOf(why, "NodeStartFailed");
  op->set_state(v1::OPERATION_STATE_FAILED);
  op->mutable_error()->set_code(std::string(StatusCodeName(why.code())));
  op->mutable_error()->set_reason(reason);
  op->mutable_error()->set_message(message);
  CAIRN_RETURN_IF_ERROR(store_.SaveOperation(*op));
  CAIRN_RETURN_IF_ERROR(store_.AddEvent(ClusterResource(c.name), reason, message, op->id()));
  if (op->type() == kOpCreateCluster) {
    return store_.SetClusterStatus(c.name, v1::CLUSTER_STATUS_CREATE_FAILED,
                                   view.cluster.observed_generation);
  }
  if (op->type() == kOpFailoverShard) {
    // The switchover did not happen: the node that still serves as primary stays desired.
    for (const Node& n : view.nodes) {
      if (n.running && n.observed_role == "primary") {
        for (const Node& m : view.nodes) {
          CAIRN_RETURN_IF_ERROR(store_.SetNodePrimary(m.id, m.id == n.id));
        }
      }
    }
    CAIRN_RETURN_IF_ERROR(store_.SetClusterStatus(c.name, v1::CLUSTER_STATUS_AVAILABLE,
                                                  view.cluster.observed_generation));
    Enqueue(c.name);
    return Status::Ok();
  }
  // A failed change leaves the cluster as it was: desired state goes back to what runs.
  Cluster reverted = c;
  int active = 0;
  for (const Node& n : view.nodes) {
    active += !n.removing;
  }
  reverted.replicas_per_shard = std::max(0, active - 1);
  reverted.generation = c.generation + 1;
  CAIRN_RETURN_IF_ERROR(store_.ReplaceClusterSpec(reverted));
  Enqueue(c.name);
  return Status::Ok();
}

Status ClusterReconciler::ReconcileDeletion(const ClusterView& view, v1::Operation* op) {
  const std::string& name = view.cluster.desired.name;
  if (!view.cluster.final_snapshot.empty()) {
    // The final snapshot comes first; the Snapshotter queues this cluster when it ends.
    Result<v1::Snapshot> last = store_.GetSnapshot(view.cluster.final_snapshot);
    if (last.ok() && last->status() == v1::SNAPSHOT_STATUS_CREATING) {
      return Status::Ok();
    }
    if (!last.ok() || last->status() != v1::SNAPSHOT_STATUS_AVAILABLE) {
      std::string why = last.ok() ? last->failure_reason() + ": " + last->failure_message()
                                  : std::string(last.status().message());
      return op == nullptr ? Status::Ok()
                           : store_.CancelDeletion(name, *op, "FinalSnapshotFailed",
                                                   "final snapshot " + view.cluster.final_snapshot +
                                                       " failed, the cluster is kept: " + why);
    }
  }
  ClusterActions actions = PlanDeletion(view);
  for (const Node& n : view.nodes) {
    auto host = std::find_if(view.hosts.begin(), view.hosts.end(),
                             [&](const HostCandidate& h) { return h.host.id == n.host_id; });
    bool gone = host == view.hosts.end() ||
                (!agents_.IsConnected(n.host_id) &&
                 clock_.NowMs() - host->host.last_heartbeat_ms > options_.host_unreachable_ms);
    if (gone) {
      // Its agent is unreachable; the agent stops orphans it finds when it returns.
      CAIRN_RETURN_IF_ERROR(store_.DeleteNode(n.id));
      CAIRN_RETURN_IF_ERROR(store_.AddEvent("nodes/" + n.id, "NodeAbandoned",
                                            "host " + n.host_id + " unreachable",
                                            op ? op->id() : ""));
      continue;
    }
    if (!TaskInFlight(n.id)) {
      agent::v1::Task task;
      task.mutable_stop_node()->set_node_id(n.id);
      SendNodeTask(n, std::move(task), "stop");
    }
  }
  if (!actions.converged) {
    if (op) {
      op->set_state(v1::OPERATION_STATE_RUNNING);
      op->clear_steps();
      for (const v1::OperationStep& s : actions.steps) {
        *op->add_steps() = s;
      }
      op->set_progress_percent(actions.progress_percent);
      return store_.SaveOperation(*op);
    }
    return Status::Ok();
  }
  CAIRN_RETURN_IF_ERROR(store_.DeleteCluster(name));
  CAIRN_RETURN_IF_ERROR(store_.AddEvent(ClusterResource(name), "ClusterDeleted",
                                        "all nodes stopped", op ? op->id() : ""));
  if (op) {
    op->set_state(v1::OPERATION_STATE_SUCCEEDED);
    op->set_progress_percent(100);
    for (v1::OperationStep& s : *op->mutable_steps()) {
      s.set_state(v1::OPERATION_STATE_SUCCEEDED);
    }
    return store_.SaveOperation(*op);
  }
  return Status::Ok();
}

Result<agent::v1::NodeSpec> ClusterReconciler::BuildSpec(const ClusterView& view,
                                                         const Node& node) {
  const Cluster& c = view.cluster.desired;
  agent::v1::NodeSpec spec;
  spec.set_node_id(node.id);
  spec.set_cluster_name(c.name);
  spec.set_engine(c.engine);
  spec.set_port(node.port);
  spec.set_maxmemory_bytes(node.memory_bytes);
  spec.set_maxmemory_policy(c.maxmemory_policy);
  spec.set_auth_token(c.auth_token);
  spec.set_generation(c.generation);
  auto address_of = [&](const std::string& host_id) -> std::string {
    for (const HostCandidate& h : view.hosts) {
      if (h.host.id == host_id) {
        return h.host.address;
      }
    }
    return "";
  };
  if (node.primary && !c.source_snapshot.empty() &&
      view.cluster.status == v1::CLUSTER_STATUS_CREATING) {
    // A restore: the first primary starts from the snapshot; replicas copy it by full sync.
    // Later primaries never do (they would go back in time).
    Result<v1::Snapshot> seed = store_.GetSnapshot(c.source_snapshot);
    CAIRN_RETURN_IF_ERROR(seed.status());
    spec.mutable_seed()->set_key(SnapshotKey(seed->name()));
    spec.mutable_seed()->set_size_bytes(seed->size_bytes());
    spec.mutable_seed()->set_sha256(seed->sha256());
  }
  if (!node.primary) {
    const Node* primary = FindPrimary(view.nodes);
    if (primary == nullptr) {
      return Status::FailedPrecondition("cluster " + c.name + " has no primary");
    }
    spec.set_replicaof_host(address_of(primary->host_id));
    spec.set_replicaof_port(primary->port);
  }
  if (c.tls) {
    if (certs_ == nullptr) {
      return Status::FailedPrecondition("TLS clusters need the control plane's CA");
    }
    std::lock_guard lock(mu_);
    auto it = tls_by_cluster_.find(c.name);
    if (it == tls_by_cluster_.end()) {
      std::set<std::string> sans = {"127.0.0.1", "localhost"};
      for (const HostCandidate& h : view.hosts) {
        sans.insert(h.host.address);
      }
      Result<TlsMaterial> tls = certs_->IssueNodeCertificate(c.name, {sans.begin(), sans.end()});
      CAIRN_RETURN_IF_ERROR(tls.status());
      it = tls_by_cluster_.emplace(c.name, std::move(*tls)).first;
    }
    spec.set_tls(true);
    spec.set_tls_cert_pem(it->second.certificate_pem);
    spec.set_tls_key_pem(it->second.private_key_pem);
    spec.set_tls_ca_pem(it->second.ca_certificate_pem);
  }
  return spec;
}

bool ClusterReconciler::TaskInFlight(const std::string& node_id) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(node_id);
  return it != in_flight_.end() && clock_.NowMs() < it->second.not_before_ms;
}

void ClusterReconciler::SendNodeTask(const Node& node, agent::v1::Task task,
                                     std::string_view kind) {
  {
    std::lock_guard lock(mu_);
    task.set_id(TaskId(kind, node.id, ++task_counter_));
    in_flight_[node.id] = InFlight{task.id(), clock_.NowMs() + options_.task_resend_ms};
  }
  agents_.SendTask(node.host_id, std::move(task));
}

Status ClusterReconciler::UpdateObserved(const Node& stored, const agent::v1::NodeStatus& s) {
  Node n = stored;
  n.running = s.state() == agent::v1::NODE_STATE_RUNNING;
  n.observed_role = n.running ? s.role() : "";
  n.link_status = n.running ? s.link_status() : "";
  n.replication_offset = s.replication_offset();
  n.spec_generation = s.spec_generation();
  n.last_exit_reason = s.last_exit_reason();
  n.observed_replicaof = n.running ? s.replicaof() : "";
  n.primary_unreachable_ms = s.primary_unreachable_ms();
  n.held = s.held();
  bool changed = n.running != stored.running || n.observed_role != stored.observed_role ||
                 n.link_status != stored.link_status ||
                 n.last_exit_reason != stored.last_exit_reason ||
                 n.observed_replicaof != stored.observed_replicaof || n.held != stored.held ||
                 n.primary_unreachable_ms != stored.primary_unreachable_ms;
  if (!changed && n.replication_offset == stored.replication_offset) {
    return Status::Ok();
  }
  CAIRN_RETURN_IF_ERROR(store_.UpdateNodeObserved(n));
  if (changed) {
    if (!n.last_exit_reason.empty() && n.last_exit_reason != stored.last_exit_reason) {
      CAIRN_RETURN_IF_ERROR(store_.AddEvent("nodes/" + n.id, "NodeRestarted", n.last_exit_reason));
    }
    Enqueue(n.cluster);
  }
  return Status::Ok();
}

void ClusterReconciler::OnHeartbeat(const std::string& host_id, const agent::v1::Heartbeat& hb) {
  const agent::v1::HostFacts& f = hb.facts();
  Host host{.id = host_id,
            .address = f.advertise_addr(),
            .zone = f.zone(),
            .memory_bytes = f.memory_bytes(),
            .node_port_from = f.node_port_from(),
            .node_port_to = f.node_port_to(),
            .last_heartbeat_ms = clock_.NowMs()};
  for (const agent::v1::EngineInfo& e : f.engines()) {
    host.engines.push_back({e.engine(), e.version()});
  }
  Status s = store_.UpsertHost(host);
  Result<std::vector<Node>> nodes = store_.ListAllNodes();
  if (!s.ok() || !nodes.ok()) {
    spdlog::warn("heartbeat from {}: {}", host_id, (s.ok() ? nodes.status() : s).ToString());
    return;
  }
  for (const Node& stored : *nodes) {
    if (stored.host_id != host_id) {
      continue;
    }
    agent::v1::NodeStatus status;  // a node the agent does not report is not running
    for (const agent::v1::NodeStatus& reported : hb.nodes()) {
      if (reported.node_id() == stored.id) {
        status = reported;
      }
    }
    if (Status u = UpdateObserved(stored, status); !u.ok()) {
      spdlog::warn("heartbeat from {}: {}", host_id, u.ToString());
    }
  }
}

Status ClusterReconciler::ReplaceOnBusyPort(const std::string& host_id, const std::string& node_id,
                                            const std::string& cluster) {
  Result<std::vector<Node>> nodes = store_.ListNodes(cluster);
  CAIRN_RETURN_IF_ERROR(nodes.status());
  for (const Node& n : *nodes) {
    if (n.id != node_id || n.running) {
      continue;
    }
    {
      std::lock_guard lock(mu_);
      busy_ports_[host_id].insert(n.port);
      in_flight_.erase(node_id);
    }
    // The node never ran: its record goes, and the next pass places a new one elsewhere.
    CAIRN_RETURN_IF_ERROR(store_.DeleteNode(node_id));
    return store_.AddEvent("nodes/" + node_id, "NodePortInUse",
                           "port " + std::to_string(n.port) + " on " + host_id +
                               " is taken by another process; placing the node again");
  }
  return Status::Ok();
}

void ClusterReconciler::OnTaskResult(const std::string& host_id,
                                     const agent::v1::TaskResult& result) {
  TaskRef ref = ParseTaskId(result.task_id());
  std::string cluster = ClusterOfNode(ref.node_id);
  {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(ref.node_id);
    bool current = it != in_flight_.end() && it->second.task_id == result.task_id();
    if (current && result.ok()) {
      in_flight_.erase(it);
    } else if (current) {
      // Retry after 1 s, 2 s, ...: a failure that repeats fails the operation soon, a
      // transient one gets time to clear.
      int failures = ++start_failures_[ref.node_id];
      it->second.not_before_ms = clock_.NowMs() + 1000 * failures;
      last_failure_[ref.node_id] = result.reason() + ": " + result.message();
    }
    if (ref.kind == "start" && result.ok()) {
      start_failures_.erase(ref.node_id);
    }
    if (current && result.reason() == "PortInUse") {
      start_failures_.erase(ref.node_id);  // not the node's fault: it moves to another port
    }
  }
  std::string resource = "nodes/" + ref.node_id;
  Status s = Status::Ok();
  if (ref.kind == "stop" && result.ok()) {
    s = store_.DeleteNode(ref.node_id);
    if (s.ok()) {
      s = store_.AddEvent(resource, "NodeStopped", "stopped on " + host_id);
    }
  } else if (ref.kind == "start" && result.reason() == "PortInUse") {
    s = ReplaceOnBusyPort(host_id, ref.node_id, cluster);
  } else if (!result.ok()) {
    s = store_.AddEvent(resource, "NodeTaskFailed",
                        ref.kind + " failed: " + result.reason() + ": " + result.message());
  } else if (result.has_node()) {
    Result<std::vector<Node>> nodes = store_.ListNodes(cluster);
    for (const Node& n : nodes.ok() ? *nodes : std::vector<Node>{}) {
      if (n.id == ref.node_id) {
        s = UpdateObserved(n, result.node());
      }
    }
  }
  if (!s.ok()) {
    spdlog::warn("task result {} from {}: {}", result.task_id(), host_id, s.ToString());
  }
  Enqueue(cluster);
}

}  // namespace cairn::controlplane
