// RDB encoding. Byte orders follow Redis: lengths big endian, integer encodings and expire
// times little endian (Redis writes them with memrev*ifbe, i.e. as little endian).
#include "dataplane/persistence/rdb_writer.h"

#include <lzf.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "dataplane/base/crc64.h"
#include "dataplane/base/strings.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/value_codec.h"

namespace cairn::persistence {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;
// Redis compresses only values longer than this (rdbSaveRawString).
constexpr size_t kCompressMinBytes = 20;

void PutLittleEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

}  // namespace

void RdbWriter::WriteByte(uint8_t b) {
  buffer_.push_back(static_cast<char>(b));
}

void RdbWriter::WriteRaw(std::string_view bytes) {
  buffer_.append(bytes);
  MaybeFlush();
}

void RdbWriter::WriteLength(uint64_t len) {
  if (len < (1 << 6)) {
    WriteByte(static_cast<uint8_t>(len));
  } else if (len < (1 << 14)) {
    WriteByte(static_cast<uint8_t>((kLen14Bit << 6) | (len >> 8)));
    WriteByte(static_cast<uint8_t>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    WriteByte(kLen32Bit);
    for (int shift = 24; shift >= 0; shift -= 8) {
      WriteByte(static_cast<uint8_t>((len >> shift) & 0xff));
    }
  } else {
    WriteByte(kLen64Bit);
    for (int shift = 56; shift >= 0; shift -= 8) {
      WriteByte(static_cast<uint8_t>((len >> shift) & 0xff));
    }
  }
}

bool RdbWriter::WriteIntEncoded(std::string_view s) {
  // rdbTryIntegerEncoding: only canonical integers (the text round-trips) of up to 11 chars.
  if (s.empty() || s.size() > 11) {
    return false;
  }
  std::optional<int64_t> v = ParseInt64(s);
  if (!v || FormatInt64(*v) != s) {
    return false;
  }
  if (*v >= INT8_MIN && *v <= INT8_MAX) {
    WriteByte((kLenEncoded << 6) | kEncInt8);
    PutLittleEndian(buffer_, static_cast<uint64_t>(*v), 1);
  } else if (*v >= INT16_MIN && *v <= INT16_MAX) {
    WriteByte((kLenEncoded << 6) | kEncInt16);
    PutLittleEndian(buffer_, static_cast<uint64_t>(*v), 2);
  } else if (*v >= INT32_MIN && *v <= INT32_MAX) {
    WriteByte((kLenEncoded << 6) | kEncInt32);
    PutLittleEndian(buffer_, static_cast<uint64_t>(*v), 4);
  } else {
    return false;
  }
  return true;
}

bool RdbWriter::WriteLzf(std::string_view s) {
  // As rdbSaveLzfStringObject: give up unless compression saves more than 4 bytes.
  size_t out_cap = s.size() - 4;
  auto out = std::make_unique_for_overwrite<char[]>(out_cap + 1);
  unsigned int clen = lzf_compress(s.data(), static_cast<unsigned int>(s.size()), out.get(),
                                   static_cast<unsigned int>(out_cap));
  if (clen == 0) {
    return false;
  }
  WriteByte((kLenEncoded << 6) | kEncLzf);
  WriteLength(clen);
  WriteLength(s.size());
  WriteRaw(std::string_view(out.get(), clen));
  return true;
}

void RdbWriter::WriteString(std::string_view s) {
  if (s.size() <= 11 && WriteIntEncoded(s)) {
    MaybeFlush();  // many small int-encoded strings never reach WriteRaw
    return;
  }
  if (compression_ && s.size() > kCompressMinBytes && s.size() <= UINT32_MAX && WriteLzf(s)) {
    return;
  }
  WriteLength(s.size());
  WriteRaw(s);
}

void RdbWriter::WriteAux(std::string_view key, std::string_view value) {
  WriteByte(kOpAux);
  WriteString(key);
  WriteString(value);
}

void RdbWriter::WriteMillis(int64_t ms) {
  PutLittleEndian(buffer_, static_cast<uint64_t>(ms), 8);
}

void RdbWriter::MaybeFlush() {
  if (sink_ && buffer_.size() >= kFlushBytes) {
    (void)Flush();  // the error is kept in status_ and returned by Finish
  }
}

Status RdbWriter::Flush() {
  crc_ = Crc64(crc_, std::string_view(buffer_).substr(crc_done_));
  crc_done_ = buffer_.size();
  if (!sink_) {
    return status_;
  }
  if (status_.ok() && !buffer_.empty()) {
    status_ = sink_(buffer_);
    written_ += static_cast<int64_t>(buffer_.size());
  }
  buffer_.clear();
  crc_done_ = 0;
  return status_;
}

Status RdbWriter::Finish(bool checksum) {
  WriteByte(kOpEof);
  CAIRN_RETURN_IF_ERROR(Flush());
  PutLittleEndian(buffer_, checksum ? crc_ : 0, 8);
  crc_done_ = buffer_.size();  // the checksum itself is not part of the CRC
  if (!sink_) {
    return status_;
  }
  if (status_.ok()) {
    status_ = sink_(buffer_);
    written_ += static_cast<int64_t>(buffer_.size());
  }
  buffer_.clear();
  crc_done_ = 0;
  return status_;
}

namespace {

void WriteAuxFields(const RdbSaveInfo& info, RdbWriter& w) {
  w.WriteAux("redis-ver", "7.0.15");
  w.WriteAux("redis-bits", "64");
  w.WriteAux("ctime", FormatInt64(info.ctime_s));
  w.WriteAux("used-mem", FormatInt64(info.used_mem));
  if (!info.replid.empty()) {
    w.WriteAux("repl-stream-db", FormatInt64(info.repl_stream_db));
    w.WriteAux("repl-id", info.replid);
    w.WriteAux("repl-offset", FormatInt64(info.repl_offset));
  }
  w.WriteAux("aof-base", info.aof_base ? "1" : "0");
}

// One key: EXPIRETIME_MS, IDLE or FREQ (per the eviction policy, as Redis's rdbSaveKeyValuePair),
// then type, key and value.
Status WriteKey(engine::Keyspace& keyspace, const engine::Entry& e, RdbWriter& w) {
  if (e.has_expire()) {
    w.WriteByte(kOpExpireTimeMs);
    w.WriteMillis(e.expire_at_ms());
  }
  engine::EvictionPolicy policy = keyspace.config().policy;
  if (keyspace.lfu()) {
    w.WriteByte(kOpFreq);
    w.WriteByte(static_cast<uint8_t>(keyspace.LfuCount(&e)));
  } else if (policy == engine::EvictionPolicy::kAllKeysLru ||
             policy == engine::EvictionPolicy::kVolatileLru) {
    w.WriteByte(kOpIdle);
    w.WriteLength(static_cast<uint64_t>(keyspace.IdleSeconds(&e)));
  }
  return WriteValue(e, w);
}

}  // namespace

Status SaveRdb(engine::Keyspace& keyspace, const RdbSaveInfo& info, RdbWriter& w) {
  char header[16];
  std::snprintf(header, sizeof(header), "REDIS%04d", kRdbVersion);
  w.WriteRaw(header);
  WriteAuxFields(info, w);
  for (const std::string& code : info.functions) {
    w.WriteByte(kOpFunction2);
    w.WriteString(code);
  }
  for (int i = 0; i < keyspace.db_count(); i++) {
    engine::Db& db = keyspace.db(i);
    if (db.size() == 0) {
      continue;
    }
    w.WriteByte(kOpSelectDb);
    w.WriteLength(static_cast<uint64_t>(i));
    w.WriteByte(kOpResizeDb);
    w.WriteLength(db.size());
    w.WriteLength(db.expires_size());
    Status status;
    db.table().ForEach([&](engine::Entry* e) {
      if (status.ok()) {
        status = WriteKey(keyspace, *e, w);
        if (info.key_delay_us > 0) {
          usleep(static_cast<useconds_t>(info.key_delay_us));
        }
      }
    });
    CAIRN_RETURN_IF_ERROR(status);
  }
  return w.Finish(info.checksum);
}

}  // namespace cairn::persistence
