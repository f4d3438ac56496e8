// One node's directory on the host: <data-dir>/nodes/<node-id>/ with node.conf, node.pid,
// node.sock, node.log, spec.pb, the held marker and the TLS files; and what the agent observes of
// the node.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "agent/render/node_config.h"
#include "cairn/agent/v1/agent.pb.h"
#include "dataplane/base/status.h"

namespace cairn::agent {

struct NodePaths {
  std::filesystem::path dir, config, pid_file, socket, log, spec;
  std::filesystem::path held;  // present while the agent holds the node (fencing): the reason
  std::filesystem::path tls_cert, tls_key, tls_ca;
  static NodePaths For(const std::filesystem::path& nodes_dir, const std::string& node_id);
};

// Checks a node id is safe as a directory name: 1-64 of [a-z0-9-], not starting with '-'.
Status ValidateNodeId(const std::string& node_id);

// The engine configuration for `spec` in `paths`: listening on `bind` (space-separated addresses),
// unix socket node.sock (mode 700), maxmemory, policy (empty -> noeviction), auth_token as
// requirepass (and masterauth on replicas), replicaof, TLS files, protected-mode no (access is
// controlled by auth_token and the network), then the spec's parameters (which may override).
NodeConfig ConfigFromSpec(const v1::NodeSpec& spec, const NodePaths& paths,
                          const std::string& bind);

// The node's RDB file as the rendered config names it: `dir` (the node directory) joined with the
// spec's `dbfilename` parameter, or "dump.rdb" (both engines' default) when it has none.
std::filesystem::path DataFilePath(const v1::NodeSpec& spec, const NodePaths& paths);

// Creates the directory (0700) and writes the TLS files (when spec.tls), node.conf and spec.pb,
// each 0600 and via rename. InvalidArgument for a spec that does not render; Unavailable on I/O.
Status WriteNodeFiles(const v1::NodeSpec& spec, const NodePaths& paths, const std::string& bind);

// Reads spec.pb back. NotFound when missing, DataLoss when it does not parse.
Result<v1::NodeSpec> ReadNodeSpec(const NodePaths& paths);

// The held marker: `held` holding the reason text. A held node survives agent restarts held.
Status WriteHeldMarker(const NodePaths& paths, const std::string& reason);
// The reason when the marker exists, nullopt otherwise.
std::optional<std::string> ReadHeldMarker(const NodePaths& paths);
void ClearHeldMarker(const NodePaths& paths);

// Fills role, replication_offset, link_status, used_memory_bytes and replicaof of `status` from
// INFO replication, INFO memory and INFO persistence over the node's socket (deadline
// `timeout_ms`). Unavailable when the node does not answer, or while it is still loading its data
// (INFO persistence `loading:1`; other commands would get -LOADING), so it is not reported
// RUNNING before it serves its data.
Status ObserveNode(const NodePaths& paths, const std::string& password, int timeout_ms,
                   v1::NodeStatus* status);

// PING over the socket: true when the node answers PONG within `timeout_ms`.
bool PingNode(const NodePaths& paths, const std::string& password, int timeout_ms);

// The last `max_bytes` of node.log's last line (for failure messages).
std::string LastLogLine(const NodePaths& paths);

}  // namespace cairn::agent
