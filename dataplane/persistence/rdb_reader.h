// RdbReader: decodes RDB primitives from an in-memory file image, tracking the offset so every
// error names where it happened and why. LoadRdb loads a whole file into a keyspace, as Redis
// 7.0's rdbLoadRio does, refusing what it cannot load instead of loading part of it silently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::persistence {

class RdbReader {
 public:
  explicit RdbReader(std::string_view data) : data_(data) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  std::string_view data() const { return data_; }

  // Each read fails with DataLoss "... at offset N: <reason>" when the data ends or is invalid.
  // `what` names the field being read, for the message.
  Result<uint8_t> ReadByte(const char* what);
  Result<std::string_view> ReadBytes(size_t n, const char* what);
  // A length; sets *encoded when the 11xxxxxx form was used (then the result is the encoding).
  Result<uint64_t> ReadLength(const char* what, bool* encoded = nullptr);
  // A string in any encoding (raw, int8/16/32, LZF).
  Result<std::string> ReadString(const char* what);
  Result<int64_t> ReadMillis();   // 8 bytes LE
  Result<int64_t> ReadSeconds();  // 4 bytes LE

  // A DataLoss status naming `offset` and `reason`.
  static Status Corrupt(size_t offset, const std::string& reason);

 private:
  Result<std::string> ReadLzf(size_t at);

  std::string_view data_;
  size_t pos_ = 0;
};

struct RdbLoadOptions {
  // Keys whose TTL passed before `now_ms` are skipped (a primary loading its file); a replica
  // loading its primary's snapshot keeps them for the primary's DEL.
  bool skip_expired = true;
  int64_t now_ms = 0;
  // Refuse a file whose CRC-64 does not match (a zero checksum means "not computed").
  bool verify_checksum = true;
  // DEBUG RELOAD MERGE: a key already in the keyspace is replaced instead of refused.
  bool replace_existing = false;
  // Called about every `progress_interval_bytes` of input with the bytes read so far (between
  // records); returning false stops the load with an Aborted error. Lets a server answer its
  // clients (-LOADING) while it loads, as Redis's processEventsWhileBlocked.
  std::function<bool(size_t bytes_read)> progress;
  size_t progress_interval_bytes = 2 * 1024 * 1024;
  // key-load-delay: microseconds slept after each record, a testing aid as in Redis.
  int64_t key_delay_us = 0;
};

struct RdbLoadInfo {
  int version = 0;
  int64_t keys_loaded = 0;
  int64_t keys_expired = 0;                // skipped because already expired
  std::map<std::string, std::string> aux;  // AUX fields as read (repl-id, repl-offset, ...)
  std::vector<std::string> functions;      // FUNCTION2 records: library codes
  size_t bytes = 0;                        // up to and including the checksum
};

// Loads an RDB image (versions 1..10) into `keyspace`, which should be empty: keys already there
// make a duplicate an error. On error the keyspace may hold part of the file; callers flush it
// (start-up refuses to run, a replica retries the sync). Errors are DataLoss with the offset and
// reason: bad magic or version, truncation, bad CRC, duplicate key, db index out of range, or a
// value type this build cannot hold yet (named, e.g. "zset-2").
Result<RdbLoadInfo> LoadRdb(std::string_view data, engine::Keyspace& keyspace,
                            const RdbLoadOptions& options);

}  // namespace cairn::persistence
