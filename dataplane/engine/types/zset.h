// Sorted-set values (Redis 7.0 t_zset.c). While the set has at most zset-max-listpack-entries
// members and none longer than zset-max-listpack-value bytes it is one sorted Packed run of
// (score, member) elements (zset_item.h; OBJECT ENCODING "listpack"); past that it converts to
// a ZSetTree (order and ranks, O(log n)) plus a BlobTable from member to encoded score
// (OBJECT ENCODING "skiplist"). Writes never convert back, as Redis; the STORE commands build
// their result with ConvertToPackedIfFits, as Redis's zsetConvertToListpackIfNeeded.
// Ranks are 0-based in ascending (score, member) order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "dataplane/engine/entry.h"
#include "dataplane/engine/types/blob_table.h"
#include "dataplane/engine/types/packed.h"
#include "dataplane/engine/types/zset_tree.h"

namespace cairn::engine {

// Thresholds of the packed encoding (KeyspaceConfig holds the configured values).
struct ZSetLimits {
  int64_t max_entries = 128;  // zset-max-listpack-entries
  int64_t max_value = 64;     // zset-max-listpack-value (bytes of a member)
};

class ZSetValue final : public Value {
 public:
  using Pred = ZSetTree::Pred;
  // (score, member) per element; false stops the walk.
  using VisitFn = ZSetTree::VisitFn;

  ZSetValue() = default;

  Encoding encoding() const { return tree_ ? Encoding::kSkiplist : Encoding::kListpack; }
  size_t size() const { return tree_ ? tree_->size() : packed_.size(); }

  std::optional<double> Score(std::string_view member) const;
  // Adds `member` with `score` or moves it to `score`, converting to the full encoding past
  // `limits`. Returns true when the member is new. REQUIRES: score is not NaN.
  bool Set(std::string_view member, double score, const ZSetLimits& limits);
  // Removes `member`; returns whether it was there.
  bool Erase(std::string_view member);
  // The ascending rank of `member`, or nullopt.
  std::optional<size_t> Rank(std::string_view member) const;
  // The rank of the first element for which the monotone `pred` holds (size() when none).
  size_t LowerBound(const Pred& pred) const;
  // Walks from `rank` up (or down, `reverse`) until `fn` returns false or the set ends.
  // REQUIRES: rank < size(); `fn` does not modify the set.
  void Visit(size_t rank, bool reverse, const VisitFn& fn) const;
  // Every element in ascending order.
  void ForEach(const VisitFn& fn) const;
  // ZSCAN step: a packed set is returned whole with cursor 0, as Redis does.
  uint64_t Scan(uint64_t cursor,
                const std::function<void(std::string_view member, double score)>& fn) const;
  // A random element. REQUIRES: size() > 0.
  std::pair<std::string, double> Random(std::mt19937_64& rng) const;

  void ConvertToFull();
  // Back to the packed encoding when the set fits `limits` (Redis's
  // zsetConvertToListpackIfNeeded for the results of the STORE commands).
  void ConvertToPackedIfFits(const ZSetLimits& limits);

  size_t MemoryBytes() const override;
  std::unique_ptr<Value> Clone() const override;

 private:
  size_t FindPacked(std::string_view member) const;

  Packed packed_;
  std::unique_ptr<ZSetTree> tree_;
  std::unique_ptr<BlobTable> table_;  // member -> encoded score
};

}  // namespace cairn::engine
