// The discovery endpoint: a RESP server speaking the subset of Redis Sentinel that clients use
// to find a cluster's primary (ARCHITECTURE.md §6). The master name is the cluster name:
//   SENTINEL get-master-addr-by-name NAME | master NAME | masters | replicas NAME | slaves NAME
//   | sentinels NAME | myid;  PING, ROLE, INFO [sentinel], AUTH, HELLO 2, CLIENT ..., QUIT,
//   SUBSCRIBE / PSUBSCRIBE (+switch-master is published on every failover).
// A cluster with an auth token is visible only to connections that sent AUTH with it. One
// thread per connection: Sentinel clients keep few, long-lived connections.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::controlplane {

struct DiscoveredReplica {
  std::string ip;
  int port = 0;
  bool link_up = false;
  int64_t replication_offset = 0;
};

// What the endpoint reports for one cluster.
struct DiscoveredMaster {
  std::string name;
  std::string ip;
  int port = 0;
  // The primary's agent reports it running.
  bool up = true;
  int64_t down_after_ms = 2000;
  // Empty = no AUTH needed.
  std::string auth_token;
  std::vector<DiscoveredReplica> replicas;
};

class SentinelServer {
 public:
  // `lookup` returns every cluster that has a primary; called on each query (any thread).
  explicit SentinelServer(std::function<Result<std::vector<DiscoveredMaster>>()> lookup);
  ~SentinelServer();

  // Listens on "host:port" (port 0 = any free port); returns the bound "host:port".
  Result<std::string> Start(const std::string& addr);
  void Stop();

  // Sends "+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>" to subscribers of
  // "+switch-master" (and of matching PSUBSCRIBE patterns), as Sentinel does after a failover.
  void PublishSwitchMaster(const std::string& name, const std::string& old_addr,
                           const std::string& new_addr);

 private:
  struct Connection;
  void AcceptLoop();
  void Serve(std::shared_ptr<Connection> conn);
  void Execute(Connection& conn, const std::vector<std::string>& args, std::string& out);
  void ExecuteSentinel(Connection& conn, const std::vector<std::string>& args, std::string& out);
  std::vector<DiscoveredMaster> Visible(const Connection& conn);
  void Publish(const std::string& channel, const std::string& message);

  std::function<Result<std::vector<DiscoveredMaster>>()> lookup_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
  std::string run_id_;
};

}  // namespace cairn::controlplane
