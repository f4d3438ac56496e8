// Pub/Sub registry: channel and pattern subscriptions and message delivery (SUBSCRIBE,
// PSUBSCRIBE, PUBLISH, PUBSUB, keyspace notifications). Delivery writes the message into each
// subscriber's output buffer in its protocol (RESP2 array / RESP3 push).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/commands/client.h"

namespace cairn::commands {

class PubSub {
 public:
  // Each returns whether the subscription was new.
  bool Subscribe(Client* client, std::string_view channel);
  bool Unsubscribe(Client* client, std::string_view channel);
  bool PSubscribe(Client* client, std::string_view pattern);
  bool PUnsubscribe(Client* client, std::string_view pattern);
  // Drops every subscription of a client that goes away.
  void RemoveClient(Client* client);

  // Delivers to channel subscribers and matching pattern subscribers; returns receivers.
  // `on_delivered` is called for each client written to (the server flushes them).
  int64_t Publish(std::string_view channel, std::string_view message,
                  const std::function<void(Client*)>& on_delivered);

  // PUBSUB CHANNELS [pattern], NUMSUB, NUMPAT.
  std::vector<std::string> Channels(std::string_view pattern) const;
  int64_t NumSubscribers(std::string_view channel) const;
  int64_t NumPatterns() const { return static_cast<int64_t>(patterns_.size()); }

 private:
  std::map<std::string, std::set<Client*>, std::less<>> channels_;
  std::map<std::string, std::set<Client*>, std::less<>> patterns_;
};

}  // namespace cairn::commands
