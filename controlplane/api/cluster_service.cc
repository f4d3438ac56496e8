// ClusterService.
#include "controlplane/api/cluster_service.h"

#include <set>

#include "controlplane/api/grpc_edge.h"
#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {
namespace {

constexpr std::string_view kUpdatableFields =
    "replicas_per_shard, description, snapshot_retention_days, snapshot_window";

v1::Node NodeToProto(const Node& n, const Host* host) {
  v1::Node p;
  p.set_id(n.id);
  p.set_shard_id(n.shard_id);
  // The desired role: what the endpoints and discovery point at. During a switchover the
  // observed role lags by a moment; on an unreachable host it is stale.
  p.set_role(n.primary ? v1::NODE_ROLE_PRIMARY : v1::NODE_ROLE_REPLICA);
  p.set_host_id(n.host_id);
  if (host != nullptr) {
    p.set_zone(host->zone);
    p.set_address(host->address);
  }
  p.set_port(n.port);
  p.set_status(NodeStatusOf(n));
  p.set_replication_offset(n.replication_offset);
  return p;
}

}  // namespace

v1::NodeStatus NodeStatusOf(const Node& n) {
  if (n.removing) {
    return v1::NODE_STATUS_DELETING;
  }
  if (n.running) {
    return n.primary || n.link_status == "up" ? v1::NODE_STATUS_AVAILABLE : v1::NODE_STATUS_SYNCING;
  }
  return n.last_exit_reason.empty() ? v1::NODE_STATUS_CREATING : v1::NODE_STATUS_RESTARTING;
}

Status ClusterApi::CheckEngineVersion(Cluster& cluster) {
  Result<std::vector<Host>> hosts = deps_.store.ListHosts();
  CAIRN_RETURN_IF_ERROR(hosts.status());
  std::set<std::string> versions;
  for (const Host& h : *hosts) {
    for (const HostEngine& e : h.engines) {
      if (e.engine == cluster.engine) {
        versions.insert(e.version);
      }
    }
  }
  if (cluster.engine_version.empty()) {
    if (!versions.empty()) {
      cluster.engine_version = *versions.rbegin();
    }
    return Status::Ok();
  }
  if (!versions.count(cluster.engine_version)) {
    std::string known;
    for (const std::string& v : versions) {
      known += (known.empty() ? "" : ", ") + v;
    }
    return Status::InvalidArgument(
        "cluster.engine_version: " + cluster.engine + " " + cluster.engine_version +
        " is not on any host (available: " + (known.empty() ? "none" : known) + ")");
  }
  return Status::Ok();
}

Status ClusterApi::ApplySourceSnapshot(v1::Cluster& requested) {
  const std::string& name = requested.source_snapshot();
  Result<v1::Snapshot> snapshot = deps_.store.GetSnapshot(name);
  if (snapshot.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("cluster.source_snapshot: snapshot \"" + name + "\" not found");
  }
  CAIRN_RETURN_IF_ERROR(snapshot.status());
  if (snapshot->status() != v1::SNAPSHOT_STATUS_AVAILABLE) {
    return Status::FailedPrecondition("cluster.source_snapshot: snapshot \"" + name +
                                      "\" is not available (" +
                                      v1::SnapshotStatus_Name(snapshot->status()) + ")");
  }
  if (deps_.backups == nullptr) {
    return Status::FailedPrecondition("cluster.source_snapshot: no backup store configured");
  }
  // A corrupt file fails here, before anything is created.
  Status intact =
      deps_.backups->Verify({SnapshotKey(name), snapshot->size_bytes(), snapshot->sha256()});
  if (!intact.ok()) {
    return Status::FailedPrecondition("cluster.source_snapshot: snapshot \"" + name +
                                      "\" cannot be restored: " + std::string(intact.message()));
  }
  if (requested.engine().empty()) {
    requested.set_engine(snapshot->engine().empty() ? "cairn" : snapshot->engine());
  }
  if (requested.node_type().empty()) {
    requested.set_node_type(snapshot->node_type());
  }
  if (requested.maxmemory_policy().empty()) {
    requested.set_maxmemory_policy(snapshot->maxmemory_policy());
  }
  return Status::Ok();
}

Result<v1::Operation> ClusterApi::CreateCluster(const v1::CreateClusterRequest& request) {
  v1::Cluster requested = request.cluster();
  if (!requested.source_snapshot().empty()) {
    CAIRN_RETURN_IF_ERROR(ApplySourceSnapshot(requested));
  }
  Result<Cluster> cluster = ClusterFromProto(requested);
  CAIRN_RETURN_IF_ERROR(cluster.status());
  CAIRN_RETURN_IF_ERROR(CheckEngineVersion(*cluster));
  Result<v1::Operation> op = deps_.store.CreateCluster(*cluster, request.request_id());
  if (op.ok()) {
    deps_.reconciler.Enqueue(cluster->name);
  }
  return op;
}

Result<v1::Cluster> ClusterApi::Describe(const ClusterRecord& record) {
  v1::Cluster p = ToProto(record.desired);
  p.set_status(record.status);
  p.set_observed_generation(record.observed_generation);
  SetTimestamp(record.created_at_ms, p.mutable_created_at());
  Result<std::vector<Node>> nodes = deps_.store.ListNodes(record.desired.name);
  Result<std::vector<Host>> hosts = deps_.store.ListHosts();
  CAIRN_RETURN_IF_ERROR(nodes.status());
  CAIRN_RETURN_IF_ERROR(hosts.status());
  auto host_of = [&](const std::string& id) -> const Host* {
    for (const Host& h : *hosts) {
      if (h.id == id) {
        return &h;
      }
    }
    return nullptr;
  };
  const v1::Node* primary = nullptr;
  const v1::Node* reader = nullptr;
  for (const Node& n : *nodes) {
    *p.add_nodes() = NodeToProto(n, host_of(n.host_id));
  }
  for (const v1::Node& n : p.nodes()) {
    if (n.role() == v1::NODE_ROLE_PRIMARY && primary == nullptr) {
      primary = &n;
    } else if (n.status() == v1::NODE_STATUS_AVAILABLE && reader == nullptr) {
      reader = &n;
    }
  }
  if (primary != nullptr) {
    v1::ClusterEndpoints* e = p.mutable_endpoints();
    e->mutable_primary()->set_address(primary->address());
    e->mutable_primary()->set_port(primary->port());
    const v1::Node* r = reader ? reader : primary;
    e->mutable_reader()->set_address(r->address());
    e->mutable_reader()->set_port(r->port());
  }
  size_t colon = deps_.discovery_addr.rfind(':');
  if (colon != std::string::npos) {
    p.mutable_endpoints()->mutable_discovery()->set_address(deps_.discovery_addr.substr(0, colon));
    p.mutable_endpoints()->mutable_discovery()->set_port(
        std::atoi(deps_.discovery_addr.c_str() + colon + 1));
  }
  return p;
}

Result<v1::Cluster> ClusterApi::GetCluster(const v1::GetClusterRequest& request) {
  Result<ClusterRecord> record = deps_.store.GetCluster(request.name());
  CAIRN_RETURN_IF_ERROR(record.status());
  return Describe(*record);
}

Result<v1::ListClustersResponse> ClusterApi::ListClusters(const v1::ListClustersRequest&) {
  Result<std::vector<ClusterRecord>> records = deps_.store.ListClusters();
  CAIRN_RETURN_IF_ERROR(records.status());
  v1::ListClustersResponse out;
  for (const ClusterRecord& r : *records) {
    Result<v1::Cluster> c = Describe(r);
    CAIRN_RETURN_IF_ERROR(c.status());
    *out.add_clusters() = std::move(*c);
  }
  return out;
}

Result<v1::Operation> ClusterApi::UpdateCluster(const v1::UpdateClusterRequest& request) {
  const std::string& name = request.cluster().name();
  if (request.update_mask().paths().empty()) {
    return Status::InvalidArgument("update_mask: name at least one field (" +
                                   std::string(kUpdatableFields) + ")");
  }
  Result<ClusterRecord> record = deps_.store.GetCluster(name);
  CAIRN_RETURN_IF_ERROR(record.status());
  if (record->deleting) {
    return Status::FailedPrecondition("cluster \"" + name + "\" is being deleted");
  }
  v1::Cluster merged = ToProto(record->desired);
  merged.set_auth_token(record->desired.auth_token);
  for (const std::string& path : request.update_mask().paths()) {
    if (path == "replicas_per_shard") {
      merged.set_replicas_per_shard(request.cluster().replicas_per_shard());
    } else if (path == "description") {
      merged.set_description(request.cluster().description());
    } else if (path == "snapshot_retention_days") {
      merged.set_snapshot_retention_days(request.cluster().snapshot_retention_days());
    } else if (path == "snapshot_window") {
      merged.set_snapshot_window(request.cluster().snapshot_window());
    } else {
      return Status::InvalidArgument("update_mask: field \"" + path + "\" cannot be updated (" +
                                     std::string(kUpdatableFields) + ")");
    }
  }
  Result<Cluster> updated = ClusterFromProto(merged);
  CAIRN_RETURN_IF_ERROR(updated.status());
  updated->generation = record->desired.generation + 1;
  Result<v1::Operation> op = deps_.store.UpdateCluster(*updated);
  if (op.ok()) {
    deps_.reconciler.Enqueue(name);
  }
  return op;
}

Result<v1::Operation> ClusterApi::DeleteCluster(const v1::DeleteClusterRequest& request) {
  const std::string& final_snapshot = request.final_snapshot_name();
  if (!final_snapshot.empty()) {
    Result<ClusterRecord> record = deps_.store.GetCluster(request.name());
    CAIRN_RETURN_IF_ERROR(record.status());
    if (record->deleting) {
      return Status::FailedPrecondition("cluster \"" + request.name() +
                                        "\" is already being deleted");
    }
    if (deps_.snapshotter == nullptr) {
      return Status::FailedPrecondition("final_snapshot_name: no backup store configured");
    }
    Result<v1::Operation> snap =
        deps_.snapshotter->TakeSnapshot(final_snapshot, request.name(), "manual");
    if (!snap.ok()) {
      return Status(snap.status().code(),
                    "final_snapshot_name: " + std::string(snap.status().message()));
    }
  }
  Result<v1::Operation> op = deps_.store.MarkClusterDeleting(request.name(), final_snapshot);
  if (op.ok()) {
    deps_.reconciler.Enqueue(request.name());
  }
  return op;
}

Result<v1::ListNodesResponse> ClusterApi::ListNodes(const v1::ListNodesRequest& request) {
  v1::GetClusterRequest get;
  get.set_name(request.cluster_name());
  Result<v1::Cluster> cluster = GetCluster(get);
  CAIRN_RETURN_IF_ERROR(cluster.status());
  v1::ListNodesResponse out;
  *out.mutable_nodes() = cluster->nodes();
  return out;
}

Result<v1::Operation> ClusterApi::FailoverShard(const v1::FailoverShardRequest& request) {
  Result<ClusterRecord> record = deps_.store.GetCluster(request.cluster_name());
  CAIRN_RETURN_IF_ERROR(record.status());
  if (!request.shard_id().empty() && request.shard_id() != "0001") {
    return Status::InvalidArgument("shard_id: cluster \"" + request.cluster_name() +
                                   "\" has only shard 0001");
  }
  if (record->deleting) {
    return Status::FailedPrecondition("cluster \"" + request.cluster_name() +
                                      "\" is being deleted");
  }
  std::string message =
      std::string(request.force() ? "forced failover" : "manual failover") +
      (request.target_node_id().empty() ? std::string() : " to " + request.target_node_id());
  return deps_.reconciler.RequestFailover(request.cluster_name(), request.target_node_id(), message,
                                          /*manual=*/true, request.force());
}

grpc::Status ClusterGrpcService::CreateCluster(grpc::ServerContext* c,
                                               const v1::CreateClusterRequest* r,
                                               v1::Operation* out) {
  return Serve(auth_, c, out, [&] { return api_.CreateCluster(*r); });
}
grpc::Status ClusterGrpcService::GetCluster(grpc::ServerContext* c, const v1::GetClusterRequest* r,
                                            v1::Cluster* out) {
  return Serve(auth_, c, out, [&] { return api_.GetCluster(*r); });
}
grpc::Status ClusterGrpcService::ListClusters(grpc::ServerContext* c,
                                              const v1::ListClustersRequest* r,
                                              v1::ListClustersResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListClusters(*r); });
}
grpc::Status ClusterGrpcService::UpdateCluster(grpc::ServerContext* c,
                                               const v1::UpdateClusterRequest* r,
                                               v1::Operation* out) {
  return Serve(auth_, c, out, [&] { return api_.UpdateCluster(*r); });
}
grpc::Status ClusterGrpcService::DeleteCluster(grpc::ServerContext* c,
                                               const v1::DeleteClusterRequest* r,
                                               v1::Operation* out) {
  return Serve(auth_, c, out, [&] { return api_.DeleteCluster(*r); });
}
grpc::Status ClusterGrpcService::FailoverShard(grpc::ServerContext* c,
                                               const v1::FailoverShardRequest* r,
                                               v1::Operation* out) {
  return Serve(auth_, c, out, [&] { return api_.FailoverShard(*r); });
}
grpc::Status ClusterGrpcService::ListNodes(grpc::ServerContext* c, const v1::ListNodesRequest* r,
                                           v1::ListNodesResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListNodes(*r); });
}

}  // namespace cairn::controlplane
