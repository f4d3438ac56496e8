// ListValue: quicklist of Packed nodes.
#include "dataplane/engine/types/list.h"

#include <malloc.h>

#include <algorithm>

namespace cairn::engine {
namespace {

// quicklist's SIZE_SAFETY_LIMIT: a count-limited node still stops at 8 KB.
constexpr size_t kSizeSafetyLimit = 8192;

size_t MaxNodeBytes(int fill) {
  int level = std::clamp(-fill, 1, 5);
  return size_t{4096} << (level - 1);
}

}  // namespace

bool ListValue::NodeHasRoom(const Packed& node, size_t element_bytes) const {
  size_t new_bytes = node.bytes() + Packed::EncodedSize(element_bytes);
  if (fill_ >= 0) {
    return node.size() < static_cast<size_t>(std::max(fill_, 1)) && new_bytes <= kSizeSafetyLimit;
  }
  return new_bytes <= MaxNodeBytes(fill_);
}

void ListValue::PushFront(std::string_view s) {
  if (nodes_.empty() || !NodeHasRoom(nodes_.front(), s.size())) {
    nodes_.insert(nodes_.begin(), Packed());
  }
  nodes_.front().PushFront(s);
  count_++;
}

void ListValue::PushBack(std::string_view s) {
  if (nodes_.empty() || !NodeHasRoom(nodes_.back(), s.size())) {
    nodes_.emplace_back();
  }
  nodes_.back().PushBack(s);
  count_++;
}

std::string ListValue::PopFront() {
  Packed& node = nodes_.front();
  std::string out(node.At(node.Begin()));
  node.Erase(node.Begin());
  if (node.empty()) {
    nodes_.erase(nodes_.begin());
  }
  count_--;
  return out;
}

std::string ListValue::PopBack() {
  Packed& node = nodes_.back();
  size_t last = node.Prev(node.End());
  std::string out(node.At(last));
  node.Erase(last);
  if (node.empty()) {
    nodes_.pop_back();
  }
  count_--;
  return out;
}

std::pair<size_t, size_t> ListValue::Locate(size_t index) const {
  if (index < count_ / 2) {
    for (size_t n = 0; n < nodes_.size(); n++) {
      if (index < nodes_[n].size()) {
        return {n, index};
      }
      index -= nodes_[n].size();
    }
  }
  size_t from_tail = count_ - 1 - index;
  for (size_t n = nodes_.size(); n-- > 0;) {
    if (from_tail < nodes_[n].size()) {
      return {n, nodes_[n].size() - 1 - from_tail};
    }
    from_tail -= nodes_[n].size();
  }
  return {0, 0};
}

std::string_view ListValue::At(size_t index) const {
  auto [n, i] = Locate(index);
  const Packed& node = nodes_[n];
  return node.At(node.Seek(i));
}

void ListValue::Set(size_t index, std::string_view s) {
  std::string copy(s);
  auto [n, i] = Locate(index);
  Packed& node = nodes_[n];
  node.Replace(node.Seek(i), copy);
}

void ListValue::InsertAt(size_t index, std::string_view s) {
  std::string copy(s);
  if (index == 0) {
    PushFront(copy);
    return;
  }
  if (index >= count_) {
    PushBack(copy);
    return;
  }
  auto [n, i] = Locate(index);
  Packed& node = nodes_[n];
  if (NodeHasRoom(node, copy.size())) {
    node.Insert(node.Seek(i), copy);
    count_++;
    return;
  }
  // Split the full node at the insertion point: [0, i) stays, the new element and the rest follow.
  Packed tail;
  size_t pos = node.Seek(i);
  while (pos != node.End()) {
    tail.PushBack(node.At(pos));
    node.Erase(pos);
  }
  Packed mid;
  mid.PushBack(copy);
  nodes_.insert(nodes_.begin() + static_cast<ptrdiff_t>(n) + 1, std::move(tail));
  if (node.empty()) {
    node = std::move(mid);
  } else {
    nodes_.insert(nodes_.begin() + static_cast<ptrdiff_t>(n) + 1, std::move(mid));
  }
  count_++;
}

void ListValue::Visit(size_t start, size_t stop, bool reverse,
                      const std::function<bool(std::string_view)>& visit) const {
  size_t remaining = stop - start + 1;
  size_t index = reverse ? count_ - 1 - start : start;
  auto [n, i] = Locate(index);
  size_t pos = nodes_[n].Seek(i);
  while (remaining > 0) {
    const Packed& node = nodes_[n];
    if (!reverse) {
      for (; pos != node.End() && remaining > 0; pos = node.Next(pos), remaining--) {
        if (!visit(node.At(pos))) {
          return;
        }
      }
      if (remaining > 0) {
        n++;
        pos = 0;
      }
    } else {
      while (true) {
        if (!visit(node.At(pos))) {
          return;
        }
        if (--remaining == 0 || pos == node.Begin()) {
          break;
        }
        pos = node.Prev(pos);
      }
      if (remaining > 0) {
        n--;
        pos = nodes_[n].Prev(nodes_[n].End());
      }
    }
  }
}

void ListValue::Rebuild(const std::vector<std::string>& elements) {
  nodes_.clear();
  count_ = 0;
  for (const std::string& s : elements) {
    PushBack(s);
  }
}

int64_t ListValue::Remove(int64_t count, std::string_view s) {
  std::vector<std::string> all;
  all.reserve(count_);
  Visit(0, count_ - 1, false, [&](std::string_view v) {
    all.emplace_back(v);
    return true;
  });
  std::vector<bool> drop(all.size(), false);
  int64_t removed = 0;
  int64_t limit = count == 0 ? INT64_MAX : (count < 0 ? -count : count);
  for (size_t k = 0; k < all.size() && removed < limit; k++) {
    size_t i = count < 0 ? all.size() - 1 - k : k;
    if (all[i] == s) {
      drop[i] = true;
      removed++;
    }
  }
  if (removed == 0) {
    return 0;
  }
  std::vector<std::string> kept;
  kept.reserve(all.size() - static_cast<size_t>(removed));
  for (size_t i = 0; i < all.size(); i++) {
    if (!drop[i]) {
      kept.push_back(std::move(all[i]));
    }
  }
  Rebuild(kept);
  return removed;
}

void ListValue::Trim(size_t start, size_t stop) {
  if (start > stop || start >= count_) {
    nodes_.clear();
    count_ = 0;
    return;
  }
  size_t tail_drop = count_ - 1 - stop;
  // Whole nodes first, then single elements.
  size_t whole = 0;
  while (whole < nodes_.size() && nodes_[whole].size() <= start) {
    start -= nodes_[whole].size();
    count_ -= nodes_[whole].size();
    whole++;
  }
  nodes_.erase(nodes_.begin(), nodes_.begin() + static_cast<ptrdiff_t>(whole));
  while (!nodes_.empty() && nodes_.back().size() <= tail_drop) {
    tail_drop -= nodes_.back().size();
    count_ -= nodes_.back().size();
    nodes_.pop_back();
  }
  for (size_t k = 0; k < start; k++) {
    PopFront();
  }
  for (size_t k = 0; k < tail_drop; k++) {
    PopBack();
  }
}

size_t ListValue::MemoryBytes() const {
  size_t bytes = sizeof(*this) + nodes_.capacity() * sizeof(Packed);
  for (const Packed& node : nodes_) {
    bytes += node.AllocatedBytes();
  }
  return bytes;
}

std::unique_ptr<Value> ListValue::Clone() const {
  auto copy = std::make_unique<ListValue>(fill_);
  copy->nodes_.reserve(nodes_.size());
  for (const Packed& node : nodes_) {
    copy->nodes_.push_back(node);
  }
  copy->count_ = count_;
  return copy;
}

}  // namespace cairn::engine
