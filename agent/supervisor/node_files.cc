// Node directory contents and observation over the node's unix socket.
#include "agent/supervisor/node_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "agent/supervisor/node_client.h"
#include "dataplane/base/files.h"

namespace cairn::agent {
namespace {

int64_t ToInt64(const std::map<std::string, std::string>& info, const std::string& name) {
  auto it = info.find(name);
  if (it == info.end()) {
    return 0;
  }
  return std::strtoll(it->second.c_str(), nullptr, 10);
}

}  // namespace

NodePaths NodePaths::For(const std::filesystem::path& nodes_dir, const std::string& node_id) {
  NodePaths p;
  p.dir = nodes_dir / node_id;
  p.config = p.dir / "node.conf";
  p.pid_file = p.dir / "node.pid";
  p.socket = p.dir / "node.sock";
  p.log = p.dir / "node.log";
  p.spec = p.dir / "spec.pb";
  p.held = p.dir / "held";
  p.tls_cert = p.dir / "tls.crt";
  p.tls_key = p.dir / "tls.key";
  p.tls_ca = p.dir / "ca.crt";
  return p;
}

Status ValidateNodeId(const std::string& node_id) {
  if (node_id.empty() || node_id.size() > 64 || node_id[0] == '-') {
    return Status::InvalidArgument("node_id: 1-64 of [a-z0-9-], not starting with '-'");
  }
  for (char c : node_id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::InvalidArgument("node_id: 1-64 of [a-z0-9-], not starting with '-'");
    }
  }
  return Status::Ok();
}

NodeConfig ConfigFromSpec(const v1::NodeSpec& spec, const NodePaths& paths,
                          const std::string& bind) {
  NodeConfig c;
  c.port = spec.port();
  c.bind = bind;
  c.dir = paths.dir.string();
  c.unixsocket = paths.socket.string();
  c.maxmemory_bytes = spec.maxmemory_bytes();
  if (!spec.maxmemory_policy().empty()) {
    c.maxmemory_policy = spec.maxmemory_policy();
  }
  c.requirepass = spec.auth_token();
  // Only replicas need masterauth; primaries leave it out so engines without replication support
  // (older cairn-server builds) still load the file. ConfigureNode sets it live before REPLICAOF.
  if (!spec.replicaof_host().empty()) {
    c.masterauth = spec.auth_token();
  }
  c.replicaof_host = spec.replicaof_host();
  c.replicaof_port = spec.replicaof_port();
  if (spec.tls()) {
    c.tls = true;
    c.tls_cert_file = paths.tls_cert.string();
    c.tls_key_file = paths.tls_key.string();
    c.tls_ca_cert_file = paths.tls_ca.string();
  }
  // Sorted by name (std::map order): the same spec always renders the same file.
  std::map<std::string, std::string> sorted(spec.parameters().begin(), spec.parameters().end());
  // Nodes of a cluster without auth_token must accept their replicas from other hosts.
  sorted.emplace("protected-mode", "no");
  c.parameters.assign(sorted.begin(), sorted.end());
  return c;
}

std::filesystem::path DataFilePath(const v1::NodeSpec& spec, const NodePaths& paths) {
  auto it = spec.parameters().find("dbfilename");
  return paths.dir / (it == spec.parameters().end() ? std::string("dump.rdb") : it->second);
}

Status WriteNodeFiles(const v1::NodeSpec& spec, const NodePaths& paths, const std::string& bind) {
  Result<std::string> config = RenderNodeConfig(ConfigFromSpec(spec, paths, bind));
  if (!config.ok()) {
    return config.status();
  }
  std::error_code ec;
  std::filesystem::create_directories(paths.dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create " + paths.dir.string() + ": " + ec.message());
  }
  std::filesystem::permissions(paths.dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  if (spec.tls()) {
    CAIRN_RETURN_IF_ERROR(WriteFileAtomic(paths.tls_cert, spec.tls_cert_pem()));
    CAIRN_RETURN_IF_ERROR(WriteFileAtomic(paths.tls_key, spec.tls_key_pem()));
    CAIRN_RETURN_IF_ERROR(WriteFileAtomic(paths.tls_ca, spec.tls_ca_pem()));
  }
  CAIRN_RETURN_IF_ERROR(WriteFileAtomic(paths.config, *config));
  return WriteFileAtomic(paths.spec, spec.SerializeAsString());
}

Result<v1::NodeSpec> ReadNodeSpec(const NodePaths& paths) {
  std::ifstream in(paths.spec, std::ios::binary);
  if (!in) {
    return Status::NotFound(paths.spec.string());
  }
  std::ostringstream data;
  data << in.rdbuf();
  v1::NodeSpec spec;
  if (!spec.ParseFromString(data.str())) {
    return Status::DataLoss(paths.spec.string() + " does not parse");
  }
  return spec;
}

Status WriteHeldMarker(const NodePaths& paths, const std::string& reason) {
  return WriteFileAtomic(paths.held, reason + "\n");
}

std::optional<std::string> ReadHeldMarker(const NodePaths& paths) {
  std::ifstream in(paths.held);
  if (!in) {
    return std::nullopt;
  }
  std::string reason;
  std::getline(in, reason);
  return reason;
}

void ClearHeldMarker(const NodePaths& paths) {
  std::error_code ec;
  std::filesystem::remove(paths.held, ec);
}

Status ObserveNode(const NodePaths& paths, const std::string& password, int timeout_ms,
                   v1::NodeStatus* status) {
  auto client = NodeClient::Connect(paths.socket, password, std::chrono::milliseconds(timeout_ms));
  if (!client.ok()) {
    return client.status();
  }
  auto repl = (*client)->Info("replication");
  auto memory = (*client)->Info("memory");
  if (!repl.ok() || !memory.ok()) {
    return !repl.ok() ? repl.status() : memory.status();
  }
  auto persistence = (*client)->Info("persistence");
  if (!persistence.ok()) {
    return persistence.status();
  }
  if (InfoField(*persistence, "loading") == "1") {
    return Status::Unavailable("node is still loading its data");
  }
  bool replica = InfoField(*repl, "role") == "slave";
  status->set_role(replica ? "replica" : "primary");
  status->set_replication_offset(
      ToInt64(*repl, replica ? "slave_repl_offset" : "master_repl_offset"));
  status->set_link_status(replica ? InfoField(*repl, "master_link_status") : "");
  status->set_replicaof(
      replica ? InfoField(*repl, "master_host") + ":" + InfoField(*repl, "master_port") : "");
  status->set_used_memory_bytes(ToInt64(*memory, "used_memory"));
  return Status::Ok();
}

bool PingNode(const NodePaths& paths, const std::string& password, int timeout_ms) {
  auto client = NodeClient::Connect(paths.socket, password, std::chrono::milliseconds(timeout_ms));
  if (!client.ok()) {
    return false;
  }
  Result<std::string> pong = (*client)->Command({"PING"});
  return pong.ok() && *pong == "PONG";
}

std::string LastLogLine(const NodePaths& paths) {
  std::ifstream in(paths.log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      last = line;
    }
  }
  return last.size() > 300 ? last.substr(last.size() - 300) : last;
}

}  // namespace cairn::agent
