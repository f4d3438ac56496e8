// Entry: one key of the keyspace in one allocation, holding the hash-chain link, the access clock
// (LRU or LFU), type and encoding, the TTL when set, the key bytes, and either the value bytes
// (strings up to kMaxInlineValue) or a pointer to the value object.
//
// Layout (bytes):
//   0  Entry* next            hash chain of EntryTable
//   8  uint8 clock[3]         LRU clock (s, 24 bits) or LFU (16-bit minutes, 8-bit log counter)
//  11  uint8 type             ValueType
//  12  uint8 encoding         Encoding, as OBJECT ENCODING reports it
//  13  uint8 flags            kHasExpire, kExternal
//  14  [int64 expire_at_ms, uint32 expire_slot]   only with kHasExpire
//      varint key_len, key bytes
//      kExternal: void* object   else: varint value_len, value bytes
// A 10-byte key with a 64-byte value takes 89 bytes: one 96-byte jemalloc size class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace cairn::engine {

// Redis's OBJ_* numbering (also the RDB type's family).
enum class ValueType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kStream = 6,
};

// Redis's OBJ_ENCODING_* numbering; names as OBJECT ENCODING prints them.
enum class Encoding : uint8_t {
  kRaw = 0,
  kInt = 1,
  kHashtable = 2,
  kIntset = 6,
  kSkiplist = 7,
  kEmbStr = 8,
  kQuicklist = 9,
  kStream = 10,
  kListpack = 11,
};

std::string_view EncodingName(Encoding encoding);
std::string_view TypeName(ValueType type);

// Largest string kept inside the entry; longer ones live in an external RawString.
inline constexpr size_t kMaxInlineValue = 1024;
// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: strings up to this size report "embstr".
inline constexpr size_t kEmbStrLimit = 44;

// Base of out-of-line values (collections, long strings). Owned by exactly one Entry.
class Value {
 public:
  virtual ~Value() = default;
  // Bytes of heap memory the value holds, for MEMORY USAGE and eviction estimates.
  virtual size_t MemoryBytes() const = 0;
  // An independent deep copy with the same contents and encoding-relevant state (COPY).
  virtual std::unique_ptr<Value> Clone() const = 0;
};

// A string too long to embed, or one that grows (APPEND, SETRANGE): greedy capacity like sds.
class RawString final : public Value {
 public:
  explicit RawString(std::string_view data, size_t capacity = 0);
  ~RawString() override;
  RawString(const RawString&) = delete;
  RawString& operator=(const RawString&) = delete;

  std::string_view view() const { return {data_, size_}; }
  char* mutable_data() { return data_; }
  size_t size() const { return size_; }
  // Grows or shrinks to `size` bytes, zero-filling new bytes, with amortised doubling.
  void Resize(size_t size);
  void Append(std::string_view data);
  size_t MemoryBytes() const override { return sizeof(*this) + capacity_; }
  // Exact-size copy, as Redis's dupStringObject makes for a raw string.
  std::unique_ptr<Value> Clone() const override { return std::make_unique<RawString>(view()); }

 private:
  char* data_;
  size_t size_;
  size_t capacity_;
};

class Entry {
 public:
  static constexpr uint8_t kHasExpire = 1;
  static constexpr uint8_t kExternal = 2;
  static constexpr size_t kHeaderBytes = 14;

  // Creates an entry holding a string value (inline when short enough, else a RawString).
  static Entry* NewString(std::string_view key, std::string_view value, Encoding encoding,
                          bool has_expire, int64_t expire_at_ms);
  // Creates an entry owning `object` (ownership passes to the entry).
  static Entry* NewObject(std::string_view key, ValueType type, Encoding encoding, Value* object,
                          bool has_expire, int64_t expire_at_ms);
  // A copy of `from` with its key, type, value and clock, and the given expire state. `from` is
  // left intact if `move_object` is false (COPY), else its object moves to the new entry and
  // `from` must then be released with FreeShell.
  static Entry* Rebuild(const Entry* from, bool has_expire, int64_t expire_at_ms, bool move_object);
  // Like Rebuild but with another key (RENAME, MOVE keep the value).
  static Entry* Rekey(const Entry* from, std::string_view key, bool has_expire,
                      int64_t expire_at_ms);
  // Frees the entry and its external value.
  static void Free(Entry* e);
  // Frees only the entry's allocation (its object was moved elsewhere).
  static void FreeShell(Entry* e);

  Entry* next() const { return next_; }
  void set_next(Entry* n) { next_ = n; }

  ValueType type() const { return static_cast<ValueType>(type_); }
  Encoding encoding() const { return static_cast<Encoding>(encoding_); }
  void set_encoding(Encoding e) { encoding_ = static_cast<uint8_t>(e); }
  bool has_expire() const { return (flags_ & kHasExpire) != 0; }
  bool external() const { return (flags_ & kExternal) != 0; }

  uint32_t clock() const { return clock_[0] | (clock_[1] << 8) | (clock_[2] << 16); }
  void set_clock(uint32_t c) {
    clock_[0] = static_cast<uint8_t>(c);
    clock_[1] = static_cast<uint8_t>(c >> 8);
    clock_[2] = static_cast<uint8_t>(c >> 16);
  }

  // REQUIRES: has_expire().
  int64_t expire_at_ms() const;
  void set_expire_at_ms(int64_t ms);
  uint32_t expire_slot() const;
  void set_expire_slot(uint32_t slot);

  std::string_view key() const;
  // REQUIRES: type() == kString.
  std::string_view string_value() const;
  // REQUIRES: external().
  Value* object() const;
  // Bytes of this allocation plus the external value's.
  size_t MemoryBytes() const;

 private:
  Entry() = default;
  static Entry* Allocate(size_t bytes);
  // Allocates header + TTL + key with `value_bytes` more, and fills all but the value part.
  static Entry* AllocateWithKey(std::string_view key, ValueType type, Encoding encoding,
                                uint8_t flags, bool has_expire, int64_t expire_at_ms,
                                size_t value_bytes);
  // First byte after the key: the value part of the layout.
  char* value_start();
  const char* payload() const { return reinterpret_cast<const char*>(this) + kHeaderBytes; }
  char* payload() { return reinterpret_cast<char*>(this) + kHeaderBytes; }
  const char* key_start() const { return payload() + (has_expire() ? 12 : 0); }

  friend struct EntryLayoutCheck;
  Entry* next_;
  uint8_t clock_[3];
  uint8_t type_;
  uint8_t encoding_;
  uint8_t flags_;
};

struct EntryLayoutCheck {
  static_assert(offsetof(Entry, flags_) == Entry::kHeaderBytes - 1, "entry header layout");
};

}  // namespace cairn::engine
