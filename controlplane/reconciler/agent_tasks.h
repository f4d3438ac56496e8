// What the reconciler needs from the rest of the control plane: a way to send tasks to agents
// and certificates for TLS nodes. Implemented by the daemon over controlplane/agents.
#pragma once

#include <string>
#include <vector>

#include "cairn/agent/v1/agent.pb.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane {

class AgentTasks {
 public:
  virtual ~AgentTasks() = default;
  // Queues `task` for `host_id`; delivered now or when the agent reconnects. Results come back
  // through ClusterReconciler::OnTaskResult. Never blocks.
  virtual void SendTask(const std::string& host_id, agent::v1::Task task) = 0;
  // True while the host's agent has a Session open.
  virtual bool IsConnected(const std::string& host_id) const = 0;
};

struct TlsMaterial {
  std::string certificate_pem;
  std::string private_key_pem;
  std::string ca_certificate_pem;
};

class NodeCertificateIssuer {
 public:
  virtual ~NodeCertificateIssuer() = default;
  // A server certificate for the nodes of `cluster`, valid for `sans` (IPs or DNS names),
  // signed by the control plane's CA.
  virtual Result<TlsMaterial> IssueNodeCertificate(const std::string& cluster,
                                                   const std::vector<std::string>& sans) = 0;
};

}  // namespace cairn::controlplane
