// XCLAIM and XAUTOCLAIM (Redis 7.0 t_stream.c): move pending entries of a consumer group to
// another consumer. Entries deleted from the stream meanwhile are dropped from the PEL (XAUTOCLAIM
// lists them in its third reply element). Each claimed or dropped record is replicated as
// Redis's XCLAIM ... FORCE JUSTID form; the commands themselves are never propagated.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
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

// The stream and group of XCLAIM / XAUTOCLAIM (key at 1, group at 2), replying errors.
bool ClaimTarget(CommandContext& ctx, StreamValue** s, StreamGroup** g) {
  if (!LookupStream(ctx, ctx.arg(1), false, s)) {
    return false;
  }
  *g = *s == nullptr ? nullptr : (*s)->FindGroup(ctx.arg(2));
  if (*g == nullptr) {
    ctx.reply().Error(NoKeyOrGroupError(ctx.arg(1), ctx.arg(2)));
    return false;
  }
  return true;
}

// The claiming consumer, looked up (seen now) or created on first use.
StreamConsumer* Claimer(CommandContext& ctx, StreamGroup& g, StreamConsumer** cached) {
  if (*cached == nullptr) {
    bool created;
    *cached = g.LookupOrCreateConsumer(ctx.arg(3), ctx.now_ms(), &created);
    (*cached)->seen_time_ms = ctx.now_ms();
    if (created) {
      ctx.Notify(kNotifyStream, "xgroup-createconsumer", ctx.arg(1));
    }
  }
  return *cached;
}

// Drops a PEL record whose entry was deleted, replicating the drop.
void DropDeleted(CommandContext& ctx, StreamGroup& g, StreamId id) {
  auto it = g.pel.find(id);
  PropagateClaim(ctx, ctx.arg(1), ctx.arg(2), g, id, it->second);
  ctx.server().stats().dirty++;
  g.Acknowledge(id);
}

// Replies one claimed entry: its id (JUSTID) or [id, fields] (nil when gone).
void ReplyClaimed(CommandContext& ctx, const StreamValue& s, StreamId id, bool justid) {
  if (justid) {
    ReplyStreamId(ctx, id);
    return;
  }
  std::optional<engine::StreamEntry> e = s.Get(id);
  if (e) {
    ReplyStreamEntry(ctx, *e);
  } else {
    ctx.reply().Null();
  }
}

struct ClaimOptions {
  int64_t min_idle = 0;
  int64_t delivery_time = -1;  // -1: now
  int64_t retry_count = -1;    // -1: increment (unless JUSTID)
  bool force = false;
  bool justid = false;
  StreamId last_id;
};

// XCLAIM's options after the ids (from `j`). Replies and returns false on an error.
bool ParseClaimOptions(CommandContext& ctx, size_t j, ClaimOptions* o) {
  for (; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    auto number = [&](const char* error, int64_t* out) {
      std::optional<int64_t> n = ParseInt64(ctx.arg(++j));
      if (!n) {
        ctx.reply().Error(error);
        return false;
      }
      *out = *n;
      return true;
    };
    if (EqualsIgnoreCase(opt, "force")) {
      o->force = true;
    } else if (EqualsIgnoreCase(opt, "justid")) {
      o->justid = true;
    } else if (EqualsIgnoreCase(opt, "idle") && more) {
      if (!number(kErrXClaimIdle, &o->delivery_time)) {
        return false;
      }
      o->delivery_time = ctx.now_ms() - o->delivery_time;
    } else if (EqualsIgnoreCase(opt, "time") && more) {
      if (!number(kErrXClaimTime, &o->delivery_time)) {
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "retrycount") && more) {
      if (!number(kErrXClaimRetryCount, &o->retry_count)) {
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "lastid") && more) {
      std::optional<StreamId> id = ParseIdOrReply(ctx, ctx.arg(++j), 0);
      if (!id) {
        return false;
      }
      o->last_id = *id;
    } else {
      ctx.reply().Error("ERR Unrecognized XCLAIM option '" + std::string(opt) + "'");
      return false;
    }
  }
  return true;
}

// Claims one pending id for XCLAIM. Returns true when it was claimed (and replied).
bool ClaimOne(CommandContext& ctx, StreamValue& s, StreamGroup& g, StreamId id,
              const ClaimOptions& o, StreamConsumer** consumer) {
  auto it = g.pel.find(id);
  if (!s.Get(id)) {
    if (it != g.pel.end()) {
      DropDeleted(ctx, g, id);
    }
    return false;
  }
  bool fresh = false;
  if (it == g.pel.end()) {
    if (!o.force) {
      return false;
    }
    fresh = true;
  } else if (o.min_idle != 0 && ctx.now_ms() - it->second.delivery_time_ms < o.min_idle) {
    return false;
  }
  StreamConsumer* c = Claimer(ctx, g, consumer);
  uint64_t count = fresh ? 1 : it->second.delivery_count;
  if (o.retry_count >= 0) {
    count = static_cast<uint64_t>(o.retry_count);
  } else if (!o.justid) {
    count++;
  }
  StreamNack* nack = g.Assign(id, c, o.delivery_time, count);
  PropagateClaim(ctx, ctx.arg(1), ctx.arg(2), g, id, *nack);
  ctx.server().stats().dirty++;
  return true;
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time]
//   [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
void CmdXClaim(CommandContext& ctx) {
  StreamValue* s;
  StreamGroup* g;
  if (!ClaimTarget(ctx, &s, &g)) {
    return;
  }
  ClaimOptions o;
  std::optional<int64_t> min_idle = ParseInt64(ctx.arg(4));
  if (!min_idle) {
    ctx.reply().Error(kErrXClaimMinIdle);
    return;
  }
  o.min_idle = std::max<int64_t>(0, *min_idle);
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < ctx.argc(); j++) {
    std::optional<StreamId> id = engine::ParseStreamId(ctx.arg(j), 0);
    if (!id) {
      break;
    }
    ids.push_back(*id);
  }
  if (!ParseClaimOptions(ctx, j, &o)) {
    return;
  }
  bool propagate_last_id = false;
  if (o.last_id > g->last_id) {
    g->last_id = o.last_id;
    propagate_last_id = true;
  }
  if (o.delivery_time < 0 || o.delivery_time > ctx.now_ms()) {
    o.delivery_time = ctx.now_ms();
  }
  StreamConsumer* consumer = nullptr;
  std::vector<StreamId> claimed;
  for (StreamId id : ids) {
    if (ClaimOne(ctx, *s, *g, id, o, &consumer)) {
      claimed.push_back(id);
      propagate_last_id = false;  // the XCLAIM carries LASTID
    }
  }
  if (propagate_last_id) {
    Propagate(ctx, {"XGROUP", "SETID", std::string(ctx.arg(1)), std::string(ctx.arg(2)),
                    g->last_id.ToString(), "ENTRIESREAD", std::to_string(g->entries_read)});
    ctx.server().stats().dirty++;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(claimed.size()));
  for (StreamId id : claimed) {
    ReplyClaimed(ctx, *s, id, o.justid);
  }
}

struct AutoClaimArgs {
  int64_t min_idle = 0;
  StreamId start;
  int64_t count = 100;
  bool justid = false;
};

bool ParseAutoClaimArgs(CommandContext& ctx, AutoClaimArgs* a) {
  std::optional<int64_t> min_idle = ParseInt64(ctx.arg(4));
  if (!min_idle) {
    ctx.reply().Error(kErrXAutoClaimMinIdle);
    return false;
  }
  a->min_idle = std::max<int64_t>(0, *min_idle);
  std::optional<StreamId> start = ParseStreamBound(ctx, ctx.arg(5), true);
  if (!start) {
    return false;
  }
  a->start = *start;
  for (size_t j = 6; j < ctx.argc();) {
    if (EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      std::optional<int64_t> n = ParseInt64(ctx.arg(j + 1));
      if (!n || *n < 1 || *n > INT64_MAX / 16) {
        ctx.reply().Error(kErrXAutoClaimCount);
        return false;
      }
      a->count = *n;
      j += 2;
    } else if (EqualsIgnoreCase(ctx.arg(j), "justid")) {
      a->justid = true;
      j++;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]:
// [next-cursor, claimed entries, ids dropped because their entries were deleted].
void CmdXAutoClaim(CommandContext& ctx) {
  AutoClaimArgs a;
  StreamValue* s;
  StreamGroup* g;
  if (!ParseAutoClaimArgs(ctx, &a) || !ClaimTarget(ctx, &s, &g)) {
    return;
  }
  int64_t attempts = a.count * 10;
  int64_t count = a.count;
  StreamConsumer* consumer = nullptr;
  std::vector<StreamId> claimed;
  std::vector<StreamId> deleted;
  auto it = g->pel.lower_bound(a.start);
  while (attempts-- > 0 && count > 0 && it != g->pel.end()) {
    StreamId id = it->first;
    ++it;
    if (!s->Get(id)) {
      DropDeleted(ctx, *g, id);
      deleted.push_back(id);
      count--;
      continue;
    }
    StreamNack& nack = g->pel.find(id)->second;
    if (a.min_idle != 0 && ctx.now_ms() - nack.delivery_time_ms < a.min_idle) {
      continue;
    }
    StreamConsumer* c = Claimer(ctx, *g, &consumer);
    uint64_t deliveries = nack.delivery_count + (a.justid ? 0 : 1);
    StreamNack* moved = g->Assign(id, c, ctx.now_ms(), deliveries);
    PropagateClaim(ctx, ctx.arg(1), ctx.arg(2), *g, id, *moved);
    ctx.server().stats().dirty++;
    claimed.push_back(id);
    count--;
  }
  ctx.reply().ArrayHeader(3);
  ReplyStreamId(ctx, it == g->pel.end() ? StreamId{} : it->first);
  ctx.reply().ArrayHeader(static_cast<int64_t>(claimed.size()));
  for (StreamId id : claimed) {
    ReplyClaimed(ctx, *s, id, a.justid);
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(deleted.size()));
  for (StreamId id : deleted) {
    ReplyStreamId(ctx, id);
  }
}

}  // namespace

void RegisterStreamClaims(CommandTable& table) {
  uint64_t stream = kAclStream;
  // clang-format off
  table.Add({.name = "xclaim", .arity = -6, .flags = kWrite | kFast, .categories = stream,
             .keys = {1, 1, 1}, .handler = CmdXClaim, .tips = {"nondeterministic_output"}});
  // clang-format on
  table.Add({.name = "xautoclaim",
             .arity = -6,
             .flags = kWrite | kFast,
             .categories = stream,
             .keys = {1, 1, 1},
             .handler = CmdXAutoClaim,
             .tips = {"nondeterministic_output"}});
}

}  // namespace cairn::commands
