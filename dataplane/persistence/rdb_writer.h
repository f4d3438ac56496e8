// RdbWriter: encodes RDB primitives (lengths, strings with int/LZF encodings, opcodes) into a
// buffer, keeping the running CRC-64, and hands full chunks to a sink (a file, or memory for a
// full sync). SaveRdb writes a whole keyspace as Redis 7.0's rdbSaveRio does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::persistence {

class RdbWriter {
 public:
  // `sink` receives the encoded bytes in order, in chunks; an error stops the save. Without a
  // sink everything stays in buffer() (in-memory snapshots).
  explicit RdbWriter(std::function<Status(std::string_view)> sink = nullptr,
                     bool compression = true)
      : sink_(std::move(sink)), compression_(compression) {}

  void WriteByte(uint8_t b);
  void WriteRaw(std::string_view bytes);
  // A length in the shortest form (6/14/32/64 bit).
  void WriteLength(uint64_t len);
  // A string as Redis's rdbSaveRawString: int-encoded when it is a canonical integer that fits
  // 32 bits, LZF-compressed when compression is on, it is over 20 bytes and compression saves
  // at least 4 bytes, else raw.
  void WriteString(std::string_view s);
  // AUX field (opcode 0xFA, key, value).
  void WriteAux(std::string_view key, std::string_view value);
  void WriteMillis(int64_t ms);  // 8 bytes little endian

  // Passes buffered bytes to the sink (if any). Returns the sink's first error.
  Status Flush();
  // Ends the file: EOF opcode, then the CRC-64 (or 0 when `checksum` is false), and flushes.
  Status Finish(bool checksum);

  std::string& buffer() { return buffer_; }
  uint64_t crc() const { return crc_; }
  int64_t bytes_written() const { return written_ + static_cast<int64_t>(buffer_.size()); }

 private:
  void MaybeFlush();
  bool WriteIntEncoded(std::string_view s);
  bool WriteLzf(std::string_view s);

  std::function<Status(std::string_view)> sink_;
  bool compression_;
  std::string buffer_;
  size_t crc_done_ = 0;  // bytes of buffer_ already folded into crc_
  uint64_t crc_ = 0;
  int64_t written_ = 0;
  Status status_;
};

// What a snapshot records besides the keys (AUX fields).
struct RdbSaveInfo {
  bool compression = true;  // rdbcompression
  bool checksum = true;     // rdbchecksum
  int64_t ctime_s = 0;
  int64_t used_mem = 0;
  // Replication position (repl-stream-db/repl-id/repl-offset); written when replid is set.
  int repl_stream_db = 0;
  std::string replid;
  int64_t repl_offset = 0;
  // Function library codes, written as FUNCTION2 records after the AUX fields (Redis 7.0).
  std::vector<std::string> functions;
  // The snapshot is an AOF base file (AUX aof-base 1, as Redis marks an RDB preamble).
  bool aof_base = false;
  // Microseconds to sleep after each key written (Redis's rdb-key-save-delay, for tests that
  // need a save to last); 0 or less: none.
  int64_t key_delay_us = 0;
};

// Writes `keyspace` as an RDB v10 file through `writer`: header, AUX fields, each non-empty db
// (SELECTDB, RESIZEDB, keys with EXPIRETIME_MS and IDLE/FREQ per the eviction policy), EOF and
// CRC. Errors: the sink's (disk full, ...), or Unimplemented-style FailedPrecondition for a
// value type this build cannot encode.
Status SaveRdb(engine::Keyspace& keyspace, const RdbSaveInfo& info, RdbWriter& writer);

}  // namespace cairn::persistence
