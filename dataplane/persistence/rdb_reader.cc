// RDB decoding and loading. Every read is bounds-checked against the image: a truncated or
// corrupt file is an error with its offset, never a crash or a silently partial dataset.
#include "dataplane/persistence/rdb_reader.h"

#include <lzf.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "dataplane/base/crc64.h"
#include "dataplane/base/strings.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/value_codec.h"

namespace cairn::persistence {
namespace {

// A decompressed string is never larger than this (proto-max-bulk-len's ceiling), so a corrupt
// length cannot make us allocate terabytes.
constexpr uint64_t kMaxStringBytes = 512ULL * 1024 * 1024;

uint64_t LittleEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = bytes.size(); i > 0; i--) {
    v = (v << 8) | static_cast<unsigned char>(bytes[i - 1]);
  }
  return v;
}

}  // namespace

Status RdbReader::Corrupt(size_t offset, const std::string& reason) {
  return Status::DataLoss("RDB error at offset " + std::to_string(offset) + ": " + reason);
}

Result<std::string_view> RdbReader::ReadBytes(size_t n, const char* what) {
  if (remaining() < n) {
    return Corrupt(pos_, std::string("unexpected end of file reading ") + what + " (" +
                             std::to_string(n) + " bytes wanted, " + std::to_string(remaining()) +
                             " left)");
  }
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

Result<uint8_t> RdbReader::ReadByte(const char* what) {
  Result<std::string_view> b = ReadBytes(1, what);
  if (!b.ok()) {
    return b.status();
  }
  return static_cast<uint8_t>((*b)[0]);
}

Result<uint64_t> RdbReader::ReadLength(const char* what, bool* encoded) {
  if (encoded != nullptr) {
    *encoded = false;
  }
  size_t at = pos_;
  Result<uint8_t> first = ReadByte(what);
  if (!first.ok()) {
    return first.status();
  }
  uint8_t kind = (*first & 0xc0) >> 6;
  if (kind == kLen6Bit) {
    return static_cast<uint64_t>(*first & 0x3f);
  }
  if (kind == kLen14Bit) {
    Result<uint8_t> next = ReadByte(what);
    if (!next.ok()) {
      return next.status();
    }
    return (static_cast<uint64_t>(*first & 0x3f) << 8) | *next;
  }
  if (kind == kLenEncoded) {
    if (encoded == nullptr) {
      return Corrupt(at,
                     std::string("encoded value where a plain length was expected (") + what + ")");
    }
    *encoded = true;
    return static_cast<uint64_t>(*first & 0x3f);
  }
  int bytes = *first == kLen32Bit ? 4 : (*first == kLen64Bit ? 8 : 0);
  if (bytes == 0) {
    return Corrupt(at, "unknown length encoding " + std::to_string(*first));
  }
  Result<std::string_view> raw = ReadBytes(static_cast<size_t>(bytes), what);
  if (!raw.ok()) {
    return raw.status();
  }
  uint64_t v = 0;
  for (char c : *raw) {
    v = (v << 8) | static_cast<unsigned char>(c);
  }
  return v;
}

Result<std::string> RdbReader::ReadLzf(size_t at) {
  Result<uint64_t> clen = ReadLength("LZF compressed length");
  if (!clen.ok()) {
    return clen.status();
  }
  Result<uint64_t> len = ReadLength("LZF raw length");
  if (!len.ok()) {
    return len.status();
  }
  if (*len > kMaxStringBytes) {
    return Corrupt(at, "LZF string of " + std::to_string(*len) + " bytes is too large");
  }
  Result<std::string_view> packed = ReadBytes(*clen, "LZF data");
  if (!packed.ok()) {
    return packed.status();
  }
  std::string out(*len, '\0');
  unsigned int got = lzf_decompress(packed->data(), static_cast<unsigned int>(packed->size()),
                                    out.data(), static_cast<unsigned int>(out.size()));
  if (got != *len) {
    return Corrupt(at, "invalid LZF compressed string");
  }
  return out;
}

Result<std::string> RdbReader::ReadString(const char* what) {
  size_t at = pos_;
  bool encoded = false;
  Result<uint64_t> len = ReadLength(what, &encoded);
  if (!len.ok()) {
    return len.status();
  }
  if (encoded) {
    if (*len == kEncLzf) {
      return ReadLzf(at);
    }
    int bytes = *len == kEncInt8 ? 1 : *len == kEncInt16 ? 2 : *len == kEncInt32 ? 4 : 0;
    if (bytes == 0) {
      return Corrupt(at, "unknown string encoding " + std::to_string(*len));
    }
    Result<std::string_view> raw = ReadBytes(static_cast<size_t>(bytes), what);
    if (!raw.ok()) {
      return raw.status();
    }
    uint64_t v = LittleEndian(*raw);
    int64_t value = bytes == 1   ? static_cast<int8_t>(v)
                    : bytes == 2 ? static_cast<int16_t>(v)
                                 : static_cast<int32_t>(v);
    return FormatInt64(value);
  }
  if (*len > kMaxStringBytes) {
    return Corrupt(at, "string of " + std::to_string(*len) + " bytes is too large");
  }
  Result<std::string_view> raw = ReadBytes(*len, what);
  if (!raw.ok()) {
    return raw.status();
  }
  return std::string(*raw);
}

Result<int64_t> RdbReader::ReadMillis() {
  Result<std::string_view> raw = ReadBytes(8, "expire time (ms)");
  if (!raw.ok()) {
    return raw.status();
  }
  return static_cast<int64_t>(LittleEndian(*raw));
}

Result<int64_t> RdbReader::ReadSeconds() {
  Result<std::string_view> raw = ReadBytes(4, "expire time (s)");
  if (!raw.ok()) {
    return raw.status();
  }
  return static_cast<int64_t>(static_cast<int32_t>(LittleEndian(*raw)));
}

namespace {

// The state of a load between opcodes.
struct LoadState {
  engine::Keyspace& keyspace;
  const RdbLoadOptions& options;
  RdbLoadInfo info;
  int db = 0;
  bool has_expire = false;
  int64_t expire_at_ms = 0;
};

Status LoadHeader(RdbReader& r, RdbLoadInfo& info) {
  Result<std::string_view> header = r.ReadBytes(9, "header");
  if (!header.ok()) {
    return RdbReader::Corrupt(
        0, "file too short for the RDB header (" + std::to_string(r.data().size()) + " bytes)");
  }
  if (!header->starts_with(kRdbMagic)) {
    return RdbReader::Corrupt(0, "wrong signature, not an RDB file");
  }
  int version = 0;
  for (char c : header->substr(5)) {
    version = (c >= '0' && c <= '9' && version >= 0) ? version * 10 + (c - '0') : -1;
  }
  if (version < 1 || version > kRdbMaxLoadableVersion) {
    return RdbReader::Corrupt(5,
                              "can't handle RDB format version " + std::string(header->substr(5)));
  }
  info.version = version;
  return Status::Ok();
}

Status LoadKey(uint8_t type, size_t type_offset, RdbReader& r, LoadState& s) {
  size_t key_offset = r.offset();
  Result<std::string> key = r.ReadString("key");
  if (!key.ok()) {
    return key.status();
  }
  Result<engine::Entry*> e = ReadValue(type, type_offset, *key, s.has_expire, s.expire_at_ms, r);
  if (!e.ok()) {
    return e.status();
  }
  if (*e == nullptr) {  // an empty collection: skipped, as Redis does
    s.has_expire = false;
    return Status::Ok();
  }
  bool expired = s.has_expire && s.options.skip_expired && s.expire_at_ms < s.options.now_ms;
  s.has_expire = false;
  engine::Db& db = s.keyspace.db(s.db);
  if (s.options.replace_existing) {
    db.Delete(*key);
  } else if (db.Find(*key) != nullptr) {
    engine::Entry::Free(*e);
    return RdbReader::Corrupt(key_offset,
                              "duplicate key '" + *key + "' in db " + std::to_string(s.db));
  }
  if (expired) {
    engine::Entry::Free(*e);
    s.info.keys_expired++;
    return Status::Ok();
  }
  db.Insert(*e);
  s.info.keys_loaded++;
  return Status::Ok();
}

// Opcodes other than keys and EOF. Returns the error for an opcode this build refuses.
Status LoadOpcode(uint8_t op, size_t at, RdbReader& r, LoadState& s) {
  switch (op) {
    case kOpSelectDb: {
      Result<uint64_t> db = r.ReadLength("db index");
      if (!db.ok()) {
        return db.status();
      }
      if (*db >= static_cast<uint64_t>(s.keyspace.db_count())) {
        return RdbReader::Corrupt(at, "db index " + std::to_string(*db) +
                                          " out of range (databases is " +
                                          std::to_string(s.keyspace.db_count()) + ")");
      }
      s.db = static_cast<int>(*db);
      return Status::Ok();
    }
    case kOpResizeDb: {
      Result<uint64_t> size = r.ReadLength("db size");
      Result<uint64_t> expires = size.ok() ? r.ReadLength("expires size") : size;
      if (!expires.ok()) {
        return expires.status();
      }
      // As Redis: size the db for what follows. A key takes at least 3 bytes of the file, so a
      // forged count cannot make us allocate more than the file could hold.
      uint64_t most = r.remaining() / 3;
      s.keyspace.db(s.db).Reserve(std::min(*size, most), std::min(*expires, most));
      return Status::Ok();
    }
    case kOpExpireTimeMs:
    case kOpExpireTime: {
      Result<int64_t> t = op == kOpExpireTimeMs ? r.ReadMillis() : r.ReadSeconds();
      if (!t.ok()) {
        return t.status();
      }
      s.has_expire = true;
      s.expire_at_ms = op == kOpExpireTimeMs ? *t : *t * 1000;
      return Status::Ok();
    }
    case kOpIdle: {
      Result<uint64_t> idle = r.ReadLength("idle time");
      return idle.ok() ? Status::Ok() : idle.status();
    }
    case kOpFreq: {
      Result<uint8_t> freq = r.ReadByte("LFU frequency");
      return freq.ok() ? Status::Ok() : freq.status();
    }
    case kOpAux: {
      Result<std::string> key = r.ReadString("AUX key");
      Result<std::string> value = key.ok() ? r.ReadString("AUX value") : key;
      if (!value.ok()) {
        return value.status();
      }
      s.info.aux[*key] = *value;
      return Status::Ok();
    }
    case kOpModuleAux:
      return RdbReader::Corrupt(at, "module data (MODULE_AUX) is not supported");
    case kOpFunction2: {
      Result<std::string> code = r.ReadString("function library code");
      if (!code.ok()) {
        return code.status();
      }
      s.info.functions.push_back(std::move(*code));
      return Status::Ok();
    }
    case kOpFunctionPreGa:
      return RdbReader::Corrupt(at, "pre-GA functions (FUNCTION) are not supported");
    default:
      return LoadKey(op, at, r, s);
  }
}

Status VerifyChecksum(RdbReader& r, const LoadState& s, size_t eof_at) {
  if (s.info.version < 5) {
    return Status::Ok();  // no checksum before RDB 5
  }
  size_t at = r.offset();
  Result<std::string_view> raw = r.ReadBytes(8, "checksum");
  if (!raw.ok()) {
    return raw.status();
  }
  uint64_t expected = LittleEndian(*raw);
  if (expected == 0 || !s.options.verify_checksum) {
    return Status::Ok();
  }
  uint64_t actual = Crc64(0, r.data().substr(0, eof_at + 1));
  if (actual != expected) {
    return RdbReader::Corrupt(at, "wrong RDB checksum (file says " + std::to_string(expected) +
                                      ", contents give " + std::to_string(actual) + ")");
  }
  return Status::Ok();
}

}  // namespace

Result<RdbLoadInfo> LoadRdb(std::string_view data, engine::Keyspace& keyspace,
                            const RdbLoadOptions& options) {
  RdbReader r(data);
  LoadState s{keyspace, options, {}};
  CAIRN_RETURN_IF_ERROR(LoadHeader(r, s.info));
  size_t next_progress = options.progress_interval_bytes;
  while (true) {
    size_t at = r.offset();
    if (options.progress && at >= next_progress) {
      next_progress = at + std::max<size_t>(options.progress_interval_bytes, 1);
      if (!options.progress(at)) {
        return Status::Aborted("loading aborted");
      }
    }
    Result<uint8_t> op = r.ReadByte("opcode");
    if (!op.ok()) {
      return op.status();
    }
    if (*op == kOpEof) {
      CAIRN_RETURN_IF_ERROR(VerifyChecksum(r, s, at));
      break;
    }
    CAIRN_RETURN_IF_ERROR(LoadOpcode(*op, at, r, s));
    if (options.key_delay_us > 0) {
      usleep(static_cast<useconds_t>(options.key_delay_us));
    }
  }
  s.info.bytes = r.offset();
  return s.info;
}

}  // namespace cairn::persistence
