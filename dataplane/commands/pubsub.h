// Pub/Sub registry: channel, pattern and shard-channel subscriptions and message delivery
// (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB, keyspace notifications).
// Delivery writes the message into each subscriber's output buffer in its protocol (RESP2 array
// / RESP3 push). Single-threaded: called only from the command thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/commands/client.h"

namespace cairn::commands {

class PubSub {
 public:
  // Each returns whether the subscription was new (Subscribe, PSubscribe, SSubscribe) or
  // existed (the Unsubscribe forms). They update both the client's sets and the registry; the
  // caller writes the replies and sets or clears kClientPubSub.
  bool Subscribe(Client* client, std::string_view channel);
  bool Unsubscribe(Client* client, std::string_view channel);
  bool PSubscribe(Client* client, std::string_view pattern);
  bool PUnsubscribe(Client* client, std::string_view pattern);
  bool SSubscribe(Client* client, std::string_view channel);
  bool SUnsubscribe(Client* client, std::string_view channel);
  // Drops every subscription of a client (it goes away, or RESET).
  void RemoveClient(Client* client);

  // PUBLISH: delivers "message" to channel subscribers, then "pmessage" to subscribers of each
  // matching pattern (once per pattern). Returns the number of deliveries. `on_delivered` is
  // called for each client written to (the server flushes them).
  int64_t Publish(std::string_view channel, std::string_view message,
                  const std::function<void(Client*)>& on_delivered);
  // SPUBLISH: delivers "smessage" to shard-channel subscribers (no patterns).
  int64_t SPublish(std::string_view channel, std::string_view message,
                   const std::function<void(Client*)>& on_delivered);

  // Active channels (with at least one subscriber) matching the glob `pattern`, or all of them
  // when `pattern` is nullopt (PUBSUB CHANNELS / SHARDCHANNELS). Sorted by name.
  std::vector<std::string> MatchingChannels(std::optional<std::string_view> pattern) const;
  std::vector<std::string> MatchingShardChannels(std::optional<std::string_view> pattern) const;
  // Like MatchingChannels, with an empty `pattern` meaning every channel.
  std::vector<std::string> Channels(std::string_view pattern) const;
  // Subscribers of one channel, not counting pattern subscribers (PUBSUB NUMSUB).
  int64_t NumSubscribers(std::string_view channel) const;
  int64_t NumShardSubscribers(std::string_view channel) const;
  // Distinct patterns with at least one subscriber (PUBSUB NUMPAT).
  int64_t NumPatterns() const { return static_cast<int64_t>(patterns_.size()); }
  int64_t NumChannels() const { return static_cast<int64_t>(channels_.size()); }
  int64_t NumShardChannels() const { return static_cast<int64_t>(shard_channels_.size()); }

 private:
  // Name -> subscribed clients.
  using Registry = std::map<std::string, std::set<Client*>, std::less<>>;

  static void Link(Registry& all, Client* client, std::string_view name);
  static void Unlink(Registry& all, Client* client, std::string_view name);
  static bool Add(std::set<std::string>& mine, Registry& all, Client* client,
                  std::string_view name);
  static bool Remove(std::set<std::string>& mine, Registry& all, Client* client,
                     std::string_view name);
  static std::vector<std::string> Matching(const Registry& all,
                                           std::optional<std::string_view> pattern);
  static int64_t Count(const Registry& all, std::string_view name);

  Registry channels_;
  Registry patterns_;
  Registry shard_channels_;
};

}  // namespace cairn::commands
