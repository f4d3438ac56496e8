// Entry allocation and field access.
#include "dataplane/engine/entry.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>

#include "dataplane/base/status.h"
#include "dataplane/engine/varint.h"

namespace cairn::engine {

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kRaw:
      return "raw";
    case Encoding::kInt:
      return "int";
    case Encoding::kHashtable:
      return "hashtable";
    case Encoding::kIntset:
      return "intset";
    case Encoding::kSkiplist:
      return "skiplist";
    case Encoding::kEmbStr:
      return "embstr";
    case Encoding::kQuicklist:
      return "quicklist";
    case Encoding::kStream:
      return "stream";
    case Encoding::kListpack:
      return "listpack";
  }
  return "unknown";
}

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kHash:
      return "hash";
    case ValueType::kStream:
      return "stream";
  }
  return "none";
}

RawString::RawString(std::string_view data, size_t capacity)
    : size_(data.size()), capacity_(std::max(capacity, data.size())) {
  data_ = static_cast<char*>(std::malloc(std::max<size_t>(capacity_, 1)));
  if (data_ == nullptr) {
    FatalOutOfMemory(capacity_);
  }
  if (!data.empty()) {
    std::memcpy(data_, data.data(), data.size());
  }
}

RawString::~RawString() {
  std::free(data_);
}

void RawString::Resize(size_t size) {
  if (size > capacity_) {
    // sds's greedy growth: double below 1 MB, then +1 MB.
    size_t cap = size < 1024 * 1024 ? size * 2 : size + 1024 * 1024;
    char* p = static_cast<char*>(std::realloc(data_, cap));
    if (p == nullptr) {
      FatalOutOfMemory(cap);
    }
    data_ = p;
    capacity_ = cap;
  }
  if (size > size_) {
    std::memset(data_ + size_, 0, size - size_);
  }
  size_ = size;
}

void RawString::Append(std::string_view data) {
  size_t old = size_;
  Resize(size_ + data.size());
  if (!data.empty()) {
    std::memcpy(data_ + old, data.data(), data.size());
  }
}

Entry* Entry::Allocate(size_t bytes) {
  void* p = std::malloc(bytes);
  if (p == nullptr) {
    FatalOutOfMemory(bytes);
  }
  return static_cast<Entry*>(p);
}

Entry* Entry::NewString(std::string_view key, std::string_view value, Encoding encoding,
                        bool has_expire, int64_t expire_at_ms) {
  if (value.size() > kMaxInlineValue) {
    return NewObject(key, ValueType::kString, encoding, new RawString(value), has_expire,
                     expire_at_ms);
  }
  Entry* e = AllocateWithKey(key, ValueType::kString, encoding, 0, has_expire, expire_at_ms,
                             VarintSize(value.size()) + value.size());
  char* p = e->value_start();
  p = PutVarint(p, value.size());
  if (!value.empty()) {
    std::memcpy(p, value.data(), value.size());
  }
  return e;
}

Entry* Entry::NewObject(std::string_view key, ValueType type, Encoding encoding, Value* object,
                        bool has_expire, int64_t expire_at_ms) {
  Entry* e =
      AllocateWithKey(key, type, encoding, kExternal, has_expire, expire_at_ms, sizeof(Value*));
  std::memcpy(e->value_start(), &object, sizeof(Value*));
  return e;
}

Entry* Entry::AllocateWithKey(std::string_view key, ValueType type, Encoding encoding,
                              uint8_t flags, bool has_expire, int64_t expire_at_ms,
                              size_t value_bytes) {
  size_t bytes =
      kHeaderBytes + (has_expire ? 12 : 0) + VarintSize(key.size()) + key.size() + value_bytes;
  Entry* e = Allocate(bytes);
  e->next_ = nullptr;
  e->set_clock(0);
  e->type_ = static_cast<uint8_t>(type);
  e->encoding_ = static_cast<uint8_t>(encoding);
  e->flags_ = static_cast<uint8_t>(flags | (has_expire ? kHasExpire : 0));
  char* p = e->payload();
  if (has_expire) {
    std::memcpy(p, &expire_at_ms, 8);
    std::memset(p + 8, 0, 4);
    p += 12;
  }
  p = PutVarint(p, key.size());
  std::memcpy(p, key.data(), key.size());
  return e;
}

char* Entry::value_start() {
  std::string_view k = key();
  return const_cast<char*>(k.data() + k.size());
}

Entry* Entry::Rebuild(const Entry* from, bool has_expire, int64_t expire_at_ms, bool move_object) {
  CAIRN_CHECK(move_object || !from->external() || from->type() == ValueType::kString);
  Entry* e;
  if (from->external()) {
    Value* object = from->object();
    if (!move_object) {  // only strings are copied here; collections copy through their type
      object = new RawString(static_cast<RawString*>(object)->view());
    }
    e = NewObject(from->key(), from->type(), from->encoding(), object, has_expire, expire_at_ms);
  } else {
    e = NewString(from->key(), from->string_value(), from->encoding(), has_expire, expire_at_ms);
  }
  e->set_clock(from->clock());
  return e;
}

Entry* Entry::Rekey(const Entry* from, std::string_view key, bool has_expire,
                    int64_t expire_at_ms) {
  Entry* e;
  if (from->external()) {
    e = NewObject(key, from->type(), from->encoding(), from->object(), has_expire, expire_at_ms);
  } else {
    e = NewString(key, from->string_value(), from->encoding(), has_expire, expire_at_ms);
  }
  e->set_clock(from->clock());
  return e;
}

void Entry::Free(Entry* e) {
  if (e->external()) {
    delete e->object();
  }
  std::free(e);
}

void Entry::FreeShell(Entry* e) {
  std::free(e);
}

int64_t Entry::expire_at_ms() const {
  int64_t v;
  std::memcpy(&v, payload(), 8);
  return v;
}

void Entry::set_expire_at_ms(int64_t ms) {
  std::memcpy(payload(), &ms, 8);
}

uint32_t Entry::expire_slot() const {
  uint32_t v;
  std::memcpy(&v, payload() + 8, 4);
  return v;
}

void Entry::set_expire_slot(uint32_t slot) {
  std::memcpy(payload() + 8, &slot, 4);
}

std::string_view Entry::key() const {
  uint64_t len;
  const char* p = GetVarint(key_start(), &len);
  return {p, static_cast<size_t>(len)};
}

std::string_view Entry::string_value() const {
  if (external()) {
    return static_cast<const RawString*>(object())->view();
  }
  std::string_view k = key();
  uint64_t len;
  const char* p = GetVarint(k.data() + k.size(), &len);
  return {p, static_cast<size_t>(len)};
}

Value* Entry::object() const {
  std::string_view k = key();
  Value* v;
  std::memcpy(&v, k.data() + k.size(), sizeof(Value*));
  return v;
}

size_t Entry::MemoryBytes() const {
  size_t bytes = malloc_usable_size(const_cast<Entry*>(this));
  if (external()) {
    bytes += object()->MemoryBytes();
  }
  return bytes;
}

}  // namespace cairn::engine
