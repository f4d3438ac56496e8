// Packed: a sequence of byte strings in one exactly-sized allocation, the compact encoding behind
// small hashes (Redis's listpack) and the nodes of lists (quicklist nodes). Each element is
//   varint len | bytes | backlen
// where backlen is the size of "varint len | bytes" written so it reads right to left (the last
// byte holds the low 7 bits; a set high bit means another byte follows to the left), as
// listpack's back-length. Positions are byte offsets; End() is one past the last element.
// Insertions and deletions move the tail (memmove) and resize the allocation to the exact size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cairn::engine {

class Packed {
 public:
  Packed() = default;
  ~Packed();
  Packed(const Packed& other);
  Packed& operator=(const Packed&) = delete;
  Packed(Packed&& other) noexcept;
  Packed& operator=(Packed&& other) noexcept;

  // Number of elements.
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Bytes of the element data (without the allocator's rounding).
  size_t bytes() const { return len_; }
  // Bytes the allocation really takes (malloc_usable_size), 0 when empty.
  size_t AllocatedBytes() const;

  size_t Begin() const { return 0; }
  size_t End() const { return len_; }
  // The element at byte offset `pos`. REQUIRES: pos < End() is an element start.
  std::string_view At(size_t pos) const;
  // The element after / before `pos`. Prev(Begin()) is not allowed; Prev(End()) is the last.
  size_t Next(size_t pos) const;
  size_t Prev(size_t pos) const;
  // Byte offset of the element with index `i` (walking from the nearer end). REQUIRES: i < size().
  size_t Seek(size_t i) const;

  // Inserts `s` before the element at `pos` (End() appends). Returns the offset of the new one.
  size_t Insert(size_t pos, std::string_view s);
  void PushBack(std::string_view s) { Insert(End(), s); }
  void PushFront(std::string_view s) { Insert(Begin(), s); }
  // Removes the element at `pos`; the element that followed now starts at `pos`.
  void Erase(size_t pos);
  // Replaces the element at `pos` with `s`. Returns the offset of the next element.
  size_t Replace(size_t pos, std::string_view s);
  // Bytes an element of `n` bytes takes encoded.
  static size_t EncodedSize(size_t n);

 private:
  void Resize(size_t len);
  char* data_ = nullptr;
  uint32_t len_ = 0;
  uint32_t count_ = 0;
};

}  // namespace cairn::engine
