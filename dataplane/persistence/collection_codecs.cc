// RDB codecs of lists, sets and hashes. Saving writes the plain forms every Redis since 2.x loads
// (RDB_TYPE_LIST, RDB_TYPE_SET, RDB_TYPE_HASH: a length, then the elements / members / field and
// value pairs as RDB strings). Loading also takes what Redis 7.0 writes: QUICKLIST_2 (plain and
// listpack nodes), the older LIST_QUICKLIST and LIST_ZIPLIST (ziplists), SET_INTSET,
// HASH_LISTPACK and HASH_ZIPLIST, each blob validated fully (packed_blobs.h). Loaded values get
// the encodings the default thresholds give (a CONFIG SET threshold applies from the next write).
// An empty collection loads as no key (nullptr), as Redis skips empty keys.
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "dataplane/engine/keyspace.h"
#include "dataplane/engine/types/hash.h"
#include "dataplane/engine/types/list.h"
#include "dataplane/engine/types/set.h"
#include "dataplane/persistence/packed_blobs.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"
#include "dataplane/persistence/value_codec.h"

namespace cairn::persistence {
namespace {

using engine::Entry;

const engine::KeyspaceConfig kDefaults{};

// Reads a length-prefixed sequence of `per_item` RDB strings per item.
Result<std::vector<std::string>> ReadStrings(RdbReader& r, uint64_t per_item, const char* what) {
  size_t at = r.offset();
  Result<uint64_t> n = r.ReadLength(what);
  if (!n.ok()) {
    return n.status();
  }
  if (*n > r.remaining()) {  // every string takes at least one byte
    return RdbReader::Corrupt(at, std::string(what) + " length exceeds the data");
  }
  std::vector<std::string> out;
  out.reserve(*n * per_item);
  for (uint64_t i = 0; i < *n * per_item; i++) {
    Result<std::string> s = r.ReadString(what);
    if (!s.ok()) {
      return s.status();
    }
    out.push_back(std::move(*s));
  }
  return out;
}

// Reads one RDB string holding a packed blob and decodes it with `decode`.
Result<std::vector<std::string>> ReadBlob(
    RdbReader& r, Result<std::vector<std::string>> (*decode)(std::string_view), const char* what) {
  size_t at = r.offset();
  Result<std::string> blob = r.ReadString(what);
  if (!blob.ok()) {
    return blob.status();
  }
  Result<std::vector<std::string>> items = decode(*blob);
  if (!items.ok()) {
    return RdbReader::Corrupt(at, std::string(what) + ": " + std::string(items.status().message()));
  }
  return items;
}

// ---- lists

Status SaveList(const Entry& e, RdbWriter& w) {
  const auto* list = static_cast<const engine::ListValue*>(e.object());
  w.WriteLength(list->size());
  if (!list->empty()) {
    list->Visit(0, list->size() - 1, false, [&w](std::string_view v) {
      w.WriteString(v);
      return true;
    });
  }
  return Status::Ok();
}

// The elements of a quicklist value: LIST_QUICKLIST (ziplist nodes) or QUICKLIST_2 (container
// 1 = one plain element, 2 = a listpack).
Result<std::vector<std::string>> ReadQuicklist(RdbReader& r, bool v2) {
  size_t at = r.offset();
  Result<uint64_t> nodes = r.ReadLength("quicklist node count");
  if (!nodes.ok()) {
    return nodes.status();
  }
  if (*nodes > r.remaining()) {
    return RdbReader::Corrupt(at, "quicklist node count exceeds the data");
  }
  std::vector<std::string> out;
  for (uint64_t i = 0; i < *nodes; i++) {
    uint64_t container = 2;
    if (v2) {
      size_t c_at = r.offset();
      Result<uint64_t> c = r.ReadLength("quicklist container");
      if (!c.ok()) {
        return c.status();
      }
      if (*c != 1 && *c != 2) {
        return RdbReader::Corrupt(c_at, "quicklist container type " + std::to_string(*c));
      }
      container = *c;
    }
    if (container == 1) {
      Result<std::string> s = r.ReadString("quicklist plain node");
      if (!s.ok()) {
        return s.status();
      }
      out.push_back(std::move(*s));
      continue;
    }
    size_t node_at = r.offset();
    Result<std::vector<std::string>> items =
        ReadBlob(r, v2 ? DecodeListpack : DecodeZiplist, "quicklist node");
    if (!items.ok()) {
      return items.status();
    }
    if (items->empty()) {
      return RdbReader::Corrupt(node_at, "empty quicklist node");
    }
    for (std::string& s : *items) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

Result<Entry*> LoadList(uint8_t type, std::string_view key, bool has_expire, int64_t expire_at_ms,
                        RdbReader& r) {
  Result<std::vector<std::string>> items = type == kTypeList ? ReadStrings(r, 1, "list element")
                                           : type == kTypeListZiplist
                                               ? ReadBlob(r, DecodeZiplist, "list ziplist")
                                           : type == kTypeListQuicklist ? ReadQuicklist(r, false)
                                                                        : ReadQuicklist(r, true);
  if (!items.ok()) {
    return items.status();
  }
  if (items->empty()) {
    return static_cast<Entry*>(nullptr);
  }
  auto* list = new engine::ListValue(kDefaults.list_max_listpack_size);
  for (const std::string& s : *items) {
    list->PushBack(s);
  }
  return Entry::NewObject(key, engine::ValueType::kList, engine::Encoding::kQuicklist, list,
                          has_expire, expire_at_ms);
}

// ---- sets

Status SaveSet(const Entry& e, RdbWriter& w) {
  const auto* set = static_cast<const engine::SetValue*>(e.object());
  w.WriteLength(set->size());
  set->ForEach([&w](std::string_view m) { w.WriteString(m); });
  return Status::Ok();
}

Result<Entry*> LoadSet(uint8_t type, std::string_view key, bool has_expire, int64_t expire_at_ms,
                       RdbReader& r) {
  size_t at = r.offset();
  Result<std::vector<std::string>> items =
      type == kTypeSet ? ReadStrings(r, 1, "set member") : ReadBlob(r, DecodeIntset, "set intset");
  if (!items.ok()) {
    return items.status();
  }
  if (items->empty()) {
    return static_cast<Entry*>(nullptr);
  }
  auto set = std::make_unique<engine::SetValue>();
  if (type == kTypeSet && items->size() > static_cast<size_t>(kDefaults.set_max_intset_entries)) {
    set->ConvertToTable();
  }
  for (const std::string& m : *items) {
    if (!set->Add(m, kDefaults.set_max_intset_entries)) {
      return RdbReader::Corrupt(at, "duplicate set member");
    }
  }
  engine::Encoding encoding = set->encoding();
  return Entry::NewObject(key, engine::ValueType::kSet, encoding, set.release(), has_expire,
                          expire_at_ms);
}

// ---- hashes

Status SaveHash(const Entry& e, RdbWriter& w) {
  const auto* hash = static_cast<const engine::HashValue*>(e.object());
  w.WriteLength(hash->size());
  hash->ForEach([&w](std::string_view f, std::string_view v) {
    w.WriteString(f);
    w.WriteString(v);
  });
  return Status::Ok();
}

Result<Entry*> LoadHash(uint8_t type, std::string_view key, bool has_expire, int64_t expire_at_ms,
                        RdbReader& r) {
  size_t at = r.offset();
  Result<std::vector<std::string>> items =
      type == kTypeHash          ? ReadStrings(r, 2, "hash field or value")
      : type == kTypeHashZiplist ? ReadBlob(r, DecodeZiplist, "hash ziplist")
                                 : ReadBlob(r, DecodeListpack, "hash listpack");
  if (!items.ok()) {
    return items.status();
  }
  if (items->size() % 2 != 0) {
    return RdbReader::Corrupt(at, "hash with an odd number of elements");
  }
  if (items->empty()) {
    return static_cast<Entry*>(nullptr);
  }
  engine::HashLimits limits{.max_entries = kDefaults.hash_max_listpack_entries,
                            .max_value = kDefaults.hash_max_listpack_value};
  auto hash = std::make_unique<engine::HashValue>();
  if (items->size() / 2 > static_cast<size_t>(limits.max_entries)) {
    hash->ConvertToTable();
  }
  for (size_t i = 0; i < items->size(); i += 2) {
    if (!hash->Set((*items)[i], (*items)[i + 1], limits)) {
      return RdbReader::Corrupt(at, "duplicate hash field");
    }
  }
  engine::Encoding encoding = hash->encoding();
  return Entry::NewObject(key, engine::ValueType::kHash, encoding, hash.release(), has_expire,
                          expire_at_ms);
}

}  // namespace

const ValueCodec& ListCodec() {
  static const ValueCodec kCodec{engine::ValueType::kList, [](const Entry&) { return kTypeList; },
                                 SaveList,
                                 [](uint8_t t) {
                                   return t == kTypeList || t == kTypeListZiplist ||
                                          t == kTypeListQuicklist || t == kTypeListQuicklist2;
                                 },
                                 LoadList};
  return kCodec;
}

const ValueCodec& SetCodec() {
  static const ValueCodec kCodec{
      engine::ValueType::kSet, [](const Entry&) { return kTypeSet; }, SaveSet,
      [](uint8_t t) { return t == kTypeSet || t == kTypeSetIntset; }, LoadSet};
  return kCodec;
}

const ValueCodec& HashCodec() {
  static const ValueCodec kCodec{
      engine::ValueType::kHash, [](const Entry&) { return kTypeHash; }, SaveHash,
      [](uint8_t t) { return t == kTypeHash || t == kTypeHashZiplist || t == kTypeHashListpack; },
      LoadHash};
  return kCodec;
}

}  // namespace cairn::persistence
