// CommandContext: what a handler gets: its arguments, the reply writer of its client, the
// client's session, the selected database and the server state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/commands/client.h"
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/server_state.h"
#include "dataplane/engine/db.h"
#include "dataplane/engine/keyspace.h"
#include "dataplane/protocol/reply_writer.h"

namespace cairn::commands {

class CommandContext {
 public:
  CommandContext(ServerState& server, Client& client, const std::vector<std::string_view>& args,
                 const CommandSpec& spec)
      : server_(server), client_(client), args_(args), spec_(spec) {}

  const std::vector<std::string_view>& args() const { return args_; }
  size_t argc() const { return args_.size(); }
  // REQUIRES: i < argc() (the dispatcher checked arity).
  std::string_view arg(size_t i) const { return args_[i]; }

  protocol::ReplyWriter& reply() { return client_.reply(); }
  Client& client() { return client_; }
  ServerState& server() { return server_; }
  engine::Keyspace& keyspace() { return server_.keyspace(); }
  engine::Db& db() { return server_.keyspace().db(client_.db_index); }
  const CommandSpec& spec() const { return spec_; }
  ServerConfig& config() { return server_.config(); }
  int64_t now_ms() const { return server_.keyspace().now_ms(); }

  // Replies with an engine op's failure (its Status message is the Redis error text: WRONGTYPE,
  // not-an-integer, ...). Returns true if it did, so handlers write
  // `if (ctx.ReplyIfError(r)) return;`.
  template <typename T>
  bool ReplyIfError(const Result<T>& r) {
    if (r.ok()) {
      return false;
    }
    reply().Error(r.status().message());
    return true;
  }

  // Records a change to the dataset: bumps the dirty counter and, the first time per command,
  // queues the command as received for replicas and the backlog.
  void MarkWritten(int64_t changes = 1) {
    server_.stats().dirty += changes;
    if (!propagated_) {
      propagated_ = true;
      server_.PropagateCommand(client_, args_);
    }
  }
  // Like MarkWritten, but replicas get `args` instead of the command as received: absolute
  // expire times (PXAT, PEXPIREAT), DEL for a delete, SET for INCRBYFLOAT's result, as Redis 7.0
  // rewrites them so a replica applying the stream later ends with the same data.
  void MarkWrittenAs(const std::vector<std::string>& args, int64_t changes = 1) {
    server_.stats().dirty += changes;
    if (!propagated_) {
      propagated_ = true;
      std::vector<std::string_view> views(args.begin(), args.end());
      server_.PropagateCommand(client_, views);
    }
  }
  // Invalidates WATCH on `key` in the client's database (Redis's signalModifiedKey).
  void SignalModified(std::string_view key) { server_.TouchWatchedKey(client_.db_index, key); }
  // Fires a keyspace notification for `key` in the client's database.
  void Notify(NotifyClass cls, std::string_view event, std::string_view key) {
    server_.Notify(cls, event, key, client_.db_index);
  }

 private:
  ServerState& server_;
  Client& client_;
  const std::vector<std::string_view>& args_;
  const CommandSpec& spec_;
  bool propagated_ = false;
};

// One CLIENT LIST / CLIENT INFO line of `c` (without the newline) in Redis 7.0's field order,
// also ACL LOG's client-info. The client running `ctx` shows its current command; others their
// last one. Defined in client_family.cc.
std::string ClientLine(CommandContext& ctx, Client& c);

}  // namespace cairn::commands
