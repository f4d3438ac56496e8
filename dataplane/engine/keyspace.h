// Keyspace: the databases of a node plus what spans them: the command-time clock, the LRU/LFU
// clocks, keyspace statistics, lazy and active expiry, and maxmemory eviction. Knows no sockets:
// the server learns of expired and evicted keys through KeyspaceObserver.
// Single-threaded: called only from the command thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "dataplane/base/clock.h"
#include "dataplane/base/status.h"
#include "dataplane/engine/db.h"

namespace cairn::engine {

// maxmemory-policy values, as redis.conf spells them.
enum class EvictionPolicy {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

std::string_view EvictionPolicyName(EvictionPolicy policy);
// Parses a maxmemory-policy value (case-insensitive); false when unknown.
bool ParseEvictionPolicy(std::string_view name, EvictionPolicy* out);

struct KeyspaceStats {
  int64_t expired_keys = 0;
  int64_t evicted_keys = 0;
  int64_t keyspace_hits = 0;
  int64_t keyspace_misses = 0;
  int64_t expired_time_cap_reached_count = 0;
  double expired_stale_perc = 0;
  int64_t expire_cycle_cpu_milliseconds = 0;
};

// Told about keys removed by the engine itself, after removal (keyspace notifications, DEL
// propagation to replicas, WATCH invalidation).
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  virtual void OnKeyExpired(int db, std::string_view key) = 0;
  virtual void OnKeyEvicted(int db, std::string_view key) = 0;
  // A key was created (Redis's dbAdd: the "new" notification), before the command's own events.
  virtual void OnKeyAdded(int db, std::string_view key) {
    (void)db;
    (void)key;
  }
  // A key was removed or its value replaced by another object (DEL, expiry, RENAME's source,
  // MOVE, SET over it): clients blocked on it may need waking (Redis's signalDeletedKeyAsReady).
  virtual void OnKeyRemoved(int db, std::string_view key) {
    (void)db;
    (void)key;
  }
  // Every key of `db` may be gone or different (FLUSHDB, FLUSHALL, SWAPDB).
  virtual void OnDbReplaced(int db) { (void)db; }
  // A read lookup found nothing (the "keymiss" notification).
  virtual void OnKeyMiss(int db, std::string_view key) {
    (void)db;
    (void)key;
  }
};

struct KeyspaceConfig {
  int databases = 16;
  int64_t maxmemory_bytes = 0;  // 0 = no limit
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int maxmemory_samples = 5;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;        // minutes
  int active_expire_effort = 1;  // 1..10
  int hz = 10;
  bool active_expire = true;     // DEBUG SET-ACTIVE-EXPIRE
  bool active_rehashing = true;  // activerehashing: cron moves rehashing forward (Rehash())
  // Collection encodings (engine/types/): list-max-listpack-size, hash-max-listpack-entries,
  // hash-max-listpack-value (bytes), set-max-intset-entries, zset-max-listpack-entries,
  // zset-max-listpack-value (bytes).
  int list_max_listpack_size = -2;
  int hash_max_listpack_entries = 512;
  int hash_max_listpack_value = 64;
  int set_max_intset_entries = 512;
  int zset_max_listpack_entries = 128;
  int zset_max_listpack_value = 64;
  // Stream nodes: stream-node-max-bytes, stream-node-max-entries (0 = unlimited).
  int stream_node_max_bytes = 4096;
  int stream_node_max_entries = 100;
};

class Keyspace {
 public:
  // `used_memory` reports the bytes the process has allocated (eviction compares it with
  // maxmemory); `clock` supplies command times.
  Keyspace(const KeyspaceConfig& config, const Clock* clock, std::function<size_t()> used_memory);
  ~Keyspace();

  KeyspaceConfig& config() { return config_; }
  const KeyspaceConfig& config() const { return config_; }
  KeyspaceStats& stats() { return stats_; }
  void set_observer(KeyspaceObserver* observer) { observer_ = observer; }
  KeyspaceObserver* observer() { return observer_; }

  int db_count() const { return static_cast<int>(dbs_.size()); }
  // REQUIRES: 0 <= index < db_count().
  Db& db(int index) { return *dbs_[static_cast<size_t>(index)]; }

  // Fixes "now" for the command about to run: every TTL check within one command (or one
  // MULTI/EXEC, or one script) uses the same time, as Redis's command time snapshot does.
  void SetCommandTime(int64_t now_ms) { now_ms_ = now_ms; }
  void RefreshCommandTime() { now_ms_ = clock_->NowMs(); }
  int64_t now_ms() const { return now_ms_; }
  // Whether `e`'s TTL has passed at the command time: strictly after it, as Redis's keyIsExpired
  // (a key whose expire time equals now is still alive; SET/EXPIRE with a time at or before now
  // delete at once, which is their own rule).
  bool IsExpired(const Entry* e) const { return e->has_expire() && e->expire_at_ms() < now_ms_; }

  // Replicas keep logically expired keys until the primary's DEL arrives (no deletion, reads
  // still hide them). Loading an RDB also disables deletion.
  void set_expiry_deletes(bool on) { expiry_deletes_ = on; }
  bool expiry_deletes() const { return expiry_deletes_; }

  // Stamps `e`'s access clock (LRU seconds or LFU counter per the policy).
  void Touch(Entry* e);
  // The access clock a new entry gets.
  uint32_t InitialClock() const;
  // Seconds since last access (OBJECT IDLETIME).
  int64_t IdleSeconds(const Entry* e) const;
  // The decayed LFU counter (OBJECT FREQ).
  int LfuCount(const Entry* e) const;
  bool lfu() const;

  // Called when lazy or active expiry deletes a key.
  void NoteExpired(int db, std::string_view key);

  // One slow active expire cycle (serverCron): samples keys with a TTL in every db, deletes the
  // expired, and repeats while over 10% of a sample was expired, within a time budget that grows
  // with active-expire-effort. Returns keys deleted.
  int64_t ActiveExpireCycle();

  // Evicts keys per maxmemory-policy until used memory is at or under maxmemory. Returns OK, or
  // ResourceExhausted when over the limit with nothing evictable (the OOM case).
  Status PerformEvictions();
  size_t UsedMemory() const { return used_memory_(); }
  const std::function<size_t()>& used_memory_source() const { return used_memory_; }
  // True when maxmemory is set and used memory exceeds it.
  bool OverMaxmemory() const;

  void FlushAll();
  // REQUIRES: valid indexes.
  void SwapDbs(int a, int b);
  // Shrinks sparse tables and, with activerehashing (config().active_rehashing), moves rehash
  // work forward for up to ~1 ms, as Redis's databasesCron.
  void Rehash();

  std::mt19937_64& rng() { return rng_; }

 private:
  struct PoolEntry {
    uint64_t idle = 0;
    int db = 0;
    std::string key;
  };
  void PopulatePool(Db& db, bool volatile_only, std::vector<PoolEntry>* pool);
  uint64_t EvictionScore(const Entry* e) const;
  bool EvictOne();

  KeyspaceConfig config_;
  const Clock* clock_;
  std::function<size_t()> used_memory_;
  std::vector<std::unique_ptr<Db>> dbs_;
  KeyspaceStats stats_;
  KeyspaceObserver* observer_ = nullptr;
  int64_t now_ms_ = 0;
  bool expiry_deletes_ = true;
  std::mt19937_64 rng_;
  size_t expire_db_cursor_ = 0;
  size_t evict_random_db_ = 0;
  std::vector<PoolEntry> pool_;
};

}  // namespace cairn::engine
