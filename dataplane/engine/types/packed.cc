// Packed element encoding and edits.
#include "dataplane/engine/types/packed.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "dataplane/base/status.h"
#include "dataplane/engine/varint.h"

namespace cairn::engine {
namespace {

// Writes `v` as a back-length ending at p + VarintSize(v).
void PutBackLen(char* p, uint64_t v) {
  size_t n = VarintSize(v);
  for (size_t i = 0; i < n; i++) {
    auto b = static_cast<uint8_t>(v & 0x7f);
    v >>= 7;
    if (i + 1 < n) {
      b |= 0x80;
    }
    p[n - 1 - i] = static_cast<char>(b);
  }
}

// Reads the back-length that ends just before `end`; sets *n to its size in bytes.
uint64_t GetBackLen(const char* end, size_t* n) {
  uint64_t v = 0;
  int shift = 0;
  size_t i = 0;
  while (true) {
    auto b = static_cast<uint8_t>(end[-1 - static_cast<ptrdiff_t>(i)]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    i++;
    if ((b & 0x80) == 0) {
      break;
    }
    shift += 7;
  }
  *n = i;
  return v;
}

}  // namespace

size_t Packed::EncodedSize(size_t n) {
  size_t front = VarintSize(n) + n;
  return front + VarintSize(front);
}

Packed::~Packed() {
  std::free(data_);
}

Packed::Packed(const Packed& other) : len_(other.len_), count_(other.count_) {
  if (len_ > 0) {
    data_ = static_cast<char*>(std::malloc(len_));
    if (data_ == nullptr) {
      FatalOutOfMemory(len_);
    }
    std::memcpy(data_, other.data_, len_);
  }
}

Packed::Packed(Packed&& other) noexcept
    : data_(other.data_), len_(other.len_), count_(other.count_) {
  other.data_ = nullptr;
  other.len_ = 0;
  other.count_ = 0;
}

Packed& Packed::operator=(Packed&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    len_ = other.len_;
    count_ = other.count_;
    other.data_ = nullptr;
    other.len_ = 0;
    other.count_ = 0;
  }
  return *this;
}

size_t Packed::AllocatedBytes() const {
  return data_ == nullptr ? 0 : malloc_usable_size(data_);
}

void Packed::Resize(size_t len) {
  CAIRN_CHECK(len <= UINT32_MAX);
  if (len == 0) {
    std::free(data_);
    data_ = nullptr;
  } else {
    char* p = static_cast<char*>(std::realloc(data_, len));
    if (p == nullptr) {
      FatalOutOfMemory(len);
    }
    data_ = p;
  }
  len_ = static_cast<uint32_t>(len);
}

std::string_view Packed::At(size_t pos) const {
  uint64_t n;
  const char* p = GetVarint(data_ + pos, &n);
  return {p, static_cast<size_t>(n)};
}

size_t Packed::Next(size_t pos) const {
  uint64_t n;
  const char* p = GetVarint(data_ + pos, &n);
  size_t front = static_cast<size_t>(p - (data_ + pos)) + n;
  return pos + front + VarintSize(front);
}

size_t Packed::Prev(size_t pos) const {
  size_t back_bytes;
  uint64_t front = GetBackLen(data_ + pos, &back_bytes);
  return pos - back_bytes - front;
}

size_t Packed::Seek(size_t i) const {
  if (i <= count_ / 2) {
    size_t pos = Begin();
    for (size_t k = 0; k < i; k++) {
      pos = Next(pos);
    }
    return pos;
  }
  size_t pos = End();
  for (size_t k = count_; k > i; k--) {
    pos = Prev(pos);
  }
  return pos;
}

size_t Packed::Insert(size_t pos, std::string_view s) {
  size_t front = VarintSize(s.size()) + s.size();
  size_t add = front + VarintSize(front);
  size_t old = len_;
  Resize(old + add);
  std::memmove(data_ + pos + add, data_ + pos, old - pos);
  char* p = PutVarint(data_ + pos, s.size());
  if (!s.empty()) {
    std::memcpy(p, s.data(), s.size());
  }
  PutBackLen(data_ + pos + front, front);
  count_++;
  return pos;
}

void Packed::Erase(size_t pos) {
  size_t next = Next(pos);
  std::memmove(data_ + pos, data_ + next, len_ - next);
  Resize(len_ - (next - pos));
  count_--;
}

size_t Packed::Replace(size_t pos, std::string_view s) {
  Erase(pos);
  Insert(pos, s);
  return Next(pos);
}

}  // namespace cairn::engine
