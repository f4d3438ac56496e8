// LEB128-style varints (7 bits per byte, high bit = more), used by the compact entry layout and
// by packed collection nodes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cairn::engine {

// Bytes PutVarint writes for `v` (1..10).
inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// Writes `v` at `p`; returns one past the last byte written.
inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// Reads a varint at `p` into `*v`; returns one past it. REQUIRES: a complete varint at `p`
// (written by PutVarint into memory this process owns).
inline const char* GetVarint(const char* p, uint64_t* v) {
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

}  // namespace cairn::engine
