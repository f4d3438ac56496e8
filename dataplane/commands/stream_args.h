// Helpers shared by the stream command files (stream_family.cc, stream_read.cc,
// stream_group_family.cc, stream_info.cc): typed lookup, id parsing with Redis 7.0's errors
// (streamGenericParseIDOrReply), entry replies and node limits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/commands/context.h"
#include "dataplane/engine/types/collection.h"
#include "dataplane/engine/types/stream.h"

namespace cairn::commands {

// The stream at `key` (nullptr when missing) in *out; replies WRONGTYPE and returns false on a
// type mismatch.
inline bool LookupStream(CommandContext& ctx, std::string_view key, bool write,
                         engine::StreamValue** out, engine::Entry** entry = nullptr) {
  Result<engine::Entry*> e = engine::LookupTyped(ctx.db(), key, engine::ValueType::kStream, write);
  if (ctx.ReplyIfError(e)) {
    return false;
  }
  *out = *e == nullptr ? nullptr : engine::ValueOf<engine::StreamValue>(*e);
  if (entry != nullptr) {
    *entry = *e;
  }
  return true;
}

// Creates an empty stream at `key`. REQUIRES: `key` is absent.
inline engine::StreamValue* CreateStream(CommandContext& ctx, std::string_view key) {
  auto* s = new engine::StreamValue();
  engine::CreateCollection(ctx.db(), key, engine::ValueType::kStream, engine::Encoding::kStream, s);
  return s;
}

// An id argument: "-" is 0-0 and "+" the largest id unless `strict`; "<ms>" takes `missing_seq`.
// Replies "Invalid stream ID" and returns nullopt otherwise.
inline std::optional<engine::StreamId> ParseIdOrReply(CommandContext& ctx, std::string_view text,
                                                      uint64_t missing_seq, bool strict = true) {
  if (!strict && text == "-") {
    return engine::StreamId{};
  }
  if (!strict && text == "+") {
    return engine::StreamId::Max();
  }
  std::optional<engine::StreamId> id = engine::ParseStreamId(text, missing_seq);
  if (!id) {
    ctx.reply().Error(kErrStreamInvalidId);
  }
  return id;
}

// An interval bound of XRANGE / XPENDING / XAUTOCLAIM: "(" + a strict id for an exclusive bound,
// else an id or "-" / "+"; a bare "<ms>" means <ms>-0 as a start and <ms>-max as an end. Replies
// the invalid-id or invalid-interval error and returns nullopt.
std::optional<engine::StreamId> ParseStreamBound(CommandContext& ctx, std::string_view text,
                                                 bool start);

inline void ReplyStreamId(CommandContext& ctx, engine::StreamId id) {
  ctx.reply().Bulk(id.ToString());
}

// One entry as [id, [field, value, ...]].
inline void ReplyStreamEntry(CommandContext& ctx, const engine::StreamEntry& e) {
  ctx.reply().ArrayHeader(2);
  ReplyStreamId(ctx, e.id);
  ctx.reply().ArrayHeader(static_cast<int64_t>(e.fields_values.size()));
  for (std::string_view s : e.fields_values) {
    ctx.reply().Bulk(s);
  }
}

// Entries of [start, end] (descending when `reverse`), at most `count` (0 = all), as an array.
// Returns how many were written.
int64_t ReplyStreamRange(CommandContext& ctx, const engine::StreamValue& s, engine::StreamId start,
                         engine::StreamId end, bool reverse, int64_t count);

inline engine::StreamLimits StreamLimitsOf(CommandContext& ctx) {
  const engine::KeyspaceConfig& c = ctx.keyspace().config();
  return {.node_max_bytes = c.stream_node_max_bytes, .node_max_entries = c.stream_node_max_entries};
}

// "NOGROUP No such consumer group '<group>' for key name '<key>'".
inline std::string NoGroupError(std::string_view group, std::string_view key) {
  return "NOGROUP No such consumer group '" + std::string(group) + "' for key name '" +
         std::string(key) + "'";
}

// Queues `args` for replicas and the backlog (one of several effects of a command).
void Propagate(CommandContext& ctx, const std::vector<std::string>& args);
// Replicates `id`'s PEL record as Redis's streamPropagateXCLAIM: XCLAIM key group consumer 0 id
// TIME ms RETRYCOUNT n FORCE JUSTID LASTID group-last-id.
void PropagateClaim(CommandContext& ctx, std::string_view key, std::string_view group,
                    const engine::StreamGroup& g, engine::StreamId id,
                    const engine::StreamNack& nack);

// "NOGROUP No such key '<key>' or consumer group '<group>'" (XPENDING, XCLAIM, XAUTOCLAIM).
inline std::string NoKeyOrGroupError(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" + std::string(group) +
         "'";
}

// Wakes clients blocked in XREAD / XREADGROUP on `key` (signalKeyAsReady).
void SignalStreamReady(CommandContext& ctx, std::string_view key);

// Registration of the read and consumer-group halves (stream_read.cc, stream_group_family.cc,
// stream_info.cc); called by RegisterStreamFamily.
void RegisterStreamRead(CommandTable& table);
void RegisterStreamGroups(CommandTable& table);
void RegisterStreamInfo(CommandTable& table);
void RegisterStreamClaims(CommandTable& table);

}  // namespace cairn::commands
