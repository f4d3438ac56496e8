// BlockedClients: blocking, serving ready keys, timeouts and CLIENT UNBLOCK.
#include "dataplane/commands/blocking.h"

#include <algorithm>

#include "dataplane/base/errors.h"
#include "dataplane/commands/dispatch.h"
#include "dataplane/commands/server_state.h"

namespace cairn::commands {

void BlockedClients::Block(Client& client, const CommandSpec& spec,
                           const std::vector<std::string_view>& args, int db,
                           const std::vector<std::string_view>& keys, int64_t deadline_ms,
                           TimeoutReply timeout_reply, engine::ValueType type) {
  if (rerunning_ == client.id()) {
    reblocked_ = true;  // served too late: stays where it was in every queue
    return;
  }
  Blocked b;
  b.spec = &spec;
  b.args.assign(args.begin(), args.end());
  b.db = db;
  b.deadline_ms = deadline_ms;
  b.timeout_reply = timeout_reply;
  b.type = type;
  b.serial = next_serial_++;
  for (std::string_view key : keys) {
    if (std::find(b.keys.begin(), b.keys.end(), key) != b.keys.end()) {
      continue;  // BLPOP k k: wait once
    }
    b.keys.emplace_back(key);
    waiting_[DbKey(db, std::string(key))].push_back(client.id());
  }
  blocked_[client.id()] = std::move(b);
  client.set_flag(kClientBlocked);
  client.block_deadline_ms = deadline_ms;
}

void BlockedClients::SignalKeyReady(int db, std::string_view key) {
  if (waiting_.empty()) {
    return;
  }
  DbKey k(db, std::string(key));
  if (waiting_.count(k) != 0 && std::find(ready_.begin(), ready_.end(), k) == ready_.end()) {
    ready_.push_back(std::move(k));
  }
}

void BlockedClients::ServeReady(ServerState& server) {
  // Serving may make more keys ready (BLMOVE pushes to its destination): loop until none.
  while (!ready_.empty()) {
    std::vector<DbKey> batch;
    batch.swap(ready_);
    for (const DbKey& key : batch) {
      ServeKey(server, key);
    }
  }
}

void BlockedClients::ServeKey(ServerState& server, const DbKey& key) {
  auto it = waiting_.find(key);
  if (it == waiting_.end()) {
    return;
  }
  std::deque<uint64_t> queue = it->second;  // Release edits the real one
  engine::Db& db = server.keyspace().db(key.first);
  for (uint64_t id : queue) {
    engine::Entry* e = db.LookupNoTouch(key.second);
    if (e == nullptr) {
      return;  // consumed
    }
    Client* client = server.FindClient(id);
    auto b = blocked_.find(id);
    if (client == nullptr || b == blocked_.end() || b->second.type != e->type()) {
      continue;  // another type than this client pops keeps it waiting, as Redis 7.0
    }
    std::vector<std::string> args = b->second.args;  // Release frees the record
    std::vector<std::string_view> views(args.begin(), args.end());
    rerunning_ = id;
    serving_key_ = key.second;
    reblocked_ = false;
    server.keyspace().SetCommandTime(server.clock().NowMs());
    Call(server, *client, *b->second.spec, views);
    rerunning_ = 0;
    serving_key_.clear();
    if (!reblocked_) {
      Release(server, *client);
      server.MarkPendingWrite(client);
    }
  }
}

void BlockedClients::Release(ServerState& server, Client& client) {
  (void)server;
  auto b = blocked_.find(client.id());
  if (b == blocked_.end()) {
    return;
  }
  for (const std::string& key : b->second.keys) {
    auto w = waiting_.find(DbKey(b->second.db, key));
    if (w == waiting_.end()) {
      continue;
    }
    std::deque<uint64_t>& q = w->second;
    q.erase(std::remove(q.begin(), q.end(), client.id()), q.end());
    if (q.empty()) {
      waiting_.erase(w);
    }
  }
  blocked_.erase(b);
  client.clear_flag(kClientBlocked);
  client.block_deadline_ms = 0;
  resumed_.push_back(client.id());
}

void BlockedClients::CheckTimeouts(ServerState& server, int64_t now_ms) {
  std::vector<uint64_t> expired;
  for (const auto& [id, b] : blocked_) {
    if (b.deadline_ms != 0 && b.deadline_ms <= now_ms) {
      expired.push_back(id);
    }
  }
  for (uint64_t id : expired) {
    Unblock(server, id, false);
  }
}

bool BlockedClients::Unblock(ServerState& server, uint64_t id, bool error) {
  auto b = blocked_.find(id);
  Client* client = server.FindClient(id);
  if (b == blocked_.end() || client == nullptr) {
    return false;
  }
  if (error) {
    client->reply().Error(kErrUnblocked);
  } else if (b->second.timeout_reply == TimeoutReply::kNullArray) {
    client->reply().NullArray();
  } else {
    client->reply().Null();
  }
  Release(server, *client);
  server.MarkPendingWrite(client);
  return true;
}

void BlockedClients::RemoveClient(const Client* client) {
  uint64_t id = client->id();
  resumed_.erase(std::remove(resumed_.begin(), resumed_.end(), id), resumed_.end());
  auto b = blocked_.find(id);
  if (b == blocked_.end()) {
    return;
  }
  for (const std::string& key : b->second.keys) {
    auto w = waiting_.find(DbKey(b->second.db, key));
    if (w != waiting_.end()) {
      std::deque<uint64_t>& q = w->second;
      q.erase(std::remove(q.begin(), q.end(), id), q.end());
      if (q.empty()) {
        waiting_.erase(w);
      }
    }
  }
  blocked_.erase(b);
}

std::vector<uint64_t> BlockedClients::TakeResumed() {
  std::vector<uint64_t> out;
  out.swap(resumed_);
  return out;
}

}  // namespace cairn::commands
