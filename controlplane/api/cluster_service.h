// ClusterService: create, read, update (replicas, description), delete clusters and list their
// nodes. Handlers validate, write desired state with an Operation, wake the reconciler and
// return at once; they never call an agent (STYLE.md §5).
#pragma once

#include "cairn/v1/cluster.grpc.pb.h"
#include "controlplane/api/api_deps.h"
#include "controlplane/api/auth.h"

namespace cairn::controlplane {

class ClusterApi {
 public:
  explicit ClusterApi(ApiDeps deps) : deps_(std::move(deps)) {}

  // Validates `request.cluster` (names the bad field: InvalidArgument), stores it as CREATING
  // with a PENDING operation. Idempotent with request_id. AlreadyExists when the name is taken.
  // With source_snapshot: NotFound / FailedPrecondition (not AVAILABLE, corrupt file) for the
  // snapshot; its primary is started from the snapshot's RDB.
  Result<v1::Operation> CreateCluster(const v1::CreateClusterRequest& request);
  // Desired state, status, endpoints and nodes; never the auth token. NotFound.
  Result<v1::Cluster> GetCluster(const v1::GetClusterRequest& request);
  Result<v1::ListClustersResponse> ListClusters(const v1::ListClustersRequest& request);
  // Applies the fields in update_mask (replicas_per_shard, description). InvalidArgument for
  // other paths or an empty mask; FailedPrecondition while another operation runs.
  Result<v1::Operation> UpdateCluster(const v1::UpdateClusterRequest& request);
  // Starts deletion: every node is stopped and its ports freed. With final_snapshot_name, a
  // snapshot is taken first (its errors are returned with the field named) and the nodes stop
  // only once it is AVAILABLE; if it fails, the deletion fails and the cluster stays. NotFound.
  Result<v1::Operation> DeleteCluster(const v1::DeleteClusterRequest& request);
  Result<v1::ListNodesResponse> ListNodes(const v1::ListNodesRequest& request);
  // Manual failover (Redis's FAILOVER): the target (default: the replica with the highest
  // offset) becomes primary without losing writes. NotFound; FailedPrecondition without a
  // running replica or while another operation runs; InvalidArgument for another shard.
  Result<v1::Operation> FailoverShard(const v1::FailoverShardRequest& request);

 private:
  Result<v1::Cluster> Describe(const ClusterRecord& record);
  Status CheckEngineVersion(Cluster& cluster);
  // Restore: the snapshot must be AVAILABLE with an intact file; engine, node_type and
  // maxmemory_policy default to its own.
  Status ApplySourceSnapshot(v1::Cluster& requested);
  ApiDeps deps_;
};

class ClusterGrpcService final : public v1::ClusterService::Service {
 public:
  ClusterGrpcService(ClusterApi& api, const Authenticator& auth) : api_(api), auth_(auth) {}
  grpc::Status CreateCluster(grpc::ServerContext* c, const v1::CreateClusterRequest* r,
                             v1::Operation* out) override;
  grpc::Status GetCluster(grpc::ServerContext* c, const v1::GetClusterRequest* r,
                          v1::Cluster* out) override;
  grpc::Status ListClusters(grpc::ServerContext* c, const v1::ListClustersRequest* r,
                            v1::ListClustersResponse* out) override;
  grpc::Status UpdateCluster(grpc::ServerContext* c, const v1::UpdateClusterRequest* r,
                             v1::Operation* out) override;
  grpc::Status DeleteCluster(grpc::ServerContext* c, const v1::DeleteClusterRequest* r,
                             v1::Operation* out) override;
  grpc::Status ListNodes(grpc::ServerContext* c, const v1::ListNodesRequest* r,
                         v1::ListNodesResponse* out) override;
  grpc::Status FailoverShard(grpc::ServerContext* c, const v1::FailoverShardRequest* r,
                             v1::Operation* out) override;

 private:
  ClusterApi& api_;
  const Authenticator& auth_;
};

// Node status as the API shows it, from desired and observed state.
v1::NodeStatus NodeStatusOf(const Node& node);

}  // namespace cairn::controlplane
