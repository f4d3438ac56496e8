// List values (Redis 7.0 t_list.c over a quicklist): a sequence of Packed nodes, each holding up
// to list-max-listpack-size worth of elements (negative: -1..-5 = 4, 8, 16, 32, 64 KB per node;
// positive: that many elements, capped at 8 KB unless an element alone is larger). OBJECT
// ENCODING reports "quicklist", as Redis 7.0 does for every list. The list ops here work on a
// ListValue; the keyspace side (lookup, WRONGTYPE, create, delete when empty) is in list_ops.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/engine/entry.h"
#include "dataplane/engine/types/packed.h"

namespace cairn::engine {

class ListValue final : public Value {
 public:
  // `fill` is list-max-listpack-size.
  explicit ListValue(int fill) : fill_(fill) {}

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  void set_fill(int fill) { fill_ = fill; }

  void PushFront(std::string_view s);
  void PushBack(std::string_view s);
  // Removes and returns the first / last element. REQUIRES: !empty().
  std::string PopFront();
  std::string PopBack();
  // The element at `index` (0-based from the head). REQUIRES: index < size().
  std::string_view At(size_t index) const;
  // Replaces the element at `index`. REQUIRES: index < size().
  void Set(size_t index, std::string_view s);
  // Inserts `s` before the element at `index` (index == size() appends).
  void InsertAt(size_t index, std::string_view s);
  // Visits elements from `start` to `stop` inclusive (REQUIRES: start <= stop < size()), head to
  // tail, or tail to head when `reverse` (then start/stop count from the tail). The visitor
  // returns false to stop early.
  void Visit(size_t start, size_t stop, bool reverse,
             const std::function<bool(std::string_view)>& visit) const;
  // Removes up to `count` elements equal to `s` from the head (count > 0), the tail (count < 0)
  // or everywhere (count == 0), as LREM. Returns how many were removed.
  int64_t Remove(int64_t count, std::string_view s);
  // Keeps only the elements from `start` to `stop` inclusive; an empty range (start > stop)
  // empties the list. REQUIRES: stop < size() when start <= stop.
  void Trim(size_t start, size_t stop);

  size_t MemoryBytes() const override;
  std::unique_ptr<Value> Clone() const override;

 private:
  bool NodeHasRoom(const Packed& node, size_t element_bytes) const;
  // Node index and element index within it of the list's `index`th element.
  std::pair<size_t, size_t> Locate(size_t index) const;
  void Rebuild(const std::vector<std::string>& elements);

  int fill_;
  size_t count_ = 0;
  std::vector<Packed> nodes_;
};

}  // namespace cairn::engine
