// String values in RDB: RDB_TYPE_STRING followed by one RDB string (raw, int or LZF encoded).
// Loaded values get the encoding SET would give them (int, embstr, raw).
#include "dataplane/engine/types/string.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"
#include "dataplane/persistence/value_codec.h"

namespace cairn::persistence {
namespace {

uint8_t StringRdbType(const engine::Entry&) {
  return kTypeString;
}

Status SaveString(const engine::Entry& e, RdbWriter& w) {
  w.WriteString(e.string_value());
  return Status::Ok();
}

bool LoadsString(uint8_t rdb_type) {
  return rdb_type == kTypeString;
}

Result<engine::Entry*> LoadString(uint8_t, std::string_view key, bool has_expire,
                                  int64_t expire_at_ms, RdbReader& r) {
  Result<std::string> value = r.ReadString("string value");
  if (!value.ok()) {
    return value.status();
  }
  return engine::Entry::NewString(key, *value, engine::strings::EncodingFor(*value), has_expire,
                                  expire_at_ms);
}

}  // namespace

const ValueCodec& StringCodec() {
  static const ValueCodec kCodec{engine::ValueType::kString, StringRdbType, SaveString, LoadsString,
                                 LoadString};
  return kCodec;
}

}  // namespace cairn::persistence
