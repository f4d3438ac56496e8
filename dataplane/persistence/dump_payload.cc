// DUMP/RESTORE payload framing around the value codecs.
#include "dataplane/persistence/dump_payload.h"

#include <optional>

#include "dataplane/base/crc64.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"
#include "dataplane/persistence/value_codec.h"

namespace cairn::persistence {
namespace {

constexpr size_t kFooterBytes = 10;  // 2 bytes of RDB version, 8 of CRC-64

// Appends the RDB version and the CRC-64 of everything before it.
std::string WithFooter(std::string out) {
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>((kRdbVersion >> 8) & 0xff));
  uint64_t crc = Crc64(0, out);
  for (int i = 0; i < 8; i++) {
    out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  }
  return out;
}

// The body before the footer, or nullopt when the version or CRC is wrong.
std::optional<std::string_view> CheckFooter(std::string_view payload) {
  if (payload.size() < kFooterBytes) {
    return std::nullopt;
  }
  std::string_view footer = payload.substr(payload.size() - kFooterBytes);
  int version =
      static_cast<unsigned char>(footer[0]) | (static_cast<unsigned char>(footer[1]) << 8);
  uint64_t crc = 0;
  for (int i = 7; i >= 0; i--) {
    crc = (crc << 8) | static_cast<unsigned char>(footer[2 + i]);
  }
  if (version > kRdbVersion || Crc64(0, payload.substr(0, payload.size() - 8)) != crc) {
    return std::nullopt;
  }
  return payload.substr(0, payload.size() - kFooterBytes);
}

}  // namespace

Result<std::string> DumpPayload(const engine::Entry& e, bool compression) {
  RdbWriter w(nullptr, compression);
  CAIRN_RETURN_IF_ERROR(WriteTypeAndValue(e, w));
  return WithFooter(std::move(w.buffer()));
}

std::string DumpFunctionsPayload(const std::vector<std::string>& codes, bool compression) {
  RdbWriter w(nullptr, compression);
  for (const std::string& code : codes) {
    w.WriteByte(kOpFunction2);
    w.WriteString(code);
  }
  return WithFooter(std::move(w.buffer()));
}

Result<std::vector<std::string>> ParseFunctionsPayload(std::string_view payload) {
  std::optional<std::string_view> body = CheckFooter(payload);
  if (!body) {
    return Status::InvalidArgument("ERR DUMP payload version or checksum are wrong");
  }
  RdbReader r(*body);
  std::vector<std::string> codes;
  while (r.remaining() > 0) {
    Result<uint8_t> type = r.ReadByte("type");
    if (!type.ok() || *type != kOpFunction2) {
      return Status::InvalidArgument("ERR given type is not a function");
    }
    Result<std::string> code = r.ReadString("function library code");
    if (!code.ok()) {
      return Status::InvalidArgument("ERR Bad data format");
    }
    codes.push_back(std::move(*code));
  }
  return codes;
}

Result<engine::Entry*> ParseDumpPayload(std::string_view payload, std::string_view key,
                                        bool has_expire, int64_t expire_at_ms) {
  std::optional<std::string_view> body = CheckFooter(payload);
  if (!body) {
    return Status::InvalidArgument("ERR DUMP payload version or checksum are wrong");
  }
  RdbReader r(*body);
  const Status kBadFormat = Status::InvalidArgument("ERR Bad data format");
  Result<uint8_t> type = r.ReadByte("type");
  if (!type.ok()) {
    return kBadFormat;
  }
  Result<engine::Entry*> e = ReadValue(*type, 0, key, has_expire, expire_at_ms, r);
  if (!e.ok() || *e == nullptr) {  // nullptr: an empty collection
    return kBadFormat;
  }
  if (r.remaining() != 0) {
    engine::Entry::Free(*e);
    return kBadFormat;
  }
  return *e;
}

}  // namespace cairn::persistence
