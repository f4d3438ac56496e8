// Stream commands that write or range over entries (Redis 7.0 t_stream.c): XADD, XTRIM, XDEL,
// XSETID, XLEN, XRANGE, XREVRANGE. The read commands (XREAD, XREADGROUP) are in stream_read.cc,
// consumer groups in stream_group_family.cc, XINFO in stream_info.cc.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/commands/notify.h"
#include "dataplane/commands/stream_args.h"

namespace cairn::commands {

using engine::StreamId;
using engine::StreamTrim;
using engine::StreamValue;

int64_t ReplyStreamRange(CommandContext& ctx, const StreamValue& s, StreamId start, StreamId end,
                         bool reverse, int64_t count) {
  std::vector<engine::StreamEntry> entries;
  s.Range(start, end, reverse, [&](const engine::StreamEntry& e) {
    entries.push_back(e);
    return count == 0 || static_cast<int64_t>(entries.size()) < count;
  });
  ctx.reply().ArrayHeader(static_cast<int64_t>(entries.size()));
  for (const engine::StreamEntry& e : entries) {
    ReplyStreamEntry(ctx, e);
  }
  return static_cast<int64_t>(entries.size());
}

std::optional<StreamId> ParseStreamBound(CommandContext& ctx, std::string_view text, bool start) {
  bool exclusive = text.size() > 1 && text[0] == '(';
  std::optional<StreamId> id =
      ParseIdOrReply(ctx, exclusive ? text.substr(1) : text, start ? 0 : UINT64_MAX, exclusive);
  if (id && exclusive && !(start ? id->Increment() : id->Decrement())) {
    ctx.reply().Error(start ? kErrStreamInvalidStart : kErrStreamInvalidEnd);
    return std::nullopt;
  }
  return id;
}

void SignalStreamReady(CommandContext& ctx, std::string_view key) {
  ctx.server().blocked().SignalKeyReady(ctx.client().db_index, key);
}

namespace {

// What XADD / XTRIM parsed (streamAddTrimArgs).
struct AddTrimArgs {
  StreamTrim trim;
  size_t trim_arg = 0;  // index of the MAXLEN / MINID value
  bool no_mkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
  size_t id_arg = 0;
  size_t limit_arg = 0;  // index of LIMIT's value, 0 when absent
};

// MAXLEN / MINID [=|~] threshold at args[i]; returns the index after it or 0 (replied).
size_t ParseTrimStrategy(CommandContext& ctx, size_t i, AddTrimArgs* a) {
  if (a->trim.strategy != StreamTrim::Strategy::kNone) {
    ctx.reply().Error(kErrStreamMaxlenMinidTogether);
    return 0;
  }
  bool maxlen = EqualsIgnoreCase(ctx.arg(i), "maxlen");
  size_t more = ctx.argc() - 1 - i;
  std::string_view next = ctx.arg(i + 1);
  a->trim.approx = false;
  if (more >= 2 && (next == "~" || next == "=")) {
    a->trim.approx = next == "~";
    i++;
  }
  if (maxlen) {
    std::optional<int64_t> n = ParseInt64(ctx.arg(i + 1));
    if (!n) {
      ctx.reply().Error(kErrNotInteger);
      return 0;
    }
    if (*n < 0) {
      ctx.reply().Error(kErrStreamMaxlenNegative);
      return 0;
    }
    a->trim.threshold = *n;
  } else {
    std::optional<StreamId> id = ParseIdOrReply(ctx, ctx.arg(i + 1), 0);
    if (!id) {
      return 0;
    }
    a->trim.min_id = *id;
  }
  a->trim.node_max_entries = ctx.keyspace().config().stream_node_max_entries;
  a->trim.strategy = maxlen ? StreamTrim::Strategy::kMaxLen : StreamTrim::Strategy::kMinId;
  a->trim_arg = i + 1;
  return i + 2;
}

// An XADD id argument: explicit, "<ms>-*" or (handled by the caller) "*".
bool ParseAddId(CommandContext& ctx, size_t i, AddTrimArgs* a) {
  std::string_view text = ctx.arg(i);
  size_t dash = text.find('-');
  if (dash != std::string_view::npos && text.substr(dash + 1) == "*") {
    std::optional<StreamId> ms = engine::ParseStreamId(text.substr(0, dash), 0);
    if (!ms || text.size() > 127) {
      ctx.reply().Error(kErrStreamInvalidId);
      return false;
    }
    a->id = *ms;
    a->seq_given = false;
  } else {
    std::optional<StreamId> id = ParseIdOrReply(ctx, text, 0);
    if (!id) {
      return false;
    }
    a->id = *id;
  }
  a->id_given = true;
  a->id_arg = i;
  return true;
}

// The checks after the options (LIMIT needs a strategy and "~", XTRIM needs a strategy) and the
// default LIMIT of "~" trimming (100 nodes' worth); a primary's LIMIT is ignored. Replies errors.
bool FinishTrimArgs(CommandContext& ctx, bool xadd, bool limit_given, AddTrimArgs* a) {
  bool none = a->trim.strategy == StreamTrim::Strategy::kNone;
  if (a->trim.limit != 0 && none) {
    ctx.reply().Error(kErrStreamLimitNoStrategy);
    return false;
  }
  if (!xadd && none) {
    ctx.reply().Error(kErrStreamXtrimNoStrategy);
    return false;
  }
  if (ctx.client().has_flag(kClientPrimary)) {
    a->trim.limit = 0;  // the primary rewrote the threshold to what it really trimmed
  } else if (limit_given && !a->trim.approx) {
    ctx.reply().Error(kErrStreamLimitNoApprox);
    return false;
  } else if (!limit_given) {
    a->trim.limit =
        a->trim.approx ? 100 * int64_t{ctx.keyspace().config().stream_node_max_entries} : 0;
  }
  return true;
}

// streamParseAddOrTrimArgsOrReply: options from args[2]. For XADD returns the index of the id
// argument; for XTRIM argc. Returns 0 after replying an error.
size_t ParseAddTrimArgs(CommandContext& ctx, bool xadd, AddTrimArgs* a) {
  size_t i = 2;
  bool limit_given = false;
  for (; i < ctx.argc(); i++) {
    size_t more = ctx.argc() - 1 - i;
    std::string_view opt = ctx.arg(i);
    if (xadd && opt == "*") {
      a->id_arg = i;
      a->seq_given = false;
      break;
    }
    if ((EqualsIgnoreCase(opt, "maxlen") || EqualsIgnoreCase(opt, "minid")) && more > 0) {
      size_t next = ParseTrimStrategy(ctx, i, a);
      if (next == 0) {
        return 0;
      }
      i = next - 1;
    } else if (EqualsIgnoreCase(opt, "limit") && more > 0) {
      std::optional<int64_t> n = ParseInt64(ctx.arg(i + 1));
      if (!n) {
        ctx.reply().Error(kErrNotInteger);
        return 0;
      }
      if (*n < 0) {
        ctx.reply().Error(kErrStreamLimitNegative);
        return 0;
      }
      a->trim.limit = *n;
      limit_given = true;
      a->limit_arg = ++i;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      a->no_mkstream = true;
    } else if (xadd) {
      if (!ParseAddId(ctx, i, a)) {
        return 0;
      }
      break;
    } else {
      ctx.reply().Error(kErrSyntax);
      return 0;
    }
  }
  return FinishTrimArgs(ctx, xadd, limit_given, a) ? i : 0;
}

// The replicated form of an XADD / XTRIM: the concrete id, and for "~" trimming "=" with the
// threshold it reached and no LIMIT (streamRewriteApproxSpecifier / streamRewriteTrimArgument).
std::vector<std::string> RewriteForReplicas(CommandContext& ctx, const AddTrimArgs& a,
                                            const StreamValue& s, StreamId added) {
  std::vector<std::string> args(ctx.args().begin(), ctx.args().end());
  if (a.id_arg != 0) {
    args[a.id_arg] = added.ToString();
  }
  if (a.trim.approx) {
    bool maxlen = a.trim.strategy == StreamTrim::Strategy::kMaxLen;
    args[a.trim_arg - 1] = "=";
    args[a.trim_arg] = maxlen ? std::to_string(s.length()) : s.first_id.ToString();
    if (a.limit_arg != 0) {
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(a.limit_arg) - 1,
                 args.begin() + static_cast<std::ptrdiff_t>(a.limit_arg) + 1);
    }
  }
  return args;
}

// The id XADD appends with, or an error text (streamAppendItem's id rules).
Result<StreamId> NextAddId(CommandContext& ctx, const StreamValue& s, const AddTrimArgs& a) {
  StreamId id;
  if (a.id_given && a.seq_given) {
    id = a.id;
  } else if (a.id_given) {
    if (s.last_id.ms == a.id.ms) {
      if (s.last_id.seq == UINT64_MAX) {
        return Status::InvalidArgument(kErrStreamElementsTooLarge);
      }
      id = {a.id.ms, s.last_id.seq + 1};
    } else {
      id = a.id;
    }
  } else {
    auto now = static_cast<uint64_t>(ctx.server().clock().NowMs());
    if (now > s.last_id.ms) {
      id = {now, 0};
    } else {
      id = s.last_id;
      id.Increment();
    }
  }
  if (id <= s.last_id) {
    return Status::InvalidArgument(kErrStreamIdTooSmall);
  }
  return id;
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
void CmdXAdd(CommandContext& ctx) {
  AddTrimArgs a;
  size_t i = ParseAddTrimArgs(ctx, true, &a);
  if (i == 0) {
    return;
  }
  size_t fields = ctx.argc() - i - 1;
  if (i >= ctx.argc() || fields < 2 || fields % 2 == 1) {
    ctx.reply().Error(kErrWrongArgCountPrefix + ctx.spec().name + "' command");
    return;
  }
  if (a.id_given && a.seq_given && a.id.IsZero()) {
    ctx.reply().Error(kErrStreamIdZero);
    return;
  }
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), true, &s)) {
    return;
  }
  if (s == nullptr && a.no_mkstream) {
    ctx.reply().Null();
    return;
  }
  if (s != nullptr && s->last_id == StreamId::Max()) {
    ctx.reply().Error(kErrStreamExhausted);
    return;
  }
  StreamValue scratch;
  Result<StreamId> id = NextAddId(ctx, s != nullptr ? *s : scratch, a);
  if (ctx.ReplyIfError(id)) {
    return;
  }
  if (s == nullptr) {
    s = CreateStream(ctx, ctx.arg(1));
  }
  std::vector<std::string_view> fv(ctx.args().begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                   ctx.args().end());
  s->Append(*id, fv, StreamLimitsOf(ctx));
  ReplyStreamId(ctx, *id);
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyStream, "xadd", ctx.arg(1));
  if (s->Trim(a.trim) > 0) {
    ctx.Notify(kNotifyStream, "xtrim", ctx.arg(1));
  }
  ctx.MarkWrittenAs(RewriteForReplicas(ctx, a, *s, *id));
  SignalStreamReady(ctx, ctx.arg(1));
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void CmdXTrim(CommandContext& ctx) {
  AddTrimArgs a;
  if (ParseAddTrimArgs(ctx, false, &a) == 0) {
    return;
  }
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), true, &s)) {
    return;
  }
  int64_t removed = s == nullptr ? 0 : s->Trim(a.trim);
  ctx.reply().Integer(removed);
  if (removed > 0) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifyStream, "xtrim", ctx.arg(1));
    ctx.MarkWrittenAs(RewriteForReplicas(ctx, a, *s, {}), removed);
  }
}

// XDEL key id [id ...]
void CmdXDel(CommandContext& ctx) {
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), true, &s)) {
    return;
  }
  if (s == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  std::vector<StreamId> ids;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::optional<StreamId> id = ParseIdOrReply(ctx, ctx.arg(i), 0);
    if (!id) {
      return;
    }
    ids.push_back(*id);
  }
  int64_t deleted = 0;
  for (StreamId id : ids) {
    deleted += s->Delete(id) ? 1 : 0;
  }
  ctx.reply().Integer(deleted);
  if (deleted > 0) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifyStream, "xdel", ctx.arg(1));
    ctx.MarkWritten(deleted);
  }
}

struct SetIdArgs {
  StreamId id;
  int64_t entries_added = -1;
  StreamId max_deleted;
};

bool ParseSetIdArgs(CommandContext& ctx, SetIdArgs* a) {
  std::optional<StreamId> id = ParseIdOrReply(ctx, ctx.arg(2), 0);
  if (!id) {
    return false;
  }
  a->id = *id;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(i), "entriesadded") && more) {
      std::optional<int64_t> n = ParseInt64(ctx.arg(i + 1));
      if (!n || *n < 0) {
        ctx.reply().Error(n ? kErrStreamEntriesAddedPositive : kErrNotInteger);
        return false;
      }
      a->entries_added = *n;
    } else if (EqualsIgnoreCase(ctx.arg(i), "maxdeletedid") && more) {
      std::optional<StreamId> m = ParseIdOrReply(ctx, ctx.arg(i + 1), 0);
      if (!m) {
        return false;
      }
      if (a->id < *m) {
        ctx.reply().Error(kErrStreamSetIdMaxDeleted);
        return false;
      }
      a->max_deleted = *m;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void CmdXSetId(CommandContext& ctx) {
  SetIdArgs a;
  if (!ParseSetIdArgs(ctx, &a)) {
    return;
  }
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), true, &s)) {
    return;
  }
  if (s == nullptr) {
    ctx.reply().Error(kErrNoSuchKey);
    return;
  }
  if (s->length() > 0) {
    if (a.id < s->LastEntryId()) {
      ctx.reply().Error(kErrStreamSetIdSmaller);
      return;
    }
    if (a.entries_added != -1 && static_cast<int64_t>(s->length()) > a.entries_added) {
      ctx.reply().Error(kErrStreamSetIdEntriesAdded);
      return;
    }
  }
  s->last_id = a.id;
  if (a.entries_added != -1) {
    s->entries_added = static_cast<uint64_t>(a.entries_added);
  }
  if (!a.max_deleted.IsZero()) {
    s->max_deleted_id = a.max_deleted;
  }
  ctx.SignalModified(ctx.arg(1));
  ctx.Notify(kNotifyStream, "xsetid", ctx.arg(1));
  ctx.MarkWritten();
  ctx.reply().Ok();
}

void CmdXLen(CommandContext& ctx) {
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  ctx.reply().Integer(s == nullptr ? 0 : static_cast<int64_t>(s->length()));
}

// XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n].
void RangeGeneric(CommandContext& ctx, bool reverse) {
  std::optional<StreamId> start = ParseStreamBound(ctx, ctx.arg(reverse ? 3 : 2), true);
  if (!start) {
    return;
  }
  std::optional<StreamId> end = ParseStreamBound(ctx, ctx.arg(reverse ? 2 : 3), false);
  if (!end) {
    return;
  }
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argc(); j++) {
    if (!EqualsIgnoreCase(ctx.arg(j), "count") || j + 1 >= ctx.argc()) {
      ctx.reply().Error(kErrSyntax);
      return;
    }
    std::optional<int64_t> n = ParseInt64(ctx.arg(++j));
    if (!n) {
      ctx.reply().Error(kErrNotInteger);
      return;
    }
    count = *n < 0 ? 0 : *n;
  }
  StreamValue* s;
  if (!LookupStream(ctx, ctx.arg(1), false, &s)) {
    return;
  }
  if (s == nullptr) {
    ctx.reply().EmptyArray();
  } else if (count == 0) {
    ctx.reply().NullArray();
  } else {
    ReplyStreamRange(ctx, *s, *start, *end, reverse, count < 0 ? 0 : count);
  }
}

void CmdXRange(CommandContext& ctx) {
  RangeGeneric(ctx, false);
}
void CmdXRevRange(CommandContext& ctx) {
  RangeGeneric(ctx, true);
}

}  // namespace

void RegisterStreamFamily(CommandTable& table) {
  uint64_t stream = kAclStream;
  KeyPositions one{1, 1, 1};
  // clang-format off
  table.Add({.name = "xadd", .arity = -5, .flags = kWrite | kDenyOom | kFast,
             .categories = stream, .keys = one, .handler = CmdXAdd,
             .tips = {"nondeterministic_output"}});
  table.Add({.name = "xtrim", .arity = -4, .flags = kWrite, .categories = stream, .keys = one,
             .handler = CmdXTrim, .tips = {"nondeterministic_output"}});
  table.Add({.name = "xdel", .arity = -3, .flags = kWrite | kFast, .categories = stream,
             .keys = one, .handler = CmdXDel});
  table.Add({.name = "xsetid", .arity = -3, .flags = kWrite | kDenyOom | kFast,
             .categories = stream, .keys = one, .handler = CmdXSetId});
  table.Add({.name = "xlen", .arity = 2, .flags = kReadOnly | kFast, .categories = stream,
             .keys = one, .handler = CmdXLen});
  table.Add({.name = "xrange", .arity = -4, .flags = kReadOnly, .categories = stream,
             .keys = one, .handler = CmdXRange});
  table.Add({.name = "xrevrange", .arity = -4, .flags = kReadOnly, .categories = stream,
             .keys = one, .handler = CmdXRevRange});
  // clang-format on
  RegisterStreamRead(table);
  RegisterStreamGroups(table);
  RegisterStreamInfo(table);
}

}  // namespace cairn::commands
