// HashValue: packed pairs or a BlobTable.
#include "dataplane/engine/types/hash.h"

#include <string>

namespace cairn::engine {

size_t HashValue::FindPacked(std::string_view field) const {
  for (size_t pos = packed_.Begin(); pos != packed_.End();) {
    if (packed_.At(pos) == field) {
      return pos;
    }
    pos = packed_.Next(packed_.Next(pos));
  }
  return packed_.End();
}

std::optional<std::string_view> HashValue::Get(std::string_view field) const {
  if (table_) {
    return table_->Get(field);
  }
  size_t pos = FindPacked(field);
  if (pos == packed_.End()) {
    return std::nullopt;
  }
  return packed_.At(packed_.Next(pos));
}

void HashValue::ConvertToTable() {
  if (table_) {
    return;
  }
  auto table = std::make_unique<BlobTable>(true);
  table->Reserve(size());
  ForEach([&](std::string_view f, std::string_view v) { table->Set(f, v); });
  table_ = std::move(table);
  packed_ = Packed();
}

bool HashValue::Set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (!table_ && (static_cast<int64_t>(field.size()) > limits.max_value ||
                  static_cast<int64_t>(value.size()) > limits.max_value)) {
    ConvertToTable();
  }
  if (table_) {
    return table_->Set(field, value);
  }
  std::string f(field);
  std::string v(value);
  size_t pos = FindPacked(f);
  if (pos != packed_.End()) {
    packed_.Replace(packed_.Next(pos), v);
    return false;
  }
  packed_.PushBack(f);
  packed_.PushBack(v);
  if (static_cast<int64_t>(size()) > limits.max_entries) {
    ConvertToTable();
  }
  return true;
}

bool HashValue::Erase(std::string_view field) {
  if (table_) {
    return table_->Erase(field);
  }
  size_t pos = FindPacked(field);
  if (pos == packed_.End()) {
    return false;
  }
  packed_.Erase(pos);
  packed_.Erase(pos);
  return true;
}

void HashValue::ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (table_) {
    table_->ForEach(fn);
    return;
  }
  for (size_t pos = packed_.Begin(); pos != packed_.End();) {
    size_t vpos = packed_.Next(pos);
    fn(packed_.At(pos), packed_.At(vpos));
    pos = packed_.Next(vpos);
  }
}

uint64_t HashValue::Scan(uint64_t cursor,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (table_) {
    return table_->Scan(cursor, fn);
  }
  ForEach(fn);
  return 0;
}

std::pair<std::string_view, std::string_view> HashValue::Random(std::mt19937_64& rng) const {
  if (table_) {
    return table_->Random(rng);
  }
  size_t i = std::uniform_int_distribution<size_t>(0, size() - 1)(rng);
  size_t pos = packed_.Seek(i * 2);
  return {packed_.At(pos), packed_.At(packed_.Next(pos))};
}

size_t HashValue::MemoryBytes() const {
  return sizeof(*this) + (table_ ? sizeof(BlobTable) + table_->MemoryBytes()
                                 : packed_.AllocatedBytes());
}

std::unique_ptr<Value> HashValue::Clone() const {
  auto copy = std::make_unique<HashValue>();
  if (table_) {
    copy->table_ = std::make_unique<BlobTable>(*table_);
  } else {
    copy->packed_ = Packed(packed_);
  }
  return copy;
}

}  // namespace cairn::engine
