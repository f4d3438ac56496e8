// Consumer-group commands (Redis 7.0 t_stream.c): XGROUP CREATE / SETID / DESTROY /
// CREATECONSUMER / DELCONSUMER / HELP, XACK, XPENDING (summary and extended form), XCLAIM and
// XAUTOCLAIM. XCLAIM and XAUTOCLAIM replicate each claimed (or dropped) PEL record as the XCLAIM
// ... FORCE JUSTID form Redis propagates, never themselves.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/notify.h"
#include "dataplane/commands/stream_args.h"

namespace cairn::commands {
namespace {

using engine::StreamConsumer;
using engine::StreamGroup;
using engine::StreamId;
using engine::StreamNack;
using engine::StreamValue;

// "NOGROUP No such key '<key>' or consumer group '<group>'" (XPENDING, XCLAIM, XAUTOCLAIM).
// ENTRIESREAD n: a non-negative count or -1.
std::optional<int64_t> ParseEntriesRead(CommandContext& ctx, std::string_view text) {
  std::optional<int64_t> n = ParseInt64(text);
  if (!n) {
    ctx.reply().Error(kErrNotInteger);
    return std::nullopt;
  }
  if (*n < 0 && *n != engine::kInvalidEntriesRead) {
    ctx.reply().Error(kErrEntriesReadRange);
    return std::nullopt;
  }
  return n;
}

// The stream and group XGROUP SETID / CREATECONSUMER / DELCONSUMER / DESTROY act on, replying
// Redis's errors. `need_group` false: DESTROY, which answers 0 for a missing group.
bool XGroupTarget(CommandContext& ctx, bool need_group, StreamValue** s, StreamGroup** g) {
  if (!LookupStream(ctx, ctx.arg(2), true, s)) {
    return false;
  }
  if (*s == nullptr) {
    ctx.reply().Error(kErrXGroupKeyMissing);
    return false;
  }
  *g = (*s)->FindGroup(ctx.arg(3));
  if (*g == nullptr && need_group) {
    ctx.reply().Error(NoGroupError(ctx.arg(3), ctx.arg(2)));
    return false;
  }
  return true;
}

void Changed(CommandContext& ctx, std::string_view event) {
  ctx.SignalModified(ctx.arg(2));
  ctx.Notify(kNotifyStream, event, ctx.arg(2));
  ctx.MarkWritten();
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
void CmdXGroupCreate(CommandContext& ctx) {
  bool mkstream = false;
  int64_t entries_read = engine::kInvalidEntriesRead;
  for (size_t i = 5; i < ctx.argc();) {
    if (EqualsIgnoreCase(ctx.arg(i), "mkstream")) {
      mkstream = true;
      i++;
    } else if (EqualsIgnoreCase(ctx.arg(i), "entriesread") && i + 1 < ctx.argc()) {
      std::optional<int64_t> n = ParseEntriesRead(ctx, ctx.arg(i + 1));
      if (!n) {
        return;
      }
      entries_read = *n;
      i += 2;
    } else {
      ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "XGROUP"));
      return;
    }
  }
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(2), true, &s)) {
    return;
  }
  if (s == nullptr && !mkstream) {
    ctx.reply().Error(kErrXGroupKeyMissing);
    return;
  }
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = s != nullptr ? s->last_id : StreamId{};
  } else {
    std::optional<StreamId> parsed = ParseIdOrReply(ctx, ctx.arg(4), 0);
    if (!parsed) {
      return;
    }
    id = *parsed;
  }
  if (s == nullptr) {
    s = CreateStream(ctx, ctx.arg(2));
    ctx.SignalModified(ctx.arg(2));
  }
  if (s->CreateGroup(ctx.arg(3), id, entries_read) == nullptr) {
    ctx.reply().Error(kErrBusyGroup);
    return;
  }
  ctx.reply().Ok();
  ctx.Notify(kNotifyStream, "xgroup-create", ctx.arg(2));
  ctx.MarkWritten();
}

// XGROUP SETID key group id|$ [ENTRIESREAD n]
void CmdXGroupSetId(CommandContext& ctx) {
  int64_t entries_read = engine::kInvalidEntriesRead;
  if (ctx.argc() == 7 && EqualsIgnoreCase(ctx.arg(5), "entriesread")) {
    std::optional<int64_t> n = ParseEntriesRead(ctx, ctx.arg(6));
    if (!n) {
      return;
    }
    entries_read = *n;
  } else if (ctx.argc() != 5) {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "XGROUP"));
    return;
  }
  StreamValue* s;
  StreamGroup* g;
  if (!XGroupTarget(ctx, true, &s, &g)) {
    return;
  }
  StreamId id = s->last_id;
  if (ctx.arg(4) != "$") {
    std::optional<StreamId> parsed = ParseIdOrReply(ctx, ctx.arg(4), 0, false);
    if (!parsed) {
      return;
    }
    id = *parsed;
  }
  g->last_id = id;
  g->entries_read = entries_read;
  ctx.reply().Ok();
  ctx.Notify(kNotifyStream, "xgroup-setid", ctx.arg(2));
  ctx.MarkWritten();
}

// XGROUP DESTROY key group: 1 when the group existed. Wakes its blocked readers (NOGROUP).
void CmdXGroupDestroy(CommandContext& ctx) {
  StreamValue* s;
  StreamGroup* g;
  if (!XGroupTarget(ctx, false, &s, &g)) {
    return;
  }
  if (g == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  s->DestroyGroup(ctx.arg(3));
  ctx.reply().Integer(1);
  Changed(ctx, "xgroup-destroy");
  SignalStreamReady(ctx, ctx.arg(2));
}

// XGROUP CREATECONSUMER key group consumer: 1 when created.
void CmdXGroupCreateConsumer(CommandContext& ctx) {
  StreamValue* s;
  StreamGroup* g;
  if (!XGroupTarget(ctx, true, &s, &g)) {
    return;
  }
  bool created;
  g->LookupOrCreateConsumer(ctx.arg(4), ctx.now_ms(), &created);
  ctx.reply().Integer(created ? 1 : 0);
  if (created) {
    Changed(ctx, "xgroup-createconsumer");
  }
}

// XGROUP DELCONSUMER key group consumer: the number of entries it had pending.
void CmdXGroupDelConsumer(CommandContext& ctx) {
  StreamValue* s;
  StreamGroup* g;
  if (!XGroupTarget(ctx, true, &s, &g)) {
    return;
  }
  if (g->FindConsumer(ctx.arg(4)) == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  ctx.reply().Integer(static_cast<int64_t>(g->DeleteConsumer(ctx.arg(4))));
  Changed(ctx, "xgroup-delconsumer");
}

void CmdXGroupHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx.reply(), "XGROUP",
      {"CREATE <key> <groupname> <id|$> [option]",
       "    Create a new consumer group. Options are:", "    * MKSTREAM",
       "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
       "      Set the group's entries_read counter (internal use).",
       "CREATECONSUMER <key> <groupname> <consumer>",
       "    Create a new consumer in the specified group.",
       "DELCONSUMER <key> <groupname> <consumer>", "    Remove the specified consumer.",
       "DESTROY <key> <groupname>", "    Remove the specified group.",
       "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
       "    Set the current group ID and entries_read counter."});
}

// XACK key group id [id ...]: how many ids were pending and are now acknowledged.
void CmdXAck(CommandContext& ctx) {
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  StreamGroup* g = s == nullptr ? nullptr : s->FindGroup(ctx.arg(2));
  if (g == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  std::vector<StreamId> ids;
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::optional<StreamId> id = ParseIdOrReply(ctx, ctx.arg(i), 0);
    if (!id) {
      return;
    }
    ids.push_back(*id);
  }
  int64_t acked = 0;
  for (StreamId id : ids) {
    acked += g->Acknowledge(id) ? 1 : 0;
  }
  ctx.reply().Integer(acked);
  if (acked > 0) {
    ctx.MarkWritten(acked);
  }
}

// XPENDING key group: [count, first, last, [[consumer, "n"], ...]].
void ReplyPendingSummary(CommandContext& ctx, const StreamGroup& g) {
  ctx.reply().ArrayHeader(4);
  ctx.reply().Integer(static_cast<int64_t>(g.pel.size()));
  if (g.pel.empty()) {
    ctx.reply().Null();
    ctx.reply().Null();
    ctx.reply().NullArray();
    return;
  }
  ReplyStreamId(ctx, g.pel.begin()->first);
  ReplyStreamId(ctx, g.pel.rbegin()->first);
  int64_t n = 0;
  for (const auto& [name, c] : g.consumers) {
    n += c->pel.empty() ? 0 : 1;
  }
  ctx.reply().ArrayHeader(n);
  for (const auto& [name, c] : g.consumers) {
    if (!c->pel.empty()) {
      ctx.reply().ArrayHeader(2);
      ctx.reply().Bulk(name);
      ctx.reply().Bulk(std::to_string(c->pel.size()));
    }
  }
}

struct PendingRange {
  int64_t min_idle = 0;
  StreamId start;
  StreamId end;
  int64_t count = 0;
  std::optional<std::string_view> consumer;
};

bool ParsePendingRange(CommandContext& ctx, PendingRange* r) {
  size_t at = 3;
  if (EqualsIgnoreCase(ctx.arg(3), "idle")) {
    std::optional<int64_t> idle = ParseInt64(ctx.arg(4));
    if (!idle) {
      ctx.reply().Error(kErrNotInteger);
      return false;
    }
    if (ctx.argc() < 8) {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
    r->min_idle = *idle;
    at = 5;
  }
  std::optional<int64_t> count = ParseInt64(ctx.arg(at + 2));
  if (!count) {
    ctx.reply().Error(kErrNotInteger);
    return false;
  }
  r->count = *count < 0 ? 0 : *count;
  std::optional<StreamId> start = ParseStreamBound(ctx, ctx.arg(at), true);
  std::optional<StreamId> end = start ? ParseStreamBound(ctx, ctx.arg(at + 1), false) : start;
  if (!end) {
    return false;
  }
  r->start = *start;
  r->end = *end;
  if (at + 3 < ctx.argc()) {
    r->consumer = ctx.arg(at + 3);
  }
  return true;
}

void ReplyPendingRange(CommandContext& ctx, StreamGroup& g, const PendingRange& r) {
  std::vector<std::pair<StreamId, const StreamNack*>> rows;
  auto visit = [&](StreamId id, const StreamNack& nack) {
    if (r.min_idle != 0 && ctx.now_ms() - nack.delivery_time_ms < r.min_idle) {
      return;
    }
    rows.emplace_back(id, &nack);
  };
  if (r.consumer) {
    StreamConsumer* c = g.FindConsumer(*r.consumer);
    if (c == nullptr) {
      ctx.reply().EmptyArray();
      return;
    }
    for (auto it = c->pel.lower_bound(r.start);
         it != c->pel.end() && it->first <= r.end && static_cast<int64_t>(rows.size()) < r.count;
         ++it) {
      visit(it->first, *it->second);
    }
  } else {
    for (auto it = g.pel.lower_bound(r.start);
         it != g.pel.end() && it->first <= r.end && static_cast<int64_t>(rows.size()) < r.count;
         ++it) {
      visit(it->first, it->second);
    }
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(rows.size()));
  for (const auto& [id, nack] : rows) {
    ctx.reply().ArrayHeader(4);
    ReplyStreamId(ctx, id);
    ctx.reply().Bulk(nack->consumer->name());
    ctx.reply().Integer(std::max<int64_t>(0, ctx.now_ms() - nack->delivery_time_ms));
    ctx.reply().Integer(static_cast<int64_t>(nack->delivery_count));
  }
}

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
void CmdXPending(CommandContext& ctx) {
  bool summary = ctx.argc() == 3;
  if (!summary && (ctx.argc() < 6 || ctx.argc() > 9)) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  PendingRange r;
  if (!summary && !ParsePendingRange(ctx, &r)) {
    return;
  }
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  StreamGroup* g = s == nullptr ? nullptr : s->FindGroup(ctx.arg(2));
  if (g == nullptr) {
    ctx.reply().Error(NoKeyOrGroupError(ctx.arg(1), ctx.arg(2)));
    return;
  }
  summary ? ReplyPendingSummary(ctx, *g) : ReplyPendingRange(ctx, *g, r);
}

}  // namespace

void RegisterStreamGroups(CommandTable& table) {
  uint64_t stream = kAclStream;
  KeyPositions key2{2, 2, 1};
  uint32_t write = kWrite | kDenyOom;
  table.Add({.name = "xgroup", .arity = -2, .handler = CmdXGroupHelp});
  // clang-format off
  table.AddSubcommand("xgroup", {.name = "create", .arity = -5, .flags = write,
                                 .categories = stream, .keys = key2, .handler = CmdXGroupCreate});
  table.AddSubcommand("xgroup", {.name = "setid", .arity = -5, .flags = write,
                                 .categories = stream, .keys = key2, .handler = CmdXGroupSetId});
  table.AddSubcommand("xgroup", {.name = "destroy", .arity = 4, .flags = kWrite,
                                 .categories = stream, .keys = key2, .handler = CmdXGroupDestroy});
  table.AddSubcommand("xgroup", {.name = "createconsumer", .arity = 5, .flags = write,
                                 .categories = stream, .keys = key2,
                                 .handler = CmdXGroupCreateConsumer});
  table.AddSubcommand("xgroup", {.name = "delconsumer", .arity = 5, .flags = kWrite,
                                 .categories = stream, .keys = key2,
                                 .handler = CmdXGroupDelConsumer});
  table.AddSubcommand("xgroup", {.name = "help", .arity = 2, .flags = kLoading | kStale,
                                 .categories = stream, .handler = CmdXGroupHelp});
  table.Add({.name = "xack", .arity = -4, .flags = kWrite | kFast, .categories = stream,
             .keys = {1, 1, 1}, .handler = CmdXAck});
  table.Add({.name = "xpending", .arity = -3, .flags = kReadOnly, .categories = stream,
             .keys = {1, 1, 1}, .handler = CmdXPending, .tips = {"nondeterministic_output"}});
  // clang-format on
  RegisterStreamClaims(table);
}

}  // namespace cairn::commands
