// Keyspace: clocks, statistics, active expiry and eviction (Redis's evict.c and expire.c
// algorithms: sampled LRU/LFU with a 16-entry pool; adaptive expire cycle).
#include "dataplane/engine/keyspace.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

#include "dataplane/base/strings.h"

namespace cairn::engine {
namespace {

constexpr uint32_t kLruClockMax = (1 << 24) - 1;
constexpr int kLfuInitVal = 5;
constexpr size_t kEvictionPoolSize = 16;

struct PolicyName {
  EvictionPolicy policy;
  std::string_view name;
};
constexpr std::array<PolicyName, 8> kPolicyNames = {{
    {EvictionPolicy::kNoEviction, "noeviction"},
    {EvictionPolicy::kAllKeysLru, "allkeys-lru"},
    {EvictionPolicy::kAllKeysLfu, "allkeys-lfu"},
    {EvictionPolicy::kAllKeysRandom, "allkeys-random"},
    {EvictionPolicy::kVolatileLru, "volatile-lru"},
    {EvictionPolicy::kVolatileLfu, "volatile-lfu"},
    {EvictionPolicy::kVolatileRandom, "volatile-random"},
    {EvictionPolicy::kVolatileTtl, "volatile-ttl"},
}};

bool IsVolatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysRandom || p == EvictionPolicy::kVolatileRandom;
}

}  // namespace

std::string_view EvictionPolicyName(EvictionPolicy policy) {
  for (const PolicyName& p : kPolicyNames) {
    if (p.policy == policy) {
      return p.name;
    }
  }
  return "noeviction";
}

bool ParseEvictionPolicy(std::string_view name, EvictionPolicy* out) {
  for (const PolicyName& p : kPolicyNames) {
    if (EqualsIgnoreCase(p.name, name)) {
      *out = p.policy;
      return true;
    }
  }
  return false;
}

Keyspace::Keyspace(const KeyspaceConfig& config, const Clock* clock,
                   std::function<size_t()> used_memory)
    : config_(config), clock_(clock), used_memory_(std::move(used_memory)) {
  std::random_device rd;
  rng_.seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
  for (int i = 0; i < config_.databases; i++) {
    dbs_.push_back(std::make_unique<Db>(i, this, rng_()));
  }
  now_ms_ = clock_->NowMs();
}

Keyspace::~Keyspace() = default;

bool Keyspace::lfu() const {
  return config_.policy == EvictionPolicy::kAllKeysLfu ||
         config_.policy == EvictionPolicy::kVolatileLfu;
}

namespace {

uint32_t LruClock(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 1000) & kLruClockMax;
}

uint32_t LfuMinutes(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 1000 / 60) & 65535;
}

}  // namespace

int Keyspace::LfuCount(const Entry* e) const {
  uint32_t ldt = e->clock() >> 8;
  int counter = static_cast<int>(e->clock() & 255);
  uint32_t now = LfuMinutes(now_ms_);
  uint32_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  uint32_t periods = config_.lfu_decay_time > 0 ? elapsed / config_.lfu_decay_time : 0;
  return periods > static_cast<uint32_t>(counter) ? 0 : counter - static_cast<int>(periods);
}

uint32_t Keyspace::InitialClock() const {
  if (lfu()) {
    return (LfuMinutes(now_ms_) << 8) | kLfuInitVal;
  }
  return LruClock(now_ms_);
}

void Keyspace::Touch(Entry* e) {
  if (!lfu()) {
    e->set_clock(LruClock(now_ms_));
    return;
  }
  int counter = LfuCount(e);
  if (counter < 255) {
    double r = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    double base = std::max(counter - kLfuInitVal, 0);
    if (r < 1.0 / (base * config_.lfu_log_factor + 1)) {
      counter++;
    }
  }
  e->set_clock((LfuMinutes(now_ms_) << 8) | static_cast<uint32_t>(counter));
}

int64_t Keyspace::IdleSeconds(const Entry* e) const {
  uint32_t now = LruClock(now_ms_);
  uint32_t then = e->clock();
  return now >= then ? now - then : now + (kLruClockMax - then);
}

void Keyspace::NoteExpired(int db, std::string_view key) {
  stats_.expired_keys++;
  if (observer_ != nullptr) {
    observer_->OnKeyExpired(db, key);
  }
}

int64_t Keyspace::ActiveExpireCycle() {
  if (!expiry_deletes_ || !config_.active_expire) {
    return 0;
  }
  int effort = std::clamp(config_.active_expire_effort, 1, 10) - 1;
  int keys_per_loop = 20 + 20 / 4 * effort;
  int acceptable_stale = 10 - effort;
  int64_t time_limit_us = 1'000'000LL * (25 + 2 * effort) / std::max(config_.hz, 1) / 100;
  int64_t start_us = clock_->MonotonicUs();
  RefreshCommandTime();
  int64_t total_expired = 0;
  int64_t total_sampled = 0;
  bool timed_out = false;
  for (size_t n = 0; n < dbs_.size() && !timed_out; n++) {
    Db& db = *dbs_[expire_db_cursor_ % dbs_.size()];
    expire_db_cursor_++;
    int iteration = 0;
    while (true) {
      const std::vector<Entry*>& expiring = db.expiring();
      if (expiring.empty()) {
        break;
      }
      int sampled = 0;
      int expired = 0;
      for (int i = 0; i < keys_per_loop && !expiring.empty(); i++) {
        Entry* e = expiring[rng_() % expiring.size()];
        sampled++;
        if (db.ExpireIfNeeded(e)) {
          expired++;
        }
      }
      total_expired += expired;
      total_sampled += sampled;
      if ((++iteration & 15) == 0 && clock_->MonotonicUs() - start_us > time_limit_us) {
        timed_out = true;
        stats_.expired_time_cap_reached_count++;
        break;
      }
      if (sampled == 0 || expired * 100 / sampled <= acceptable_stale) {
        break;
      }
    }
  }
  int64_t elapsed_us = clock_->MonotonicUs() - start_us;
  stats_.expire_cycle_cpu_milliseconds += elapsed_us / 1000;
  double current = total_sampled > 0 ? static_cast<double>(total_expired) / total_sampled : 0;
  stats_.expired_stale_perc = current * 0.05 + stats_.expired_stale_perc * 0.95;
  return total_expired;
}

bool Keyspace::OverMaxmemory() const {
  return config_.maxmemory_bytes > 0 &&
         used_memory_() > static_cast<size_t>(config_.maxmemory_bytes);
}

uint64_t Keyspace::EvictionScore(const Entry* e) const {
  switch (config_.policy) {
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255 - static_cast<uint64_t>(LfuCount(e));
    case EvictionPolicy::kVolatileTtl:
      return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(e->expire_at_ms());
    default:
      return static_cast<uint64_t>(IdleSeconds(e)) * 1000;
  }
}

void Keyspace::PopulatePool(Db& db, bool volatile_only, std::vector<PoolEntry>* pool) {
  for (int i = 0; i < config_.maxmemory_samples; i++) {
    Entry* e;
    if (volatile_only) {
      if (db.expiring().empty()) {
        return;
      }
      e = db.expiring()[rng_() % db.expiring().size()];
    } else {
      e = db.table().Random(rng_);
      if (e == nullptr) {
        return;
      }
    }
    uint64_t idle = EvictionScore(e);
    // Keep the pool sorted by ascending idle; the best candidate is at the back.
    auto pos = std::lower_bound(pool->begin(), pool->end(), idle,
                                [](const PoolEntry& p, uint64_t v) { return p.idle < v; });
    if (pool->size() >= kEvictionPoolSize) {
      if (pos == pool->begin()) {
        continue;  // worse than everything pooled
      }
      pool->erase(pool->begin());
      pos = std::lower_bound(pool->begin(), pool->end(), idle,
                             [](const PoolEntry& p, uint64_t v) { return p.idle < v; });
    }
    std::string_view key = e->key();
    bool duplicate = false;
    for (const PoolEntry& p : *pool) {
      if (p.db == db.index() && p.key == key) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate) {
      pool->insert(pos, PoolEntry{idle, db.index(), std::string(key)});
    }
  }
}

bool Keyspace::EvictOne() {
  EvictionPolicy policy = config_.policy;
  bool volatile_only = IsVolatile(policy);
  int victim_db = -1;
  std::string victim;
  if (IsRandom(policy)) {
    for (size_t n = 0; n < dbs_.size() && victim_db < 0; n++) {
      Db& db = *dbs_[evict_random_db_++ % dbs_.size()];
      Entry* e = nullptr;
      if (volatile_only) {
        if (!db.expiring().empty()) {
          e = db.expiring()[rng_() % db.expiring().size()];
        }
      } else {
        e = db.table().Random(rng_);
      }
      if (e != nullptr) {
        victim_db = db.index();
        victim = std::string(e->key());
      }
    }
  } else {
    while (victim_db < 0) {
      bool any = false;
      for (auto& db : dbs_) {
        if ((volatile_only ? db->expires_size() : db->size()) > 0) {
          any = true;
          PopulatePool(*db, volatile_only, &pool_);
        }
      }
      if (!any) {
        break;
      }
      while (!pool_.empty()) {
        PoolEntry best = std::move(pool_.back());
        pool_.pop_back();
        Entry* e = dbs_[static_cast<size_t>(best.db)]->Find(best.key);
        if (e != nullptr && (!volatile_only || e->has_expire())) {
          victim_db = best.db;
          victim = std::move(best.key);
          break;
        }
      }
    }
  }
  if (victim_db < 0) {
    return false;
  }
  dbs_[static_cast<size_t>(victim_db)]->Delete(victim);
  stats_.evicted_keys++;
  if (observer_ != nullptr) {
    observer_->OnKeyEvicted(victim_db, victim);
  }
  return true;
}

Status Keyspace::PerformEvictions() {
  if (!OverMaxmemory()) {
    return Status::Ok();
  }
  if (config_.policy == EvictionPolicy::kNoEviction) {
    return Status::ResourceExhausted("maxmemory reached and maxmemory-policy is noeviction");
  }
  while (OverMaxmemory()) {
    if (!EvictOne()) {
      return Status::ResourceExhausted("maxmemory reached and no key can be evicted");
    }
  }
  return Status::Ok();
}

void Keyspace::FlushAll() {
  for (auto& db : dbs_) {
    db->Clear();
  }
  pool_.clear();
}

void Keyspace::SwapDbs(int a, int b) {
  dbs_[static_cast<size_t>(a)]->SwapContents(*dbs_[static_cast<size_t>(b)]);
  pool_.clear();
}

void Keyspace::Rehash() {
  int64_t start = clock_->MonotonicUs();
  for (auto& db : dbs_) {
    EntryTable& table = db->table();
    table.MaybeShrink();
    if (!config_.active_rehashing) {
      continue;
    }
    while (table.RehashStep(100)) {
      if (clock_->MonotonicUs() - start > 1000) {
        return;
      }
    }
  }
}

}  // namespace cairn::engine
