// ServerState: client registry, WATCH bookkeeping, notifications, latency samples.
#include "dataplane/commands/server_state.h"

#include <algorithm>

#include "dataplane/commands/access_control.h"

namespace cairn::commands {

void ServerStats::OnErrorReply(std::string_view code) {
  total_error_replies++;
  // Redis caps distinct error codes at 128 to bound memory; later ones count only in the total.
  auto it = errorstats.find(std::string(code));
  if (it != errorstats.end()) {
    it->second++;
  } else if (errorstats.size() < 128) {
    errorstats.emplace(std::string(code), 1);
  }
}

ServerState::ServerState(engine::Keyspace* keyspace, CommandTable* table,
                         ParameterTable* parameters, ServerConfig* config, const Clock* clock)
    : keyspace_(keyspace), table_(table), parameters_(parameters), config_(config), clock_(clock) {
  stats_.start_time_ms = clock->NowMs();
}

void ServerState::OnKeyExpired(int db, std::string_view key) {
  // Replicas never expire keys themselves: the primary's DEL is what removes them there.
  if (replication != nullptr) {
    replication->Propagate(db, {"DEL", key});
  }
  TouchWatchedKey(db, key);
  Notify(kNotifyExpired, "expired", key, db);
}

void ServerState::OnKeyEvicted(int db, std::string_view key) {
  if (replication != nullptr) {
    replication->Propagate(db, {"DEL", key});
  }
  TouchWatchedKey(db, key);
  Notify(kNotifyEvicted, "evicted", key, db);
}

void ServerState::PropagateCommand(const Client& client,
                                   const std::vector<std::string_view>& args) {
  if (propagate_capture != nullptr) {
    propagate_capture->emplace_back(client.db_index,
                                    std::vector<std::string>(args.begin(), args.end()));
    return;
  }
  // The primary's commands reach Propagate too: a replica's AOF records them (the replica
  // proxies the primary's stream to its own replicas unchanged, so Propagate feeds none there).
  if (replication != nullptr) {
    replication->Propagate(client.db_index, args);
  }
}

void ServerState::OnKeyAdded(int db, std::string_view key) {
  Notify(kNotifyNew, "new", key, db);
  blocked_.SignalKeyReady(db, key);
}

// A removed or replaced key wakes the clients that must learn it is gone (XREADGROUP).
void ServerState::OnKeyRemoved(int db, std::string_view key) {
  blocked_.SignalKeyRemoved(db, key);
}

void ServerState::OnDbReplaced(int db) {
  blocked_.SignalDbReady(db);
}

void ServerState::OnKeyMiss(int db, std::string_view key) {
  Notify(kNotifyKeyMiss, "keymiss", key, db);
}

void ServerState::AddClient(Client* client) {
  clients_[client->id()] = client;
  client->reply().set_error_observer(&stats_);
}

void ServerState::RemoveClient(Client* client) {
  UnwatchAll(client);
  blocked_.RemoveClient(client);
  pubsub_.RemoveClient(client);
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), client), monitors_.end());
  pending_writes_.erase(std::remove(pending_writes_.begin(), pending_writes_.end(), client),
                        pending_writes_.end());
  clients_.erase(client->id());
}

Client* ServerState::FindClient(uint64_t id) {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

void ServerState::MarkPendingWrite(Client* client) {
  if (!client->pending_write) {
    client->pending_write = true;
    pending_writes_.push_back(client);
  }
}

bool ServerState::KeyLogicallyExpired(int db, std::string_view key) {
  // Same rule as Db::ExpireIfNeeded, without deleting.
  const engine::Entry* e = keyspace_->db(db).Find(key);
  return e != nullptr && keyspace_->IsExpired(e);
}

void ServerState::Watch(Client* client, int db, std::string_view key) {
  for (const auto& [d, k] : client->watched) {
    if (d == db && k == key) {
      return;
    }
  }
  client->watched.emplace_back(db, std::string(key));
  watched_[{db, std::string(key)}].push_back({client, KeyLogicallyExpired(db, key)});
}

void ServerState::UnwatchAll(Client* client) {
  for (const auto& [db, key] : client->watched) {
    auto it = watched_.find(std::pair<int, std::string>(db, key));
    if (it == watched_.end()) {
      continue;
    }
    std::vector<Watcher>& v = it->second;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [client](const Watcher& w) { return w.client == client; }),
            v.end());
    if (v.empty()) {
      watched_.erase(it);
    }
  }
  client->watched.clear();
}

void ServerState::MarkDirty(const std::vector<Client*>& clients) {
  // A dirty client's EXEC fails whatever else changes, so its watches are dropped at once.
  for (Client* c : clients) {
    c->set_flag(kClientDirtyCas);
    UnwatchAll(c);
  }
}

void ServerState::TouchWatchedKey(int db, std::string_view key) {
  if (watched_.empty()) {
    return;
  }
  auto it = watched_.find(std::pair<int, std::string>(db, std::string(key)));
  if (it == watched_.end()) {
    return;
  }
  bool exists = keyspace_->db(db).Find(key) != nullptr;
  std::vector<Client*> dirty;
  for (Watcher& w : it->second) {
    if (w.expired && !exists) {
      // Watched while already expired and now deleted: logically no change. A deleted key is
      // not expired any more, so a later write does invalidate.
      w.expired = false;
      continue;
    }
    dirty.push_back(w.client);
  }
  MarkDirty(dirty);
}

void ServerState::TouchAllWatchedKeysInDb(int db, int other_db) {
  std::vector<Client*> dirty;
  for (auto& [dbkey, watchers] : watched_) {
    const auto& [d, key] = dbkey;
    if (db != -1 && d != db && d != other_db) {
      continue;
    }
    bool in_emptied = keyspace_->db(d).Find(key) != nullptr;
    // SWAPDB: the db whose contents replace d's.
    int peer = other_db < 0 ? -1 : (d == db ? other_db : db);
    bool in_replacement = peer >= 0 && keyspace_->db(peer).Find(key) != nullptr;
    if (!in_emptied && !in_replacement) {
      continue;
    }
    bool replacement_expired = in_replacement && KeyLogicallyExpired(peer, key);
    for (Watcher& w : watchers) {
      if (w.expired) {
        if (!in_replacement) {
          w.expired = false;  // the expired key is just deleted
          continue;
        }
        if (replacement_expired) {
          continue;  // expired before, expired after
        }
      } else if (!in_emptied && replacement_expired) {
        w.expired = true;  // a missing key replaced by an expired one
        continue;
      }
      dirty.push_back(w.client);
    }
  }
  MarkDirty(dirty);
}

bool ServerState::WatchedKeyExpired(const Client* client) {
  for (const auto& [db, key] : client->watched) {
    auto it = watched_.find(std::pair<int, std::string>(db, key));
    if (it == watched_.end()) {
      continue;
    }
    for (const Watcher& w : it->second) {
      if (w.client == client && !w.expired && KeyLogicallyExpired(db, key)) {
        return true;
      }
    }
  }
  return false;
}

void ServerState::DiscardTransaction(Client* client) {
  client->multi_queue.clear();
  client->clear_flag(kClientMulti);
  client->clear_flag(kClientDirtyCas);
  client->clear_flag(kClientDirtyExec);
  UnwatchAll(client);
}

void ServerState::Notify(NotifyClass cls, std::string_view event, std::string_view key, int db) {
  uint32_t flags = config_->notify_keyspace_events;
  if ((flags & cls) == 0) {
    return;
  }
  auto deliver = [this](Client* c) { MarkPendingWrite(c); };
  std::string db_text = std::to_string(db);
  if ((flags & kNotifyKeyspace) != 0) {
    std::string channel = "__keyspace@" + db_text + "__:";
    channel.append(key);
    pubsub_.Publish(channel, event, deliver);
  }
  if ((flags & kNotifyKeyevent) != 0) {
    std::string channel = "__keyevent@" + db_text + "__:";
    channel.append(event);
    pubsub_.Publish(channel, key, deliver);
  }
}

void ServerState::AddLatencySample(const std::string& event, int64_t latency_ms) {
  LatencyEvent& e = latency_events_[event];
  int64_t now_s = clock_->NowMs() / 1000;
  if (!e.samples.empty() && e.samples.back().time_s == now_s) {
    e.samples.back().latency_ms = std::max(e.samples.back().latency_ms, latency_ms);
  } else {
    e.samples.push_back({now_s, latency_ms});
    if (e.samples.size() > 160) {
      e.samples.pop_front();
    }
  }
  e.max_ms = std::max(e.max_ms, latency_ms);
}

void ServerState::AddInfoSection(std::string name, InfoSection section, bool in_default) {
  info_sections_.push_back({std::move(name), std::move(section), in_default});
}

security::Acl& ServerState::acl() {
  if (acl_ == nullptr) {
    acl_ = MakeAcl(*table_);
  }
  return *acl_;
}

}  // namespace cairn::commands
