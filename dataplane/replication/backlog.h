// Replication backlog: the last `size` bytes of the replication stream, as a ring buffer, so a
// replica that reconnects with (replication id, offset) can continue from where it was (partial
// sync, +CONTINUE) instead of taking a full sync. Offsets are Redis's: the first byte of the
// stream has offset 1, and `end_offset()` is master_repl_offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::replication {

class Backlog {
 public:
  // `size` bytes of history (repl-backlog-size); `end_offset` is the stream offset the first
  // appended byte follows (the backlog starts empty there).
  Backlog(int64_t size, int64_t end_offset);

  void Append(std::string_view bytes);
  // Bytes held (repl_backlog_histlen) and the offset of the first (repl_backlog_first_byte_offset).
  int64_t histlen() const { return histlen_; }
  int64_t first_byte_offset() const { return end_offset_ - histlen_ + 1; }
  int64_t end_offset() const { return end_offset_; }
  int64_t size() const { return static_cast<int64_t>(ring_.size()); }

  // True when a replica that has everything before `offset` can continue from here: `offset` is
  // within [first_byte_offset, end_offset + 1].
  bool CanServe(int64_t offset) const;
  // The bytes from `offset` to the end. REQUIRES: CanServe(offset).
  std::string CopyFrom(int64_t offset) const;
  // Changes the capacity, keeping the newest bytes that fit.
  void Resize(int64_t size);

 private:
  std::string ring_;
  size_t write_pos_ = 0;  // where the next byte goes
  int64_t histlen_ = 0;
  int64_t end_offset_ = 0;
};

// A new 40-character hex replication id.
std::string NewReplicationId();

}  // namespace cairn::replication
