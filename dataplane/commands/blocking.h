// BlockedClients: clients waiting in a blocking command (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
// BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) for a key to receive data, as Redis 7.0's blocked.c. A
// blocked client keeps its command (arguments copied) and is flagged kClientBlocked, so the server
// reads no more of its input. When a key someone waits on is created
// (KeyspaceObserver::OnKeyAdded), it is queued as ready; after the current top-level command (or
// EXEC) finishes, ServeReady re-runs the waiting clients' commands key by key, in the order the
// clients blocked (FIFO). A re-run that finds no data blocks again in place. Timeouts reply with
// the command's null, CLIENT UNBLOCK with a null or an UNBLOCKED error; a closed client is
// forgotten. Single-threaded (the command thread).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/commands/client.h"
#include "dataplane/commands/command_table.h"
#include "dataplane/engine/entry.h"

namespace cairn::commands {

class ServerState;

// What a blocked command replies when it times out: a null array (BLPOP, BRPOP, BLMPOP) or a
// null bulk (BLMOVE, BRPOPLPUSH); RESP3 sends "_" for both.
enum class TimeoutReply { kNullArray, kNullBulk };

class BlockedClients {
 public:
  // Blocks `client` on `keys` of database `db` until `deadline_ms` (0 = forever), keeping
  // `spec` and `args` to re-run. A client re-run by ServeReady that blocks again keeps its place.
  // `type` is the value type that serves it (lists for BLPOP..., sorted sets for BZPOPMIN...,
  // streams for XREAD / XREADGROUP): a key of another type leaves the client waiting, as
  // Redis 7.0.
  void Block(Client& client, const CommandSpec& spec, const std::vector<std::string_view>& args,
             int db, const std::vector<std::string_view>& keys, int64_t deadline_ms,
             TimeoutReply timeout_reply, engine::ValueType type = engine::ValueType::kList);
  // Whether `client`'s command is being re-run by ServeReady (it was blocked until now).
  bool rerunning(const Client& client) const { return rerunning_ == client.id(); }
  // While a client is re-run: the ready key it is re-run for (a blocked XREAD is served from
  // that one stream, as Redis 7.0).
  const std::string& serving_key() const { return serving_key_; }
  // Called when `key` of `db` was created: queues it if a client waits on it.
  void SignalKeyReady(int db, std::string_view key);
  bool has_ready() const { return !ready_.empty(); }
  // Re-runs the commands of clients waiting on ready keys, FIFO per key, while the key exists.
  void ServeReady(ServerState& server);
  // Replies to clients whose deadline passed (`now_ms`) and unblocks them.
  void CheckTimeouts(ServerState& server, int64_t now_ms);
  // CLIENT UNBLOCK: unblocks `id` with the timeout reply or, when `error`, an UNBLOCKED error.
  // Returns false when that client is not blocked here.
  bool Unblock(ServerState& server, uint64_t id, bool error);
  // Forgets a client that is going away (its connection closed).
  void RemoveClient(const Client* client);
  // Clients unblocked since the last call: the server processes their pipelined input.
  std::vector<uint64_t> TakeResumed();
  size_t blocked_count() const { return blocked_.size(); }
  // Keys with at least one waiting client (INFO blocked_keys figures).
  size_t keys_count() const { return waiting_.size(); }

 private:
  struct Blocked {
    const CommandSpec* spec = nullptr;
    std::vector<std::string> args;
    int db = 0;
    std::vector<std::string> keys;
    int64_t deadline_ms = 0;
    TimeoutReply timeout_reply = TimeoutReply::kNullArray;
    engine::ValueType type = engine::ValueType::kList;
    uint64_t serial = 0;  // block order
  };
  using DbKey = std::pair<int, std::string>;
  // Ends `id`'s block: drops it from every key queue, clears the flag, queues it to resume.
  void Release(ServerState& server, Client& client);
  void ServeKey(ServerState& server, const DbKey& key);

  std::map<uint64_t, Blocked> blocked_;  // by client id
  std::map<DbKey, std::deque<uint64_t>, std::less<>> waiting_;
  std::vector<DbKey> ready_;
  std::vector<uint64_t> resumed_;
  uint64_t next_serial_ = 0;
  // While ServeReady re-runs a client: set when that client blocks again.
  uint64_t rerunning_ = 0;
  std::string serving_key_;
  bool reblocked_ = false;
};

}  // namespace cairn::commands
