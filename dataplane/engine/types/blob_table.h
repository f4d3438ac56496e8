// BlobTable: the "hashtable" encoding of hashes and sets. A chained hash table whose entries are
// single allocations
//   next pointer | varint key_len | key | [varint value_len | value]
// (the value part only in tables made `with_values`, i.e. hashes), so a member costs one small
// allocation plus its bucket slot. Power-of-two bucket arrays, grown when the load reaches 1 and
// shrunk below 1/8, rehashed at once; SCAN uses Redis's reverse-binary cursor so every member
// present for a whole scan is returned at least once across resizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace cairn::engine {

class BlobTable {
 public:
  explicit BlobTable(bool with_values) : with_values_(with_values) {}
  ~BlobTable();
  BlobTable(const BlobTable& other);
  BlobTable& operator=(const BlobTable&) = delete;

  size_t size() const { return size_; }
  bool with_values() const { return with_values_; }

  bool Contains(std::string_view key) const { return Find(key) != nullptr; }
  // The value stored for `key` (empty for tables without values), or nullopt.
  std::optional<std::string_view> Get(std::string_view key) const;
  // Adds `key` with `value` or replaces its value. Returns true when the key is new.
  bool Set(std::string_view key, std::string_view value = {});
  // Removes `key`. Returns whether it was there.
  bool Erase(std::string_view key);
  // Reserves buckets for `n` keys (conversion from a packed encoding).
  void Reserve(size_t n);

  // Visits every key and value (the value is empty for tables without values).
  void ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const;
  // One SCAN step: visits the bucket(s) `cursor` names; returns the next cursor, 0 when done.
  uint64_t Scan(uint64_t cursor,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A random key and value (fair per bucket, as Redis's dictGetFairRandomKey approximates).
  // REQUIRES: size() > 0.
  std::pair<std::string_view, std::string_view> Random(std::mt19937_64& rng) const;

  // Bytes of the buckets and the entry allocations.
  size_t MemoryBytes() const { return buckets_.capacity() * sizeof(char*) + blob_bytes_; }

 private:
  char* Find(std::string_view key) const;
  uint64_t Hash(std::string_view key) const;
  char* NewBlob(std::string_view key, std::string_view value) const;
  void Resize(size_t buckets);
  void FreeBlob(char* blob);

  bool with_values_;
  size_t size_ = 0;
  size_t blob_bytes_ = 0;
  std::vector<char*> buckets_;
};

}  // namespace cairn::engine
