// RDB codec of sorted sets, as Redis 7.0 rdb.c: a packed ("listpack") set is written as
// RDB_TYPE_ZSET_LISTPACK (a listpack of member, score pairs, scores as d2string text) and a full
// one as RDB_TYPE_ZSET_2 (a length, then member and 8-byte little-endian binary score pairs from
// the greatest element to the smallest). Loading also takes RDB_TYPE_ZSET (scores as
// length-prefixed text, 253/254/255 = nan/inf/-inf) and RDB_TYPE_ZSET_ZIPLIST. Untrusted bytes
// are validated: counts against the data left, NaN or malformed scores, odd packed element
// counts and duplicate members are refused. Loaded sets get the default thresholds' encoding
// (a listpack stays packed unless it has too many entries, as Redis); an empty set is no key.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/strings.h"
#include "dataplane/engine/keyspace.h"
#include "dataplane/engine/types/zset.h"
#include "dataplane/persistence/packed_blobs.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"
#include "dataplane/persistence/value_codec.h"

namespace cairn::persistence {
namespace {

using engine::Entry;
using engine::ZSetValue;

const engine::KeyspaceConfig kDefaults{};

uint8_t ZSetRdbType(const Entry& e) {
  const auto* z = static_cast<const ZSetValue*>(e.object());
  return z->encoding() == engine::Encoding::kListpack ? kTypeZSetListpack : kTypeZSet2;
}

Status SaveZSet(const Entry& e, RdbWriter& w) {
  const auto* z = static_cast<const ZSetValue*>(e.object());
  if (z->encoding() == engine::Encoding::kListpack) {
    std::vector<std::string> items;
    items.reserve(z->size() * 2);
    z->ForEach([&items](double s, std::string_view m) {
      items.emplace_back(m);
      items.push_back(FormatDouble(s));
      return true;
    });
    w.WriteString(EncodeListpack(items));
    return Status::Ok();
  }
  w.WriteLength(z->size());
  z->Visit(z->size() - 1, true, [&w](double s, std::string_view m) {
    w.WriteString(m);
    char raw[8];
    std::memcpy(raw, &s, sizeof(raw));  // little-endian hosts only, as Redis's memrev64ifbe
    w.WriteRaw(std::string_view(raw, sizeof(raw)));
    return true;
  });
  return Status::Ok();
}

// One score of RDB_TYPE_ZSET (rdbLoadDoubleValue).
Result<double> ReadTextScore(RdbReader& r) {
  size_t at = r.offset();
  Result<uint8_t> len = r.ReadByte("zset score length");
  if (!len.ok()) {
    return len.status();
  }
  if (*len == 253) {
    return RdbReader::Corrupt(at, "zset score is NaN");
  }
  if (*len >= 254) {
    return *len == 254 ? HUGE_VAL : -HUGE_VAL;
  }
  Result<std::string_view> text = r.ReadBytes(*len, "zset score");
  if (!text.ok()) {
    return text.status();
  }
  std::optional<double> v = ParseDouble(*text);
  if (!v) {
    return RdbReader::Corrupt(at, "zset score is not a number");
  }
  return *v;
}

Result<double> ReadBinaryScore(RdbReader& r) {
  size_t at = r.offset();
  Result<std::string_view> raw = r.ReadBytes(8, "zset score");
  if (!raw.ok()) {
    return raw.status();
  }
  double v;
  std::memcpy(&v, raw->data(), sizeof(v));
  if (std::isnan(v)) {
    return RdbReader::Corrupt(at, "zset score is NaN");
  }
  return v;
}

// Reads RDB_TYPE_ZSET / ZSET_2 pairs into `z`.
Status ReadPairs(RdbReader& r, bool binary, ZSetValue* z) {
  size_t at = r.offset();
  Result<uint64_t> n = r.ReadLength("zset length");
  if (!n.ok()) {
    return n.status();
  }
  if (*n > r.remaining() / 2) {  // a member and a score take at least two bytes
    return RdbReader::Corrupt(at, "zset length exceeds the data");
  }
  z->ConvertToFull();  // back to packed after loading when it fits, as Redis
  engine::ZSetLimits unlimited{.max_entries = INT64_MAX, .max_value = INT64_MAX};
  for (uint64_t i = 0; i < *n; i++) {
    size_t m_at = r.offset();
    Result<std::string> member = r.ReadString("zset member");
    if (!member.ok()) {
      return member.status();
    }
    Result<double> score = binary ? ReadBinaryScore(r) : ReadTextScore(r);
    if (!score.ok()) {
      return score.status();
    }
    if (!z->Set(*member, *score, unlimited)) {
      return RdbReader::Corrupt(m_at, "duplicate zset member");
    }
  }
  return Status::Ok();
}

// Reads a listpack / ziplist blob of member, score pairs into `z`.
Status ReadPacked(RdbReader& r, bool listpack, ZSetValue* z) {
  size_t at = r.offset();
  Result<std::string> blob = r.ReadString("zset packed blob");
  if (!blob.ok()) {
    return blob.status();
  }
  Result<std::vector<std::string>> items = listpack ? DecodeListpack(*blob) : DecodeZiplist(*blob);
  if (!items.ok()) {
    return RdbReader::Corrupt(at, "zset packed blob: " + std::string(items.status().message()));
  }
  if (items->size() % 2 != 0) {
    return RdbReader::Corrupt(at, "zset packed blob with an odd number of elements");
  }
  engine::ZSetLimits unlimited{.max_entries = INT64_MAX, .max_value = INT64_MAX};
  for (size_t i = 0; i < items->size(); i += 2) {
    std::optional<double> score = ParseDouble((*items)[i + 1]);
    if (!score) {
      return RdbReader::Corrupt(at, "zset packed blob with a bad score");
    }
    if (!z->Set((*items)[i], *score, unlimited)) {
      return RdbReader::Corrupt(at, "duplicate zset member");
    }
  }
  return Status::Ok();
}

Result<Entry*> LoadZSet(uint8_t type, std::string_view key, bool has_expire, int64_t expire_at_ms,
                        RdbReader& r) {
  auto z = std::make_unique<ZSetValue>();
  engine::ZSetLimits limits{.max_entries = kDefaults.zset_max_listpack_entries,
                            .max_value = kDefaults.zset_max_listpack_value};
  if (type == kTypeZSet || type == kTypeZSet2) {
    CAIRN_RETURN_IF_ERROR(ReadPairs(r, type == kTypeZSet2, z.get()));
    z->ConvertToPackedIfFits(limits);
  } else {
    CAIRN_RETURN_IF_ERROR(ReadPacked(r, type == kTypeZSetListpack, z.get()));
    if (static_cast<int64_t>(z->size()) > limits.max_entries) {
      z->ConvertToFull();
    }
  }
  if (z->size() == 0) {
    return static_cast<Entry*>(nullptr);
  }
  engine::Encoding encoding = z->encoding();
  return Entry::NewObject(key, engine::ValueType::kZSet, encoding, z.release(), has_expire,
                          expire_at_ms);
}

}  // namespace

const ValueCodec& ZSetCodec() {
  static const ValueCodec kCodec{engine::ValueType::kZSet, ZSetRdbType, SaveZSet,
                                 [](uint8_t t) {
                                   return t == kTypeZSet || t == kTypeZSet2 ||
                                          t == kTypeZSetZiplist || t == kTypeZSetListpack;
                                 },
                                 LoadZSet};
  return kCodec;
}

}  // namespace cairn::persistence
