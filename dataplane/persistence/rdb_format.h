// RDB file format constants (Redis 7.0, RDB version 10). The full layout is described in
// docs/formats/rdb.md:
//
//   "REDIS" 4-digit-version
//   { 0xFA aux-key aux-value }                       AUX fields (redis-ver, ctime, repl-id, ...)
//   { 0xFE db-index  0xFB db-size expires-size       SELECTDB, RESIZEDB
//     { [0xFC expire-ms(8, LE)] [0xF8 idle | 0xF9 freq] type key value } }
//   0xFF crc64(8, LE)                                EOF; the CRC covers every byte before it
//
// Lengths:  00xxxxxx (6 bit) | 01xxxxxx xxxxxxxx (14 bit, BE) | 0x80 + 4 bytes BE | 0x81 + 8 BE
//           | 11xxxxxx: a special string encoding: 0 int8, 1 int16 LE, 2 int32 LE, 3 LZF
//           (compressed-len, raw-len, bytes).
#pragma once

#include <cstdint>
#include <string_view>

namespace cairn::persistence {

inline constexpr int kRdbVersion = 10;             // what we write (Redis 7.0)
inline constexpr int kRdbMaxLoadableVersion = 10;  // what Redis 7.0 loads
inline constexpr std::string_view kRdbMagic = "REDIS";

// Opcodes (Redis's RDB_OPCODE_*).
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunctionPreGa = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Value types (Redis's RDB_TYPE_*).
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZSet = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZSet2 = 5;
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZSetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZSetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;

// Length prefixes.
inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kLenEncoded = 3;  // top two bits 11: a special encoding follows
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// The name Redis gives a type byte, for error messages ("list-quicklist", ...).
std::string_view RdbTypeName(uint8_t type);

}  // namespace cairn::persistence
