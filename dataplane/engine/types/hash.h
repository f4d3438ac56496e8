// Hash values (Redis 7.0 t_hash.c): a Packed sequence of field, value pairs ("listpack") while
// the hash has at most hash-max-listpack-entries fields and no field or value longer than
// hash-max-listpack-value bytes, then a BlobTable ("hashtable"); never converted back, as Redis.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <utility>

#include "dataplane/engine/entry.h"
#include "dataplane/engine/types/blob_table.h"
#include "dataplane/engine/types/packed.h"

namespace cairn::engine {

// Thresholds of the packed encodings (KeyspaceConfig holds the configured values).
struct HashLimits {
  int64_t max_entries = 512;  // hash-max-listpack-entries
  int64_t max_value = 64;     // hash-max-listpack-value (bytes of a field or a value)
};

class HashValue final : public Value {
 public:
  HashValue() = default;

  Encoding encoding() const { return table_ ? Encoding::kHashtable : Encoding::kListpack; }
  size_t size() const { return table_ ? table_->size() : packed_.size() / 2; }

  std::optional<std::string_view> Get(std::string_view field) const;
  // Sets `field` to `value`, converting to a table past `limits`. Returns true for a new field.
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits);
  bool Erase(std::string_view field);
  // Converts to the table encoding (loading a hash past the limits).
  void ConvertToTable();

  // Visits fields and values (packed: insertion order; table: bucket order).
  void ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const;
  // HSCAN step: a packed hash is returned whole with cursor 0, as Redis does.
  uint64_t Scan(uint64_t cursor,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A random field and its value. REQUIRES: size() > 0.
  std::pair<std::string_view, std::string_view> Random(std::mt19937_64& rng) const;

  size_t MemoryBytes() const override;
  std::unique_ptr<Value> Clone() const override;

 private:
  // Offset of the field's element in packed_, or End().
  size_t FindPacked(std::string_view field) const;

  Packed packed_;
  std::unique_ptr<BlobTable> table_;
};

}  // namespace cairn::engine
