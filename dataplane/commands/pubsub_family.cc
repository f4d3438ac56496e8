// Pub/Sub commands (Redis 7.0 pubsub.c semantics): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
// PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB. Subscription replies are
// one frame per channel (RESP3 push frames); messages are written by the PubSub registry.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

// Which subscription set a command works on; it fixes the reply words and the count reported.
enum class Kind { kChannel, kPattern, kShard };

std::string_view SubscribeWord(Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return "subscribe";
    case Kind::kPattern:
      return "psubscribe";
    case Kind::kShard:
      return "ssubscribe";
  }
  return "";
}

std::string_view UnsubscribeWord(Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return "unsubscribe";
    case Kind::kPattern:
      return "punsubscribe";
    case Kind::kShard:
      return "sunsubscribe";
  }
  return "";
}

// The count in (un)subscribe replies: channels plus patterns, or shard channels alone.
int64_t ReplyCount(const Client& client, Kind kind) {
  size_t n = kind == Kind::kShard ? client.shard_channels.size() : client.subscription_count();
  return static_cast<int64_t>(n);
}

// The client's subscriptions of one kind, in the order UNSUBSCRIBE-all reports them.
std::vector<std::string> ClientNames(const Client& client, Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return {client.channels.begin(), client.channels.end()};
    case Kind::kPattern:
      return client.patterns;
    case Kind::kShard:
      break;
  }
  return {client.shard_channels.begin(), client.shard_channels.end()};
}

// Writes ["subscribe"|..., name, count]; a null name for an unsubscribe-all with nothing to drop.
void ReplyFrame(CommandContext& ctx, std::string_view word, const std::string_view* name,
                int64_t count) {
  protocol::ReplyWriter& r = ctx.reply();
  r.PushHeader(3);
  r.Bulk(word);
  if (name != nullptr) {
    r.Bulk(*name);
  } else {
    r.Null();
  }
  r.Integer(count);
}

// The RESP2 subscribed context (dispatcher) follows whether any subscription is left.
void UpdatePubSubFlag(Client& client) {
  if (client.total_subscription_count() > 0) {
    client.set_flag(kClientPubSub);
  } else {
    client.clear_flag(kClientPubSub);
  }
}

void SubscribeGeneric(CommandContext& ctx, Kind kind) {
  PubSub& pubsub = ctx.server().pubsub();
  Client& client = ctx.client();
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view name = ctx.arg(i);
    if (kind == Kind::kChannel) {
      pubsub.Subscribe(&client, name);
    } else if (kind == Kind::kPattern) {
      pubsub.PSubscribe(&client, name);
    } else {
      pubsub.SSubscribe(&client, name);
    }
    ReplyFrame(ctx, SubscribeWord(kind), &name, ReplyCount(client, kind));
  }
  UpdatePubSubFlag(client);
}

bool UnsubscribeOne(PubSub& pubsub, Client& client, Kind kind, std::string_view name) {
  switch (kind) {
    case Kind::kChannel:
      return pubsub.Unsubscribe(&client, name);
    case Kind::kPattern:
      return pubsub.PUnsubscribe(&client, name);
    case Kind::kShard:
      break;
  }
  return pubsub.SUnsubscribe(&client, name);
}

// Unsubscribes from the named channels (patterns), or from all of them without arguments; one
// reply frame per name, or a single frame with a null name when there was nothing to drop.
void UnsubscribeGeneric(CommandContext& ctx, Kind kind) {
  PubSub& pubsub = ctx.server().pubsub();
  Client& client = ctx.client();
  std::vector<std::string> names;
  if (ctx.argc() > 1) {
    names.assign(ctx.args().begin() + 1, ctx.args().end());
  } else {
    names = ClientNames(client, kind);
    if (names.empty()) {
      ReplyFrame(ctx, UnsubscribeWord(kind), nullptr, ReplyCount(client, kind));
    }
  }
  for (const std::string& name : names) {
    UnsubscribeOne(pubsub, client, kind, name);
    std::string_view view = name;
    ReplyFrame(ctx, UnsubscribeWord(kind), &view, ReplyCount(client, kind));
  }
  UpdatePubSubFlag(client);
}

// SUBSCRIBE channel [channel ...]
void CmdSubscribe(CommandContext& ctx) {
  SubscribeGeneric(ctx, Kind::kChannel);
}

// UNSUBSCRIBE [channel ...]
void CmdUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, Kind::kChannel);
}

// PSUBSCRIBE pattern [pattern ...]
void CmdPSubscribe(CommandContext& ctx) {
  SubscribeGeneric(ctx, Kind::kPattern);
}

// PUNSUBSCRIBE [pattern ...]
void CmdPUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, Kind::kPattern);
}

// SSUBSCRIBE shardchannel [shardchannel ...]. Refused inside EXEC (Redis denies it to clients
// that must get one reply per command).
void CmdSSubscribe(CommandContext& ctx) {
  if (ctx.client().has_flag(kClientMulti)) {
    ctx.reply().Error(kErrSsubscribeDenyBlocking);
    return;
  }
  SubscribeGeneric(ctx, Kind::kShard);
}

// SUNSUBSCRIBE [shardchannel ...]
void CmdSUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, Kind::kShard);
}

// PUBLISH channel message: the number of clients that received it (pattern matches count once
// per matching pattern).
void CmdPublish(CommandContext& ctx) {
  ServerState& server = ctx.server();
  int64_t receivers = server.pubsub().Publish(ctx.arg(1), ctx.arg(2),
                                              [&server](Client* c) { server.MarkPendingWrite(c); });
  ctx.reply().Integer(receivers);
}

// SPUBLISH shardchannel message
void CmdSPublish(CommandContext& ctx) {
  ServerState& server = ctx.server();
  int64_t receivers = server.pubsub().SPublish(
      ctx.arg(1), ctx.arg(2), [&server](Client* c) { server.MarkPendingWrite(c); });
  ctx.reply().Integer(receivers);
}

// PUBSUB CHANNELS / SHARDCHANNELS take one optional pattern; more is a syntax error.
std::optional<std::optional<std::string_view>> ChannelPattern(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    std::string error = kErrSubcommandSyntaxPrefix;
    error.append(ctx.arg(1).substr(0, 128));
    error += "'. Try PUBSUB HELP.";
    ctx.reply().Error(error);
    return std::nullopt;
  }
  if (ctx.argc() == 3) {
    return std::optional<std::string_view>(ctx.arg(2));
  }
  return std::optional<std::string_view>();
}

void ReplyNames(CommandContext& ctx, const std::vector<std::string>& names) {
  ctx.reply().ArrayHeader(static_cast<int64_t>(names.size()));
  for (const std::string& name : names) {
    ctx.reply().Bulk(name);
  }
}

// PUBSUB CHANNELS [pattern]
void CmdPubSubChannels(CommandContext& ctx) {
  if (auto pattern = ChannelPattern(ctx)) {
    ReplyNames(ctx, ctx.server().pubsub().MatchingChannels(*pattern));
  }
}

// PUBSUB SHARDCHANNELS [pattern]
void CmdPubSubShardChannels(CommandContext& ctx) {
  if (auto pattern = ChannelPattern(ctx)) {
    ReplyNames(ctx, ctx.server().pubsub().MatchingShardChannels(*pattern));
  }
}

// PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: a flat array of channel, count pairs (an array,
// not a map, in RESP3 too).
void NumSubGeneric(CommandContext& ctx, bool shard) {
  const PubSub& pubsub = ctx.server().pubsub();
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    ctx.reply().Bulk(ctx.arg(i));
    ctx.reply().Integer(shard ? pubsub.NumShardSubscribers(ctx.arg(i))
                              : pubsub.NumSubscribers(ctx.arg(i)));
  }
}

void CmdPubSubNumSub(CommandContext& ctx) {
  NumSubGeneric(ctx, /*shard=*/false);
}

void CmdPubSubShardNumSub(CommandContext& ctx) {
  NumSubGeneric(ctx, /*shard=*/true);
}

// PUBSUB NUMPAT: distinct patterns subscribed to.
void CmdPubSubNumPat(CommandContext& ctx) {
  ctx.reply().Integer(ctx.server().pubsub().NumPatterns());
}

// PUBSUB HELP, as Redis's addReplyHelp prints it.
void CmdPubSubHelp(CommandContext& ctx) {
  static const char* kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply().ArrayHeader(static_cast<int64_t>(std::size(kLines)));
  for (const char* line : kLines) {
    ctx.reply().Simple(line);
  }
}

void RegisterPubSubCommands(CommandTable& table) {
  const uint32_t subscribing = kPubSub | kNoScript | kLoading | kStale;
  table.Add({.name = "subscribe", .arity = -2, .flags = subscribing, .handler = CmdSubscribe});
  table.Add({.name = "unsubscribe", .arity = -1, .flags = subscribing, .handler = CmdUnsubscribe});
  table.Add({.name = "psubscribe", .arity = -2, .flags = subscribing, .handler = CmdPSubscribe});
  table.Add(
      {.name = "punsubscribe", .arity = -1, .flags = subscribing, .handler = CmdPUnsubscribe});
  // Shard channels are declared as keys (for cluster slot routing) in Redis's table.
  table.Add({.name = "ssubscribe",
             .arity = -2,
             .flags = subscribing,
             .keys = {.first = 1, .last = -1, .step = 1},
             .handler = CmdSSubscribe});
  table.Add({.name = "sunsubscribe",
             .arity = -1,
             .flags = subscribing,
             .keys = {.first = 1, .last = -1, .step = 1},
             .handler = CmdSUnsubscribe});
  const uint32_t publishing = kPubSub | kLoading | kStale | kFast;
  table.Add({.name = "publish", .arity = 3, .flags = publishing, .handler = CmdPublish});
  table.Add({.name = "spublish",
             .arity = 3,
             .flags = publishing,
             .keys = {.first = 1, .last = 1, .step = 1},
             .handler = CmdSPublish});
}

void RegisterPubSubContainer(CommandTable& table) {
  table.Add({.name = "pubsub", .arity = -2});
  const uint32_t info = kPubSub | kLoading | kStale;
  table.AddSubcommand(
      "pubsub", {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdPubSubHelp});
  table.AddSubcommand("pubsub",
                      {.name = "numsub", .arity = -2, .flags = info, .handler = CmdPubSubNumSub});
  table.AddSubcommand("pubsub",
                      {.name = "numpat", .arity = 2, .flags = info, .handler = CmdPubSubNumPat});
  table.AddSubcommand(
      "pubsub",
      {.name = "shardnumsub", .arity = -2, .flags = info, .handler = CmdPubSubShardNumSub});
  table.AddSubcommand(
      "pubsub", {.name = "channels", .arity = -2, .flags = info, .handler = CmdPubSubChannels});
  table.AddSubcommand(
      "pubsub",
      {.name = "shardchannels", .arity = -2, .flags = info, .handler = CmdPubSubShardChannels});
}

}  // namespace

void RegisterPubSubFamily(CommandTable& table) {
  RegisterPubSubCommands(table);
  RegisterPubSubContainer(table);
}

}  // namespace cairn::commands
