// BlobTable storage and hashing.
#include "dataplane/engine/types/blob_table.h"

#include <malloc.h>
#include <xxhash.h>

#include <cstdlib>
#include <cstring>

#include "dataplane/base/status.h"

namespace cairn::engine {
namespace {

constexpr uint64_t kSeed = 0x9e3779b97f4a7c15ULL;

char* NextOf(const char* blob) {
  char* next;
  std::memcpy(&next, blob, sizeof(next));
  return next;
}

void SetNext(char* blob, char* next) {
  std::memcpy(blob, &next, sizeof(next));
}

const char* GetVarint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (true) {
    auto b = static_cast<uint8_t>(*p++);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      break;
    }
    shift += 7;
  }
  *v = result;
  return p;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

std::string_view KeyOf(const char* blob) {
  uint64_t n;
  const char* p = GetVarint(blob + sizeof(char*), &n);
  return {p, static_cast<size_t>(n)};
}

std::string_view ValueOf(const char* blob, bool with_values) {
  if (!with_values) {
    return {};
  }
  std::string_view k = KeyOf(blob);
  uint64_t n;
  const char* p = GetVarint(k.data() + k.size(), &n);
  return {p, static_cast<size_t>(n)};
}

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

BlobTable::~BlobTable() {
  for (char* b : buckets_) {
    while (b != nullptr) {
      char* next = NextOf(b);
      std::free(b);
      b = next;
    }
  }
}

BlobTable::BlobTable(const BlobTable& other) : with_values_(other.with_values_) {
  Reserve(other.size_);
  other.ForEach([this](std::string_view k, std::string_view v) { Set(k, v); });
}

uint64_t BlobTable::Hash(std::string_view key) const {
  return XXH3_64bits_withSeed(key.data(), key.size(), kSeed);
}

char* BlobTable::Find(std::string_view key) const {
  if (buckets_.empty()) {
    return nullptr;
  }
  for (char* b = buckets_[Hash(key) & (buckets_.size() - 1)]; b != nullptr; b = NextOf(b)) {
    if (KeyOf(b) == key) {
      return b;
    }
  }
  return nullptr;
}

std::optional<std::string_view> BlobTable::Get(std::string_view key) const {
  char* b = Find(key);
  if (b == nullptr) {
    return std::nullopt;
  }
  return ValueOf(b, with_values_);
}

char* BlobTable::NewBlob(std::string_view key, std::string_view value) const {
  size_t bytes = sizeof(char*) + VarintSize(key.size()) + key.size();
  if (with_values_) {
    bytes += VarintSize(value.size()) + value.size();
  }
  auto* blob = static_cast<char*>(std::malloc(bytes));
  if (blob == nullptr) {
    FatalOutOfMemory(bytes);
  }
  SetNext(blob, nullptr);
  char* p = PutVarint(blob + sizeof(char*), key.size());
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  if (with_values_) {
    p = PutVarint(p, value.size());
    if (!value.empty()) {
      std::memcpy(p, value.data(), value.size());
    }
  }
  return blob;
}

void BlobTable::FreeBlob(char* blob) {
  blob_bytes_ -= malloc_usable_size(blob);
  std::free(blob);
}

void BlobTable::Resize(size_t buckets) {
  std::vector<char*> fresh(buckets, nullptr);
  for (char* b : buckets_) {
    while (b != nullptr) {
      char* next = NextOf(b);
      char*& slot = fresh[Hash(KeyOf(b)) & (buckets - 1)];
      SetNext(b, slot);
      slot = b;
      b = next;
    }
  }
  buckets_.swap(fresh);
}

void BlobTable::Reserve(size_t n) {
  size_t buckets = 4;
  while (buckets < n) {
    buckets *= 2;
  }
  if (buckets > buckets_.size()) {
    Resize(buckets);
  }
}

bool BlobTable::Set(std::string_view key, std::string_view value) {
  if (buckets_.empty()) {
    Resize(4);
  }
  char** link = &buckets_[Hash(key) & (buckets_.size() - 1)];
  for (char* b = *link; b != nullptr; link = reinterpret_cast<char**>(b), b = *link) {
    if (KeyOf(b) == key) {
      if (!with_values_) {
        return false;
      }
      char* fresh = NewBlob(key, value);
      SetNext(fresh, NextOf(b));
      *link = fresh;
      blob_bytes_ += malloc_usable_size(fresh);
      FreeBlob(b);
      return false;
    }
  }
  char* fresh = NewBlob(key, value);
  blob_bytes_ += malloc_usable_size(fresh);
  *link = fresh;
  size_++;
  if (size_ > buckets_.size()) {
    Resize(buckets_.size() * 2);
  }
  return true;
}

bool BlobTable::Erase(std::string_view key) {
  if (buckets_.empty()) {
    return false;
  }
  char** link = &buckets_[Hash(key) & (buckets_.size() - 1)];
  for (char* b = *link; b != nullptr; link = reinterpret_cast<char**>(b), b = *link) {
    if (KeyOf(b) == key) {
      *link = NextOf(b);
      FreeBlob(b);
      size_--;
      if (buckets_.size() > 4 && size_ * 8 < buckets_.size()) {
        size_t target = buckets_.size();
        while (target > 4 && size_ * 8 < target) {
          target /= 2;
        }
        Resize(target);
      }
      return true;
    }
  }
  return false;
}

void BlobTable::ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const {
  for (char* b : buckets_) {
    for (; b != nullptr; b = NextOf(b)) {
      fn(KeyOf(b), ValueOf(b, with_values_));
    }
  }
}

uint64_t BlobTable::Scan(uint64_t cursor,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (size_ == 0) {
    return 0;
  }
  uint64_t mask = buckets_.size() - 1;
  for (char* b = buckets_[cursor & mask]; b != nullptr; b = NextOf(b)) {
    fn(KeyOf(b), ValueOf(b, with_values_));
  }
  uint64_t v = cursor | ~mask;
  v = ReverseBits(v);
  v++;
  return ReverseBits(v);
}

std::pair<std::string_view, std::string_view> BlobTable::Random(std::mt19937_64& rng) const {
  std::uniform_int_distribution<size_t> pick(0, buckets_.size() - 1);
  char* b = nullptr;
  while (b == nullptr) {
    b = buckets_[pick(rng)];
  }
  size_t len = 0;
  for (char* p = b; p != nullptr; p = NextOf(p)) {
    len++;
  }
  size_t skip = std::uniform_int_distribution<size_t>(0, len - 1)(rng);
  while (skip-- > 0) {
    b = NextOf(b);
  }
  return {KeyOf(b), ValueOf(b, with_values_)};
}

}  // namespace cairn::engine
