// Reflected CRC-64/Jones, table-driven and sliced by 8: eight bytes per step through eight
// 256-entry tables (16 KB), about five times the byte-at-a-time speed. Loading a snapshot checks
// the CRC of every byte, so this is on the restart path. Bytes before and after the 8-byte steps
// go one at a time.
#include "dataplane/base/crc64.h"

#include <array>
#include <bit>
#include <cstring>

namespace cairn {
namespace {

// 0xad93d23594c935a9 with its bits reversed, for the reflected (LSB-first) form.
constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;

using Tables = std::array<std::array<uint64_t, 256>, 8>;

// tables[0][b] is the CRC of byte b; tables[k][b] is that of byte b followed by k zero bytes.
constexpr Tables MakeTables() {
  Tables t{};
  for (uint64_t i = 0; i < 256; i++) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; bit++) {
      crc = (crc & 1) != 0 ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    }
    t[0][i] = crc;
  }
  for (size_t k = 1; k < 8; k++) {
    for (size_t i = 0; i < 256; i++) {
      uint64_t prev = t[k - 1][i];
      t[k][i] = (prev >> 8) ^ t[0][prev & 0xff];
    }
  }
  return t;
}

constexpr Tables kTables = MakeTables();

uint64_t Bytewise(uint64_t crc, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    crc = kTables[0][(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  if constexpr (std::endian::native != std::endian::little) {
    return Bytewise(crc, p, n);
  }
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    uint64_t v = crc ^ word;
    crc = kTables[7][v & 0xff] ^ kTables[6][(v >> 8) & 0xff] ^ kTables[5][(v >> 16) & 0xff] ^
          kTables[4][(v >> 24) & 0xff] ^ kTables[3][(v >> 32) & 0xff] ^
          kTables[2][(v >> 40) & 0xff] ^ kTables[1][(v >> 48) & 0xff] ^ kTables[0][v >> 56];
    p += 8;
    n -= 8;
  }
  return Bytewise(crc, p, n);
}

}  // namespace cairn
