// The replica's sync state machine. Reply texts it accepts follow Redis 7.0's replication.c
// (syncWithMaster): a -NOAUTH answer to PING is fine (AUTH comes next), REPLCONF errors are
// tolerated (old primaries), and PSYNC answers +FULLRESYNC, +CONTINUE or an error to retry on.
#include "dataplane/replication/replica_link.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dataplane/base/strings.h"

namespace cairn::replication {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kMaxReadsPerEvent = 64;  // keeps one large transfer from starving other clients
constexpr size_t kEofMarkBytes = 40;

enum Step { kPing = 0, kAuth, kPort, kCapa, kPsync, kSteps };

std::string Encode(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  return out;
}

}  // namespace

ReplicaLink::~ReplicaLink() {
  if (transport_ == nullptr && fd_ >= 0) {
    close(fd_);
  }
}

std::unique_ptr<tls::Transport> ReplicaLink::ReleaseTransport() {
  fd_ = -1;
  return std::move(transport_);
}

void ReplicaLink::Fail(const std::string& why) {
  state_ = State::kFailed;
  error_ = why;
}

Status ReplicaLink::Start(int64_t now_ms) {
  last_io_ms_ = now_ms;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(config_.port);
  int rc = getaddrinfo(config_.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    Fail("can't resolve " + config_.host + ": " + gai_strerror(rc));
    return Status::Unavailable(error_);
  }
  fd_ = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    freeaddrinfo(res);
    Fail(std::string("socket: ") + std::strerror(errno));
    return Status::Unavailable(error_);
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  rc = connect(fd_, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0 && errno != EINPROGRESS) {
    Fail(std::string("connect: ") + std::strerror(errno));
    return Status::Unavailable(error_);
  }
  state_ = State::kConnecting;
  return Status::Ok();
}

uint32_t ReplicaLink::events() const {
  if (state_ != State::kConnecting) {
    return EPOLLIN;
  }
  return tls_wants_ != 0 ? tls_wants_ : EPOLLOUT;
}

void ReplicaLink::CheckTimeout(int64_t now_ms) {
  if ((state_ == State::kConnecting || state_ == State::kHandshake || state_ == State::kTransfer) &&
      now_ms - last_io_ms_ > config_.timeout_ms) {
    Fail(state_ == State::kTransfer ? "Timeout receiving bulk data from MASTER"
                                    : "Timeout connecting to the MASTER");
  }
}

bool ReplicaLink::SendCommand(const std::vector<std::string>& args) {
  std::string data = Encode(args);
  std::string_view rest = data;
  while (!rest.empty()) {
    struct iovec iov = {const_cast<char*>(rest.data()), rest.size()};
    tls::IoResult r = transport_->Write(&iov, 1);
    if (r.kind != tls::IoResult::Kind::kOk) {
      // Handshake commands are tiny and the socket's buffer is empty: EAGAIN means trouble.
      Fail("Error writing to MASTER: " + (r.kind == tls::IoResult::Kind::kWouldBlock
                                              ? std::string("socket buffer full")
                                              : transport_->error()));
      return false;
    }
    rest.remove_prefix(r.bytes);
  }
  return true;
}

void ReplicaLink::SendNextStep() {
  if (step_ == kAuth && config_.masterauth.empty()) {
    step_++;
  }
  switch (step_) {
    case kPing:
      SendCommand({"PING"});
      break;
    case kAuth:
      if (config_.masteruser.empty()) {
        SendCommand({"AUTH", config_.masterauth});
      } else {
        SendCommand({"AUTH", config_.masteruser, config_.masterauth});
      }
      break;
    case kPort:
      SendCommand({"REPLCONF", "listening-port", std::to_string(config_.listening_port)});
      break;
    case kCapa:
      SendCommand({"REPLCONF", "capa", "eof", "capa", "psync2"});
      break;
    case kPsync:
      if (config_.failover) {
        SendCommand(
            {"PSYNC", config_.psync_replid, std::to_string(config_.psync_offset), "FAILOVER"});
      } else {
        SendCommand({"PSYNC", config_.psync_replid, std::to_string(config_.psync_offset)});
      }
      break;
    default:
      break;
  }
}

bool ReplicaLink::ReadSome() {
  for (int i = 0; i < kMaxReadsPerEvent; i++) {
    size_t old = buffer_.size();
    buffer_.resize(old + kReadChunk);
    tls::IoResult r = transport_->Read(buffer_.data() + old, kReadChunk);
    buffer_.resize(old + r.bytes);
    switch (r.kind) {
      case tls::IoResult::Kind::kOk:
        continue;
      case tls::IoResult::Kind::kWouldBlock:
        return true;
      case tls::IoResult::Kind::kClosed:
        Fail("Connection lost with the MASTER");
        return false;
      case tls::IoResult::Kind::kError:
        break;
    }
    Fail("Error reading from MASTER: " + transport_->error());
    return false;
  }
  return true;
}

bool ReplicaLink::TakeLine(std::string* line) {
  // Primaries send bare newlines as keepalives while they prepare a full sync.
  size_t start = buffer_.find_first_not_of('\n');
  if (start == std::string::npos) {
    buffer_.clear();
    return false;
  }
  size_t end = buffer_.find("\r\n", start);
  if (end == std::string::npos) {
    buffer_.erase(0, start);
    return false;
  }
  *line = buffer_.substr(start, end - start);
  buffer_.erase(0, end + 2);
  return true;
}

void ReplicaLink::OnConnected() {
  if (!config_.tls_ctx) {
    transport_ = tls::NewPlainTransport(fd_);
    state_ = State::kHandshake;
    step_ = kPing;
    SendNextStep();
    return;
  }
  transport_ = tls::NewTlsTransport(fd_, config_.tls_ctx.get(), tls::TlsRole::kClient,
                                    tls::ClientAuth::kNo, config_.host);
  if (transport_ == nullptr) {
    return Fail("Failed to create TLS connection: " + tls::TakeOpenSslError("SSL_new failed"));
  }
  ContinueTlsHandshake();
}

void ReplicaLink::ContinueTlsHandshake() {
  switch (transport_->Handshake()) {
    case tls::HandshakeStatus::kWantRead:
      tls_wants_ = EPOLLIN;
      return;
    case tls::HandshakeStatus::kWantWrite:
      tls_wants_ = EPOLLOUT;
      return;
    case tls::HandshakeStatus::kError:
      return Fail("TLS handshake with the MASTER failed: " + transport_->error());
    case tls::HandshakeStatus::kDone:
      break;
  }
  tls_wants_ = 0;
  state_ = State::kHandshake;
  step_ = kPing;
  SendNextStep();
}

void ReplicaLink::OnEvent(uint32_t events, int64_t now_ms) {
  if (state_ == State::kConnecting && transport_ != nullptr) {
    last_io_ms_ = now_ms;
    ContinueTlsHandshake();
    return;
  }
  if (state_ == State::kConnecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
      Fail(std::string("Error condition on socket for SYNC: ") +
           std::strerror(err != 0 ? err : ECONNREFUSED));
      return;
    }
    last_io_ms_ = now_ms;
    OnConnected();
    return;
  }
  if (!ReadSome()) {
    return;
  }
  last_io_ms_ = now_ms;
  std::string line;
  while (state_ == State::kHandshake && TakeLine(&line)) {
    HandleReply(line);
  }
  if (state_ == State::kTransfer) {
    HandleTransfer();
  }
}

void ReplicaLink::HandleReply(const std::string& line) {
  bool error = line.starts_with("-");
  switch (step_) {
    case kPing:
      // -NOAUTH (AUTH follows) and -NOPERM are fine here, as in Redis.
      if (error && !line.starts_with("-NOAUTH") && !line.starts_with("-NOPERM") &&
          !line.starts_with("-ERR operation not permitted")) {
        return Fail("Error reply to PING from master: '" + line + "'");
      }
      break;
    case kAuth:
      if (error) {
        return Fail("Unable to AUTH to MASTER: " + line);
      }
      break;
    case kPort:
    case kCapa:
      break;  // old primaries refuse these; the sync still works
    case kPsync:
      return HandlePsyncReply(line);
    default:
      return;
  }
  step_++;
  SendNextStep();
}

void ReplicaLink::HandlePsyncReply(const std::string& line) {
  if (line.starts_with("+FULLRESYNC")) {
    std::vector<std::string> words;
    std::string w;
    for (char c : line + " ") {
      if (c == ' ') {
        if (!w.empty()) {
          words.push_back(w);
        }
        w.clear();
      } else {
        w += c;
      }
    }
    std::optional<int64_t> offset = words.size() == 3 ? ParseInt64(words[2]) : std::nullopt;
    if (!offset || words[1].size() != 40) {
      return Fail("Master replied with wrong +FULLRESYNC syntax: '" + line + "'");
    }
    full_sync_ = true;
    replid_ = words[1];
    offset_ = *offset;
    state_ = State::kTransfer;
    return;
  }
  if (line.starts_with("+CONTINUE")) {
    std::string id = line.size() > 10 ? line.substr(10) : config_.psync_replid;
    replid_ = id.size() == 40 ? id : config_.psync_replid;
    full_sync_ = false;
    state_ = State::kDone;
    return;
  }
  Fail("Unexpected reply to PSYNC from master: " + line);
}

void ReplicaLink::HandleTransfer() {
  if (!have_header_) {
    std::string line;
    if (!TakeLine(&line)) {
      return;
    }
    if (line.starts_with("$EOF:") && line.size() == 5 + kEofMarkBytes) {
      eof_mark_ = line.substr(5);
    } else if (line.starts_with("$")) {
      std::optional<int64_t> size = ParseInt64(line.substr(1));
      if (!size || *size < 0) {
        return Fail("Bad protocol from MASTER, the first byte is not '$': " + line);
      }
      rdb_size_ = *size;
    } else if (line.starts_with("-")) {
      return Fail("MASTER aborted replication with an error: " + line);
    } else {
      return Fail("Bad protocol from MASTER, the first byte is not '$': " + line);
    }
    have_header_ = true;
  }
  if (rdb_size_ >= 0) {
    size_t want = static_cast<size_t>(rdb_size_) - rdb_.size();
    size_t take = std::min(want, buffer_.size());
    rdb_.append(buffer_, 0, take);
    buffer_.erase(0, take);
    if (rdb_.size() == static_cast<size_t>(rdb_size_)) {
      state_ = State::kDone;
    }
    return;
  }
  rdb_ += buffer_;
  buffer_.clear();
  if (rdb_.size() >= kEofMarkBytes &&
      std::string_view(rdb_).substr(rdb_.size() - kEofMarkBytes) == eof_mark_) {
    rdb_.resize(rdb_.size() - kEofMarkBytes);
    state_ = State::kDone;
  }
}

}  // namespace cairn::replication
