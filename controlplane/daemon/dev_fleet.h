// Dev mode's fleet: cairn-agent child processes that play hosts host-a, host-b, ... in zones
// a, b, ... on 127.0.0.1, each with its own data dir and node-port range.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "controlplane/daemon/control_plane.h"

namespace cairn::controlplane {

struct DevFleetOptions {
  int hosts = 3;
  // host-a gets [base, base+99], host-b [base+100, base+199], ...
  int node_port_base = 7100;
  int64_t memory_mb_per_host = 4096;
  std::filesystem::path agent_binary;
};

class DevFleet {
 public:
  explicit DevFleet(DevFleetOptions options) : options_(std::move(options)) {}
  ~DevFleet() { Stop(); }

  // Starts one agent per host with --stop-nodes-on-exit; a host that joined before (its data
  // dir holds a certificate) starts without a new join token. Agents' output goes to
  // <data-dir>/hosts/<host>/agent.log.
  Status Start(ControlPlane& control_plane, const std::filesystem::path& data_dir);
  // SIGTERM to every agent (they stop their nodes), SIGKILL after 15 s.
  void Stop();
  std::vector<std::string> host_ids() const;

 private:
  struct Child {
    std::string host_id;
    pid_t pid = -1;
    // False for an agent found running from an earlier control plane (not ours to reap).
    bool child = true;
  };
  DevFleetOptions options_;
  std::vector<Child> children_;
};

}  // namespace cairn::controlplane
