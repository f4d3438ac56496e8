// Set values (Redis 7.0 t_set.c): a sorted array of integers ("intset", 2, 4 or 8 bytes per
// member by the widest value, as Redis's intset) while every member is a canonical integer and
// there are at most set-max-intset-entries, then a BlobTable ("hashtable"); never converted back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "dataplane/engine/entry.h"
#include "dataplane/engine/types/blob_table.h"

namespace cairn::engine {

class SetValue final : public Value {
 public:
  SetValue() = default;

  Encoding encoding() const { return table_ ? Encoding::kHashtable : Encoding::kIntset; }
  size_t size() const { return table_ ? table_->size() : count_; }

  bool Contains(std::string_view member) const;
  // Adds `member`, converting to a table when it is not an integer or the intset would pass
  // `max_intset` entries. Returns whether it was new.
  bool Add(std::string_view member, int64_t max_intset);
  bool Remove(std::string_view member);
  void ConvertToTable();

  // Visits every member (intset: ascending order).
  void ForEach(const std::function<void(std::string_view)>& fn) const;
  // SSCAN step: an intset is returned whole with cursor 0.
  uint64_t Scan(uint64_t cursor, const std::function<void(std::string_view)>& fn) const;
  // A random member. REQUIRES: size() > 0.
  std::string Random(std::mt19937_64& rng) const;

  size_t MemoryBytes() const override;
  std::unique_ptr<Value> Clone() const override;

 private:
  int64_t IntAt(size_t i) const;
  void SetIntAt(size_t i, int64_t v);
  // Index of the first member >= v.
  size_t LowerBound(int64_t v) const;
  void Widen(uint8_t width);

  // Intset: count_ members of width_ bytes each, ascending, in ints_.
  std::string ints_;
  uint8_t width_ = 2;
  size_t count_ = 0;
  std::unique_ptr<BlobTable> table_;
};

}  // namespace cairn::engine
