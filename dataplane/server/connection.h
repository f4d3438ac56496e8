// Connection: one client socket. Reads into the query buffer, parses and dispatches commands in
// order, and writes replies with writev. Owned by the Server; closed connections are freed only
// after the event batch that closed them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "dataplane/commands/client.h"
#include "dataplane/protocol/resp_parser.h"
#include "dataplane/server/event_loop.h"

namespace cairn::server {

class Server;

class Connection final : public commands::Client, public FdHandler {
 public:
  Connection(Server* server, int fd, uint64_t id, int64_t now_ms);
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
  // When the soft output limit was first exceeded (0 = not exceeded).
  int64_t soft_limit_since_ms = 0;

 private:
  void OnReadable();
  void Reserve(size_t bytes);

  Server* server_;
  std::unique_ptr<char[]> buf_;  // query buffer
  size_t cap_ = 0;
  size_t len_ = 0;
  protocol::RespParser parser_;
  bool write_armed_ = false;
  bool closed_ = false;
  bool in_command_ = false;
};

}  // namespace cairn::server
