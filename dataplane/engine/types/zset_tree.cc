// ZSetTree nodes, descent by key / predicate / rank, splits and merges.
#include "dataplane/engine/types/zset_tree.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/engine/types/packed.h"
#include "dataplane/engine/types/zset_item.h"

namespace cairn::engine {
namespace zset {

struct TreeNode {
  explicit TreeNode(bool is_leaf) : leaf(is_leaf) {}
  bool leaf;
  size_t count = 0;  // elements in the subtree
};

struct TreeLeaf : TreeNode {
  TreeLeaf() : TreeNode(true) {}
  Packed items;
  TreeLeaf* prev = nullptr;
  TreeLeaf* next = nullptr;
};

// A child and a lower bound of its keys, above every key of the child before it (unused for
// the first child).
struct TreeChild {
  TreeNode* node = nullptr;
  double score = 0;
  std::string member;
};

struct TreeInner : TreeNode {
  TreeInner() : TreeNode(false) {}
  std::vector<TreeChild> children;
};

size_t LowerBoundIn(const Packed& p, double s, std::string_view m) {
  for (size_t pos = p.Begin(); pos != p.End(); pos = p.Next(pos)) {
    Item it = DecodeItem(p.At(pos));
    if (Compare(it.score, it.member, s, m) >= 0) {
      return pos;
    }
  }
  return p.End();
}

size_t IndexWhere(const Packed& p, const Pred& pred) {
  size_t index = 0;
  for (size_t pos = p.Begin(); pos != p.End(); pos = p.Next(pos), index++) {
    Item it = DecodeItem(p.At(pos));
    if (pred(it.score, it.member)) {
      break;
    }
  }
  return index;
}

}  // namespace zset

namespace {

using zset::TreeChild;
using zset::TreeInner;
using zset::TreeLeaf;
using zset::TreeNode;

constexpr size_t kLeafMax = 128;
constexpr size_t kLeafMin = kLeafMax / 4;
constexpr size_t kLeafMaxBytes = 8192;
constexpr size_t kFanout = 64;

TreeLeaf* AsLeaf(TreeNode* n) {
  return static_cast<TreeLeaf*>(n);
}
TreeInner* AsInner(TreeNode* n) {
  return static_cast<TreeInner*>(n);
}

void Free(TreeNode* n) {
  if (n->leaf) {
    delete AsLeaf(n);
    return;
  }
  for (TreeChild& c : AsInner(n)->children) {
    Free(c.node);
  }
  delete AsInner(n);
}

void Unlink(TreeLeaf* leaf) {
  if (leaf->prev != nullptr) {
    leaf->prev->next = leaf->next;
  }
  if (leaf->next != nullptr) {
    leaf->next->prev = leaf->prev;
  }
}

// Index of the child of `n` that holds (s, m): the last whose bound is <= the key.
size_t ChildFor(const TreeInner* n, double s, std::string_view m) {
  size_t lo = 1;
  size_t hi = n->children.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const TreeChild& c = n->children[mid];
    if (zset::Compare(c.score, c.member, s, m) > 0) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo - 1;
}

TreeLeaf* SplitLeaf(TreeLeaf* leaf) {
  size_t half = leaf->items.size() / 2;
  auto* right = new TreeLeaf();
  Packed left;
  size_t i = 0;
  for (size_t pos = leaf->items.Begin(); pos != leaf->items.End(); pos = leaf->items.Next(pos)) {
    (i++ < half ? left : right->items).PushBack(leaf->items.At(pos));
  }
  leaf->items = std::move(left);
  leaf->count = leaf->items.size();
  right->count = right->items.size();
  right->next = leaf->next;
  if (right->next != nullptr) {
    right->next->prev = right;
  }
  right->prev = leaf;
  leaf->next = right;
  return right;
}

TreeInner* SplitInner(TreeInner* inner) {
  auto* right = new TreeInner();
  size_t half = inner->children.size() / 2;
  auto from = inner->children.begin() + static_cast<ptrdiff_t>(half);
  right->children.assign(std::make_move_iterator(from),
                         std::make_move_iterator(inner->children.end()));
  inner->children.resize(half);
  for (const TreeChild& c : right->children) {
    right->count += c.node->count;
  }
  inner->count -= right->count;
  return right;
}

// Inserts the encoded `item` = (s, m) below `n`; returns the new right sibling of a split.
std::optional<TreeChild> InsertInto(TreeNode* n, double s, std::string_view m,
                                    std::string_view item) {
  n->count++;
  if (n->leaf) {
    TreeLeaf* leaf = AsLeaf(n);
    leaf->items.Insert(zset::LowerBoundIn(leaf->items, s, m), item);
    size_t size = leaf->items.size();
    if (size <= kLeafMax && (leaf->items.bytes() <= kLeafMaxBytes || size < 2)) {
      return std::nullopt;
    }
    TreeLeaf* right = SplitLeaf(leaf);
    zset::Item first = zset::DecodeItem(right->items.At(right->items.Begin()));
    return TreeChild{right, first.score, std::string(first.member)};
  }
  TreeInner* inner = AsInner(n);
  size_t i = ChildFor(inner, s, m);
  std::optional<TreeChild> split = InsertInto(inner->children[i].node, s, m, item);
  if (!split) {
    return std::nullopt;
  }
  inner->children.insert(inner->children.begin() + static_cast<ptrdiff_t>(i) + 1,
                         std::move(*split));
  if (inner->children.size() <= kFanout) {
    return std::nullopt;
  }
  TreeInner* right = SplitInner(inner);
  return TreeChild{right, right->children[0].score, right->children[0].member};
}

// Moves every element of `src` to the end of `dst` and frees `src`.
void AppendLeaf(TreeLeaf* dst, TreeLeaf* src) {
  for (size_t pos = src->items.Begin(); pos != src->items.End(); pos = src->items.Next(pos)) {
    dst->items.PushBack(src->items.At(pos));
  }
  dst->count += src->count;
  Unlink(src);
  delete src;
}

// Merges the small leaf at children[i] with a neighbour when they fit in one leaf.
void MaybeMerge(TreeInner* inner, size_t i) {
  std::vector<TreeChild>& c = inner->children;
  TreeLeaf* leaf = AsLeaf(c[i].node);
  if (i + 1 < c.size() && leaf->count + c[i + 1].node->count <= kLeafMax) {
    AppendLeaf(leaf, AsLeaf(c[i + 1].node));
    c.erase(c.begin() + static_cast<ptrdiff_t>(i) + 1);
  } else if (i > 0 && leaf->count + c[i - 1].node->count <= kLeafMax) {
    AppendLeaf(AsLeaf(c[i - 1].node), leaf);
    c.erase(c.begin() + static_cast<ptrdiff_t>(i));
  }
}

bool EraseFrom(TreeNode* n, double s, std::string_view m) {
  if (n->leaf) {
    Packed& p = AsLeaf(n)->items;
    size_t pos = zset::LowerBoundIn(p, s, m);
    if (pos == p.End()) {
      return false;
    }
    zset::Item it = zset::DecodeItem(p.At(pos));
    if (zset::Compare(it.score, it.member, s, m) != 0) {
      return false;
    }
    p.Erase(pos);
    n->count--;
    return true;
  }
  TreeInner* inner = AsInner(n);
  size_t i = ChildFor(inner, s, m);
  TreeNode* child = inner->children[i].node;
  if (!EraseFrom(child, s, m)) {
    return false;
  }
  n->count--;
  if (child->count == 0) {
    if (child->leaf) {
      Unlink(AsLeaf(child));
    }
    Free(child);
    inner->children.erase(inner->children.begin() + static_cast<ptrdiff_t>(i));
  } else if (child->leaf && child->count < kLeafMin) {
    MaybeMerge(inner, i);
  }
  return true;
}

size_t NodeBytes(const TreeNode* n) {
  if (n->leaf) {
    return sizeof(TreeLeaf) + static_cast<const TreeLeaf*>(n)->items.AllocatedBytes();
  }
  const auto* inner = static_cast<const TreeInner*>(n);
  size_t bytes = sizeof(TreeInner) + inner->children.capacity() * sizeof(TreeChild);
  for (const TreeChild& c : inner->children) {
    bytes += NodeBytes(c.node);
    if (c.member.capacity() > 15) {
      bytes += c.member.capacity() + 1;
    }
  }
  return bytes;
}

}  // namespace

ZSetTree::ZSetTree() : root_(new TreeLeaf()) {}

ZSetTree::~ZSetTree() {
  Free(root_);
}

ZSetTree::ZSetTree(const ZSetTree& other) : root_(new TreeLeaf()) {
  if (other.size() > 0) {
    other.Visit(0, false, [this](double s, std::string_view m) {
      Insert(s, m);
      return true;
    });
  }
}

size_t ZSetTree::size() const {
  return root_->count;
}

void ZSetTree::Insert(double score, std::string_view member) {
  std::string item = zset::EncodeItem(score, member);
  std::optional<TreeChild> split = InsertInto(root_, score, member, item);
  if (!split) {
    return;
  }
  auto* root = new TreeInner();
  root->count = root_->count + split->node->count;
  root->children.push_back(TreeChild{root_, 0, {}});
  root->children.push_back(std::move(*split));
  root_ = root;
}

bool ZSetTree::Erase(double score, std::string_view member) {
  if (!EraseFrom(root_, score, member)) {
    return false;
  }
  while (!root_->leaf && AsInner(root_)->children.size() <= 1) {
    TreeInner* old = AsInner(root_);
    root_ = old->children.empty() ? new TreeLeaf() : old->children[0].node;
    old->children.clear();
    delete old;
  }
  return true;
}

size_t ZSetTree::LowerBound(const Pred& pred) const {
  size_t rank = 0;
  const TreeNode* n = root_;
  while (!n->leaf) {
    const auto& c = static_cast<const TreeInner*>(n)->children;
    size_t lo = 1;
    size_t hi = c.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (pred(c[mid].score, c[mid].member)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    for (size_t k = 0; k + 1 < lo; k++) {
      rank += c[k].node->count;
    }
    n = c[lo - 1].node;
  }
  return rank + zset::IndexWhere(static_cast<const TreeLeaf*>(n)->items, pred);
}

void ZSetTree::Visit(size_t rank, bool reverse, const VisitFn& fn) const {
  const TreeNode* n = root_;
  while (!n->leaf) {
    for (const TreeChild& c : static_cast<const TreeInner*>(n)->children) {
      if (rank < c.node->count) {
        n = c.node;
        break;
      }
      rank -= c.node->count;
    }
  }
  const auto* leaf = static_cast<const TreeLeaf*>(n);
  size_t pos = leaf->items.Seek(rank);
  while (true) {
    zset::Item it = zset::DecodeItem(leaf->items.At(pos));
    if (!fn(it.score, it.member)) {
      return;
    }
    if (!reverse) {
      pos = leaf->items.Next(pos);
      if (pos == leaf->items.End()) {
        if ((leaf = leaf->next) == nullptr) {
          return;
        }
        pos = leaf->items.Begin();
      }
    } else if (pos == leaf->items.Begin()) {
      if ((leaf = leaf->prev) == nullptr) {
        return;
      }
      pos = leaf->items.Prev(leaf->items.End());
    } else {
      pos = leaf->items.Prev(pos);
    }
  }
}

size_t ZSetTree::MemoryBytes() const {
  return NodeBytes(root_);
}

}  // namespace cairn::engine
