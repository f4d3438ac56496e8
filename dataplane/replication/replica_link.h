// ReplicaLink: the replica side of one sync attempt with a primary, as a non-blocking state
// machine over one socket: connect, handshake (PING, AUTH with masteruser/masterauth, REPLCONF
// listening-port, REPLCONF capa eof capa psync2, PSYNC replid offset), then either receive the
// full sync's RDB (length-prefixed, or EOF-marked as diskless primaries send it) or a
// +CONTINUE. The owner drives it from its event loop (fd(), events(), OnEvent()) and, once
// done(), loads the RDB and turns the socket into the primary's client (ReleaseTransport()).
// With a TLS context the link completes a TLS handshake (verifying the primary) right after the
// TCP connect, and everything after goes through TLS.
// Knows nothing of keyspaces or commands. Command thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/security/tls/tls_context.h"

namespace cairn::replication {

struct LinkConfig {
  std::string host;
  int port = 0;
  std::string masteruser;  // AUTH user (with masterauth); empty: AUTH <masterauth>
  std::string masterauth;  // empty: no AUTH
  int64_t listening_port = 0;
  // What to ask for: PSYNC <replid> <offset>; "?" and -1 ask for a full sync.
  std::string psync_replid = "?";
  int64_t psync_offset = -1;
  int64_t timeout_ms = 60000;  // repl-timeout: the longest silence during the sync
  // FAILOVER: PSYNC carries a trailing FAILOVER, asking our replica to become our primary.
  bool failover = false;
  // tls-replication: the client context to connect with (verifies the primary against the CA,
  // presents our client certificate); null = plain TCP.
  tls::SslCtxPtr tls_ctx;
};

class ReplicaLink {
 public:
  enum class State { kConnecting, kHandshake, kTransfer, kDone, kFailed };

  explicit ReplicaLink(LinkConfig config) : config_(std::move(config)) {}
  ~ReplicaLink();
  ReplicaLink(const ReplicaLink&) = delete;
  ReplicaLink& operator=(const ReplicaLink&) = delete;

  // Opens the socket and starts a non-blocking connect. Errors: resolution or socket failure.
  Status Start(int64_t now_ms);
  int fd() const { return fd_; }
  // epoll events wanted now (EPOLLOUT while connecting, what the TLS handshake waits for, else
  // EPOLLIN). May change after OnEvent.
  uint32_t events() const;
  // Handles readiness; may move to kDone or kFailed.
  void OnEvent(uint32_t events, int64_t now_ms);
  // Fails the attempt when nothing arrived for timeout_ms.
  void CheckTimeout(int64_t now_ms);

  State state() const { return state_; }
  const std::string& error() const { return error_; }
  // Bytes of the RDB received so far, and the announced total (-1: EOF-marked or unknown).
  int64_t transfer_read() const { return static_cast<int64_t>(rdb_.size()); }
  int64_t transfer_size() const { return rdb_size_; }

  // Results, when state() == kDone.
  bool full_sync() const { return full_sync_; }
  std::string& rdb() { return rdb_; }
  const std::string& replid() const { return replid_; }  // the primary's (new) replication id
  int64_t offset() const { return offset_; }             // FULLRESYNC's offset (full sync only)
  // Stream bytes that arrived behind the RDB or +CONTINUE: the first commands to apply.
  std::string& leftover() { return buffer_; }
  // Hands the transport (and its socket) over, handshake done; the link no longer owns it.
  std::unique_ptr<tls::Transport> ReleaseTransport();

 private:
  void Fail(const std::string& why);
  // The TCP connect finished: wraps the socket and starts the TLS handshake or the commands.
  void OnConnected();
  void ContinueTlsHandshake();
  bool SendCommand(const std::vector<std::string>& args);
  void SendNextStep();
  bool ReadSome();
  bool TakeLine(std::string* line);
  void HandleReply(const std::string& line);
  void HandlePsyncReply(const std::string& line);
  void HandleTransfer();

  LinkConfig config_;
  State state_ = State::kConnecting;
  int fd_ = -1;  // owned by transport_ once connected
  std::unique_ptr<tls::Transport> transport_;
  uint32_t tls_wants_ = 0;  // while the TLS handshake runs: the event it waits for
  int step_ = 0;
  int64_t last_io_ms_ = 0;
  std::string error_;
  std::string buffer_;
  bool full_sync_ = false;
  bool have_header_ = false;
  int64_t rdb_size_ = -1;
  std::string eof_mark_;
  std::string rdb_;
  std::string replid_;
  int64_t offset_ = -1;
};

}  // namespace cairn::replication
