// Server: owns everything a cairn-server process runs: configuration, keyspace, command table,
// server state, listeners, connections and the event loop with its cron.
#pragma once

#include <memory>
#include <set>
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
#include "dataplane/server/proc_title.h"
#include "dataplane/server/process_tuning.h"
#include "dataplane/server/replication.h"
#include "dataplane/server/snapshots.h"
#include "dataplane/server/tls_config.h"

namespace cairn::server {

class Connection;

// SHUTDOWN's options, and those shutdown-on-sigterm / shutdown-on-sigint apply to a signal.
struct ShutdownFlags {
  bool save = false;
  bool nosave = false;
  bool now = false;    // do not wait for replicas
  bool force = false;  // exit even when the final save fails
};

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
  // TLS parameters and contexts (tls_config.h).
  TlsState& tls() { return tls_; }
  // Turns a replica link's transport (plain or TLS, handshake done) into the primary's client
  // (flagged, authenticated, replies muted) and registers it with the loop. `addr` is the
  // primary's host:port.
  Connection* AdoptPrimaryConnection(std::unique_ptr<tls::Transport> transport,
                                     const std::string& addr);
  const std::string& config_file() const { return config_file_; }
  const std::string& executable() const { return executable_; }

  // Closes a connection now (its memory is freed after the current event batch).
  void Close(Connection* conn);
  // Accepts the pending connections of a listener: a unix socket, a plain TCP port or the TLS
  // port (whose connections start with a handshake).
  void OnAccept(int listen_fd, bool unix_socket, bool tls);

  // One pass of client events while a replica loads its primary's snapshot (clients get
  // -LOADING from the dispatcher meanwhile). Returns false when the load should stop (SHUTDOWN).
  bool ServeWhileLoading();

  // Requests shutdown; the loop stops at its next turn.
  void RequestShutdown() { shutdown_requested_ = true; }

  // SHUTDOWN and SIGTERM/SIGINT, as Redis 7.0's prepareForShutdown: unless `flags.now` (or
  // shutdown-timeout is 0), a node whose replicas have not acknowledged its whole stream pauses
  // writes, asks them for REPLCONF ACK and waits up to shutdown-timeout seconds (blocking
  // `caller`, if any), then saves (per save points or `flags`) and stops the loop. Returns an
  // error text when the save failed without `flags.force`, else "".
  std::string Shutdown(commands::Client* caller, ShutdownFlags flags);
  // SHUTDOWN ABORT: ends a shutdown waiting for replicas (its callers get an error, writes
  // resume). False when none is waiting.
  bool AbortShutdown();
  // INFO shutdown_in_milliseconds: time left of a waiting shutdown; -1 when none waits.
  int64_t shutdown_in_ms() const;

  int64_t instantaneous_ops_per_sec() const { return ops_per_sec_; }
  int64_t peak_memory() const { return peak_memory_; }

 private:
  void RegisterParameters();
  void RegisterAclParameters();
  // Loads the aclfile at start-up (fatal errors as redis-server reports them).
  Status LoadAcl();
  void Cron();
  void RegisterProcessParameters(ParameterTable& t);
  // proc-title-template's variables for this server; `title` is argv[0] (empty: validation).
  ProcTitleVariables ProcTitleVars(std::string title) const;
  // With set-proc-title, rewrites the process title from proc-title-template.
  void ApplyProcTitle();
  // Applies oom-score-adj for this process's role (replica or primary); logs a failure and
  // returns it. Called at Start, on CONFIG SET and from Cron when the role changed.
  Status ApplyOomScoreAdjForRole();
  // The oom-score-adj-values class of this process's role now.
  OomClass RoleOomClass() const;
  void BeforeSleep();
  void CloseTimedOutClients();
  // Blocked clients: replies to timed-out ones and runs the input pipelined behind any client
  // unblocked since the last turn (blocking.h).
  void ResumeUnblockedClients();
  bool OverOutputLimit(Connection* conn);
  // Listens on `address`:`port` (a `bind` entry); `tls` marks the tls-port's listeners.
  Status Listen(const std::string& address, int64_t port, bool tls, bool optional);
  // Opens the TCP listeners of every `bind` address on `port`.
  Status ListenAll(int64_t port, bool tls);
  // Wraps an accepted socket in its transport; nullptr (socket closed) when TLS setup fails.
  std::unique_ptr<tls::Transport> NewServerTransport(int fd, bool tls);
  // Drops connections whose TLS handshake outlived tls-handshake-timeout.
  void CloseStalledHandshakes();
  Status ListenUnix();
  void RegisterShutdownParameters();
  // Saves and stops the loop; false when the save failed and `flags.force` is not set.
  bool FinishShutdown(ShutdownFlags flags);
  // Cron: finishes a waiting shutdown once replicas caught up or the timeout passed.
  void CheckShutdown();
  // Ends the wait: callers get `error`, the pause taken for the shutdown is lifted.
  void EndShutdownWait(const std::string& error);
  // One pass of other clients' events while a script is busy (ServerState::serve_while_busy).
  bool ServeWhileBusy(commands::Client& caller);
  // Polls once without waiting and flushes the replies it produced, except to clients inside a
  // command (they wait for it to return).
  void ServeEventsOnce();

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
  TlsState tls_;
  // (deadline ms, client id) of TLS connections accepted in handshake, earliest deadline first
  // (ordered, not queued: tls-handshake-timeout can change at run time).
  std::set<std::pair<int64_t, uint64_t>> handshake_deadlines_;
  EventLoop loop_;
  std::vector<std::unique_ptr<FdHandler>> listeners_;
  std::vector<int> listen_fds_;
  std::string bound_unixsocket_;  // the unix socket file this process created, removed at exit
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;
  std::vector<commands::Client*> flush_batch_;
  std::string config_file_;
  std::string executable_;
  bool shutdown_requested_ = false;
  bool jemalloc_bg_thread_ = true;  // jemalloc-bg-thread, applied at Start and on CONFIG SET
  bool disable_thp_ = true;         // disable-thp, applied at Start
  bool set_proc_title_ = true;      // set-proc-title (immutable)
  std::string proc_title_template_ = "{title} {listen-addr} {server-mode}";
  OomScoreAdj oom_;  // oom-score-adj(-values), applied at Start, CONFIG SET, role changes
  OomClass oom_class_ = OomClass::kPrimary;  // the class last applied to this process
  int64_t shutdown_timeout_s_ = 10;          // shutdown-timeout
  ShutdownFlags sigterm_flags_;              // shutdown-on-sigterm
  ShutdownFlags sigint_flags_;               // shutdown-on-sigint
  int64_t shutdown_deadline_ms_ = 0;         // 0: no shutdown waiting for replicas
  ShutdownFlags shutdown_flags_;
  int64_t shutdown_offset_ = 0;             // what replicas must acknowledge
  std::vector<uint64_t> shutdown_callers_;  // blocked SHUTDOWN clients
  commands::PauseState pause_before_shutdown_;
  int64_t ops_per_sec_ = 0;
  int64_t ops_sample_commands_ = 0;
  int64_t ops_sample_ms_ = 0;
  int64_t peak_memory_ = 0;
};

}  // namespace cairn::server
