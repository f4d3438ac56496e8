// Digests. Redis builds them from two steps over SHA1: xor (digest ^= SHA1(data)) and mix
// (xor, then digest = SHA1(digest)). A value mixes its type (32-bit big-endian), then its
// content; a key/value pair starts from zero, mixes the key, then the value, and is xored into
// the dataset digest, so key order does not matter; each non-empty database first mixes its
// index into the dataset digest.
#include "dataplane/commands/debug_digest.h"

#include <arpa/inet.h>

#include <cstdio>
#include <string_view>

#include <openssl/sha.h>

#include "dataplane/base/strings.h"
#include "dataplane/engine/types/hash.h"
#include "dataplane/engine/types/list.h"
#include "dataplane/engine/types/set.h"
#include "dataplane/engine/types/stream.h"
#include "dataplane/engine/types/zset.h"

namespace cairn::commands {
namespace {

void XorDigest(Digest& digest, std::string_view data) {
  Digest hash;
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), hash.data());
  for (size_t i = 0; i < digest.size(); i++) {
    digest[i] ^= hash[i];
  }
}

void MixDigest(Digest& digest, std::string_view data) {
  XorDigest(digest, data);
  Digest hashed;
  SHA1(digest.data(), digest.size(), hashed.data());
  digest = hashed;
}

std::string_view AsBytes(const uint32_t& v) {
  return {reinterpret_cast<const char*>(&v), sizeof(v)};
}

std::string_view AsBytes(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// Collections as Redis's xorObjectDigest: list elements mixed in order, set members xored,
// each hash field+value pair (sorted sets: member and %.17g score) mixed into its own digest
// and xored in, stream entries mixed in order.
void MixCollection(Digest& digest, const engine::Entry& entry) {
  if (entry.type() == engine::ValueType::kList) {
    const auto* list = static_cast<const engine::ListValue*>(entry.object());
    if (!list->empty()) {
      list->Visit(0, list->size() - 1, false, [&digest](std::string_view v) {
        MixDigest(digest, v);
        return true;
      });
    }
  } else if (entry.type() == engine::ValueType::kSet) {
    static_cast<const engine::SetValue*>(entry.object())->ForEach([&digest](std::string_view m) {
      XorDigest(digest, m);
    });
  } else if (entry.type() == engine::ValueType::kHash) {
    static_cast<const engine::HashValue*>(entry.object())
        ->ForEach([&digest](std::string_view f, std::string_view v) {
          Digest pair{};
          MixDigest(pair, f);
          MixDigest(pair, v);
          XorDigest(digest, AsBytes(pair));
        });
  } else if (entry.type() == engine::ValueType::kZSet) {
    static_cast<const engine::ZSetValue*>(entry.object())
        ->ForEach([&digest](double score, std::string_view m) {
          Digest pair{};
          MixDigest(pair, m);
          MixDigest(pair, FormatDouble(score));
          XorDigest(digest, AsBytes(pair));
          return true;
        });
  } else if (entry.type() == engine::ValueType::kStream) {
    // Each live entry: "<ms>.<seq>", then its fields and values, mixed in order (not groups).
    static_cast<const engine::StreamValue*>(entry.object())
        ->Range({}, engine::StreamId::Max(), false, [&digest](const engine::StreamEntry& e) {
          MixDigest(digest, std::to_string(e.id.ms) + "." + std::to_string(e.id.seq));
          for (std::string_view s : e.fields_values) {
            MixDigest(digest, s);
          }
          return true;
        });
  }
}

// Redis's xorObjectDigest: the value's type, its content, and a marker for a TTL.
void MixValue(Digest& digest, const engine::Entry& entry) {
  uint32_t type = htonl(static_cast<uint32_t>(entry.type()));
  MixDigest(digest, AsBytes(type));
  if (entry.type() == engine::ValueType::kString) {
    // Integer-encoded strings hold their decimal text, which is what Redis mixes for them.
    MixDigest(digest, entry.string_value());
  }
  MixCollection(digest, entry);
  if (entry.has_expire()) {
    XorDigest(digest, "!!expire!!");
  }
}

}  // namespace

Digest ValueDigest(const engine::Entry& entry) {
  Digest digest{};
  MixValue(digest, entry);
  return digest;
}

Digest DatasetDigest(engine::Keyspace& keyspace) {
  Digest final_digest{};
  for (int i = 0; i < keyspace.db_count(); i++) {
    engine::Db& db = keyspace.db(i);
    if (db.size() == 0) {
      continue;
    }
    uint32_t index = htonl(static_cast<uint32_t>(i));
    MixDigest(final_digest, AsBytes(index));
    db.table().ForEach([&final_digest](engine::Entry* e) {
      Digest pair{};
      MixDigest(pair, e->key());
      MixValue(pair, *e);
      XorDigest(final_digest, AsBytes(pair));
    });
  }
  return final_digest;
}

std::string DigestHex(const Digest& digest) {
  std::string out;
  char buf[3];
  for (uint8_t b : digest) {
    std::snprintf(buf, sizeof(buf), "%02x", b);
    out += buf;
  }
  return out;
}

}  // namespace cairn::commands
