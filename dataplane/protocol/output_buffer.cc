// OutputBuffer block management.
#include "dataplane/protocol/output_buffer.h"

#include <algorithm>
#include <cstring>

#include "dataplane/base/status.h"

namespace cairn::protocol {

OutputBuffer::Block& OutputBuffer::NewBlock(size_t capacity) {
  Block block;
  block.data = std::make_unique_for_overwrite<char[]>(capacity);
  block.capacity = capacity;
  allocated_ += capacity;
  blocks_.push_back(std::move(block));
  return blocks_.back();
}

void OutputBuffer::Append(std::string_view data) {
  size_t n = data.size();
  if (n == 0) {
    return;
  }
  size_ += n;
  const char* src = data.data();
  if (!blocks_.empty()) {
    Block& tail = blocks_.back();
    size_t room = tail.capacity - tail.end;
    if (n <= room || n < kBlockBytes) {
      size_t first = std::min(room, n);
      std::memcpy(tail.data.get() + tail.end, src, first);
      tail.end += first;
      src += first;
      n -= first;
    }
  }
  if (n > 0) {
    Block& block = NewBlock(std::max(n, kBlockBytes));
    std::memcpy(block.data.get(), src, n);
    block.end = n;
  }
}

void OutputBuffer::Append(char c) {
  Append(std::string_view(&c, 1));
}

int OutputBuffer::FillIovecs(struct iovec* iov, int max) const {
  int count = 0;
  for (const Block& block : blocks_) {
    if (count == max) {
      break;
    }
    if (block.end == block.begin) {
      continue;
    }
    iov[count].iov_base = block.data.get() + block.begin;
    iov[count].iov_len = block.end - block.begin;
    count++;
  }
  return count;
}

void OutputBuffer::Consume(size_t n) {
  CAIRN_CHECK(n <= size_);
  size_ -= n;
  while (n > 0) {
    Block& head = blocks_.front();
    size_t avail = head.end - head.begin;
    if (n < avail) {
      head.begin += n;
      return;
    }
    n -= avail;
    // Keep the last standard block: a busy connection then needs no allocation per reply.
    if (blocks_.size() == 1 && head.capacity == kBlockBytes) {
      head.begin = 0;
      head.end = 0;
      return;
    }
    allocated_ -= head.capacity;
    blocks_.pop_front();
  }
}

void OutputBuffer::Clear() {
  blocks_.clear();
  size_ = 0;
  allocated_ = 0;
}

}  // namespace cairn::protocol
