// Nodes (desired placement + observed status) and hosts (agent facts).
#include <sstream>

#include "controlplane/store/store.h"

namespace cairn::controlplane {
namespace {

constexpr std::string_view kNodeColumns =
    "SELECT id, cluster, shard_id, ordinal, host_id, port, is_primary, memory_bytes, removing, "
    "running, observed_role, link_status, replication_offset, spec_generation, last_exit_reason, "
    "observed_replicaof, primary_unreachable_ms, held FROM nodes";

Node ReadNode(const sql::Statement& q) {
  Node n;
  n.id = q.Text(0);
  n.cluster = q.Text(1);
  n.shard_id = q.Text(2);
  n.ordinal = static_cast<int>(q.Int(3));
  n.host_id = q.Text(4);
  n.port = static_cast<int>(q.Int(5));
  n.primary = q.Int(6) != 0;
  n.memory_bytes = q.Int(7);
  n.removing = q.Int(8) != 0;
  n.running = q.Int(9) != 0;
  n.observed_role = q.Text(10);
  n.link_status = q.Text(11);
  n.replication_offset = q.Int(12);
  n.spec_generation = q.Int(13);
  n.last_exit_reason = q.Text(14);
  n.observed_replicaof = q.Text(15);
  n.primary_unreachable_ms = q.Int(16);
  n.held = q.Int(17) != 0;
  return n;
}

Result<std::vector<Node>> CollectNodes(sql::Statement& q) {
  std::vector<Node> out;
  for (;;) {
    Result<bool> row = q.Step();
    CAIRN_RETURN_IF_ERROR(row.status());
    if (!*row) {
      return out;
    }
    out.push_back(ReadNode(q));
  }
}

// Engines as one text column: "cairn=0.1.0,redis=7.0.15".
std::string EncodeEngines(const std::vector<HostEngine>& engines) {
  std::string out;
  for (const HostEngine& e : engines) {
    out += out.empty() ? "" : ",";
    out += e.engine + "=" + e.version;
  }
  return out;
}

std::vector<HostEngine> DecodeEngines(const std::string& text) {
  std::vector<HostEngine> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t eq = item.find('=');
    if (eq != std::string::npos) {
      out.push_back({item.substr(0, eq), item.substr(eq + 1)});
    }
  }
  return out;
}

constexpr std::string_view kHostColumns =
    "SELECT id, address, zone, cordoned, memory_bytes, node_port_from, node_port_to, engines, "
    "last_heartbeat_ms, joined_at_ms FROM hosts";

Host ReadHost(const sql::Statement& q) {
  Host h;
  h.id = q.Text(0);
  h.address = q.Text(1);
  h.zone = q.Text(2);
  h.cordoned = q.Int(3) != 0;
  h.memory_bytes = q.Int(4);
  h.node_port_from = static_cast<int>(q.Int(5));
  h.node_port_to = static_cast<int>(q.Int(6));
  h.engines = DecodeEngines(q.Text(7));
  h.last_heartbeat_ms = q.Int(8);
  h.joined_at_ms = q.Int(9);
  return h;
}

}  // namespace

Result<std::vector<Node>> Store::ListNodes(const std::string& cluster) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q =
      db_->Prepare(std::string(kNodeColumns) + " WHERE cluster = ? ORDER BY id");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(cluster);
  return CollectNodes(*q);
}

Result<std::vector<Node>> Store::ListAllNodes() {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(std::string(kNodeColumns) + " ORDER BY id");
  CAIRN_RETURN_IF_ERROR(q.status());
  return CollectNodes(*q);
}

Status Store::InsertNodes(const std::vector<Node>& nodes) {
  std::lock_guard lock(mu_);
  return sql::InTransaction(*db_, [&]() -> Status {
    for (const Node& n : nodes) {
      Result<sql::Statement> q = db_->Prepare(
          "INSERT INTO nodes (id, cluster, shard_id, ordinal, host_id, port, is_primary, "
          "memory_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      CAIRN_RETURN_IF_ERROR(q.status());
      q->Bind(n.id).Bind(n.cluster).Bind(n.shard_id).Bind(n.ordinal).Bind(n.host_id);
      q->Bind(n.port).Bind(n.primary ? 1 : 0).Bind(n.memory_bytes);
      CAIRN_RETURN_IF_ERROR(q->Run());
    }
    return Status::Ok();
  });
}

Status Store::SetNodeRemoving(const std::string& id) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare("UPDATE nodes SET removing = 1 WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(id);
  return q->Run();
}

Status Store::SetNodePrimary(const std::string& id, bool primary) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare("UPDATE nodes SET is_primary = ? WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(primary ? 1 : 0).Bind(id);
  return q->Run();
}

Status Store::DeleteNode(const std::string& id) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare("DELETE FROM nodes WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(id);
  return q->Run();
}

Status Store::UpdateNodeObserved(const Node& n) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(
      "UPDATE nodes SET running = ?, observed_role = ?, link_status = ?, replication_offset = ?, "
      "spec_generation = ?, last_exit_reason = ?, observed_replicaof = ?, "
      "primary_unreachable_ms = ?, held = ? WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(n.running ? 1 : 0).Bind(n.observed_role).Bind(n.link_status);
  q->Bind(n.replication_offset).Bind(n.spec_generation).Bind(n.last_exit_reason);
  q->Bind(n.observed_replicaof).Bind(n.primary_unreachable_ms).Bind(n.held ? 1 : 0).Bind(n.id);
  return q->Run();
}

Status Store::UpsertHost(const Host& h) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(
      "INSERT INTO hosts (id, address, zone, memory_bytes, node_port_from, node_port_to, "
      "engines, last_heartbeat_ms, joined_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET address = excluded.address, zone = excluded.zone, "
      "memory_bytes = excluded.memory_bytes, node_port_from = excluded.node_port_from, "
      "node_port_to = excluded.node_port_to, engines = excluded.engines, "
      "last_heartbeat_ms = excluded.last_heartbeat_ms");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(h.id).Bind(h.address).Bind(h.zone).Bind(h.memory_bytes).Bind(h.node_port_from);
  q->Bind(h.node_port_to).Bind(EncodeEngines(h.engines)).Bind(h.last_heartbeat_ms);
  q->Bind(clock_.NowMs());
  return q->Run();
}

Result<Host> Store::GetHost(const std::string& id) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(std::string(kHostColumns) + " WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(id);
  Result<bool> row = q->Step();
  CAIRN_RETURN_IF_ERROR(row.status());
  if (!*row) {
    return Status::NotFound("host \"" + id + "\" not found");
  }
  return ReadHost(*q);
}

Result<std::vector<Host>> Store::ListHosts() {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare(std::string(kHostColumns) + " ORDER BY id");
  CAIRN_RETURN_IF_ERROR(q.status());
  std::vector<Host> out;
  for (;;) {
    Result<bool> row = q->Step();
    CAIRN_RETURN_IF_ERROR(row.status());
    if (!*row) {
      return out;
    }
    out.push_back(ReadHost(*q));
  }
}

Status Store::SetHostCordoned(const std::string& id, bool cordoned) {
  std::lock_guard lock(mu_);
  Result<sql::Statement> q = db_->Prepare("UPDATE hosts SET cordoned = ? WHERE id = ?");
  CAIRN_RETURN_IF_ERROR(q.status());
  q->Bind(cordoned ? 1 : 0).Bind(id);
  CAIRN_RETURN_IF_ERROR(q->Run());
  if (db_->Changes() == 0) {
    return Status::NotFound("host \"" + id + "\" not found");
  }
  return Status::Ok();
}

}  // namespace cairn::controlplane
