// Connection I/O. Requests are read in 16 KB steps (more when a large bulk is pending), parsed
// and run in order; replies accumulate in the client's output buffer and go out with writev in
// the loop's before-sleep pass (or at once when the socket takes them).
#include "dataplane/server/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

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

Connection::Connection(Server* server, int fd, uint64_t id, int64_t now_ms)
    : Client(id, now_ms), server_(server) {
  this->fd = fd;
  last_interaction_ms = now_ms;
  Reserve(kReadChunk);
}

Connection::~Connection() {
  if (fd >= 0) {
    close(fd);
  }
}

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
  // Output pending from earlier turns first, then new input: replies to what is read now go out
  // only from before-sleep, after the AOF write (and its fsync with appendfsync always), as
  // Redis's AE_BARRIER orders them.
  if ((events & EPOLLOUT) != 0) {
    Flush();
  }
  if (!closed_ && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
    OnReadable();
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
  ssize_t n = read(fd, buf_.get() + len_, cap_ - len_);
  if (n == 0) {
    server_->Close(this);
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) {
      server_->Close(this);
    }
    return;
  }
  len_ += static_cast<size_t>(n);
  commands::ServerStats& stats = server_->state().stats();
  stats.net_input_bytes += n;
  stats.total_reads_processed++;
  last_interaction_ms = server_->state().clock().NowMs();
  if (static_cast<int64_t>(len_) > server_->config().client_query_buffer_limit) {
    spdlog::warn("closing client that reached max query buffer length id={} qbuf={}", id(), len_);
    stats.client_qbuf_limit_disconnections++;
    server_->Close(this);
    return;
  }
  ProcessInput();
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
  commands::ServerStats& stats = server_->state().stats();
  protocol::OutputBuffer& output = out();
  while (!output.empty()) {
    struct iovec iov[64];
    int count = output.FillIovecs(iov, 64);
    // One buffer is the common case (a reply or a pipeline's replies): plain write() is cheaper
    // in the kernel than a one-element writev.
    ssize_t n = count == 1 ? write(fd, iov[0].iov_base, iov[0].iov_len) : writev(fd, iov, count);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        break;
      }
      server_->Close(this);
      return false;
    }
    output.Consume(static_cast<size_t>(n));
    stats.net_output_bytes += n;
    stats.total_writes_processed++;
  }
  if (output.empty()) {
    if (write_armed_) {
      server_->loop().Modify(fd, EPOLLIN);
      write_armed_ = false;
    }
    if (has_flag(commands::kClientCloseAfterReply)) {
      server_->Close(this);
      return false;
    }
  } else if (!write_armed_) {
    server_->loop().Modify(fd, EPOLLIN | EPOLLOUT);
    write_armed_ = true;
  }
  return true;
}

}  // namespace cairn::server
