// Pub/Sub registry and message delivery.
#include "dataplane/commands/pubsub.h"

#include "dataplane/base/strings.h"

namespace cairn::commands {

bool PubSub::Subscribe(Client* client, std::string_view channel) {
  if (!client->channels.emplace(channel).second) {
    return false;
  }
  channels_[std::string(channel)].insert(client);
  return true;
}

bool PubSub::Unsubscribe(Client* client, std::string_view channel) {
  auto it = client->channels.find(std::string(channel));
  if (it == client->channels.end()) {
    return false;
  }
  client->channels.erase(it);
  auto ch = channels_.find(channel);
  if (ch != channels_.end()) {
    ch->second.erase(client);
    if (ch->second.empty()) {
      channels_.erase(ch);
    }
  }
  return true;
}

bool PubSub::PSubscribe(Client* client, std::string_view pattern) {
  if (!client->patterns.emplace(pattern).second) {
    return false;
  }
  patterns_[std::string(pattern)].insert(client);
  return true;
}

bool PubSub::PUnsubscribe(Client* client, std::string_view pattern) {
  auto it = client->patterns.find(std::string(pattern));
  if (it == client->patterns.end()) {
    return false;
  }
  client->patterns.erase(it);
  auto p = patterns_.find(pattern);
  if (p != patterns_.end()) {
    p->second.erase(client);
    if (p->second.empty()) {
      patterns_.erase(p);
    }
  }
  return true;
}

void PubSub::RemoveClient(Client* client) {
  for (const std::string& ch : std::set<std::string>(client->channels)) {
    Unsubscribe(client, ch);
  }
  for (const std::string& p : std::set<std::string>(client->patterns)) {
    PUnsubscribe(client, p);
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

std::vector<std::string> PubSub::Channels(std::string_view pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, clients] : channels_) {
    if (pattern.empty() || GlobMatch(pattern, name)) {
      out.push_back(name);
    }
  }
  return out;
}

int64_t PubSub::NumSubscribers(std::string_view channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : static_cast<int64_t>(it->second.size());
}

}  // namespace cairn::commands
