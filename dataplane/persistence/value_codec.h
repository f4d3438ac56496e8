// Value codecs: one encoder and decoder per value type, for RDB files, full syncs and (later)
// DUMP/RESTORE payloads. Strings are here today; each new engine type (engine/types/) adds its
// codec to the table in value_codec.cc, and the loader refuses the RDB types nobody claims.
#pragma once

#include <cstdint>
#include <string_view>

#include "dataplane/base/status.h"
#include "dataplane/engine/entry.h"

namespace cairn::persistence {

class RdbWriter;
class RdbReader;

// Writes e's RDB type byte, its key and its value. Errors: FailedPrecondition for a type with no
// codec in this build.
Status WriteValue(const engine::Entry& e, RdbWriter& w);

// Writes e's RDB type byte and value without the key (a DUMP payload's body).
Status WriteTypeAndValue(const engine::Entry& e, RdbWriter& w);

// Reads a value of RDB type `type` (already consumed) and returns a new entry for `key` (owned
// by the caller until inserted). Errors: DataLoss naming `type_offset` for an unknown or not yet
// supported type, or for malformed value bytes.
Result<engine::Entry*> ReadValue(uint8_t type, size_t type_offset, std::string_view key,
                                 bool has_expire, int64_t expire_at_ms, RdbReader& r);

// One type's codec.
struct ValueCodec {
  engine::ValueType type;
  // Writes the type byte and value (the key is written by WriteValue between them).
  uint8_t (*rdb_type)(const engine::Entry& e);
  Status (*save)(const engine::Entry& e, RdbWriter& w);
  // True for the RDB type bytes this codec loads.
  bool (*loads)(uint8_t rdb_type);
  Result<engine::Entry*> (*load)(uint8_t rdb_type, std::string_view key, bool has_expire,
                                 int64_t expire_at_ms, RdbReader& r);
};

// The string codec (string_codec.cc).
const ValueCodec& StringCodec();
// List, set and hash codecs (collection_codecs.cc). Their load returns nullptr for an empty
// collection: the key is skipped, as Redis skips empty keys.
const ValueCodec& ListCodec();
const ValueCodec& SetCodec();
const ValueCodec& HashCodec();
// The sorted-set codec (zset_codec.cc); load returns nullptr for an empty set.
const ValueCodec& ZSetCodec();
// The stream codec (stream_codec.cc): writes RDB_TYPE_STREAM_LISTPACKS_2, reads it and type 15.
const ValueCodec& StreamCodec();

}  // namespace cairn::persistence
