// Stream values (Redis 7.0 t_stream.c): an append-only log of entries keyed by 128-bit ids
// (ms-seq), with consumer groups. Entries live in packed nodes ordered by their master id (the id
// of the node's first entry), as Redis keeps listpacks under a radix tree: each node holds up to
// stream-node-max-entries entries (live + deleted) and about stream-node-max-bytes bytes, stores
// the field names of its first entry once (the master fields) and encodes every later entry with
// the same fields as its values only, ids as deltas against the master id. XDEL marks an entry
// deleted in place; a node whose entries are all deleted is dropped. Consumer groups keep their
// pending entries list (PEL) and consumers as ordered maps; a consumer's PEL points at the
// group's records, as Redis shares streamNACKs between the two.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/engine/entry.h"

namespace cairn::engine {

// A stream entry id "<ms>-<seq>", ordered by ms then seq.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  auto operator<=>(const StreamId&) const = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next / previous id; false (id unchanged) at Max() / 0-0.
  bool Increment();
  bool Decrement();
  std::string ToString() const;
};

// Parses "<ms>-<seq>" or "<ms>" (seq = `missing_seq`). Returns nullopt for anything else,
// including signs, spaces and values past 2^64-1, as Redis's streamGenericParseIDOrReply.
std::optional<StreamId> ParseStreamId(std::string_view text, uint64_t missing_seq);

// Node size limits (stream-node-max-bytes, stream-node-max-entries; 0 = unlimited).
struct StreamLimits {
  int64_t node_max_bytes = 4096;
  int64_t node_max_entries = 100;
};

// One entry as read: its id and alternating field, value views into the node (valid until the
// stream is next changed).
struct StreamEntry {
  StreamId id;
  std::vector<std::string_view> fields_values;
};

// How XADD / XTRIM trim: MAXLEN keeps the newest `threshold` entries, MINID drops ids below
// `min_id`. `approx` (~) only drops whole nodes; `limit` caps the entries dropped (0 = none).
struct StreamTrim {
  enum class Strategy { kNone, kMaxLen, kMinId } strategy = Strategy::kNone;
  bool approx = false;
  int64_t threshold = 0;
  StreamId min_id;
  int64_t limit = 0;
  // With a limit, a node is dropped only while (dropped + node_max_entries) <= limit, as Redis.
  int64_t node_max_entries = 100;
};

// One stored entry, deleted ones included (RDB and DUMP write them all, as Redis does).
struct StreamRawEntry {
  StreamId id;
  bool deleted = false;
  std::vector<std::string_view> fields_values;
};

// One packed node as stored: its master id and fields, live and deleted counts, and entries.
struct StreamNodeView {
  StreamId master;
  uint32_t live = 0;
  uint32_t deleted = 0;
  std::vector<std::string_view> master_fields;
  std::vector<StreamRawEntry> entries;
};

// An entry read from an RDB node.
struct StreamLoadedEntry {
  StreamId id;
  bool deleted = false;
  std::vector<std::string> fields_values;
};

class StreamConsumer;

// A pending entry: delivered to `consumer`, not yet acknowledged (Redis's streamNACK).
struct StreamNack {
  int64_t delivery_time_ms = 0;
  uint64_t delivery_count = 1;
  StreamConsumer* consumer = nullptr;
};

// A consumer of a group: its name, when it was last seen (ms) and its pending ids, pointing at
// the group's PEL records.
class StreamConsumer {
 public:
  explicit StreamConsumer(std::string name, int64_t seen_time_ms)
      : seen_time_ms(seen_time_ms), name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  int64_t seen_time_ms = 0;
  std::map<StreamId, StreamNack*> pel;

 private:
  std::string name_;
};

// Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown.
inline constexpr int64_t kInvalidEntriesRead = -1;

// A consumer group (Redis's streamCG).
class StreamGroup {
 public:
  StreamGroup(StreamId last_id, int64_t entries_read)
      : last_id(last_id), entries_read(entries_read) {}

  // The consumer named `name`, nullptr when missing.
  StreamConsumer* FindConsumer(std::string_view name);
  // The consumer named `name`, created (seen now) when missing; `*created` says which.
  StreamConsumer* LookupOrCreateConsumer(std::string_view name, int64_t now_ms, bool* created);
  // Removes a consumer and its pending entries. Returns how many entries were pending.
  size_t DeleteConsumer(std::string_view name);
  // Records `id` as delivered to `consumer` at `now_ms` (a new or reassigned PEL record with
  // `delivery_count`); returns the record.
  StreamNack* Assign(StreamId id, StreamConsumer* consumer, int64_t now_ms,
                     uint64_t delivery_count);
  // Drops `id` from the PEL (XACK). Returns false when it was not pending.
  bool Acknowledge(StreamId id);

  StreamId last_id;
  int64_t entries_read = kInvalidEntriesRead;
  std::map<StreamId, StreamNack> pel;
  std::map<std::string, std::unique_ptr<StreamConsumer>, std::less<>> consumers;
};

class StreamNode;

class StreamValue final : public Value {
 public:
  StreamValue();
  ~StreamValue() override;
  StreamValue(const StreamValue&) = delete;
  StreamValue& operator=(const StreamValue&) = delete;

  // Live entries.
  uint64_t length() const { return length_; }
  // Packed nodes (XINFO radix-tree-keys).
  size_t node_count() const { return nodes_.size(); }

  // Appends an entry. REQUIRES: id > last_id, an even, non-zero number of fields_values.
  // Updates last_id, entries_added and (for the first entry) first_id.
  void Append(StreamId id, const std::vector<std::string_view>& fields_values,
              const StreamLimits& limits);
  // Marks `id` deleted (XDEL). Returns false when no live entry has that id. Updates first_id
  // and max_deleted_id as Redis 7.0.
  bool Delete(StreamId id);
  // Trims as `trim` says (Redis's streamTrim). Returns the entries removed.
  int64_t Trim(const StreamTrim& trim);
  // Visits live entries with ids in [start, end], ascending or (`reverse`) descending, until
  // `visit` returns false.
  void Range(StreamId start, StreamId end, bool reverse,
             const std::function<bool(const StreamEntry&)>& visit) const;
  // The live entry `id`, if any.
  std::optional<StreamEntry> Get(StreamId id) const;
  // The first / last live entry's id (0-0 when empty).
  StreamId FirstEntryId() const;
  StreamId LastEntryId() const;

  // Redis's streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or
  // kInvalidEntriesRead when it cannot be known.
  int64_t EstimateEntriesRead(StreamId id) const;
  // Redis's streamRangeHasTombstones for [start, Max()].
  bool HasTombstonesFrom(StreamId start) const;
  // The group's lag (XINFO GROUPS), nullopt when it cannot be computed.
  std::optional<int64_t> GroupLag(const StreamGroup& group) const;

  // Visits the nodes in id order (RDB / DUMP writers).
  void VisitNodes(const std::function<void(const StreamNodeView&)>& visit) const;
  // Adds a node read from an RDB. REQUIRES (the loader validated it): `entries` non-empty,
  // ascending, the first with id `master`, all above every id added before. Updates length().
  void LoadNode(StreamId master, const std::vector<std::string>& master_fields,
                const std::vector<StreamLoadedEntry>& entries);

  StreamGroup* FindGroup(std::string_view name);
  // Creates a group. Returns nullptr when the name is taken.
  StreamGroup* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);
  const std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>>& groups() const {
    return groups_;
  }

  StreamId last_id;
  StreamId first_id;
  StreamId max_deleted_id;
  uint64_t entries_added = 0;

  size_t MemoryBytes() const override;
  std::unique_ptr<Value> Clone() const override;

 private:
  void RangeForward(StreamId start, StreamId end,
                    const std::function<bool(const StreamEntry&)>& visit) const;
  void RangeReverse(StreamId start, StreamId end,
                    const std::function<bool(const StreamEntry&)>& visit) const;
  // Drops the first node (trimming); returns its live entries.
  int64_t DropFirstNode();
  void UpdateFirstId();

  std::map<StreamId, std::unique_ptr<StreamNode>> nodes_;  // by master id
  uint64_t length_ = 0;
  std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>> groups_;
};

}  // namespace cairn::engine
