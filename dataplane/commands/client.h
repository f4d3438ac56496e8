// Client: the session state of one connection (or of a script or replica link), as commands see
// it. The server's Connection owns one and adds the socket; commands never see sockets.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/protocol/output_buffer.h"
#include "dataplane/protocol/reply_writer.h"

namespace cairn::security {
class AclUser;
}  // namespace cairn::security

namespace cairn::commands {

struct CommandSpec;

// A command queued inside MULTI.
struct QueuedCommand {
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
};

// Redis's CLIENT_* flags that commands read or set.
enum ClientFlag : uint32_t {
  kClientMulti = 1 << 0,      // inside MULTI
  kClientDirtyExec = 1 << 1,  // a queue-time error: EXEC aborts
  kClientDirtyCas = 1 << 2,   // a watched key changed: EXEC returns null
  kClientCloseAfterReply = 1 << 3,
  kClientCloseAsap = 1 << 4,  // CLIENT KILL, output limit: close without flushing
  kClientPubSub = 1 << 5,     // has subscriptions (RESP2 context limits)
  kClientMonitor = 1 << 6,
  kClientNoEvict = 1 << 7,
  kClientReplySkipNext = 1 << 8,  // CLIENT REPLY SKIP: mute the next command's reply
  kClientReplySkip = 1 << 9,      // muting the current command
  kClientReplyOff = 1 << 10,
  kClientUnixSocket = 1 << 11,
  kClientReplica = 1 << 12,
  kClientPrimary = 1 << 13,
  kClientTracking = 1 << 14,
  kClientProtected = 1 << 15,  // a protocol error was sent; nothing more is read
  kClientBlocked = 1 << 16,    // waiting (WAIT): input is not processed until unblocked
};

class Client {
 public:
  Client(uint64_t id, int64_t created_ms) : id_(id), created_ms_(created_ms), reply_(&out_) {}
  virtual ~Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  uint64_t id() const { return id_; }
  int64_t created_ms() const { return created_ms_; }
  protocol::OutputBuffer& out() { return out_; }
  protocol::ReplyWriter& reply() { return reply_; }
  int resp() const { return reply_.protocol(); }
  void set_resp(int v) { reply_.set_protocol(v); }

  bool has_flag(ClientFlag f) const { return (flags_ & f) != 0; }
  void set_flag(ClientFlag f) { flags_ |= f; }
  void clear_flag(ClientFlag f) { flags_ &= ~static_cast<uint32_t>(f); }
  uint32_t flags() const { return flags_; }

  // Selected database (SELECT).
  int db_index = 0;
  // CLIENT SETNAME / HELLO SETNAME.
  std::string name;
  // Authenticated ACL user name ("default" until AUTH when no password is required).
  std::string user = "default";
  bool authenticated = false;
  // The ACL user behind `user`; nullptr for the default user (the ACL owns users; a deleted
  // user's clients are disconnected and reset to nullptr first).
  security::AclUser* acl_user = nullptr;
  // "ip:port" of the peer and of the local end (CLIENT LIST addr/laddr), fd (-1 for fake clients).
  std::string addr;
  std::string laddr;
  int fd = -1;
  // Library name/version (CLIENT SETINFO is 7.2; kept for CLIENT LIST lib-name/lib-ver).
  int64_t last_interaction_ms = 0;
  // Name of the last command run (CLIENT LIST cmd=).
  // Views a CommandSpec's name, which lives as long as the server: no copy per command.
  std::string_view last_command = "NULL";
  // Argument indexes of the running command that SLOWLOG and MONITOR show as "(redacted)"
  // (passwords: AUTH, HELLO AUTH, CONFIG SET of a sensitive parameter). Cleared per command.
  std::vector<size_t> redacted_args;

  // MULTI queue and WATCHed (db, key) pairs.
  std::vector<QueuedCommand> multi_queue;
  std::vector<std::pair<int, std::string>> watched;

  // Pub/Sub subscriptions.
  std::set<std::string> channels;
  // In subscription order: PUNSUBSCRIBE without arguments lists them so (a list in Redis 7.0).
  std::vector<std::string> patterns;
  size_t subscription_count() const { return channels.size() + patterns.size(); }
  // Shard channels (SSUBSCRIBE), counted apart from the others as Redis 7.0 does.
  std::set<std::string> shard_channels;
  size_t total_subscription_count() const { return subscription_count() + shard_channels.size(); }

  // WAIT: the replication offset and replica count it waits for, and its deadline (0: none).
  int64_t wait_offset = 0;
  int64_t wait_replicas = 0;
  int64_t block_deadline_ms = 0;
  // Replication offset of this client's last write (WAIT waits for replicas to reach it).
  int64_t last_write_offset = 0;

  // Set by the server when the client has output queued for the socket.
  bool pending_write = false;

  // Query buffer figures for CLIENT LIST qbuf/qbuf-free (0 for clients without a socket).
  virtual size_t query_buffer_bytes() const { return 0; }
  virtual size_t query_buffer_capacity() const { return 0; }

 private:
  uint64_t id_;
  int64_t created_ms_;
  uint32_t flags_ = 0;
  protocol::OutputBuffer out_;
  protocol::ReplyWriter reply_;
};

}  // namespace cairn::commands
