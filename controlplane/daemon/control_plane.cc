// Control plane wiring.
#include "controlplane/daemon/control_plane.h"

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace cairn::controlplane {
namespace {

Result<std::string> ReadFile(const std::string& path, std::string_view flag) {
  std::ifstream in(path);
  if (!in) {
    return Status::InvalidArgument(std::string(flag) + ": cannot read " + path);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

// Connects the reconciler to the agent hub and the CA. The hub is created after the
// reconciler (its callbacks feed the reconciler), so the adapter holds a late-bound pointer.
class ControlPlane::AgentAdapter final : public AgentTasks, public NodeCertificateIssuer {
 public:
  explicit AgentAdapter(CertificateAuthority& ca) : ca_(ca) {}
  void set_hub(AgentHub* hub) { hub_ = hub; }
  void SendTask(const std::string& host_id, agent::v1::Task task) override {
    hub_->SendTask(host_id, std::move(task));
  }
  bool IsConnected(const std::string& host_id) const override {
    return hub_ != nullptr && hub_->IsConnected(host_id);
  }
  Result<TlsMaterial> IssueNodeCertificate(const std::string& cluster,
                                           const std::vector<std::string>& sans) override {
    Result<CertificateAuthority::KeyPair> pair = ca_.IssueServerCertificate(cluster, sans);
    CAIRN_RETURN_IF_ERROR(pair.status());
    return TlsMaterial{pair->certificate_pem, pair->private_key_pem, ca_.ca_certificate_pem()};
  }

 private:
  CertificateAuthority& ca_;
  AgentHub* hub_ = nullptr;
};

ControlPlane::ControlPlane(ControlPlaneOptions options) : options_(std::move(options)) {}

ControlPlane::~ControlPlane() {
  Stop();
}

Status ControlPlane::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    return Status::InvalidArgument("--data-dir: cannot create " + options_.data_dir.string() +
                                   ": " + ec.message());
  }
  std::filesystem::permissions(options_.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  Result<std::unique_ptr<Store>> store =
      Store::Open((options_.data_dir / "cairn.db").string(), clock_);
  CAIRN_RETURN_IF_ERROR(store.status());
  store_ = std::move(*store);
  Result<std::unique_ptr<CertificateAuthority>> ca =
      CertificateAuthority::LoadOrCreate(options_.data_dir / "ca");
  CAIRN_RETURN_IF_ERROR(ca.status());
  ca_ = std::move(*ca);
  Result<std::optional<std::string>> admin = CreateAdminTokenIfNone(*store_);
  CAIRN_RETURN_IF_ERROR(admin.status());
  admin_token_ = *admin;

  if (options_.backup_dir.empty()) {
    options_.backup_dir = options_.data_dir / "backups";
  }
  Result<std::unique_ptr<DirectoryBackupStore>> backups =
      DirectoryBackupStore::Open(options_.backup_dir);
  CAIRN_RETURN_IF_ERROR(backups.status());
  backups_ = std::move(*backups);
  options_.backup_dir = backups_->root();

  adapter_ = std::make_unique<AgentAdapter>(*ca_);
  reconciler_ = std::make_unique<ClusterReconciler>(*store_, *adapter_, adapter_.get(), clock_);
  snapshotter_ =
      std::make_unique<Snapshotter>(*store_, *adapter_, *backups_, clock_,
                                    SnapshotterOptions{.tick_ms = options_.snapshot_tick_ms});
  snapshotter_->set_on_snapshot_done(
      [this](const std::string& cluster) { reconciler_->Enqueue(cluster); });
  AgentHubCallbacks callbacks;
  callbacks.consume_join_token = [this](std::string_view id, std::string_view secret,
                                        std::string_view host_id) {
    return store_->ConsumeJoinToken(std::string(id), Sha256Hex(secret), std::string(host_id));
  };
  callbacks.on_heartbeat = [this](const std::string& host, const agent::v1::Heartbeat& hb) {
    reconciler_->OnHeartbeat(host, hb);
  };
  callbacks.on_task_result = [this](const std::string& host, const agent::v1::TaskResult& r) {
    if (!snapshotter_->OnTaskResult(host, r)) {
      reconciler_->OnTaskResult(host, r);
    }
  };
  callbacks.on_disconnect = [this](const std::string& host) {
    (void)store_->AddEvent("hosts/" + host, "AgentDisconnected", "session closed");
  };
  hub_ = std::make_unique<AgentHub>(*ca_, std::move(callbacks));
  adapter_->set_hub(hub_.get());
  std::string agent_host = options_.agent_addr.substr(0, options_.agent_addr.rfind(':'));
  Result<std::string> agent_addr =
      hub_->Start(options_.agent_addr, {agent_host, "127.0.0.1", "localhost"});
  CAIRN_RETURN_IF_ERROR(agent_addr.status());
  addresses_.agent_addr = *agent_addr;

  CAIRN_RETURN_IF_ERROR(StartDiscovery());
  auth_ = std::make_unique<Authenticator>(*store_);
  std::string fingerprint = ca_->ca_fingerprint_sha256_hex();
  ApiDeps deps{*store_,
               *reconciler_,
               *adapter_,
               clock_,
               [fingerprint](std::string_view id, std::string_view secret) {
                 return FormatJoinToken(fingerprint, id, secret);
               },
               addresses_.discovery_addr,
               backups_.get(),
               snapshotter_.get(),
               options_.data_dir / "tmp"};
  cluster_api_ = std::make_unique<ClusterApi>(deps);
  snapshot_api_ = std::make_unique<SnapshotApi>(deps);
  operation_api_ = std::make_unique<OperationApi>(deps);
  host_api_ = std::make_unique<HostApi>(deps);
  CAIRN_RETURN_IF_ERROR(StartGrpc());
  rest_ = std::make_unique<RestGateway>(
      RestServices{*cluster_api_, *operation_api_, *host_api_, *snapshot_api_, *auth_},
      options_.tls_cert_file, options_.tls_key_file);
  Result<std::string> http_addr = rest_->Start(options_.http_addr);
  CAIRN_RETURN_IF_ERROR(http_addr.status());
  addresses_.http_addr = *http_addr;
  reconciler_->Start();
  snapshotter_->Start();
  return Status::Ok();
}

Status ControlPlane::StartGrpc() {
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    Result<std::string> cert = ReadFile(options_.tls_cert_file, "--tls-cert");
    Result<std::string> key = ReadFile(options_.tls_key_file, "--tls-key");
    CAIRN_RETURN_IF_ERROR(cert.status());
    CAIRN_RETURN_IF_ERROR(key.status());
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    creds = grpc::SslServerCredentials(ssl);
  }
  services_.push_back(std::make_unique<ClusterGrpcService>(*cluster_api_, *auth_));
  services_.push_back(std::make_unique<OperationGrpcService>(*operation_api_, *auth_));
  services_.push_back(std::make_unique<EventGrpcService>(*operation_api_, *auth_));
  services_.push_back(std::make_unique<HostGrpcService>(*host_api_, *auth_));
  services_.push_back(std::make_unique<CatalogGrpcService>(*host_api_, *auth_));
  services_.push_back(std::make_unique<TokenGrpcService>(*host_api_, *auth_));
  services_.push_back(std::make_unique<SnapshotGrpcService>(*snapshot_api_, *auth_));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options_.grpc_addr, creds, &port);
  for (auto& service : services_) {
    builder.RegisterService(service.get());
  }
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || port == 0) {
    return Status::Unavailable("--grpc-addr: cannot listen on " + options_.grpc_addr);
  }
  addresses_.grpc_addr =
      options_.grpc_addr.substr(0, options_.grpc_addr.rfind(':')) + ":" + std::to_string(port);
  return Status::Ok();
}

Status ControlPlane::StartDiscovery() {
  sentinel_ = std::make_unique<SentinelServer>([this] { return DiscoveredMasters(); });
  Result<std::string> bound = sentinel_->Start(options_.discovery_addr);
  CAIRN_RETURN_IF_ERROR(bound.status());
  addresses_.discovery_addr = *bound;
  reconciler_->set_on_primary_changed(
      [this](const std::string& cluster, const std::string& old_addr, const std::string& now) {
        sentinel_->PublishSwitchMaster(cluster, old_addr, now);
      });
  return Status::Ok();
}

Result<std::vector<DiscoveredMaster>> ControlPlane::DiscoveredMasters() {
  Result<std::vector<ClusterRecord>> clusters = store_->ListClusters();
  Result<std::vector<Node>> nodes = store_->ListAllNodes();
  Result<std::vector<Host>> hosts = store_->ListHosts();
  CAIRN_RETURN_IF_ERROR(clusters.status());
  CAIRN_RETURN_IF_ERROR(nodes.status());
  CAIRN_RETURN_IF_ERROR(hosts.status());
  auto address = [&](const std::string& host_id) {
    for (const Host& h : *hosts) {
      if (h.id == host_id) {
        return h.address;
      }
    }
    return std::string();
  };
  std::vector<DiscoveredMaster> out;
  for (const ClusterRecord& c : *clusters) {
    if (c.deleting) {
      continue;
    }
    DiscoveredMaster m{.name = c.desired.name,
                       .down_after_ms = c.desired.down_after_ms,
                       .auth_token = c.desired.auth_token};
    for (const Node& n : *nodes) {
      if (n.cluster != c.desired.name || n.removing) {
        continue;
      }
      if (n.primary) {
        m.ip = address(n.host_id);
        m.port = n.port;
        m.up = n.running;
      } else {
        m.replicas.push_back(
            {address(n.host_id), n.port, n.link_status == "up" && n.running, n.replication_offset});
      }
    }
    if (m.port != 0) {
      out.push_back(std::move(m));
    }
  }
  return out;
}

void ControlPlane::Stop() {
  if (sentinel_) {
    sentinel_->Stop();
  }
  if (rest_) {
    rest_->Stop();
  }
  if (grpc_server_) {
    grpc_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc_server_.reset();
  }
  if (snapshotter_) {
    snapshotter_->Stop();
  }
  if (reconciler_) {
    reconciler_->Stop();
  }
  if (hub_) {
    hub_->Stop();
  }
}

Result<std::string> ControlPlane::CreateJoinToken(int64_t ttl_ms) {
  std::string id = "jt-" + RandomHex(4);
  std::string secret = RandomHex(16);
  CAIRN_RETURN_IF_ERROR(store_->InsertJoinToken(id, Sha256Hex(secret), clock_.NowMs() + ttl_ms));
  return FormatJoinToken(ca_->ca_fingerprint_sha256_hex(), id, secret);
}

}  // namespace cairn::controlplane
