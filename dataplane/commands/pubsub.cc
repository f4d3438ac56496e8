// Pub/Sub registry and message delivery.
#include "dataplane/commands/pubsub.h"

#include <algorithm>

#include "dataplane/base/strings.h"

namespace cairn::commands {

void PubSub::Link(Registry& all, Client* client, std::string_view name) {
  auto it = all.find(name);
  if (it == all.end()) {
    it = all.emplace(std::string(name), std::set<Client*>()).first;
  }
  it->second.insert(client);
}

void PubSub::Unlink(Registry& all, Client* client, std::string_view name) {
  auto it = all.find(name);
  if (it == all.end()) {
    return;
  }
  it->second.erase(client);
  if (it->second.empty()) {
    // The last subscriber frees the entry, so a channel never outlives its subscribers.
    all.erase(it);
  }
}

bool PubSub::Add(std::set<std::string>& mine, Registry& all, Client* client,
                 std::string_view name) {
  if (!mine.emplace(name).second) {
    return false;
  }
  Link(all, client, name);
  return true;
}

bool PubSub::Remove(std::set<std::string>& mine, Registry& all, Client* client,
                    std::string_view name) {
  auto own = mine.find(std::string(name));
  if (own == mine.end()) {
    return false;
  }
  // Unlink first: `name` may point into the client's own set.
  Unlink(all, client, name);
  mine.erase(own);
  return true;
}

bool PubSub::Subscribe(Client* client, std::string_view channel) {
  return Add(client->channels, channels_, client, channel);
}

bool PubSub::Unsubscribe(Client* client, std::string_view channel) {
  return Remove(client->channels, channels_, client, channel);
}

bool PubSub::PSubscribe(Client* client, std::string_view pattern) {
  // A linear search, as Redis 7.0's pattern list does: clients hold few patterns.
  std::vector<std::string>& mine = client->patterns;
  if (std::find(mine.begin(), mine.end(), pattern) != mine.end()) {
    return false;
  }
  mine.emplace_back(pattern);
  Link(patterns_, client, pattern);
  return true;
}

bool PubSub::PUnsubscribe(Client* client, std::string_view pattern) {
  std::vector<std::string>& mine = client->patterns;
  auto own = std::find(mine.begin(), mine.end(), pattern);
  if (own == mine.end()) {
    return false;
  }
  Unlink(patterns_, client, pattern);
  mine.erase(own);
  return true;
}

bool PubSub::SSubscribe(Client* client, std::string_view channel) {
  return Add(client->shard_channels, shard_channels_, client, channel);
}

bool PubSub::SUnsubscribe(Client* client, std::string_view channel) {
  return Remove(client->shard_channels, shard_channels_, client, channel);
}

void PubSub::RemoveClient(Client* client) {
  for (const std::string& ch : std::set<std::string>(client->channels)) {
    Unsubscribe(client, ch);
  }
  for (const std::string& p : std::vector<std::string>(client->patterns)) {
    PUnsubscribe(client, p);
  }
  for (const std::string& ch : std::set<std::string>(client->shard_channels)) {
    SUnsubscribe(client, ch);
  }
}

int64_t PubSub::Publish(std::string_view channel, std::string_view message,
                        const std::function<void(Client*)>& on_delivered) {
  int64_t receivers = 0;
  auto ch = channels_.find(channel);
  if (ch != channels_.end()) {
    for (Client* c : ch->second) {
      protocol::ReplyWriter& w = c->reply();
      w.PushHeader(3);
      w.Bulk("message");
      w.Bulk(channel);
      w.Bulk(message);
      on_delivered(c);
      receivers++;
    }
  }
  for (const auto& [pattern, clients] : patterns_) {
    if (!GlobMatch(pattern, channel)) {
      continue;
    }
    for (Client* c : clients) {
      protocol::ReplyWriter& w = c->reply();
      w.PushHeader(4);
      w.Bulk("pmessage");
      w.Bulk(pattern);
      w.Bulk(channel);
      w.Bulk(message);
      on_delivered(c);
      receivers++;
    }
  }
  return receivers;
}

int64_t PubSub::SPublish(std::string_view channel, std::string_view message,
                         const std::function<void(Client*)>& on_delivered) {
  auto ch = shard_channels_.find(channel);
  if (ch == shard_channels_.end()) {
    return 0;
  }
  for (Client* c : ch->second) {
    protocol::ReplyWriter& w = c->reply();
    w.PushHeader(3);
    w.Bulk("smessage");
    w.Bulk(channel);
    w.Bulk(message);
    on_delivered(c);
  }
  return static_cast<int64_t>(ch->second.size());
}

std::vector<std::string> PubSub::Matching(const Registry& all,
                                          std::optional<std::string_view> pattern) {
  std::vector<std::string> out;
  for (const auto& [name, clients] : all) {
    if (!pattern || GlobMatch(*pattern, name)) {
      out.push_back(name);
    }
  }
  return out;
}

std::vector<std::string> PubSub::MatchingChannels(std::optional<std::string_view> pattern) const {
  return Matching(channels_, pattern);
}

std::vector<std::string> PubSub::MatchingShardChannels(
    std::optional<std::string_view> pattern) const {
  return Matching(shard_channels_, pattern);
}

std::vector<std::string> PubSub::Channels(std::string_view pattern) const {
  return Matching(channels_, pattern.empty() ? std::nullopt : std::optional(pattern));
}

int64_t PubSub::Count(const Registry& all, std::string_view name) {
  auto it = all.find(name);
  return it == all.end() ? 0 : static_cast<int64_t>(it->second.size());
}

int64_t PubSub::NumSubscribers(std::string_view channel) const {
  return Count(channels_, channel);
}

int64_t PubSub::NumShardSubscribers(std::string_view channel) const {
  return Count(shard_channels_, channel);
}

}  // namespace cairn::commands
