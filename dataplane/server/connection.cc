// Connection I/O. Requests are read in 16 KB steps (more when a large bulk is pending), parsed
// and run in order; replies accumulate in the client's output buffer and go out with writev in
// the loop's before-sleep pass (or at once when the socket takes them). TLS connections first
// complete a non-blocking handshake, its WANT_READ/WANT_WRITE mapped onto the epoll interest.
#include "dataplane/server/connection.h"

#include <sys/epoll.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "dataplane/base/strings.h"
#include "dataplane/commands/dispatch.h"
#include "dataplane/server/server.h"

namespace cairn::server {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

}  // namespace

Connection::Connection(Server* server, std::unique_ptr<tls::Transport> transport, uint64_t id,
                       int64_t now_ms)
    : Client(id, now_ms),
      server_(server),
      transport_(std::move(transport)),
      armed_events_(EPOLLIN) {
  this->fd = transport_->fd();
  last_interaction_ms = now_ms;
  Reserve(kReadChunk);
}

Connection::~Connection() = default;  // the transport closes the socket

void Connection::Reserve(size_t bytes) {
  if (cap_ >= bytes) {
    return;
  }
  size_t cap = std::max(bytes, cap_ * 2);
  auto fresh = std::make_unique_for_overwrite<char[]>(cap);
  if (len_ > 0) {
    std::memcpy(fresh.get(), buf_.get(), len_);
  }
  buf_ = std::move(fresh);
  cap_ = cap;
}

void Connection::OnEvent(uint32_t events) {
  if (closed_ || in_command_) {
    return;  // in_command_: a busy script's nested event pass; read once it returns
  }
  if (handshaking()) {
    ContinueHandshake();
    return;
  }
  // Output pending from earlier turns first, then new input: replies to what is read now go out
  // only from before-sleep, after the AOF write (and its fsync with appendfsync always), as
  // Redis's AE_BARRIER orders them. A TLS write may wait for readability and a TLS read for
  // writability (CrossEvents).
  uint32_t cross = transport_->CrossEvents();
  if ((events & EPOLLOUT) != 0 || (cross & events & EPOLLIN) != 0) {
    Flush();
  }
  if (!closed_ &&
      ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0 || (cross & events & EPOLLOUT) != 0)) {
    OnReadable();
  }
}

void Connection::ContinueHandshake() {
  switch (transport_->Handshake()) {
    case tls::HandshakeStatus::kWantRead:
      UpdateInterest(false);
      return;
    case tls::HandshakeStatus::kWantWrite:
      UpdateInterest(true);
      return;
    case tls::HandshakeStatus::kError:
      spdlog::info("TLS handshake failed id={} addr={}: {}", id(), addr, transport_->error());
      server_->Close(this);
      return;
    case tls::HandshakeStatus::kDone:
      break;
  }
  last_interaction_ms = server_->state().clock().NowMs();
  UpdateInterest(false);
  OnReadable();  // the first request may have come with the handshake's last flight
}

void Connection::UpdateInterest(bool want_write) {
  uint32_t events = EPOLLIN | (want_write ? uint32_t{EPOLLOUT} : 0u) | transport_->CrossEvents();
  if (events != armed_events_) {
    server_->loop().Modify(fd, events);
    armed_events_ = events;
  }
}

void Connection::OnReadable() {
  // Read enough for the pending bulk in one go when a large argument is on its way.
  size_t want = kReadChunk;
  size_t pending = parser_.PendingBulkBytes();
  if (pending > len_ && pending - len_ > want && pending >= protocol::kBigArgBytes) {
    want = pending - len_;
  }
  Reserve(len_ + want);
  if (!ReadAvailable(/*fill=*/want > kReadChunk)) {
    return;
  }
  commands::ServerStats& stats = server_->state().stats();
  if (static_cast<int64_t>(len_) > server_->config().client_query_buffer_limit) {
    spdlog::warn("closing client that reached max query buffer length id={} qbuf={}", id(), len_);
    stats.client_qbuf_limit_disconnections++;
    server_->Close(this);
    return;
  }
  ProcessInput();
}

bool Connection::ReadAvailable(bool fill) {
  commands::ServerStats& stats = server_->state().stats();
  size_t before = len_;
  while (true) {
    tls::IoResult r = transport_->Read(buf_.get() + len_, cap_ - len_);
    if (r.kind == tls::IoResult::Kind::kClosed || r.kind == tls::IoResult::Kind::kError) {
      server_->Close(this);
      return false;
    }
    if (r.kind == tls::IoResult::Kind::kWouldBlock) {
      UpdateInterest(!out().empty());  // a TLS read may now wait for writability
      break;
    }
    len_ += r.bytes;
    stats.net_input_bytes += static_cast<int64_t>(r.bytes);
    stats.total_reads_processed++;
    // A TLS record decrypted beyond our free space stays inside OpenSSL, and no socket event
    // will announce it: take it now.
    // And a large argument on its way is read record after record (a TLS read returns one
    // record) until the socket is drained, not one record per event.
    size_t pending = transport_->Pending();
    if (pending > 0) {
      Reserve(len_ + pending);
    } else if (!fill || !transport_->is_tls() || len_ == cap_) {
      break;
    }
  }
  if (len_ == before) {
    return false;
  }
  last_interaction_ms = server_->state().clock().NowMs();
  return true;
}

void Connection::ProcessInput() {
  commands::ServerState& state = server_->state();
  protocol::ParserLimits limits;
  size_t pos = 0;
  while (!closed_ && pos < len_) {
    if (has_flag(commands::kClientCloseAfterReply) || has_flag(commands::kClientCloseAsap) ||
        has_flag(commands::kClientProtected) || has_flag(commands::kClientBlocked)) {
      break;
    }
    if (state.script_busy != 0 && has_flag(commands::kClientPrimary)) {
      break;  // the primary's stream waits for a busy script to end (never -BUSY for it)
    }
    if (state.pause().active(state.clock().NowMs()) && !state.pause().writes_only &&
        !has_flag(commands::kClientReplica)) {
      break;  // CLIENT PAUSE: the input waits in the buffer; the cron resumes it
    }
    limits.max_bulk_bytes = state.config().proto_max_bulk_len;
    limits.auth_required = commands::AuthRequired(state, *this);
    std::string_view input(buf_.get() + pos, len_ - pos);
    protocol::RespParser::State st = parser_.Parse(input, limits);
    if (st == protocol::RespParser::State::kNeedMore) {
      break;
    }
    if (st == protocol::RespParser::State::kError) {
      spdlog::info("protocol error from client id={} addr={}: {}", id(), addr, parser_.error());
      reply().set_muted(false);
      reply().Error("ERR " + parser_.error());
      set_flag(commands::kClientProtected);
      set_flag(commands::kClientCloseAfterReply);
      pos = len_;
      parser_.Reset();
      break;
    }
    if (st == protocol::RespParser::State::kCommand) {
      const std::vector<std::string_view>& args = parser_.args();
      if (EqualsIgnoreCase(args[0], "post") || EqualsIgnoreCase(args[0], "host:")) {
        spdlog::warn(
            "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: "
            "commands to Redis. Connection from {} aborted.",
            addr);
        server_->Close(this);
        return;
      }
      if (commands::IsPostponedByPause(state, *this, args)) {
        parser_.Reset();  // CLIENT PAUSE WRITE: this write waits, unparsed, for the pause's end
        break;
      }
      in_command_ = true;
      commands::ProcessCommand(state, *this, args);
      in_command_ = false;
      if (has_flag(commands::kClientPrimary)) {
        server_->replication().OnPrimaryStreamApplied(
            std::string_view(buf_.get() + pos, parser_.consumed()));
      }
    }
    pos += parser_.consumed();
    parser_.Reset();
  }
  if (pos > 0 && !closed_) {
    std::memmove(buf_.get(), buf_.get() + pos, len_ - pos);
    len_ -= pos;
    // Give back a large buffer once a big request has been handled.
    if (len_ == 0 && cap_ > 4 * kReadChunk) {
      buf_ = std::make_unique_for_overwrite<char[]>(kReadChunk);
      cap_ = kReadChunk;
    }
  }
  if (!closed_ && !out().empty()) {
    state.MarkPendingWrite(this);
  } else if (!closed_ && has_flag(commands::kClientCloseAfterReply)) {
    server_->Close(this);
  }
}

void Connection::Inject(std::string_view bytes) {
  Reserve(len_ + bytes.size());
  std::memcpy(buf_.get() + len_, bytes.data(), bytes.size());
  len_ += bytes.size();
  ProcessInput();
}

bool Connection::Flush() {
  if (handshaking()) {
    return true;  // nothing can be written before the handshake; it resumes on its events
  }
  commands::ServerStats& stats = server_->state().stats();
  protocol::OutputBuffer& output = out();
  while (!output.empty()) {
    struct iovec iov[64];
    int count = output.FillIovecs(iov, 64);
    tls::IoResult r = transport_->Write(iov, count);
    if (r.kind == tls::IoResult::Kind::kWouldBlock) {
      break;
    }
    if (r.kind != tls::IoResult::Kind::kOk) {
      server_->Close(this);
      return false;
    }
    output.Consume(r.bytes);
    stats.net_output_bytes += static_cast<int64_t>(r.bytes);
    stats.total_writes_processed++;
  }
  if (output.empty() && has_flag(commands::kClientCloseAfterReply)) {
    server_->Close(this);
    return false;
  }
  UpdateInterest(!output.empty());
  return true;
}

}  // namespace cairn::server
