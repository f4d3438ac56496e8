// The ring buffer behind the backlog.
#include "dataplane/replication/backlog.h"

#include <algorithm>
#include <random>

namespace cairn::replication {

Backlog::Backlog(int64_t size, int64_t end_offset)
    : ring_(static_cast<size_t>(std::max<int64_t>(size, 1)), '\0'), end_offset_(end_offset) {}

void Backlog::Append(std::string_view bytes) {
  end_offset_ += static_cast<int64_t>(bytes.size());
  size_t cap = ring_.size();
  if (bytes.size() > cap) {
    bytes.remove_prefix(bytes.size() - cap);  // only the newest `cap` bytes survive anyway
  }
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), cap - write_pos_);
    ring_.replace(write_pos_, n, bytes.substr(0, n));
    write_pos_ = (write_pos_ + n) % cap;
    bytes.remove_prefix(n);
    histlen_ = std::min<int64_t>(histlen_ + static_cast<int64_t>(n), static_cast<int64_t>(cap));
  }
}

bool Backlog::CanServe(int64_t offset) const {
  return offset >= first_byte_offset() && offset <= end_offset_ + 1;
}

std::string Backlog::CopyFrom(int64_t offset) const {
  auto want = static_cast<size_t>(end_offset_ + 1 - offset);
  size_t cap = ring_.size();
  size_t start = (write_pos_ + cap - want % cap) % cap;
  if (want == 0) {
    return {};
  }
  std::string out;
  out.reserve(want);
  size_t first = std::min(want, cap - start);
  out.append(ring_, start, first);
  out.append(ring_, 0, want - first);
  return out;
}

void Backlog::Resize(int64_t size) {
  std::string keep = CopyFrom(first_byte_offset());
  int64_t end = end_offset_;
  *this = Backlog(size, end - static_cast<int64_t>(keep.size()));
  Append(keep);
}

std::string NewReplicationId() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  const char* digits = "0123456789abcdef";
  std::string out(40, '0');
  for (char& c : out) {
    c = digits[rng() % 16];
  }
  return out;
}

}  // namespace cairn::replication
