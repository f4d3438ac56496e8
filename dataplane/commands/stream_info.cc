// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP (Redis 7.0
// t_stream.c), with lag and entries-read as 7.0 computes them. radix-tree-nodes is an estimate:
// the packed nodes sit in an ordered map, not a radix tree (see docs/server.md).
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/stream_args.h"

namespace cairn::commands {
namespace {

using engine::StreamConsumer;
using engine::StreamGroup;
using engine::StreamId;
using engine::StreamValue;

// The stream at argv[2]; replies "no such key" / WRONGTYPE otherwise.
StreamValue* InfoTarget(CommandContext& ctx) {
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(2), false, &s)) {
    return nullptr;
  }
  if (s == nullptr) {
    ctx.reply().Error(kErrNoSuchKey);
  }
  return s;
}

void Field(CommandContext& ctx, std::string_view name, int64_t value) {
  ctx.reply().Bulk(name);
  ctx.reply().Integer(value);
}

void FieldId(CommandContext& ctx, std::string_view name, StreamId id) {
  ctx.reply().Bulk(name);
  ReplyStreamId(ctx, id);
}

void EntriesReadAndLag(CommandContext& ctx, const StreamValue& s, const StreamGroup& g) {
  ctx.reply().Bulk("entries-read");
  if (g.entries_read != engine::kInvalidEntriesRead) {
    ctx.reply().Integer(g.entries_read);
  } else {
    ctx.reply().Null();
  }
  ctx.reply().Bulk("lag");
  std::optional<int64_t> lag = s.GroupLag(g);
  if (lag) {
    ctx.reply().Integer(*lag);
  } else {
    ctx.reply().Null();
  }
}

// The head shared by the plain and FULL forms.
void StreamHead(CommandContext& ctx, const StreamValue& s) {
  Field(ctx, "length", static_cast<int64_t>(s.length()));
  Field(ctx, "radix-tree-keys", static_cast<int64_t>(s.node_count()));
  Field(ctx, "radix-tree-nodes", static_cast<int64_t>(s.node_count()) + 1);
  FieldId(ctx, "last-generated-id", s.last_id);
  FieldId(ctx, "max-deleted-entry-id", s.max_deleted_id);
  Field(ctx, "entries-added", static_cast<int64_t>(s.entries_added));
  FieldId(ctx, "recorded-first-entry-id", s.first_id);
}

void EdgeEntry(CommandContext& ctx, const StreamValue& s, bool last) {
  std::optional<engine::StreamEntry> found;
  s.Range({}, StreamId::Max(), last, [&](const engine::StreamEntry& e) {
    found = e;
    return false;
  });
  if (found) {
    ReplyStreamEntry(ctx, *found);
  } else {
    ctx.reply().Null();
  }
}

void FullConsumer(CommandContext& ctx, const StreamConsumer& c, int64_t count) {
  ctx.reply().MapHeader(4);
  ctx.reply().Bulk("name");
  ctx.reply().Bulk(c.name());
  Field(ctx, "seen-time", c.seen_time_ms);
  Field(ctx, "pel-count", static_cast<int64_t>(c.pel.size()));
  ctx.reply().Bulk("pending");
  int64_t n = count == 0 ? static_cast<int64_t>(c.pel.size())
                         : std::min<int64_t>(count, static_cast<int64_t>(c.pel.size()));
  ctx.reply().ArrayHeader(n);
  for (auto it = c.pel.begin(); n-- > 0; ++it) {
    ctx.reply().ArrayHeader(3);
    ReplyStreamId(ctx, it->first);
    ctx.reply().Integer(it->second->delivery_time_ms);
    ctx.reply().Integer(static_cast<int64_t>(it->second->delivery_count));
  }
}

void FullGroup(CommandContext& ctx, const StreamValue& s, std::string_view name,
               const StreamGroup& g, int64_t count) {
  ctx.reply().MapHeader(7);
  ctx.reply().Bulk("name");
  ctx.reply().Bulk(name);
  FieldId(ctx, "last-delivered-id", g.last_id);
  EntriesReadAndLag(ctx, s, g);
  Field(ctx, "pel-count", static_cast<int64_t>(g.pel.size()));
  ctx.reply().Bulk("pending");
  int64_t n = count == 0 ? static_cast<int64_t>(g.pel.size())
                         : std::min<int64_t>(count, static_cast<int64_t>(g.pel.size()));
  ctx.reply().ArrayHeader(n);
  for (auto it = g.pel.begin(); n-- > 0; ++it) {
    ctx.reply().ArrayHeader(4);
    ReplyStreamId(ctx, it->first);
    ctx.reply().Bulk(it->second.consumer->name());
    ctx.reply().Integer(it->second.delivery_time_ms);
    ctx.reply().Integer(static_cast<int64_t>(it->second.delivery_count));
  }
  ctx.reply().Bulk("consumers");
  ctx.reply().ArrayHeader(static_cast<int64_t>(g.consumers.size()));
  for (const auto& [cname, c] : g.consumers) {
    FullConsumer(ctx, *c, count);
  }
}

// XINFO STREAM key [FULL [COUNT count]]
void CmdXInfoStream(CommandContext& ctx) {
  size_t extra = ctx.argc() - 3;
  bool full = extra > 0;
  int64_t count = 10;
  if (extra == 2 || extra > 3) {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "XINFO"));
    return;
  }
  if (full && !EqualsIgnoreCase(ctx.arg(3), "full")) {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "XINFO"));
    return;
  }
  if (extra == 3) {
    if (!EqualsIgnoreCase(ctx.arg(4), "count")) {
      ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "XINFO"));
      return;
    }
    std::optional<int64_t> n = ParseInt64(ctx.arg(5));
    if (!n) {
      ctx.reply().Error(kErrNotInteger);
      return;
    }
    count = *n < 0 ? 10 : *n;
  }
  StreamValue* s = InfoTarget(ctx);
  if (s == nullptr) {
    return;
  }
  ctx.reply().MapHeader(full ? 9 : 10);
  StreamHead(ctx, *s);
  if (!full) {
    Field(ctx, "groups", static_cast<int64_t>(s->groups().size()));
    ctx.reply().Bulk("first-entry");
    EdgeEntry(ctx, *s, false);
    ctx.reply().Bulk("last-entry");
    EdgeEntry(ctx, *s, true);
    return;
  }
  ctx.reply().Bulk("entries");
  ReplyStreamRange(ctx, *s, {}, StreamId::Max(), false, count);
  ctx.reply().Bulk("groups");
  ctx.reply().ArrayHeader(static_cast<int64_t>(s->groups().size()));
  for (const auto& [name, g] : s->groups()) {
    FullGroup(ctx, *s, name, *g, count);
  }
}

// XINFO GROUPS key
void CmdXInfoGroups(CommandContext& ctx) {
  StreamValue* s = InfoTarget(ctx);
  if (s == nullptr) {
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(s->groups().size()));
  for (const auto& [name, g] : s->groups()) {
    ctx.reply().MapHeader(6);
    ctx.reply().Bulk("name");
    ctx.reply().Bulk(name);
    Field(ctx, "consumers", static_cast<int64_t>(g->consumers.size()));
    Field(ctx, "pending", static_cast<int64_t>(g->pel.size()));
    FieldId(ctx, "last-delivered-id", g->last_id);
    EntriesReadAndLag(ctx, *s, *g);
  }
}

// XINFO CONSUMERS key group
void CmdXInfoConsumers(CommandContext& ctx) {
  StreamValue* s = InfoTarget(ctx);
  if (s == nullptr) {
    return;
  }
  StreamGroup* g = s->FindGroup(ctx.arg(3));
  if (g == nullptr) {
    ctx.reply().Error(NoGroupError(ctx.arg(3), ctx.arg(2)));
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(g->consumers.size()));
  for (const auto& [name, c] : g->consumers) {
    ctx.reply().MapHeader(3);
    ctx.reply().Bulk("name");
    ctx.reply().Bulk(name);
    Field(ctx, "pending", static_cast<int64_t>(c->pel.size()));
    Field(ctx, "idle", std::max<int64_t>(0, ctx.now_ms() - c->seen_time_ms));
  }
}

void CmdXInfoHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "XINFO",
            {"CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.", "GROUPS <key>",
             "    Show the stream consumer groups.", "STREAM <key> [FULL [COUNT <count>]",
             "    Show information about the stream."});
}

}  // namespace

void RegisterStreamInfo(CommandTable& table) {
  uint64_t stream = kAclStream;
  KeyPositions key2{2, 2, 1};
  table.Add({.name = "xinfo", .arity = -2, .handler = CmdXInfoHelp});
  // clang-format off
  table.AddSubcommand("xinfo", {.name = "stream", .arity = -3, .flags = kReadOnly,
                                .categories = stream, .keys = key2, .handler = CmdXInfoStream});
  table.AddSubcommand("xinfo", {.name = "groups", .arity = 3, .flags = kReadOnly,
                                .categories = stream, .keys = key2, .handler = CmdXInfoGroups,
                                .tips = {"nondeterministic_output"}});
  table.AddSubcommand("xinfo", {.name = "consumers", .arity = 4, .flags = kReadOnly,
                                .categories = stream, .keys = key2, .handler = CmdXInfoConsumers,
                                .tips = {"nondeterministic_output"}});
  table.AddSubcommand("xinfo", {.name = "help", .arity = 2, .flags = kLoading | kStale,
                                .categories = stream, .handler = CmdXInfoHelp});
  // clang-format on
}

}  // namespace cairn::commands
