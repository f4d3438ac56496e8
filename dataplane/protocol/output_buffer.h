// A connection's pending output: a chain of blocks, appended at the tail and written from the
// head with writev. Large payloads get their own block so they are copied once.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string_view>

namespace cairn::protocol {

class OutputBuffer {
 public:
  static constexpr size_t kBlockBytes = 16 * 1024;

  void Append(std::string_view data);
  void Append(char c);
  // Bytes not yet consumed.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Points up to `max` iovecs at the unwritten bytes, in order; returns how many were filled.
  int FillIovecs(struct iovec* iov, int max) const;
  // Drops the first `n` bytes (what writev reported written). REQUIRES: n <= size().
  void Consume(size_t n);
  void Clear();
  // Bytes of block memory held (client-output-buffer-limit accounting, CLIENT LIST omem).
  size_t AllocatedBytes() const { return allocated_; }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
    size_t begin = 0;  // first unwritten byte
    size_t end = 0;    // one past the last appended byte
  };
  Block& NewBlock(size_t capacity);

  std::deque<Block> blocks_;
  size_t size_ = 0;
  size_t allocated_ = 0;
};

}  // namespace cairn::protocol
