// Table-driven reflected CRC-64/Jones, one table lookup per byte (slicing is not needed: RDB
// files are written at disk speed, and the table costs 2 KB).
#include "dataplane/base/crc64.h"

#include <array>

namespace cairn {
namespace {

// 0xad93d23594c935a9 with its bits reversed, for the reflected (LSB-first) form.
constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;

constexpr std::array<uint64_t, 256> MakeTable() {
  std::array<uint64_t, 256> table{};
  for (uint64_t i = 0; i < 256; i++) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; bit++) {
      crc = (crc & 1) != 0 ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    }
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint64_t, 256> kTable = MakeTable();

}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view data) {
  for (unsigned char c : data) {
    crc = kTable[(crc ^ c) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

}  // namespace cairn
