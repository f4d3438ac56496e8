// EntryTable: chained hashing with incremental rehash and reverse-binary scan cursors.
#include "dataplane/engine/entry_table.h"

#include <xxhash.h>

#include <bit>

#include "dataplane/base/status.h"

namespace cairn::engine {
namespace {

constexpr uint64_t kInitialSize = 4;

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

EntryTable::EntryTable(uint64_t seed) : seed_(seed) {}

EntryTable::~EntryTable() {
  Clear();
}

uint64_t EntryTable::Hash(std::string_view key) const {
  return XXH3_64bits_withSeed(key.data(), key.size(), seed_);
}

Entry* EntryTable::Find(std::string_view key) const {
  // FindLink only reads; the cast lets the one chain walk serve both.
  Entry** link = const_cast<EntryTable*>(this)->FindLink(key);
  return link != nullptr ? *link : nullptr;
}

Entry** EntryTable::Locate(std::string_view key, int* table_index) {
  if (size() == 0) {
    return nullptr;
  }
  uint64_t h = Hash(key);
  for (int t = 0; t < 2; t++) {
    Table& table = tables_[t];
    if (table.size == 0) {
      continue;
    }
    Entry** link = &table.buckets[h & table.mask];
    while (*link != nullptr) {
      if ((*link)->key() == key) {
        *table_index = t;
        return link;
      }
      link = reinterpret_cast<Entry**>(*link);  // `next` is an entry's first field
    }
    if (!rehashing()) {
      break;
    }
  }
  return nullptr;
}

Entry** EntryTable::FindLink(std::string_view key) {
  int table_index;
  return Locate(key, &table_index);
}

void EntryTable::Insert(Entry* e) {
  if (rehashing()) {
    RehashStep(1);
  }
  MaybeGrow();
  uint64_t h = Hash(e->key());
  Table& table = rehashing() ? tables_[1] : tables_[0];
  Entry*& bucket = table.buckets[h & table.mask];
  e->set_next(bucket);
  bucket = e;
  table.used++;
}

Entry* EntryTable::Remove(std::string_view key) {
  if (rehashing()) {
    RehashStep(1);
  }
  int table_index;
  Entry** link = Locate(key, &table_index);
  if (link == nullptr) {
    return nullptr;
  }
  Entry* e = *link;
  *link = e->next();
  e->set_next(nullptr);
  tables_[table_index].used--;
  return e;
}

Entry* EntryTable::Replace(Entry** link, Entry* replacement) {
  Entry* old = *link;
  replacement->set_next(old->next());
  *link = replacement;
  old->set_next(nullptr);
  return old;
}

void EntryTable::Expand(uint64_t entries) {
  if (size() == 0 && !rehashing() && entries > tables_[0].size) {
    Resize(entries);
  }
}

void EntryTable::MaybeGrow() {
  if (rehashing()) {
    return;
  }
  if (tables_[0].size == 0) {
    Resize(kInitialSize);
  } else if (tables_[0].used >= tables_[0].size) {
    Resize(tables_[0].used + 1);
  }
}

bool EntryTable::MaybeShrink() {
  if (rehashing() || tables_[0].size <= kInitialSize) {
    return false;
  }
  if (tables_[0].used * 10 >= tables_[0].size) {
    return false;
  }
  Resize(std::max<uint64_t>(tables_[0].used, kInitialSize));
  return true;
}

void EntryTable::Resize(uint64_t min_size) {
  uint64_t size = std::bit_ceil(std::max(min_size, kInitialSize));
  if (size == tables_[0].size) {
    return;
  }
  Table fresh;
  fresh.buckets = std::make_unique<Entry*[]>(size);  // value-initialised: all nullptr
  fresh.size = size;
  fresh.mask = size - 1;
  if (tables_[0].size == 0) {
    tables_[0] = std::move(fresh);
    return;
  }
  tables_[1] = std::move(fresh);
  rehash_index_ = 0;
}

void EntryTable::MoveBucket(uint64_t index) {
  Entry* e = tables_[0].buckets[index];
  while (e != nullptr) {
    Entry* next = e->next();
    uint64_t h = Hash(e->key());
    Entry*& dest = tables_[1].buckets[h & tables_[1].mask];
    e->set_next(dest);
    dest = e;
    tables_[0].used--;
    tables_[1].used++;
    e = next;
  }
  tables_[0].buckets[index] = nullptr;
}

bool EntryTable::RehashStep(int buckets) {
  if (!rehashing()) {
    return false;
  }
  int empty_visits = buckets * 10;
  while (buckets-- > 0 && tables_[0].used != 0) {
    while (tables_[0].buckets[rehash_index_] == nullptr) {
      rehash_index_++;
      if (--empty_visits == 0) {
        return true;
      }
    }
    MoveBucket(static_cast<uint64_t>(rehash_index_));
    rehash_index_++;
  }
  if (tables_[0].used == 0) {
    tables_[0] = std::move(tables_[1]);
    tables_[1] = Table();
    rehash_index_ = -1;
    return false;
  }
  return true;
}

uint64_t EntryTable::Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const {
  if (size() == 0) {
    return 0;
  }
  uint64_t v = cursor;
  auto emit = [&fn](Entry* e) {
    while (e != nullptr) {
      Entry* next = e->next();
      fn(e);
      e = next;
    }
  };
  if (!rehashing()) {
    const Table& t0 = tables_[0];
    emit(t0.buckets[v & t0.mask]);
    v |= ~t0.mask;
    v = ReverseBits(v);
    v++;
    v = ReverseBits(v);
    return v;
  }
  // Visit the bucket of the smaller table, then every bucket of the larger table that expands it.
  const Table* small = &tables_[0];
  const Table* large = &tables_[1];
  if (small->size > large->size) {
    std::swap(small, large);
  }
  uint64_t m0 = small->mask;
  uint64_t m1 = large->mask;
  emit(small->buckets[v & m0]);
  do {
    emit(large->buckets[v & m1]);
    v |= ~m1;
    v = ReverseBits(v);
    v++;
    v = ReverseBits(v);
  } while ((v & (m0 ^ m1)) != 0);
  return v;
}

Entry* EntryTable::Random(std::mt19937_64& rng) const {
  if (size() == 0) {
    return nullptr;
  }
  Entry* head = nullptr;
  // Bounded: the table is at least 10% full (MaybeShrink), so this ends fast in practice; the
  // bound only guards a pathological caller.
  for (int attempt = 0; head == nullptr && attempt < 1'000'000; attempt++) {
    if (rehashing()) {
      uint64_t span = tables_[0].size + tables_[1].size - static_cast<uint64_t>(rehash_index_);
      uint64_t i = static_cast<uint64_t>(rehash_index_) + rng() % span;
      head = i >= tables_[0].size ? tables_[1].buckets[i - tables_[0].size] : tables_[0].buckets[i];
    } else {
      head = tables_[0].buckets[rng() & tables_[0].mask];
    }
  }
  if (head == nullptr) {
    ForEach([&head](Entry* e) {
      if (head == nullptr) {
        head = e;
      }
    });
    return head;
  }
  size_t chain = 0;
  for (Entry* e = head; e != nullptr; e = e->next()) {
    chain++;
  }
  size_t pick = rng() % chain;
  Entry* e = head;
  while (pick-- > 0) {
    e = e->next();
  }
  return e;
}

void EntryTable::ForEach(const std::function<void(Entry*)>& fn) const {
  for (const Table& table : tables_) {
    for (uint64_t i = 0; i < table.size; i++) {
      for (Entry* e = table.buckets[i]; e != nullptr;) {
        Entry* next = e->next();
        fn(e);
        e = next;
      }
    }
  }
}

void EntryTable::Clear() {
  for (Table& table : tables_) {
    for (uint64_t i = 0; i < table.size; i++) {
      Entry* e = table.buckets[i];
      while (e != nullptr) {
        Entry* next = e->next();
        Entry::Free(e);
        e = next;
      }
    }
    table = Table();
  }
  rehash_index_ = -1;
}

}  // namespace cairn::engine
