// ServerState: client registry, WATCH bookkeeping, notifications, latency samples.
#include "dataplane/commands/server_state.h"

#include <algorithm>

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
    : keyspace_(keyspace),
      table_(table),
      parameters_(parameters),
      config_(config),
      clock_(clock) {
  stats_.start_time_ms = clock->NowMs();
}

void ServerState::AddClient(Client* client) {
  clients_[client->id()] = client;
  client->reply().set_error_observer(&stats_);
}

void ServerState::RemoveClient(Client* client) {
  UnwatchAll(client);
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

void ServerState::Watch(Client* client, int db, std::string_view key) {
  for (const auto& [d, k] : client->watched) {
    if (d == db && k == key) {
      return;
    }
  }
  client->watched.emplace_back(db, std::string(key));
  watched_[{db, std::string(key)}].push_back(client);
}

void ServerState::UnwatchAll(Client* client) {
  for (const auto& [db, key] : client->watched) {
    auto it = watched_.find(std::pair<int, std::string>(db, key));
    if (it == watched_.end()) {
      continue;
    }
    std::vector<Client*>& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), client), v.end());
    if (v.empty()) {
      watched_.erase(it);
    }
  }
  client->watched.clear();
}

void ServerState::TouchWatchedKey(int db, std::string_view key) {
  if (watched_.empty()) {
    return;
  }
  auto it = watched_.find(std::pair<int, std::string>(db, std::string(key)));
  if (it == watched_.end()) {
    return;
  }
  for (Client* c : it->second) {
    c->set_flag(kClientDirtyCas);
  }
}

void ServerState::TouchAllWatchedKeysInDb(int db, int other_db) {
  for (auto& [dbkey, clients] : watched_) {
    const auto& [d, key] = dbkey;
    if (db != -1 && d != db && d != other_db) {
      continue;
    }
    bool exists = keyspace_->db(d).Find(key) != nullptr;
    if (other_db >= 0) {
      // SWAPDB: the key changes if it exists on either side.
      int peer = d == db ? other_db : db;
      exists = exists || keyspace_->db(peer).Find(key) != nullptr;
    }
    if (exists) {
      for (Client* c : clients) {
        c->set_flag(kClientDirtyCas);
      }
    }
  }
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

}  // namespace cairn::commands
