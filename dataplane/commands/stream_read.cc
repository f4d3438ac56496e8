// XREAD and XREADGROUP (Redis 7.0 xreadCommand): argument parsing, serving new entries or a
// consumer's history, PEL bookkeeping, blocking (BlockedClients re-runs the command when a stream
// it waits on gets an entry; "$" is resolved to the stream's last id before blocking so the
// re-run reads what arrived since), and the replicated effects of XREADGROUP (XCLAIM per entry
// delivered, XGROUP SETID for the group's last id, XGROUP CREATECONSUMER), as Redis propagates
// them.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/blocking.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/notify.h"
#include "dataplane/commands/stream_args.h"

namespace cairn::commands {

using engine::StreamConsumer;
using engine::StreamGroup;
using engine::StreamId;
using engine::StreamValue;

void Propagate(CommandContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  ctx.server().PropagateCommand(ctx.client(), views);
}

void PropagateClaim(CommandContext& ctx, std::string_view key, std::string_view group,
                    const StreamGroup& g, StreamId id, const engine::StreamNack& nack) {
  Propagate(ctx, {"XCLAIM", std::string(key), std::string(group), nack.consumer->name(), "0",
                  id.ToString(), "TIME", std::to_string(nack.delivery_time_ms), "RETRYCOUNT",
                  std::to_string(nack.delivery_count), "FORCE", "JUSTID", "LASTID",
                  g.last_id.ToString()});
}

namespace {

struct ReadArgs {
  bool group_read = false;
  std::optional<int64_t> deadline_ms;  // BLOCK given: 0 = forever
  int64_t count = 0;
  bool noack = false;
  size_t streams_arg = 0;
  size_t streams = 0;
  std::string_view group;
  std::string_view consumer;
  bool group_given = false;
};

// BLOCK milliseconds (getTimeoutFromObjectOrReply in ms): an absolute deadline, 0 = forever.
std::optional<int64_t> ParseBlockMs(CommandContext& ctx, std::string_view text) {
  std::optional<int64_t> ms = ParseInt64(text);
  if (!ms) {
    ctx.reply().Error(kErrTimeoutNotInteger);
    return std::nullopt;
  }
  if (*ms < 0) {
    ctx.reply().Error(kErrTimeoutNegative);
    return std::nullopt;
  }
  if (*ms > 0) {
    if (*ms > INT64_MAX - ctx.now_ms()) {
      ctx.reply().Error(kErrTimeoutOutOfRange);
      return std::nullopt;
    }
    return *ms + ctx.now_ms();
  }
  return 0;
}

bool ParseReadOption(CommandContext& ctx, size_t* i, ReadArgs* a) {
  std::string_view o = ctx.arg(*i);
  size_t more = ctx.argc() - *i - 1;
  if (EqualsIgnoreCase(o, "block") && more > 0) {
    a->deadline_ms = ParseBlockMs(ctx, ctx.arg(++*i));
    return a->deadline_ms.has_value();
  }
  if (EqualsIgnoreCase(o, "count") && more > 0) {
    std::optional<int64_t> n = ParseInt64(ctx.arg(++*i));
    if (!n) {
      ctx.reply().Error(kErrNotInteger);
      return false;
    }
    a->count = *n < 0 ? 0 : *n;
    return true;
  }
  if (EqualsIgnoreCase(o, "group") && more >= 2) {
    if (!a->group_read) {
      ctx.reply().Error(kErrStreamGroupOnlyXReadGroup);
      return false;
    }
    a->group = ctx.arg(*i + 1);
    a->consumer = ctx.arg(*i + 2);
    a->group_given = true;
    *i += 2;
    return true;
  }
  if (EqualsIgnoreCase(o, "noack")) {
    if (!a->group_read) {
      ctx.reply().Error(kErrStreamNoackOnlyXReadGroup);
      return false;
    }
    a->noack = true;
    return true;
  }
  ctx.reply().Error(kErrSyntax);
  return false;
}

bool ParseReadArgs(CommandContext& ctx, ReadArgs* a) {
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (EqualsIgnoreCase(ctx.arg(i), "streams") && i + 1 < ctx.argc()) {
      a->streams_arg = i + 1;
      size_t n = ctx.argc() - a->streams_arg;
      if (n % 2 != 0) {
        ctx.reply().Error(std::string(kErrStreamUnbalancedPrefix) +
                          (a->group_read ? "XREADGROUP" : "XREAD") + kErrStreamUnbalancedSuffix +
                          (a->group_read ? '>' : '$') + "' must be specified.");
        return false;
      }
      a->streams = n / 2;
      break;
    }
    if (!ParseReadOption(ctx, &i, a)) {
      return false;
    }
  }
  if (a->streams_arg == 0) {
    ctx.reply().Error(kErrSyntax);
    return false;
  }
  if (a->group_read && !a->group_given) {
    ctx.reply().Error(kErrStreamMissingGroup);
    return false;
  }
  return true;
}

// Marker for ">" (the group's next entries), as Redis uses the largest id.
constexpr StreamId kNewEntries = StreamId::Max();

// Resolves every stream's id and group. Replies and returns false on an error.
bool ResolveStreams(CommandContext& ctx, const ReadArgs& a, std::vector<StreamId>* ids,
                    std::vector<StreamGroup*>* groups) {
  for (size_t k = 0; k < a.streams; k++) {
    std::string_view key = ctx.arg(a.streams_arg + k);
    std::string_view text = ctx.arg(a.streams_arg + a.streams + k);
    StreamValue* s;
    if (!LookupStream(ctx, key, false, &s)) {
      return false;
    }
    StreamGroup* g = nullptr;
    if (a.group_read && (s == nullptr || (g = s->FindGroup(a.group)) == nullptr)) {
      ctx.reply().Error("NOGROUP No such key '" + std::string(key) + "' or consumer group '" +
                        std::string(a.group) + "' in XREADGROUP with GROUP option");
      return false;
    }
    groups->push_back(g);
    if (text == "$") {
      if (a.group_read) {
        ctx.reply().Error(kErrStreamDollarInGroup);
        return false;
      }
      ids->push_back(s != nullptr ? s->last_id : StreamId{});
    } else if (text == ">") {
      if (!a.group_read) {
        ctx.reply().Error(kErrStreamGtOnlyGroup);
        return false;
      }
      ids->push_back(kNewEntries);
    } else {
      std::optional<StreamId> id = ParseIdOrReply(ctx, text, 0);
      if (!id) {
        return false;
      }
      ids->push_back(*id);
    }
  }
  return true;
}

// New entries after `after` for a group read or a plain read (streamReplyWithRange).
void ReplyNewEntries(CommandContext& ctx, StreamValue& s, StreamId after, const ReadArgs& a,
                     std::string_view key, StreamGroup* g, StreamConsumer* c) {
  std::vector<engine::StreamEntry> entries;
  StreamId start = after;
  start.Increment();
  s.Range(start, StreamId::Max(), false, [&](const engine::StreamEntry& e) {
    entries.push_back(e);
    return a.count == 0 || static_cast<int64_t>(entries.size()) < a.count;
  });
  ctx.reply().ArrayHeader(static_cast<int64_t>(entries.size()));
  bool moved = false;
  for (const engine::StreamEntry& e : entries) {
    if (g != nullptr && e.id > g->last_id) {
      if (g->entries_read != engine::kInvalidEntriesRead && !s.HasTombstonesFrom(e.id)) {
        g->entries_read++;
      } else if (s.entries_added != 0) {
        g->entries_read = s.EstimateEntriesRead(e.id);
      }
      g->last_id = e.id;
      moved = true;
    }
    ReplyStreamEntry(ctx, e);
    if (g != nullptr && !a.noack) {
      engine::StreamNack* nack = g->Assign(e.id, c, ctx.now_ms(), 1);
      PropagateClaim(ctx, key, a.group, *g, e.id, *nack);
    }
  }
  if (moved) {
    Propagate(ctx, {"XGROUP", "SETID", std::string(key), std::string(a.group),
                    g->last_id.ToString(), "ENTRIESREAD", std::to_string(g->entries_read)});
  }
}

// A consumer's pending entries after `after` (streamReplyWithRangeFromConsumerPEL): deleted
// entries come as [id, nil]; each delivery bumps the record's time and count.
void ReplyHistory(CommandContext& ctx, StreamValue& s, StreamId after, const ReadArgs& a,
                  StreamConsumer* c) {
  StreamId start = after;
  start.Increment();
  std::vector<std::pair<StreamId, engine::StreamNack*>> picked;
  for (auto it = c->pel.lower_bound(start); it != c->pel.end(); ++it) {
    if (a.count != 0 && static_cast<int64_t>(picked.size()) >= a.count) {
      break;
    }
    picked.emplace_back(it->first, it->second);
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(picked.size()));
  for (auto& [id, nack] : picked) {
    std::optional<engine::StreamEntry> e = s.Get(id);
    if (!e) {
      ctx.reply().ArrayHeader(2);
      ReplyStreamId(ctx, id);
      ctx.reply().NullArray();
      continue;
    }
    ReplyStreamEntry(ctx, *e);
    nack->delivery_time_ms = ctx.now_ms();
    nack->delivery_count++;
  }
}

// Serves stream `k` if it can be served now; false when the caller should block on it.
bool ServeStream(CommandContext& ctx, const ReadArgs& a, size_t k, StreamId id, StreamGroup* g,
                 bool* header_written, size_t served_before) {
  (void)served_before;
  std::string_view key = ctx.arg(a.streams_arg + k);
  StreamValue* s;
  LookupStream(ctx, key, false, &s);
  if (s == nullptr) {
    return false;
  }
  bool history = g != nullptr && id != kNewEntries;
  bool serve = history;
  if (g != nullptr && !history && s->length() > 0 && s->LastEntryId() > g->last_id) {
    serve = true;
    id = g->last_id;
  }
  if (g == nullptr && s->length() > 0 && s->LastEntryId() > id) {
    serve = true;
  }
  StreamConsumer* c = nullptr;
  if (g != nullptr) {
    bool created;
    c = g->LookupOrCreateConsumer(a.consumer, ctx.now_ms(), &created);
    if (created) {
      ctx.Notify(kNotifyStream, "xgroup-createconsumer", key);
      Propagate(ctx, {"XGROUP", "CREATECONSUMER", std::string(key), std::string(a.group),
                      std::string(a.consumer)});
    }
    c->seen_time_ms = ctx.now_ms();
  }
  if (!serve) {
    return false;
  }
  *header_written = true;
  if (ctx.reply().protocol() == 2) {
    ctx.reply().ArrayHeader(2);
  }
  ctx.reply().Bulk(key);
  if (history) {
    ReplyHistory(ctx, *s, id, a, c);
  } else {
    ReplyNewEntries(ctx, *s, id, a, key, g, c);
  }
  if (g != nullptr) {
    ctx.server().stats().dirty++;
  }
  return true;
}

// Whether stream `k` may be served now: always, except that a client re-run after blocking is
// served from the one stream that became ready, as Redis 7.0's serveClientsBlockedOnStreamKey.
bool Offered(CommandContext& ctx, const ReadArgs& a, size_t k) {
  const BlockedClients& blocked = ctx.server().blocked();
  return !blocked.rerunning(ctx.client()) || ctx.arg(a.streams_arg + k) == blocked.serving_key();
}

// Counts the streams that would be served, so the outer array length is known up front.
size_t CountServable(CommandContext& ctx, const ReadArgs& a, const std::vector<StreamId>& ids,
                     const std::vector<StreamGroup*>& groups) {
  size_t n = 0;
  for (size_t k = 0; k < a.streams; k++) {
    if (!Offered(ctx, a, k)) {
      continue;
    }
    StreamValue* s;
    LookupStream(ctx, ctx.arg(a.streams_arg + k), false, &s);
    if (s == nullptr) {
      continue;
    }
    StreamGroup* g = groups[k];
    StreamId last = s->length() > 0 ? s->LastEntryId() : StreamId{};
    if (g != nullptr ? (ids[k] != kNewEntries || (s->length() > 0 && last > g->last_id))
                     : (s->length() > 0 && last > ids[k])) {
      n++;
    }
  }
  return n;
}

// The command as it re-runs after blocking: "$" replaced by the id it stood for.
std::vector<std::string> BlockedArgs(CommandContext& ctx, const ReadArgs& a,
                                     const std::vector<StreamId>& ids) {
  std::vector<std::string> args(ctx.args().begin(), ctx.args().end());
  for (size_t k = 0; k < a.streams; k++) {
    std::string& text = args[a.streams_arg + a.streams + k];
    if (text == "$") {
      text = ids[k].ToString();
    }
  }
  return args;
}

// Checks of a re-run after blocking: the group may have been destroyed meanwhile.
bool GroupsStillExist(CommandContext& ctx, const ReadArgs& a) {
  if (!a.group_read || !ctx.server().blocked().rerunning(ctx.client())) {
    return true;
  }
  for (size_t k = 0; k < a.streams; k++) {
    StreamValue* s;
    Result<engine::Entry*> e = engine::LookupTyped(ctx.db(), ctx.arg(a.streams_arg + k),
                                                   engine::ValueType::kStream, false);
    if (!e.ok() || *e == nullptr) {
      ctx.reply().Error(kErrStreamKeyGone);
      return false;
    }
    s = engine::ValueOf<StreamValue>(*e);
    if (s->FindGroup(a.group) == nullptr) {
      ctx.reply().Error(kErrStreamGroupGone);
      return false;
    }
  }
  return true;
}

void ReadGeneric(CommandContext& ctx, bool group_read) {
  ReadArgs a;
  a.group_read = group_read;
  if (!ParseReadArgs(ctx, &a) || !GroupsStillExist(ctx, a)) {
    return;
  }
  std::vector<StreamId> ids;
  std::vector<StreamGroup*> groups;
  if (!ResolveStreams(ctx, a, &ids, &groups)) {
    return;
  }
  size_t servable = CountServable(ctx, a, ids, groups);
  if (servable > 0) {
    ctx.reply().protocol() == 2 ? ctx.reply().ArrayHeader(static_cast<int64_t>(servable))
                                : ctx.reply().MapHeader(static_cast<int64_t>(servable));
    bool header = false;
    for (size_t k = 0; k < a.streams; k++) {
      if (Offered(ctx, a, k)) {
        ServeStream(ctx, a, k, ids[k], groups[k], &header, 0);
      }
    }
    return;
  }
  for (size_t k = 0; k < a.streams && group_read; k++) {
    bool header = false;  // creates the consumer even when nothing is served
    ServeStream(ctx, a, k, ids[k], groups[k], &header, 0);
  }
  if (!a.deadline_ms || ctx.client().has_flag(kClientMulti)) {
    ctx.reply().NullArray();
    return;
  }
  std::vector<std::string> args = BlockedArgs(ctx, a, ids);
  std::vector<std::string_view> views(args.begin(), args.end());
  std::vector<std::string_view> keys(
      ctx.args().begin() + static_cast<std::ptrdiff_t>(a.streams_arg),
      ctx.args().begin() + static_cast<std::ptrdiff_t>(a.streams_arg + a.streams));
  ctx.server().blocked().Block(ctx.client(), ctx.spec(), views, ctx.client().db_index, keys,
                               *a.deadline_ms, TimeoutReply::kNullArray,
                               engine::ValueType::kStream);
}

void CmdXRead(CommandContext& ctx) {
  ReadGeneric(ctx, false);
}
void CmdXReadGroup(CommandContext& ctx) {
  ReadGeneric(ctx, true);
}

std::vector<int> ReadKeys(const std::vector<std::string_view>& args) {
  std::vector<int> keys;
  for (size_t i = 1; i < args.size(); i++) {
    if (EqualsIgnoreCase(args[i], "streams")) {
      size_t n = (args.size() - i - 1) / 2;
      for (size_t k = 0; k < n; k++) {
        keys.push_back(static_cast<int>(i + 1 + k));
      }
      break;
    }
  }
  return keys;
}

}  // namespace

void RegisterStreamRead(CommandTable& table) {
  uint64_t stream = kAclStream;
  table.Add({.name = "xread",
             .arity = -4,
             .flags = kReadOnly | kBlocking,
             .categories = stream,
             .handler = CmdXRead,
             .get_keys = ReadKeys});
  table.Add({.name = "xreadgroup",
             .arity = -7,
             .flags = kWrite | kBlocking,
             .categories = stream,
             .handler = CmdXReadGroup,
             .get_keys = ReadKeys});
}

}  // namespace cairn::commands
