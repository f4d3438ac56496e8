// The codec table and the dispatch by engine type (saving) and RDB type byte (loading).
#include "dataplane/persistence/value_codec.h"

#include <array>
#include <string>

#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"

namespace cairn::persistence {
namespace {

// Add a type's codec here when its engine type lands (list, set, zset, hash, stream).
const ValueCodec* const kCodecs[] = {&StringCodec(), &ListCodec(), &SetCodec(),
                                     &HashCodec(),   &ZSetCodec(), &StreamCodec()};

}  // namespace

std::string_view RdbTypeName(uint8_t type) {
  switch (type) {
    case kTypeString:
      return "string";
    case kTypeList:
      return "list";
    case kTypeSet:
      return "set";
    case kTypeZSet:
      return "zset";
    case kTypeHash:
      return "hash";
    case kTypeZSet2:
      return "zset-2";
    case kTypeModule:
      return "module";
    case kTypeModule2:
      return "module-2";
    case kTypeHashZipmap:
      return "hash-zipmap";
    case kTypeListZiplist:
      return "list-ziplist";
    case kTypeSetIntset:
      return "set-intset";
    case kTypeZSetZiplist:
      return "zset-ziplist";
    case kTypeHashZiplist:
      return "hash-ziplist";
    case kTypeListQuicklist:
      return "list-quicklist";
    case kTypeStreamListpacks:
      return "stream-listpacks";
    case kTypeHashListpack:
      return "hash-listpack";
    case kTypeZSetListpack:
      return "zset-listpack";
    case kTypeListQuicklist2:
      return "list-quicklist-2";
    case kTypeStreamListpacks2:
      return "stream-listpacks-2";
    default:
      return "unknown";
  }
}

namespace {

const ValueCodec* CodecFor(const engine::Entry& e) {
  for (const ValueCodec* codec : kCodecs) {
    if (codec->type == e.type()) {
      return codec;
    }
  }
  return nullptr;
}

}  // namespace

Status WriteTypeAndValue(const engine::Entry& e, RdbWriter& w) {
  if (const ValueCodec* codec = CodecFor(e)) {
    w.WriteByte(codec->rdb_type(e));
    return codec->save(e, w);
  }
  return Status::FailedPrecondition("no RDB encoder for values of type " +
                                    std::string(engine::TypeName(e.type())));
}

Status WriteValue(const engine::Entry& e, RdbWriter& w) {
  if (const ValueCodec* codec = CodecFor(e)) {
    w.WriteByte(codec->rdb_type(e));
    w.WriteString(e.key());
    return codec->save(e, w);
  }
  return Status::FailedPrecondition("no RDB encoder for values of type " +
                                    std::string(engine::TypeName(e.type())));
}

Result<engine::Entry*> ReadValue(uint8_t type, size_t type_offset, std::string_view key,
                                 bool has_expire, int64_t expire_at_ms, RdbReader& r) {
  for (const ValueCodec* codec : kCodecs) {
    if (codec->loads(type)) {
      return codec->load(type, key, has_expire, expire_at_ms, r);
    }
  }
  std::string name(RdbTypeName(type));
  if (name == "unknown") {
    return RdbReader::Corrupt(type_offset, "unknown value type " + std::to_string(type));
  }
  return RdbReader::Corrupt(type_offset, "value type " + std::to_string(type) + " (" + name +
                                             ") is not supported by this cairn-server build yet");
}

}  // namespace cairn::persistence
