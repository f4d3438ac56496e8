// Db: one numbered database (SELECT 0..15): the main table, the index of keys with a TTL, and
// the lookups and mutations every command goes through. Lookups apply lazy expiry.
// Single-threaded: called only from the command thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dataplane/engine/entry.h"
#include "dataplane/engine/entry_table.h"

namespace cairn::engine {

class Keyspace;

class Db {
 public:
  Db(int index, Keyspace* keyspace, uint64_t seed);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  int index() const { return index_; }
  size_t size() const { return table_->size(); }
  size_t expires_size() const { return expiring_.size(); }
  EntryTable& table() { return *table_; }
  const EntryTable& table() const { return *table_; }
  const std::vector<Entry*>& expiring() const { return expiring_; }

  // The entry for `key` ignoring TTLs, or nullptr.
  Entry* Find(std::string_view key) const { return table_->Find(key); }
  // Flags of read lookups, as Redis's LOOKUP_*.
  enum LookupFlags : uint32_t {
    kLookupNone = 0,
    kLookupNoTouch = 1,   // leave the access clock alone (TYPE, EXISTS, TTL, OBJECT)
    kLookupNoNotify = 2,  // no "keymiss" event on a miss (OBJECT)
  };
  // The live entry for `key`, or nullptr if absent or expired (an expired key is deleted on a
  // primary). Read lookups count keyspace_hits/misses and report misses to the observer ("keymiss"
  // unless kLookupNoNotify); write lookups do neither. Both update the access clock.
  Entry* LookupRead(std::string_view key, uint32_t flags = kLookupNone);
  Entry* LookupWrite(std::string_view key);
  // Like LookupWrite but leaves the access clock alone (OBJECT, TYPE-free introspection).
  Entry* LookupNoTouch(std::string_view key);
  bool Exists(std::string_view key) { return LookupNoTouch(key) != nullptr; }

  // Makes room for `keys` keys of which `expiring` have a TTL before a bulk load (an RDB's
  // RESIZEDB), so the load does not rehash. Only an empty db is sized.
  void Reserve(uint64_t keys, uint64_t expiring);
  // Adds `e` (its TTL, if any, is indexed) and reports the new key to the observer. REQUIRES: no
  // entry with e's key.
  void Insert(Entry* e);
  // Inserts `e`, or replaces (and frees) the entry with its key: one table lookup (SET's path).
  // Returns `e`.
  Entry* Upsert(Entry* e);
  // Replaces the entry with `replacement`'s key (which must exist) and frees the old one unless
  // `free_old` is false (its object moved into the replacement). Returns `replacement`.
  Entry* Replace(Entry* replacement, bool free_old = true);
  // Removes and frees `key`'s entry. Returns whether it existed (expired or not).
  bool Delete(std::string_view key);
  // Unlinks `key`'s entry without freeing it (RENAME, MOVE). nullptr if absent.
  Entry* Unlink(std::string_view key);
  // Sets (ms since the epoch) or clears the TTL of `e`, rebuilding the entry when its layout
  // changes. Returns the entry now in the table.
  Entry* SetExpire(Entry* e, int64_t expire_at_ms);
  Entry* Persist(Entry* e);
  // Removes and frees every entry.
  void Clear();
  // Exchanges contents with `other` (SWAPDB); indexes stay with the Db objects.
  void SwapContents(Db& other);

  // Deletes `e` if its TTL has passed and expiry is enabled; returns whether it is expired.
  bool ExpireIfNeeded(Entry* e);

 private:
  Entry* Lookup(std::string_view key, bool touch);
  Entry* ReplaceAt(Entry** link, Entry* replacement, bool free_old);
  // Tells the observer `key` was removed or overwritten.
  void NotifyRemoved(std::string_view key);
  void IndexExpire(Entry* e);
  void UnindexExpire(Entry* e);

  int index_;
  Keyspace* keyspace_;
  std::unique_ptr<EntryTable> table_;
  // Every entry with a TTL; entry->expire_slot() is its position, for O(1) removal and for
  // uniform sampling by the active expire cycle and volatile-* eviction.
  std::vector<Entry*> expiring_;
};

}  // namespace cairn::engine
