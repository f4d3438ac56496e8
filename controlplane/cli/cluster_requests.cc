// Flags -> ClusterService requests.
#include "controlplane/cli/cluster_requests.h"

#include "controlplane/cli/duration.h"

namespace cairn::controlplane::cli {
namespace {

Status CheckWindowFlag(const std::string& window) {
  Status status = CheckDailyWindow(window);
  if (!status.ok()) {
    return Status::InvalidArgument("--snapshot-window: " + std::string(status.message()));
  }
  return Status::Ok();
}

}  // namespace

Result<v1::CreateClusterRequest> BuildCreateClusterRequest(const ClusterCreateArgs& args) {
  if (!args.replicas.has_value() && args.from_snapshot.empty()) {
    return Status::InvalidArgument(
        "cluster create: --replicas is required (a cluster restored with --from-snapshot "
        "defaults to the snapshot's)");
  }
  if (!args.snapshot_window.empty()) {
    CAIRN_RETURN_IF_ERROR(CheckWindowFlag(args.snapshot_window));
  }
  v1::CreateClusterRequest request;
  v1::Cluster& cluster = *request.mutable_cluster();
  cluster.set_name(args.name);
  cluster.set_replicas_per_shard(args.replicas.value_or(0));
  cluster.set_node_type(args.node_type);
  cluster.set_engine(args.engine);
  cluster.set_tls(args.tls);
  cluster.set_auth_token(args.auth_token);
  cluster.set_description(args.description);
  cluster.set_port(args.port);
  cluster.set_maxmemory_policy(args.maxmemory_policy);
  cluster.set_source_snapshot(args.from_snapshot);
  cluster.set_snapshot_retention_days(args.snapshot_retention_days.value_or(0));
  cluster.set_snapshot_window(args.snapshot_window);
  request.set_request_id(args.request_id);
  return request;
}

Result<v1::UpdateClusterRequest> BuildUpdateClusterRequest(const ClusterUpdateArgs& args) {
  v1::UpdateClusterRequest request;
  v1::Cluster& cluster = *request.mutable_cluster();
  google::protobuf::FieldMask& mask = *request.mutable_update_mask();
  cluster.set_name(args.name);
  if (args.replicas.has_value()) {
    cluster.set_replicas_per_shard(*args.replicas);
    mask.add_paths("replicas_per_shard");
  }
  if (args.description.has_value()) {
    cluster.set_description(*args.description);
    mask.add_paths("description");
  }
  if (args.snapshot_retention_days.has_value()) {
    cluster.set_snapshot_retention_days(*args.snapshot_retention_days);
    mask.add_paths("snapshot_retention_days");
  }
  if (args.snapshot_window.has_value()) {
    CAIRN_RETURN_IF_ERROR(CheckWindowFlag(*args.snapshot_window));
    cluster.set_snapshot_window(*args.snapshot_window);
    mask.add_paths("snapshot_window");
  }
  if (mask.paths_size() == 0) {
    return Status::InvalidArgument(
        "cluster update: nothing to change; give --replicas N, --description TEXT, "
        "--snapshot-retention-days N and/or --snapshot-window hh:mm-hh:mm");
  }
  return request;
}

v1::DeleteClusterRequest BuildDeleteClusterRequest(const std::string& name,
                                                   const std::string& final_snapshot) {
  v1::DeleteClusterRequest request;
  request.set_name(name);
  request.set_final_snapshot_name(final_snapshot);
  return request;
}

}  // namespace cairn::controlplane::cli
