// Sentinel-compatible discovery endpoint.
#include "controlplane/discovery/sentinel_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dataplane/base/strings.h"
#include "dataplane/protocol/output_buffer.h"
#include "dataplane/protocol/reply_writer.h"
#include "dataplane/protocol/resp_parser.h"

namespace cairn::controlplane {

struct SentinelServer::Connection {
  int fd = -1;
  std::mutex write_mu;           // replies (connection thread) and publishes (failover thread)
  std::set<std::string> tokens;  // auth tokens this connection presented
  std::set<std::string> channels;
  std::set<std::string> patterns;
};

namespace {

using protocol::OutputBuffer;
using protocol::ReplyWriter;

// Writes every byte or gives up on error (the peer went away; its thread will see EOF).
void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Runs `fill` against a writer and returns the RESP2 bytes it wrote.
template <typename Fill>
std::string Encode(Fill&& fill) {
  OutputBuffer buffer;
  ReplyWriter writer(&buffer);
  fill(writer);
  std::string out;
  iovec iov[64];
  while (!buffer.empty()) {
    int n = buffer.FillIovecs(iov, 64);
    size_t taken = 0;
    for (int i = 0; i < n; ++i) {
      out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      taken += iov[i].iov_len;
    }
    buffer.Consume(taken);
  }
  return out;
}

void FieldPairs(ReplyWriter& w, const std::vector<std::pair<std::string, std::string>>& fields) {
  w.ArrayHeader(static_cast<int64_t>(fields.size() * 2));
  for (const auto& [key, value] : fields) {
    w.Bulk(key);
    w.Bulk(value);
  }
}

std::vector<std::pair<std::string, std::string>> MasterFields(const DiscoveredMaster& m,
                                                              const std::string& run_id) {
  return {{"name", m.name},
          {"ip", m.ip},
          {"port", std::to_string(m.port)},
          {"runid", run_id},
          {"flags", m.up ? "master" : "master,s_down"},
          {"link-pending-commands", "0"},
          {"link-refcount", "1"},
          {"num-slaves", std::to_string(m.replicas.size())},
          {"num-other-sentinels", "0"},
          {"quorum", "1"},
          {"down-after-milliseconds", std::to_string(m.down_after_ms)},
          {"failover-timeout", "180000"},
          {"parallel-syncs", "1"}};
}

std::vector<std::pair<std::string, std::string>> ReplicaFields(const DiscoveredMaster& m,
                                                               const DiscoveredReplica& r) {
  std::string addr = r.ip + ":" + std::to_string(r.port);
  return {{"name", addr},
          {"ip", r.ip},
          {"port", std::to_string(r.port)},
          {"flags", r.link_up ? "slave" : "slave,s_down"},
          {"master-link-status", r.link_up ? "ok" : "err"},
          {"master-host", m.ip},
          {"master-port", std::to_string(m.port)},
          {"slave-priority", "100"},
          {"slave-repl-offset", std::to_string(r.replication_offset)}};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ::tolower);
  return out;
}

}  // namespace

SentinelServer::SentinelServer(std::function<Result<std::vector<DiscoveredMaster>>()> lookup)
    : lookup_(std::move(lookup)), run_id_(40, '0') {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < run_id_.size(); ++i) {
    run_id_[i] = kHex[(reinterpret_cast<uintptr_t>(this) >> (i % 16)) & 15];
  }
}

SentinelServer::~SentinelServer() {
  Stop();
}

Result<std::string> SentinelServer::Start(const std::string& addr) {
  size_t colon = addr.rfind(':');
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (colon == std::string::npos ||
      inet_pton(AF_INET, addr.substr(0, colon).c_str(), &sa.sin_addr) != 1) {
    return Status::InvalidArgument("--discovery-addr: expected IPv4 host:port, got \"" + addr +
                                   "\"");
  }
  sa.sin_port = htons(static_cast<uint16_t>(std::atoi(addr.c_str() + colon + 1)));
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
      listen(listen_fd_, 128) != 0) {
    std::string why = std::strerror(errno);
    close(listen_fd_);
    listen_fd_ = -1;
    return Status::Unavailable("--discovery-addr: cannot listen on " + addr + ": " + why);
  }
  socklen_t len = sizeof(sa);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return addr.substr(0, colon) + ":" + std::to_string(ntohs(sa.sin_port));
}

void SentinelServer::Stop() {
  if (stopping_.exchange(true)) {
    return;
  }
  if (listen_fd_ >= 0) {
    shutdown(listen_fd_, SHUT_RDWR);
  }
  if (accept_thread_.joinable()) {
    accept_thread_.join();
  }
  {
    std::lock_guard lock(mu_);
    for (auto& c : connections_) {
      shutdown(c->fd, SHUT_RDWR);
    }
  }
  for (std::thread& t : threads_) {
    t.join();
  }
  if (listen_fd_ >= 0) {
    close(listen_fd_);
  }
}

void SentinelServer::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) {
      continue;
    }
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    auto conn = std::make_shared<Connection>();
    conn->fd = fd;
    std::lock_guard lock(mu_);
    connections_.push_back(conn);
    threads_.emplace_back([this, conn] { Serve(conn); });
  }
}

void SentinelServer::Serve(std::shared_ptr<Connection> conn) {
  protocol::RespParser parser;
  protocol::ParserLimits limits{.max_bulk_bytes = 1 << 20};
  std::string input;
  char chunk[4096];
  bool open = true;
  while (open && !stopping_) {
    ssize_t n = recv(conn->fd, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      break;
    }
    input.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (;;) {
      std::string_view rest(input.data() + start, input.size() - start);
      protocol::RespParser::State state = parser.Parse(rest, limits);
      if (state == protocol::RespParser::State::kNeedMore) {
        break;
      }
      std::string out;
      if (state == protocol::RespParser::State::kError) {
        out = Encode([&](ReplyWriter& w) { w.Error("ERR " + parser.error()); });
        open = false;
      } else if (state == protocol::RespParser::State::kCommand) {
        std::vector<std::string> args(parser.args().begin(), parser.args().end());
        if (Lower(args[0]) == "quit") {
          out = "+OK\r\n";
          open = false;
        } else {
          Execute(*conn, args, out);
        }
      }
      start += parser.consumed();
      parser.Reset();
      std::lock_guard lock(conn->write_mu);
      WriteAll(conn->fd, out);
      if (!open) {
        break;
      }
    }
    input.erase(0, start);
  }
  std::lock_guard lock(mu_);
  close(conn->fd);
  conn->fd = -1;
  connections_.erase(std::remove(connections_.begin(), connections_.end(), conn),
                     connections_.end());
}

std::vector<DiscoveredMaster> SentinelServer::Visible(const Connection& conn) {
  Result<std::vector<DiscoveredMaster>> all = lookup_();
  std::vector<DiscoveredMaster> out;
  for (DiscoveredMaster& m : all.ok() ? *all : std::vector<DiscoveredMaster>{}) {
    if (m.auth_token.empty() || conn.tokens.count(m.auth_token)) {
      out.push_back(std::move(m));
    }
  }
  return out;
}

void SentinelServer::Execute(Connection& conn, const std::vector<std::string>& args,
                             std::string& out) {
  std::string cmd = Lower(args[0]);
  if (!conn.channels.empty() || !conn.patterns.empty()) {
    if (cmd != "subscribe" && cmd != "psubscribe" && cmd != "ping" && cmd != "unsubscribe" &&
        cmd != "punsubscribe") {
      out = Encode([&](ReplyWriter& w) {
        w.Error("ERR Can't execute '" + cmd +
                "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                "in this context");
      });
      return;
    }
  }
  if (cmd == "ping") {
    bool subscribed = !conn.channels.empty() || !conn.patterns.empty();
    out = subscribed ? Encode([](ReplyWriter& w) {
      w.ArrayHeader(2);
      w.Bulk("pong");
      w.Bulk("");
    })
                     : "+PONG\r\n";
  } else if (cmd == "sentinel") {
    ExecuteSentinel(conn, args, out);
  } else if (cmd == "auth" && (args.size() == 2 || args.size() == 3)) {
    const std::string& token = args.back();
    Result<std::vector<DiscoveredMaster>> all = lookup_();
    bool known = all.ok() && std::any_of(all->begin(), all->end(), [&](const auto& m) {
                   return !m.auth_token.empty() && m.auth_token == token;
                 });
    if (known) {
      conn.tokens.insert(token);
      out = "+OK\r\n";
    } else {
      out = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    }
  } else if (cmd == "role") {
    std::vector<DiscoveredMaster> masters = Visible(conn);
    out = Encode([&](ReplyWriter& w) {
      w.ArrayHeader(2);
      w.Bulk("sentinel");
      w.ArrayHeader(static_cast<int64_t>(masters.size()));
      for (const DiscoveredMaster& m : masters) {
        w.Bulk(m.name);
      }
    });
  } else if (cmd == "info") {
    std::vector<DiscoveredMaster> masters = Visible(conn);
    std::string text = "# Sentinel\r\nsentinel_masters:" + std::to_string(masters.size()) +
                       "\r\nsentinel_tilt:0\r\nsentinel_running_scripts:0\r\n";
    for (size_t i = 0; i < masters.size(); ++i) {
      const DiscoveredMaster& m = masters[i];
      text += "master" + std::to_string(i) + ":name=" + m.name +
              ",status=" + (m.up ? "ok" : "sdown") + ",address=" + m.ip + ":" +
              std::to_string(m.port) + ",slaves=" + std::to_string(m.replicas.size()) +
              ",sentinels=1\r\n";
    }
    out = Encode([&](ReplyWriter& w) { w.Bulk(text); });
  } else if (cmd == "subscribe" || cmd == "psubscribe") {
    bool pattern = cmd == "psubscribe";
    for (size_t i = 1; i < args.size(); ++i) {
      {
        std::lock_guard lock(conn.write_mu);  // Publish reads the sets from another thread
        (pattern ? conn.patterns : conn.channels).insert(args[i]);
      }
      out += Encode([&](ReplyWriter& w) {
        w.ArrayHeader(3);
        w.Bulk(cmd);
        w.Bulk(args[i]);
        w.Integer(static_cast<int64_t>(conn.channels.size() + conn.patterns.size()));
      });
    }
  } else if (cmd == "hello" || cmd == "client" || cmd == "select") {
    // Clients send these while connecting; the endpoint speaks RESP2 and has no databases.
    out = "+OK\r\n";
  } else {
    out = Encode([&](ReplyWriter& w) {
      w.Error("ERR unknown command '" + args[0] + "', with args beginning with: ");
    });
  }
}

void SentinelServer::ExecuteSentinel(Connection& conn, const std::vector<std::string>& args,
                                     std::string& out) {
  std::string sub = args.size() > 1 ? Lower(args[1]) : "";
  std::vector<DiscoveredMaster> masters = Visible(conn);
  auto find = [&](const std::string& name) -> const DiscoveredMaster* {
    for (const DiscoveredMaster& m : masters) {
      if (m.name == name) {
        return &m;
      }
    }
    return nullptr;
  };
  if (sub == "masters" && args.size() == 2) {
    out = Encode([&](ReplyWriter& w) {
      w.ArrayHeader(static_cast<int64_t>(masters.size()));
      for (const DiscoveredMaster& m : masters) {
        FieldPairs(w, MasterFields(m, run_id_));
      }
    });
  } else if (sub == "myid" && args.size() == 2) {
    out = Encode([&](ReplyWriter& w) { w.Bulk(run_id_); });
  } else if (args.size() == 3 && (sub == "get-master-addr-by-name" || sub == "master" ||
                                  sub == "replicas" || sub == "slaves" || sub == "sentinels")) {
    const DiscoveredMaster* m = find(args[2]);
    if (sub == "get-master-addr-by-name") {
      out = m == nullptr ? "*-1\r\n" : Encode([&](ReplyWriter& w) {
        w.ArrayHeader(2);
        w.Bulk(m->ip);
        w.Bulk(std::to_string(m->port));
      });
    } else if (m == nullptr) {
      out = "-ERR No such master with that name\r\n";
    } else if (sub == "master") {
      out = Encode([&](ReplyWriter& w) { FieldPairs(w, MasterFields(*m, run_id_)); });
    } else if (sub == "sentinels") {
      out = "*0\r\n";
    } else {
      out = Encode([&](ReplyWriter& w) {
        w.ArrayHeader(static_cast<int64_t>(m->replicas.size()));
        for (const DiscoveredReplica& r : m->replicas) {
          FieldPairs(w, ReplicaFields(*m, r));
        }
      });
    }
  } else {
    out = "-ERR Unknown sentinel subcommand '" + (args.size() > 1 ? args[1] : "") + "'\r\n";
  }
}

void SentinelServer::PublishSwitchMaster(const std::string& name, const std::string& old_addr,
                                         const std::string& new_addr) {
  auto split = [](const std::string& addr) {
    size_t colon = addr.rfind(':');
    return colon == std::string::npos ? addr : addr.substr(0, colon) + " " + addr.substr(colon + 1);
  };
  Publish("+switch-master", name + " " + split(old_addr) + " " + split(new_addr));
}

void SentinelServer::Publish(const std::string& channel, const std::string& message) {
  std::lock_guard lock(mu_);
  for (const auto& c : connections_) {
    std::lock_guard write_lock(c->write_mu);
    std::string out;
    if (c->channels.count(channel)) {
      out += Encode([&](ReplyWriter& w) {
        w.ArrayHeader(3);
        w.Bulk("message");
        w.Bulk(channel);
        w.Bulk(message);
      });
    }
    for (const std::string& p : c->patterns) {
      if (GlobMatch(p, channel)) {
        out += Encode([&](ReplyWriter& w) {
          w.ArrayHeader(4);
          w.Bulk("pmessage");
          w.Bulk(p);
          w.Bulk(channel);
          w.Bulk(message);
        });
      }
    }
    if (c->fd >= 0 && !out.empty()) {
      WriteAll(c->fd, out);
    }
  }
}

}  // namespace cairn::controlplane
