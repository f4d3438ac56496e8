// ZSetTree: the ordered half of the "skiplist" encoding of sorted sets. An order-statistic B+tree
// whose leaves are Packed runs of up to kLeafMax elements (zset_item.h: score | member), sorted
// by (score, member) and linked both ways for range walks; inner nodes hold up to kFanout
// children with each child's element count and a lower bound of its keys. Finding a key or a
// rank is O(log n) node steps plus a scan of one leaf. Leaves that shrink below a quarter merge
// with a neighbour; emptied nodes are removed, and a root with one child is replaced by it.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace cairn::engine {

class Packed;

namespace zset {
struct TreeNode;
// A monotone predicate over the (score, member) order (false ... false true ... true).
using Pred = std::function<bool(double score, std::string_view member)>;
// Index of the first element of the sorted run `p` for which `pred` holds (p.size() when none).
size_t IndexWhere(const Packed& p, const Pred& pred);
// Offset of the first element of the sorted run `p` that is >= (score, member), or p.End().
size_t LowerBoundIn(const Packed& p, double score, std::string_view member);
}  // namespace zset

class ZSetTree {
 public:
  using Pred = zset::Pred;
  // Called per element of a walk; returning false stops it.
  using VisitFn = std::function<bool(double score, std::string_view member)>;

  ZSetTree();
  ~ZSetTree();
  ZSetTree(const ZSetTree& other);
  ZSetTree& operator=(const ZSetTree&) = delete;

  size_t size() const;
  // Inserts an element. REQUIRES: (score, member) is absent.
  void Insert(double score, std::string_view member);
  // Removes (score, member); returns whether it was there.
  bool Erase(double score, std::string_view member);
  // The rank of the first element for which `pred` holds (size() when none).
  size_t LowerBound(const Pred& pred) const;
  // Walks from rank `rank` towards higher ranks (or lower, `reverse`) until `fn` returns false
  // or the set ends. REQUIRES: rank < size().
  void Visit(size_t rank, bool reverse, const VisitFn& fn) const;
  // Bytes of all nodes and their runs.
  size_t MemoryBytes() const;

 private:
  zset::TreeNode* root_;
};

}  // namespace cairn::engine
