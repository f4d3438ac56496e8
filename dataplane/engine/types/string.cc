// String value operations.
#include "dataplane/engine/types/string.h"

#include <cmath>
#include <cstring>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"

namespace cairn::engine::strings {

Encoding EncodingFor(std::string_view value) {
  if (value.size() <= 20 && ParseInt64(value).has_value()) {
    return Encoding::kInt;
  }
  return value.size() <= kEmbStrLimit ? Encoding::kEmbStr : Encoding::kRaw;
}

namespace {

Entry* Store(Db& db, std::string_view key, std::string_view value, Encoding encoding,
             bool has_expire, int64_t expire_at_ms) {
  Entry* fresh = Entry::NewString(key, value, encoding, has_expire, expire_at_ms);
  if (db.Find(key) != nullptr) {
    return db.Replace(fresh);
  }
  db.Insert(fresh);
  return fresh;
}

Status WrongType() { return Status::FailedPrecondition(kErrWrongType); }

}  // namespace

Entry* Set(Db& db, std::string_view key, std::string_view value, const SetExpiry& expiry) {
  Encoding encoding = EncodingFor(value);
  if (expiry.expire_at_ms) {
    return Store(db, key, value, encoding, true, *expiry.expire_at_ms);
  }
  if (expiry.keep_ttl) {
    Entry* old = db.LookupWrite(key);
    if (old != nullptr && old->has_expire()) {
      return Store(db, key, value, encoding, true, old->expire_at_ms());
    }
  }
  return Store(db, key, value, encoding, false, 0);
}

Entry* SetWithEncoding(Db& db, std::string_view key, std::string_view value, Encoding encoding,
                       bool keep_ttl) {
  if (keep_ttl) {
    Entry* old = db.LookupWrite(key);
    if (old != nullptr && old->has_expire()) {
      return Store(db, key, value, encoding, true, old->expire_at_ms());
    }
  }
  return Store(db, key, value, encoding, false, 0);
}

Result<std::optional<std::string_view>> Get(Db& db, std::string_view key) {
  Entry* e = db.LookupRead(key);
  if (e == nullptr) {
    return std::optional<std::string_view>();
  }
  if (e->type() != ValueType::kString) {
    return WrongType();
  }
  return std::optional<std::string_view>(e->string_value());
}

Result<int64_t> IncrementBy(Db& db, std::string_view key, int64_t delta) {
  Entry* e = db.LookupWrite(key);
  int64_t current = 0;
  if (e != nullptr) {
    if (e->type() != ValueType::kString) {
      return WrongType();
    }
    std::string_view v = e->string_value();
    std::optional<int64_t> parsed = v.size() <= 20 ? ParseInt64(v) : std::nullopt;
    if (!parsed) {
      return Status::InvalidArgument(kErrNotInteger);
    }
    current = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(current, delta, &result)) {
    return Status::InvalidArgument(kErrOverflow);
  }
  // The TTL is kept: Redis modifies the value in place.
  bool has_expire = e != nullptr && e->has_expire();
  Store(db, key, FormatInt64(result), Encoding::kInt, has_expire,
        has_expire ? e->expire_at_ms() : 0);
  return result;
}

Result<std::string> IncrementByFloat(Db& db, std::string_view key, long double delta) {
  Entry* e = db.LookupWrite(key);
  long double current = 0;
  if (e != nullptr) {
    if (e->type() != ValueType::kString) {
      return WrongType();
    }
    std::optional<long double> parsed = ParseLongDouble(e->string_value());
    if (!parsed) {
      return Status::InvalidArgument(kErrNotFloat);
    }
    current = *parsed;
  }
  long double result = current + delta;
  std::optional<std::string> text = FormatLongDoubleHuman(result);
  if (std::isnan(result) || std::isinf(result) || !text) {
    return Status::InvalidArgument(kErrIncrFloatNanInf);
  }
  Encoding encoding = text->size() <= kEmbStrLimit ? Encoding::kEmbStr : Encoding::kRaw;
  bool has_expire = e != nullptr && e->has_expire();
  Store(db, key, *text, encoding, has_expire, has_expire ? e->expire_at_ms() : 0);
  return *text;
}

Result<RawString*> MutableString(Db& db, std::string_view key, size_t min_size) {
  Entry* e = db.LookupWrite(key);
  if (e != nullptr && e->type() != ValueType::kString) {
    return WrongType();
  }
  if (e == nullptr) {
    auto* raw = new RawString("", min_size);
    raw->Resize(min_size);
    e = Entry::NewObject(key, ValueType::kString, Encoding::kRaw, raw, false, 0);
    db.Insert(e);
    return raw;
  }
  if (!e->external()) {
    auto* raw = new RawString(e->string_value());
    Entry* fresh = Entry::NewObject(key, ValueType::kString, Encoding::kRaw, raw, e->has_expire(),
                                    e->has_expire() ? e->expire_at_ms() : 0);
    fresh->set_clock(e->clock());
    e = db.Replace(fresh);
  }
  e->set_encoding(Encoding::kRaw);
  auto* raw = static_cast<RawString*>(e->object());
  if (raw->size() < min_size) {
    raw->Resize(min_size);
  }
  return raw;
}

Result<int64_t> Append(Db& db, std::string_view key, std::string_view data, int64_t max_bytes) {
  Entry* e = db.LookupWrite(key);
  if (e == nullptr) {
    // A new key from APPEND is stored as SET would store it.
    Set(db, key, data, SetExpiry{});
    return static_cast<int64_t>(data.size());
  }
  if (e->type() != ValueType::kString) {
    return WrongType();
  }
  if (static_cast<int64_t>(e->string_value().size() + data.size()) > max_bytes) {
    return Status::InvalidArgument(kErrStringTooLong);
  }
  Result<RawString*> raw = MutableString(db, key, 0);
  CAIRN_RETURN_IF_ERROR(raw.status());
  (*raw)->Append(data);
  return static_cast<int64_t>((*raw)->size());
}

Result<int64_t> SetRange(Db& db, std::string_view key, int64_t offset, std::string_view data,
                         int64_t max_bytes) {
  Entry* e = db.LookupWrite(key);
  if (e != nullptr && e->type() != ValueType::kString) {
    return WrongType();
  }
  if (data.empty()) {
    return e == nullptr ? 0 : static_cast<int64_t>(e->string_value().size());
  }
  if (offset + static_cast<int64_t>(data.size()) > max_bytes) {
    return Status::InvalidArgument(kErrStringTooLong);
  }
  Result<RawString*> raw = MutableString(db, key, static_cast<size_t>(offset) + data.size());
  CAIRN_RETURN_IF_ERROR(raw.status());
  std::memcpy((*raw)->mutable_data() + offset, data.data(), data.size());
  return static_cast<int64_t>((*raw)->size());
}

}  // namespace cairn::engine::strings
