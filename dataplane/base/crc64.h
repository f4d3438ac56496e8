// CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones polynomial
// (0xad93d23594c935a9), reflected input and output, initial value 0, no final xor.
#pragma once

#include <cstdint>
#include <string_view>

namespace cairn {

// Continues a CRC over `data`: Crc64(Crc64(0, a), b) == Crc64(0, a + b).
// Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca (the catalogue check value).
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace cairn
