// cairn-controlplane's process wiring: the store, the CA and agent hub, the reconciler, the gRPC
// and REST servers, started in order and stopped in reverse.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "controlplane/agents/agent_hub.h"
#include "controlplane/api/auth.h"
#include "controlplane/api/cluster_service.h"
#include "controlplane/api/host_service.h"
#include "controlplane/api/operation_service.h"
#include "controlplane/api/rest/rest_gateway.h"
#include "controlplane/api/snapshot_service.h"
#include "controlplane/backup/backup_store.h"
#include "controlplane/discovery/sentinel_server.h"
#include "controlplane/reconciler/cluster_reconciler.h"
#include "controlplane/reconciler/snapshotter.h"
#include "controlplane/store/store.h"

namespace cairn::controlplane {

struct ControlPlaneOptions {
  std::filesystem::path data_dir;
  // "host:port"; port 0 picks a free port (the bound one is in BoundAddresses).
  std::string http_addr = "127.0.0.1:8080";
  std::string grpc_addr = "127.0.0.1:50051";
  std::string agent_addr = "127.0.0.1:50052";
  // The Sentinel-compatible discovery endpoint (RESP).
  std::string discovery_addr = "127.0.0.1:26379";
  // PEM files for TLS on the API (gRPC and REST); both empty = plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // The backup store's directory, shared with every agent (their --backup-dir). Empty:
  // data_dir/backups.
  std::filesystem::path backup_dir;
  // Snapshotter background pass interval, ms (automatic snapshots are checked this often).
  int64_t snapshot_tick_ms = 1000;
};

struct BoundAddresses {
  std::string http_addr;
  std::string grpc_addr;
  std::string agent_addr;
  std::string discovery_addr;
};

class ControlPlane {
 public:
  explicit ControlPlane(ControlPlaneOptions options);
  ~ControlPlane();

  // Opens the store in data_dir/cairn.db, loads or creates the CA, creates the first admin
  // token (returned once through admin_token()), and starts every server and the reconciler.
  // Errors name the flag or file at fault.
  Status Start();
  void Stop();

  const BoundAddresses& addresses() const { return addresses_; }
  // The backup store's root directory (after Start).
  const std::filesystem::path& backup_dir() const { return options_.backup_dir; }
  // The admin token created at this start (first start only), else nullopt.
  const std::optional<std::string>& admin_token() const { return admin_token_; }
  Store& store() { return *store_; }
  CertificateAuthority& ca() { return *ca_; }
  // A fresh single-use join token valid for `ttl_ms`.
  Result<std::string> CreateJoinToken(int64_t ttl_ms);

 private:
  class AgentAdapter;
  Status StartGrpc();
  Status StartDiscovery();
  Result<std::vector<DiscoveredMaster>> DiscoveredMasters();

  ControlPlaneOptions options_;
  SystemClock clock_;
  BoundAddresses addresses_;
  std::optional<std::string> admin_token_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CertificateAuthority> ca_;
  std::unique_ptr<AgentAdapter> adapter_;
  std::unique_ptr<AgentHub> hub_;
  std::unique_ptr<ClusterReconciler> reconciler_;
  std::unique_ptr<DirectoryBackupStore> backups_;
  std::unique_ptr<Snapshotter> snapshotter_;
  std::unique_ptr<SnapshotApi> snapshot_api_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<ClusterApi> cluster_api_;
  std::unique_ptr<OperationApi> operation_api_;
  std::unique_ptr<HostApi> host_api_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<RestGateway> rest_;
  std::unique_ptr<SentinelServer> sentinel_;
};

}  // namespace cairn::controlplane
