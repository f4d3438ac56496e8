// Server lifecycle: listeners, accept, cron, before-sleep flushing, shutdown.
#include "dataplane/server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

#include <spdlog/spdlog.h>

#include "dataplane/base/memory.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/access_control.h"
#include "dataplane/commands/dispatch.h"
#include "dataplane/commands/scripting.h"
#include "dataplane/server/connection.h"
#include "dataplane/server/info.h"

namespace cairn::server {
namespace {

// Set by SIGTERM/SIGINT. A signal handler can only reach process-global state, the one reason
// for a mutable global here.
volatile std::sig_atomic_t g_shutdown_signal = 0;

void OnShutdownSignal(int sig) {
  g_shutdown_signal = sig;
}

constexpr int kMaxAcceptsPerCall = 1000;

constexpr char kProtectedModeError[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Set up an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from the "
    "outside.\r\n";

class Listener final : public FdHandler {
 public:
  Listener(Server* server, int fd, bool unix_socket, bool tls)
      : server_(server), fd_(fd), unix_socket_(unix_socket), tls_(tls) {}
  ~Listener() override { close(fd_); }
  void OnEvent(uint32_t) override { server_->OnAccept(fd_, unix_socket_, tls_); }

 private:
  Server* server_;
  int fd_;
  bool unix_socket_;
  bool tls_;
};

std::string PeerName(const sockaddr_storage& sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  return "";
}

bool IsLoopback(const sockaddr_storage& sa) {
  if (sa.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
           (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
  }
  return false;
}

}  // namespace

Server::Server() {
  keyspace_ = std::make_unique<engine::Keyspace>(keyspace_config_, &clock_,
                                                 [] { return AllocatedBytes(); });
  commands::RegisterAllCommands(table_);
  acl_ = commands::MakeAcl(table_);
  snapshots_ = std::make_unique<Snapshots>(*this);
  replication_ = std::make_unique<Replication>(*this);
  aof_ = std::make_unique<Aof>(*this);
  RegisterParameters();
  RegisterShutdownParameters();
}

Server::~Server() {
  replication_.reset();
  closed_.clear();
  connections_.clear();
  listeners_.clear();
  // As Redis at exit; also after a failed start-up (the socket opens before the dataset loads).
  if (!bound_unixsocket_.empty()) {
    spdlog::info("Removing the unix socket file.");
    unlink(bound_unixsocket_.c_str());
  }
}

Status Server::Listen(const std::string& address, int64_t port, bool tls, bool optional) {
  bool v6 = address.find(':') != std::string::npos;
  std::string host = address == "*" ? "0.0.0.0" : (address == "::*" ? "::" : address);
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return optional ? Status::Ok()
                    : Status::Unavailable(address + ":" + std::to_string(port) +
                                          ": socket: " + std::strerror(errno));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_storage sa{};
  socklen_t len;
  if (v6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) != 1) {
      close(fd);
      return Status::InvalidArgument("invalid bind address '" + address + "'");
    }
    len = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&sa);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) != 1) {
      close(fd);
      return Status::InvalidArgument("invalid bind address '" + address + "'");
    }
    len = sizeof(sockaddr_in);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 || listen(fd, 511) != 0) {
    int err = errno;
    close(fd);
    if (optional && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EPROTONOSUPPORT)) {
      return Status::Ok();
    }
    return Status::Unavailable("Could not create server TCP listening socket " + address + ":" +
                               std::to_string(port) + ": bind: " + std::strerror(err));
  }
  listeners_.push_back(std::make_unique<Listener>(this, fd, false, tls));
  listen_fds_.push_back(fd);
  loop_.Add(fd, EPOLLIN, listeners_.back().get());
  return Status::Ok();
}

Status Server::ListenAll(int64_t port, bool tls) {
  if (port == 0) {
    return Status::Ok();
  }
  size_t before = listen_fds_.size();
  std::istringstream binds(config_.bind);
  std::string address;
  while (binds >> address) {
    bool optional = address[0] == '-';
    CAIRN_RETURN_IF_ERROR(Listen(optional ? address.substr(1) : address, port, tls, optional));
  }
  if (listen_fds_.size() == before) {
    return Status::Unavailable("Failed listening on port " + std::to_string(port) +
                               (tls ? " (TLS), aborting." : " (TCP), aborting."));
  }
  return Status::Ok();
}

Status Server::ListenUnix() {
  const std::string& path = config_.unixsocket;
  sockaddr_un sa{};
  if (path.size() >= sizeof(sa.sun_path)) {
    return Status::InvalidArgument("unixsocket path too long: " + path);
  }
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.c_str(), path.size());
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
      listen(fd, 511) != 0) {
    int err = errno;
    if (fd >= 0) {
      close(fd);
    }
    return Status::Unavailable("Failed opening Unix socket: " + path + ": " + std::strerror(err));
  }
  if (config_.unixsocketperm != 0) {
    chmod(path.c_str(), static_cast<mode_t>(config_.unixsocketperm));
  }
  listeners_.push_back(std::make_unique<Listener>(this, fd, true, false));
  listen_fds_.push_back(fd);
  loop_.Add(fd, EPOLLIN, listeners_.back().get());
  bound_unixsocket_ = path;
  return Status::Ok();
}

Status Server::Start() {
  if (!loop_.ok()) {
    return Status::Internal("epoll_create failed");
  }
  state_ = std::make_unique<commands::ServerState>(keyspace_.get(), &table_, &parameters_, &config_,
                                                   &clock_);
  state_->set_acl(acl_);
  state_->last_save_s = clock_.NowMs() / 1000;  // as Redis: at start-up the dataset counts as saved
  SetAllocatorBackgroundThread(jemalloc_bg_thread_);
  if (disable_thp_ && !DisableTransparentHugePages()) {
    spdlog::warn("Unable to disable transparent huge pages: {}", std::strerror(errno));
  }
  InstallOomScoreAdjForkHandler();
  ApplyProcTitle();
  (void)ApplyOomScoreAdjForRole();
  CAIRN_RETURN_IF_ERROR(LoadAcl());
  state_->shutdown = [this](commands::Client& caller, bool save, bool nosave, bool now,
                            bool force) {
    return Shutdown(&caller, {.save = save, .nosave = nosave, .now = now, .force = force});
  };
  state_->abort_shutdown = [this] { return AbortShutdown(); };
  state_->close_client = [this](commands::Client* c) { Close(static_cast<Connection*>(c)); };
  state_->serve_while_busy = [this](commands::Client& caller) { return ServeWhileBusy(caller); };
  state_->config_file = config_file_;
  state_->snapshots = snapshots_.get();
  state_->replication = replication_.get();
  snapshots_->fill_repl_info = [this](persistence::RdbSaveInfo& info) {
    replication_->FillSaveInfo(&info.replid, &info.repl_offset, &info.repl_stream_db);
  };
  snapshots_->function_codes = [this] {
    return state_->scripting != nullptr && state_->scripting->has_functions()
               ? state_->scripting->functions().Codes()
               : std::vector<std::string>{};
  };
  snapshots_->load_functions = [this](const std::vector<std::string>& codes) {
    if (codes.empty() && state_->scripting == nullptr) {
      return;  // nothing loaded, nothing to drop: no interpreter needed
    }
    Status s = commands::GetScripting(*state_).functions().ReplaceAll(codes);
    if (!s.ok()) {
      spdlog::warn("functions of the loaded snapshot were not installed: {}", s.message());
    }
  };
  keyspace_->set_observer(state_.get());
  RegisterInfoSections(*this);
  if (Status s = ReloadTls(tls_); !s.ok()) {
    return Status::InvalidArgument("Failed to configure TLS: " + std::string(s.message()));
  }
  // Listening starts before the dataset loads: clients connected meanwhile get -LOADING (and
  // INFO's loading_* fields), as with Redis.
  CAIRN_RETURN_IF_ERROR(ListenAll(config_.port, /*tls=*/false));
  CAIRN_RETURN_IF_ERROR(ListenAll(tls_.port, /*tls=*/true));
  if (!config_.unixsocket.empty()) {
    CAIRN_RETURN_IF_ERROR(ListenUnix());
  }
  if (listen_fds_.empty()) {
    return Status::InvalidArgument("neither a TCP port nor a unix socket is configured");
  }
  struct sigaction sa {};
  sa.sa_handler = OnShutdownSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // As Redis: with appendonly yes the AOF is the dataset; the RDB file is not read.
  Status loaded = aof_->LoadAtStartup();
  if (loaded.ok() && !aof_->enabled()) {
    loaded = snapshots_->LoadAtStartup();
  }
  if (shutdown_requested_) {
    return Status::Aborted("shut down while loading");
  }
  CAIRN_RETURN_IF_ERROR(loaded);
  BeforeSleep();  // replies to what was served during the load (SHUTDOWN's, -LOADING's)
  loop_.SetCron(1000 / static_cast<int>(std::max(keyspace_->config().hz, 1)), [this] { Cron(); });
  loop_.SetBeforeSleep([this] { BeforeSleep(); });
  const auto& aux = snapshots_->last_load().aux;
  auto id = aux.find("repl-id");
  auto offset = aux.find("repl-offset");
  std::optional<int64_t> at = offset != aux.end() ? ParseInt64(offset->second) : std::nullopt;
  replication_->Start(id != aux.end() ? id->second : "", at.value_or(-1));
  return Status::Ok();
}

void Server::Run() {
  spdlog::info("Ready to accept connections port={} tls_port={} pid={}", config_.port, tls_.port,
               getpid());
  loop_.Run();
  spdlog::info("cairn-server is now ready to exit, bye bye...");
}

std::unique_ptr<tls::Transport> Server::NewServerTransport(int fd, bool tls) {
  if (!tls) {
    return tls::NewPlainTransport(fd);
  }
  std::unique_ptr<tls::Transport> transport = tls::NewTlsTransport(
      fd, tls_.contexts.server.get(), tls::TlsRole::kServer, tls_.auth_clients);
  if (transport == nullptr) {
    spdlog::warn("TLS setup of an accepted connection failed: {}",
                 tls::TakeOpenSslError("SSL_new failed"));
    close(fd);
  }
  return transport;
}

void Server::OnAccept(int listen_fd, bool unix_socket, bool tls) {
  for (int i = 0; i < kMaxAcceptsPerCall; i++) {
    sockaddr_storage sa{};
    socklen_t len = sizeof(sa);
    int fd =
        accept4(listen_fd, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;  // EAGAIN: drained; anything else: try again at the next event
    }
    commands::ServerStats& stats = state_->stats();
    if (static_cast<int64_t>(connections_.size()) >= config_.maxclients) {
      static const char kErr[] = "-ERR max number of clients reached\r\n";
      if (!tls) {
        (void)!write(fd, kErr, sizeof(kErr) - 1);  // best effort, as Redis does
      }
      close(fd);
      stats.rejected_connections++;
      continue;
    }
    if (!unix_socket && config_.protected_mode && acl_->default_user().nopass() &&
        !IsLoopback(sa)) {
      if (!tls) {
        (void)!write(fd, kProtectedModeError, sizeof(kProtectedModeError) - 1);
      }
      close(fd);
      stats.rejected_connections++;
      continue;
    }
    if (!unix_socket) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (config_.tcp_keepalive_s > 0) {
        int idle = static_cast<int>(config_.tcp_keepalive_s);
        int interval = std::max(idle / 3, 1);
        int count = 3;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
      }
    }
    std::unique_ptr<tls::Transport> transport = NewServerTransport(fd, tls);
    if (transport == nullptr) {
      continue;
    }
    auto conn = std::make_unique<Connection>(this, std::move(transport), state_->NextClientId(),
                                             clock_.NowMs());
    if (unix_socket) {
      conn->set_flag(commands::kClientUnixSocket);
      conn->addr = "/unixsocket";
      conn->laddr = config_.unixsocket;
    } else {
      conn->addr = PeerName(sa);
      sockaddr_storage local{};
      socklen_t llen = sizeof(local);
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
      conn->laddr = PeerName(local);
    }
    conn->authenticated = commands::DefaultUserOpen(*state_);
    Connection* raw = conn.get();
    if (!loop_.Add(fd, EPOLLIN, raw)) {
      continue;  // conn's destructor closes fd
    }
    state_->AddClient(raw);
    connections_.emplace(fd, std::move(conn));
    stats.total_connections_received++;
    if (tls) {
      handshake_deadlines_.emplace(clock_.NowMs() + tls_.handshake_timeout_ms, raw->id());
    }
  }
}

void Server::Close(Connection* conn) {
  if (conn->closed()) {
    return;
  }
  conn->MarkClosed();
  loop_.Remove(conn->fd);
  replication_->OnClientClosed(conn);
  state_->RemoveClient(conn);
  auto it = connections_.find(conn->fd);
  if (it != connections_.end()) {
    closed_.push_back(std::move(it->second));
    connections_.erase(it);
  }
}

bool Server::OverOutputLimit(Connection* conn) {
  const commands::ServerConfig::OutputLimit& limit =
      conn->has_flag(commands::kClientReplica) ? config_.output_limit_replica
      : conn->subscription_count() > 0         ? config_.output_limit_pubsub
                                               : config_.output_limit_normal;
  auto used = static_cast<int64_t>(conn->out().AllocatedBytes());
  if (limit.hard > 0 && used >= limit.hard) {
    return true;
  }
  if (limit.soft > 0 && used >= limit.soft) {
    int64_t now = clock_.NowMs();
    if (conn->soft_limit_since_ms == 0) {
      conn->soft_limit_since_ms = now;
    } else if (now - conn->soft_limit_since_ms >= limit.soft_seconds * 1000) {
      return true;
    }
  } else {
    conn->soft_limit_since_ms = 0;
  }
  return false;
}

Connection* Server::AdoptPrimaryConnection(std::unique_ptr<tls::Transport> transport,
                                           const std::string& addr) {
  int fd = transport->fd();
  auto conn = std::make_unique<Connection>(this, std::move(transport), state_->NextClientId(),
                                           clock_.NowMs());
  conn->set_flag(commands::kClientPrimary);
  conn->authenticated = true;
  conn->reply().set_muted(true);  // a replica answers its primary only with REPLCONF ACK
  conn->addr = addr;
  Connection* raw = conn.get();
  loop_.Add(fd, EPOLLIN, raw);
  state_->AddClient(raw);
  connections_.emplace(fd, std::move(conn));
  return raw;
}

void Server::BeforeSleep() {
  aof_->BeforeSleep();  // before replies go out: appendfsync always acknowledges synced writes
  replication_->BeforeSleep();
  ResumeUnblockedClients();
  std::vector<commands::Client*>& pending = state_->pending_writes();
  // Flushing may queue more (a Pub/Sub message to another client); loop until drained.
  while (!pending.empty()) {
    flush_batch_.clear();
    flush_batch_.swap(pending);  // the two vectors trade buffers: no allocation per loop turn
    for (commands::Client* c : flush_batch_) {
      c->pending_write = false;
      auto* conn = static_cast<Connection*>(c);
      if (conn->closed()) {
        continue;
      }
      if (OverOutputLimit(conn)) {
        spdlog::warn("closing client for overcoming of output buffer limits id={} addr={}",
                     conn->id(), conn->addr);
        state_->stats().client_outbuf_limit_disconnections++;
        Close(conn);
        continue;
      }
      conn->Flush();
    }
  }
  closed_.clear();
}

void Server::ResumeUnblockedClients() {
  commands::BlockedClients& blocked = state_->blocked();
  if (blocked.blocked_count() > 0) {
    blocked.CheckTimeouts(*state_, clock_.NowMs());
  }
  if (blocked.has_ready()) {
    blocked.ServeReady(*state_);  // keys the cron removed (expiry, eviction)
  }
  // Commands pipelined behind a blocking one run now; they may unblock (or block) others.
  for (std::vector<uint64_t> ids = blocked.TakeResumed(); !ids.empty();
       ids = blocked.TakeResumed()) {
    for (uint64_t id : ids) {
      auto* conn = static_cast<Connection*>(state_->FindClient(id));
      if (conn != nullptr && !conn->closed()) {
        conn->ProcessInput();
      }
    }
  }
}

void Server::CloseTimedOutClients() {
  if (config_.timeout_s <= 0) {
    return;
  }
  int64_t now = clock_.NowMs();
  std::vector<Connection*> idle;
  for (auto& [fd, conn] : connections_) {
    if (conn->subscription_count() > 0 || conn->has_flag(commands::kClientReplica) ||
        conn->has_flag(commands::kClientPrimary)) {
      continue;
    }
    if (now - conn->last_interaction_ms > config_.timeout_s * 1000) {
      idle.push_back(conn.get());
    }
  }
  for (Connection* conn : idle) {
    spdlog::debug("closing idle client id={}", conn->id());
    Close(conn);
  }
}

// Handshake deadlines are ordered by time, so the expired ones are at the front (a timeout
// lowered at run time puts new deadlines before older ones); a connection that finished (or
// closed) meanwhile is simply skipped.
void Server::CloseStalledHandshakes() {
  int64_t now = clock_.NowMs();
  while (!handshake_deadlines_.empty() && handshake_deadlines_.begin()->first <= now) {
    uint64_t id = handshake_deadlines_.begin()->second;
    handshake_deadlines_.erase(handshake_deadlines_.begin());
    auto* conn = static_cast<Connection*>(state_->FindClient(id));
    if (conn != nullptr && !conn->closed() && conn->handshaking()) {
      spdlog::info("closing client that did not finish its TLS handshake id={} addr={}", id,
                   conn->addr);
      Close(conn);
    }
  }
}

OomClass Server::RoleOomClass() const {
  return replication_->is_replica() ? OomClass::kReplica : OomClass::kPrimary;
}

Status Server::ApplyOomScoreAdjForRole() {
  oom_class_ = RoleOomClass();
  Status s = ApplyOomScoreAdj(oom_, oom_class_);
  if (!s.ok()) {
    spdlog::warn("{}", s.message());
  }
  return s;
}

void Server::Cron() {
  if (g_shutdown_signal != 0) {
    int sig = g_shutdown_signal;
    g_shutdown_signal = 0;
    spdlog::warn("Received {} scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
    // As Redis: with save points set, a signal saves first, and a failed save keeps us running.
    if (!Shutdown(nullptr, sig == SIGINT ? sigint_flags_ : sigterm_flags_).empty()) {
      spdlog::warn("Errors trying to shut down the server. Check the logs for more information.");
    }
  }
  CheckShutdown();
  if (shutdown_requested_) {
    loop_.Stop();
    return;
  }
  if (state_->cron_paused) {
    return;
  }
  keyspace_->ActiveExpireCycle();
  keyspace_->Rehash();
  snapshots_->Cron();
  aof_->Cron();
  replication_->Cron();
  CloseTimedOutClients();
  CloseStalledHandshakes();
  if (RoleOomClass() != oom_class_) {
    (void)ApplyOomScoreAdjForRole();
  }
  int64_t now = clock_.NowMs();
  if (now - ops_sample_ms_ >= 100) {
    int64_t commands = state_->stats().total_commands_processed;
    if (ops_sample_ms_ != 0) {
      ops_per_sec_ =
          (commands - ops_sample_commands_) * 1000 / std::max<int64_t>(now - ops_sample_ms_, 1);
    }
    ops_sample_commands_ = commands;
    ops_sample_ms_ = now;
  }
  peak_memory_ = std::max(peak_memory_, static_cast<int64_t>(AllocatedBytes()));
  // Resume clients whose input waited for a CLIENT PAUSE that has ended.
  if (!state_->pause().active(now) && state_->pause().until_ms != 0) {
    state_->pause().until_ms = 0;
    std::vector<Connection*> waiting;
    for (auto& [fd, conn] : connections_) {
      if (conn->query_buffer_bytes() > 0) {
        waiting.push_back(conn.get());
      }
    }
    for (Connection* conn : waiting) {
      if (!conn->closed()) {
        conn->ProcessInput();
      }
    }
  }
}

// Redis serves clients from its Lua hook while a script is busy: commands without allow-busy get
// -BUSY, SCRIPT KILL and SHUTDOWN NOSAVE run. Replies go out at once since the loop is not
// turning; connections inside a command (the script's caller) wait for it to return.
bool Server::ServeWhileBusy(commands::Client& caller) {
  (void)caller;
  ServeEventsOnce();
  return shutdown_requested_;
}

bool Server::ServeWhileLoading() {
  if (g_shutdown_signal != 0) {
    // As Redis: a signal during the load stops it and exits, saving nothing.
    g_shutdown_signal = 0;
    spdlog::warn("Received shutdown signal during loading, scheduling shutdown.");
    shutdown_requested_ = true;
  }
  if (!shutdown_requested_) {
    ServeEventsOnce();
  }
  return !shutdown_requested_;
}

void Server::ServeEventsOnce() {
  loop_.PollOnce(0);
  std::vector<commands::Client*> pending;
  pending.swap(state_->pending_writes());
  for (commands::Client* c : pending) {
    auto* conn = static_cast<Connection*>(c);
    if (conn->in_command()) {
      state_->pending_writes().push_back(c);
      continue;
    }
    c->pending_write = false;
    if (!conn->closed()) {
      conn->Flush();
    }
  }
}

}  // namespace cairn::server
