// SetValue: intset or BlobTable.
#include "dataplane/engine/types/set.h"

#include <cstring>

#include "dataplane/base/strings.h"

namespace cairn::engine {
namespace {

uint8_t WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) {
    return 2;
  }
  return (v >= INT32_MIN && v <= INT32_MAX) ? 4 : 8;
}

}  // namespace

int64_t SetValue::IntAt(size_t i) const {
  const char* p = ints_.data() + i * width_;
  if (width_ == 2) {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  if (width_ == 4) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

void SetValue::SetIntAt(size_t i, int64_t v) {
  char* p = ints_.data() + i * width_;
  if (width_ == 2) {
    auto x = static_cast<int16_t>(v);
    std::memcpy(p, &x, 2);
  } else if (width_ == 4) {
    auto x = static_cast<int32_t>(v);
    std::memcpy(p, &x, 4);
  } else {
    std::memcpy(p, &v, 8);
  }
}

size_t SetValue::LowerBound(int64_t v) const {
  size_t lo = 0;
  size_t hi = count_;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (IntAt(mid) < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void SetValue::Widen(uint8_t width) {
  std::string old;
  old.swap(ints_);
  uint8_t old_width = width_;
  std::vector<int64_t> values(count_);
  for (size_t i = 0; i < count_; i++) {
    ints_.swap(old);
    width_ = old_width;
    values[i] = IntAt(i);
    ints_.swap(old);
  }
  width_ = width;
  ints_.assign(count_ * width, '\0');
  for (size_t i = 0; i < count_; i++) {
    SetIntAt(i, values[i]);
  }
}

bool SetValue::Contains(std::string_view member) const {
  if (table_) {
    return table_->Contains(member);
  }
  std::optional<int64_t> v = ParseInt64(member);
  if (!v || WidthFor(*v) > width_) {
    return false;
  }
  size_t i = LowerBound(*v);
  return i < count_ && IntAt(i) == *v;
}

void SetValue::ConvertToTable() {
  if (table_) {
    return;
  }
  auto table = std::make_unique<BlobTable>(false);
  table->Reserve(count_);
  ForEach([&](std::string_view m) { table->Set(m); });
  table_ = std::move(table);
  std::string().swap(ints_);
  count_ = 0;
}

bool SetValue::Add(std::string_view member, int64_t max_intset) {
  if (!table_) {
    std::optional<int64_t> v = ParseInt64(member);
    if (!v) {
      ConvertToTable();
    } else {
      if (WidthFor(*v) > width_) {
        Widen(WidthFor(*v));
      }
      size_t i = LowerBound(*v);
      if (i < count_ && IntAt(i) == *v) {
        return false;
      }
      ints_.insert(i * width_, width_, '\0');
      count_++;
      SetIntAt(i, *v);
      if (static_cast<int64_t>(count_) > max_intset) {
        ConvertToTable();
      }
      return true;
    }
  }
  return table_->Set(member);
}

bool SetValue::Remove(std::string_view member) {
  if (table_) {
    return table_->Erase(member);
  }
  std::optional<int64_t> v = ParseInt64(member);
  if (!v || WidthFor(*v) > width_) {
    return false;
  }
  size_t i = LowerBound(*v);
  if (i >= count_ || IntAt(i) != *v) {
    return false;
  }
  ints_.erase(i * width_, width_);
  count_--;
  return true;
}

void SetValue::ForEach(const std::function<void(std::string_view)>& fn) const {
  if (table_) {
    table_->ForEach([&](std::string_view k, std::string_view) { fn(k); });
    return;
  }
  for (size_t i = 0; i < count_; i++) {
    std::string s = FormatInt64(IntAt(i));
    fn(s);
  }
}

uint64_t SetValue::Scan(uint64_t cursor, const std::function<void(std::string_view)>& fn) const {
  if (table_) {
    return table_->Scan(cursor, [&](std::string_view k, std::string_view) { fn(k); });
  }
  ForEach(fn);
  return 0;
}

std::string SetValue::Random(std::mt19937_64& rng) const {
  if (table_) {
    return std::string(table_->Random(rng).first);
  }
  size_t i = std::uniform_int_distribution<size_t>(0, count_ - 1)(rng);
  return FormatInt64(IntAt(i));
}

size_t SetValue::MemoryBytes() const {
  return sizeof(*this) +
         (table_ ? sizeof(BlobTable) + table_->MemoryBytes() : ints_.capacity() + 1);
}

std::unique_ptr<Value> SetValue::Clone() const {
  auto copy = std::make_unique<SetValue>();
  if (table_) {
    copy->table_ = std::make_unique<BlobTable>(*table_);
  } else {
    copy->ints_ = ints_;
    copy->width_ = width_;
    copy->count_ = count_;
  }
  return copy;
}

}  // namespace cairn::engine
