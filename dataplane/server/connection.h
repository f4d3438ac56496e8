// Connection: one client socket. Reads into the query buffer, parses and dispatches commands in
// order, and writes replies with writev. Owned by the Server; closed connections are freed only
// after the event batch that closed them. The bytes move through a tls::Transport (plain or
// TLS); a TLS connection finishes its handshake before its first command.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "dataplane/commands/client.h"
#include "dataplane/protocol/resp_parser.h"
#include "dataplane/security/tls/transport.h"
#include "dataplane/server/event_loop.h"

namespace cairn::server {

class Server;

class Connection final : public commands::Client, public FdHandler {
 public:
  // Takes over `transport` (and its socket).
  Connection(Server* server, std::unique_ptr<tls::Transport> transport, uint64_t id,
             int64_t now_ms);
  ~Connection() override;

  void OnEvent(uint32_t events) override;
  // Writes queued output. Returns false when the connection failed and was closed.
  bool Flush();
  // Reads and runs whatever complete commands are buffered (after CLIENT UNPAUSE, say).
  void ProcessInput();
  // Appends `bytes` to the query buffer as if read from the socket, and runs them (the stream
  // bytes a replica link received behind the RDB).
  void Inject(std::string_view bytes);
  size_t query_buffer_bytes() const override { return len_; }
  size_t query_buffer_capacity() const override { return cap_; }
  bool closed() const { return closed_; }
  // True while one of this connection's commands runs (a busy script serving other clients
  // from its hook must leave this connection alone until the command returns).
  bool in_command() const { return in_command_; }
  void MarkClosed() { closed_ = true; }
  // True for a connection over TLS (accepted on tls-port, or the TLS link to our primary).
  bool is_tls() const { return transport_->is_tls(); }
  // True until a TLS connection's handshake completes (always false for plain ones).
  bool handshaking() const { return !transport_->handshake_done(); }
  // When the soft output limit was first exceeded (0 = not exceeded).
  int64_t soft_limit_since_ms = 0;

 private:
  void OnReadable();
  // Reads what the transport has (the socket's bytes and any TLS record already decrypted);
  // `fill`: keep reading TLS records while the buffer has room (a large argument is coming).
  // False when nothing was read or the connection was closed.
  bool ReadAvailable(bool fill);
  void ContinueHandshake();
  // Sets the epoll interest to what the connection waits for now.
  void UpdateInterest(bool want_write);
  void Reserve(size_t bytes);

  Server* server_;
  std::unique_ptr<tls::Transport> transport_;
  std::unique_ptr<char[]> buf_;  // query buffer
  size_t cap_ = 0;
  size_t len_ = 0;
  protocol::RespParser parser_;
  uint32_t armed_events_;  // the epoll interest last set (EPOLLIN at registration)
  bool closed_ = false;
  bool in_command_ = false;
};

}  // namespace cairn::server
