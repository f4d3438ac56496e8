// EntryTable: the main table of a database. A chained hash table of Entry (the chain link lives
// inside each entry), power-of-two sized, with incremental rehashing between two tables as Redis's
// dict does, so a resize never stalls the event loop, and Redis's reverse-binary SCAN cursor, so a
// key present for a whole scan is returned at least once even while the table grows or shrinks.
// Single-threaded: called only from the command thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string_view>

#include "dataplane/engine/entry.h"

namespace cairn::engine {

class EntryTable {
 public:
  explicit EntryTable(uint64_t seed);
  ~EntryTable();
  EntryTable(const EntryTable&) = delete;
  EntryTable& operator=(const EntryTable&) = delete;

  size_t size() const { return tables_[0].used + tables_[1].used; }
  // Buckets allocated in both tables (INFO, MEMORY STATS).
  size_t bucket_count() const { return tables_[0].size + tables_[1].size; }
  bool rehashing() const { return rehash_index_ >= 0; }

  Entry* Find(std::string_view key) const;
  // The link (bucket slot or previous entry's next field) that points at `key`'s entry, or
  // nullptr. Valid until the next mutation of the table.
  Entry** FindLink(std::string_view key);
  // REQUIRES: no entry with e's key is present.
  void Insert(Entry* e);
  // Unlinks and returns `key`'s entry, or nullptr. The caller frees it.
  Entry* Remove(std::string_view key);
  // Puts `replacement` in the chain position of the entry `*link` points at (same key). Returns
  // the replaced entry, for the caller to free.
  Entry* Replace(Entry** link, Entry* replacement);

  // Visits the entries of the bucket(s) `cursor` names and returns the next cursor (0 = done).
  // `fn` must not mutate the table.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const;
  // A uniformly chosen bucket's random entry, or nullptr when empty.
  Entry* Random(std::mt19937_64& rng) const;
  // Calls fn for every entry. `fn` must not mutate the table.
  void ForEach(const std::function<void(Entry*)>& fn) const;

  // Sizes an empty table for `entries` entries at once, so that inserting them never rehashes
  // (Redis's dictExpand, which an RDB load calls with RESIZEDB's counts). Does nothing when the
  // table holds entries or is rehashing.
  void Expand(uint64_t entries);
  // Moves up to `buckets` buckets to the new table (plus at most 10x empty ones). Returns true
  // while rehashing is unfinished.
  bool RehashStep(int buckets);
  // Starts shrinking when the fill is under 10% (called from the cron, as Redis's
  // tryResizeHashTables). Returns true if a resize started.
  bool MaybeShrink();
  // Frees every entry.
  void Clear();
  // Hash of a key with this table's seed (also used by eviction sampling and SCAN callers).
  uint64_t Hash(std::string_view key) const;

 private:
  struct Table {
    std::unique_ptr<Entry*[]> buckets;
    uint64_t size = 0;
    uint64_t mask = 0;
    uint64_t used = 0;
  };
  void Resize(uint64_t min_size);
  void MaybeGrow();
  void MoveBucket(uint64_t index);
  // The link pointing at `key`'s entry and the table (0 or 1) holding it, or nullptr.
  Entry** Locate(std::string_view key, int* table_index);

  Table tables_[2];
  int64_t rehash_index_ = -1;
  uint64_t seed_;
};

}  // namespace cairn::engine
