// Server: owns everything a cairn-server process runs: configuration, keyspace, command table,
// server state, listeners, connections and the event loop with its cron.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataplane/base/clock.h"
#include "dataplane/base/config_table.h"
#include "dataplane/base/status.h"
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/server_state.h"
#include "dataplane/engine/keyspace.h"
#include "dataplane/security/acl.h"
#include "dataplane/server/aof.h"
#include "dataplane/server/event_loop.h"
#include "dataplane/server/replication.h"
#include "dataplane/server/snapshots.h"

namespace cairn::server {

class Connection;

class Server final {
 public:
  Server();
  ~Server();

  // Applies the command line (`cairn-server [FILE] [--name value ...]`), like redis-server.
  // Returns InvalidArgument with the complete "*** FATAL CONFIG FILE ERROR ***" text on error.
  Status Configure(int argc, char** argv);
  // Opens listeners and registers INFO sections. Errors name the address and the reason.
  Status Start();
  // Runs the event loop until SHUTDOWN or a signal.
  void Run();

  commands::ServerState& state() { return *state_; }
  commands::ServerConfig& config() { return config_; }
  engine::Keyspace& keyspace() { return *keyspace_; }
  EventLoop& loop() { return loop_; }
  ParameterTable& parameters() { return parameters_; }
  Snapshots& snapshots() { return *snapshots_; }
  Replication& replication() { return *replication_; }
  Aof& aof() { return *aof_; }
  // Turns a replica link's socket into the primary's client (flagged, authenticated, replies
  // muted) and registers it with the loop. `addr` is the primary's host:port.
  Connection* AdoptPrimaryConnection(int fd, const std::string& addr);
  const std::string& config_file() const { return config_file_; }
  const std::string& executable() const { return executable_; }

  // Closes a connection now (its memory is freed after the current event batch).
  void Close(Connection* conn);
  // Arms write interest for a connection whose output did not fit the socket.
  void OnAccept(int listen_fd, bool unix_socket);

  // Requests shutdown; the loop stops at its next turn.
  void RequestShutdown() { shutdown_requested_ = true; }

  int64_t instantaneous_ops_per_sec() const { return ops_per_sec_; }
  int64_t peak_memory() const { return peak_memory_; }

 private:
  void RegisterParameters();
  void RegisterAclParameters();
  // Loads the aclfile at start-up (fatal errors as redis-server reports them).
  Status LoadAcl();
  void Cron();
  void BeforeSleep();
  void CloseTimedOutClients();
  // Blocked clients: replies to timed-out ones and runs the input pipelined behind any client
  // unblocked since the last turn (blocking.h).
  void ResumeUnblockedClients();
  bool OverOutputLimit(Connection* conn);
  Status Listen(const std::string& address, bool optional);
  Status ListenUnix();
  std::string Shutdown(bool save, bool nosave, bool now, bool force);
  // One pass of other clients' events while a script is busy (ServerState::serve_while_busy).
  bool ServeWhileBusy(commands::Client& caller);

  SystemClock clock_;
  commands::ServerConfig config_;
  ParameterTable parameters_;
  engine::KeyspaceConfig keyspace_config_;
  std::unique_ptr<engine::Keyspace> keyspace_;
  commands::CommandTable table_;
  // Users and ACL log; built with the command table, filled by the config (requirepass, user
  // lines, aclfile) and handed to the server state at Start.
  std::shared_ptr<security::Acl> acl_;
  std::unique_ptr<commands::ServerState> state_;
  std::unique_ptr<Snapshots> snapshots_;
  std::unique_ptr<Aof> aof_;
  std::unique_ptr<Replication> replication_;
  EventLoop loop_;
  std::vector<std::unique_ptr<FdHandler>> listeners_;
  std::vector<int> listen_fds_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;
  std::vector<commands::Client*> flush_batch_;
  std::string config_file_;
  std::string executable_;
  bool shutdown_requested_ = false;
  int64_t ops_per_sec_ = 0;
  int64_t ops_sample_commands_ = 0;
  int64_t ops_sample_ms_ = 0;
  int64_t peak_memory_ = 0;
};

}  // namespace cairn::server
