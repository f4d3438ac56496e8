// String value operations.
#include "dataplane/engine/types/string.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

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
  return db.Upsert(Entry::NewString(key, value, encoding, has_expire, expire_at_ms));
}

Status WrongType() {
  return Status::FailedPrecondition(kErrWrongType);
}

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

Result<std::string> IncrementByFloat(Db& db, std::string_view key, std::string_view increment) {
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
  std::optional<long double> delta = ParseLongDouble(increment);
  if (!delta) {
    return Status::InvalidArgument(kErrNotFloat);
  }
  long double result = current + *delta;
  std::optional<std::string> text = FormatLongDoubleHuman(result);
  if (std::isnan(result) || std::isinf(result) || !text) {
    return Status::InvalidArgument(kErrIncrFloatNanInf);
  }
  Encoding encoding = text->size() <= kEmbStrLimit ? Encoding::kEmbStr : Encoding::kRaw;
  bool has_expire = e != nullptr && e->has_expire();
  Store(db, key, *text, encoding, has_expire, has_expire ? e->expire_at_ms() : 0);
  return *text;
}

Result<RawString*> MutableString(Db& db, std::string_view key, size_t min_size, bool* grew) {
  Entry* e = db.LookupWrite(key);
  if (e != nullptr && e->type() != ValueType::kString) {
    return WrongType();
  }
  if (e == nullptr) {
    auto* raw = new RawString("", min_size);
    raw->Resize(min_size);
    e = Entry::NewObject(key, ValueType::kString, Encoding::kRaw, raw, false, 0);
    db.Insert(e);
    if (grew != nullptr) {
      *grew = true;
    }
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
  bool grows = raw->size() < min_size;
  if (grows) {
    raw->Resize(min_size);
  }
  if (grew != nullptr) {
    *grew = grows;
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
  // offset <= INT64_MAX and the data is small, so the unsigned sum cannot wrap.
  if (static_cast<uint64_t>(offset) + data.size() > static_cast<uint64_t>(max_bytes)) {
    return Status::InvalidArgument(kErrStringTooLong);
  }
  Result<RawString*> raw = MutableString(db, key, static_cast<size_t>(offset) + data.size());
  CAIRN_RETURN_IF_ERROR(raw.status());
  std::memcpy((*raw)->mutable_data() + offset, data.data(), data.size());
  return static_cast<int64_t>((*raw)->size());
}

std::string_view Substring(std::string_view value, int64_t start, int64_t end) {
  auto size = static_cast<int64_t>(value.size());
  if (start < 0 && end < 0 && start > end) {
    return {};
  }
  if (start < 0) {
    start += size;
  }
  if (end < 0) {
    end += size;
  }
  start = std::max<int64_t>(start, 0);
  end = std::max<int64_t>(end, 0);
  end = std::min(end, size - 1);
  if (start > end || size == 0) {
    return {};
  }
  return value.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

namespace {

// The (|a|+1) x (|b|+1) table of LCS lengths of prefixes: cell (i, j) holds the LCS length of
// a[0..i) and b[0..j).
class LcsTable {
 public:
  LcsTable(uint32_t* cells, uint32_t b_len) : cells_(cells), stride_(uint64_t{b_len} + 1) {}
  uint32_t& at(uint32_t i, uint32_t j) { return cells_[i * stride_ + j]; }

 private:
  uint32_t* cells_;
  uint64_t stride_;
};

void FillLcsTable(std::string_view a, std::string_view b, LcsTable& t) {
  auto a_len = static_cast<uint32_t>(a.size());
  auto b_len = static_cast<uint32_t>(b.size());
  for (uint32_t j = 0; j <= b_len; j++) {
    t.at(0, j) = 0;
  }
  for (uint32_t i = 1; i <= a_len; i++) {
    t.at(i, 0) = 0;
    for (uint32_t j = 1; j <= b_len; j++) {
      if (a[i - 1] == b[j - 1]) {
        t.at(i, j) = t.at(i - 1, j - 1) + 1;
      } else {
        t.at(i, j) = std::max(t.at(i - 1, j), t.at(i, j - 1));
      }
    }
  }
}

// Walks the table back from the ends of both strings, as Redis does, collecting the subsequence
// and the runs of contiguous matches.
void BacktrackLcs(std::string_view a, std::string_view b, LcsTable& t, bool with_text,
                  bool with_matches, int64_t min_match_len, LcsResult* out) {
  auto i = static_cast<uint32_t>(a.size());
  auto j = static_cast<uint32_t>(b.size());
  uint32_t left = t.at(i, j);
  bool in_run = false;
  LcsMatch run;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      if (with_text) {
        out->text[left - 1] = a[i - 1];
      }
      if (!in_run) {
        run = {i - 1, i - 1, j - 1, j - 1, 0};
        in_run = true;
      } else if (run.a_start == i && run.b_start == j) {
        run.a_start--;
        run.b_start--;
      } else {
        emit = true;
      }
      // A run touching the start of either string ends here: the loop stops next.
      emit = emit || run.a_start == 0 || run.b_start == 0;
      left--;
      i--;
      j--;
    } else {
      if (t.at(i - 1, j) > t.at(i, j - 1)) {
        i--;
      } else {
        j--;
      }
      emit = in_run;
    }
    if (emit) {
      run.length = run.a_end - run.a_start + 1;
      if (with_matches && (min_match_len == 0 || run.length >= min_match_len)) {
        out->matches.push_back(run);
      }
      in_run = false;
    }
  }
}

}  // namespace

Result<LcsResult> Lcs(std::string_view a, std::string_view b, bool with_text, bool with_matches,
                      int64_t min_match_len, int64_t max_table_bytes) {
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return Status::InvalidArgument(kErrLcsStringTooLong);
  }
  uint64_t cells = (uint64_t{a.size()} + 1) * (uint64_t{b.size()} + 1);
  uint64_t bytes = cells * sizeof(uint32_t);
  if (bytes / cells != sizeof(uint32_t) || bytes > static_cast<uint64_t>(max_table_bytes)) {
    return Status::ResourceExhausted(kErrLcsTableTooLarge);
  }
  // Transient and possibly large: a failed allocation is an error reply, not a fatal OOM.
  std::unique_ptr<uint32_t, decltype(&std::free)> memory(
      static_cast<uint32_t*>(std::malloc(static_cast<size_t>(bytes))), &std::free);
  if (memory == nullptr) {
    return Status::ResourceExhausted(kErrLcsAllocFailed);
  }
  LcsTable table(memory.get(), static_cast<uint32_t>(b.size()));
  FillLcsTable(a, b, table);
  LcsResult result;
  result.length = table.at(static_cast<uint32_t>(a.size()), static_cast<uint32_t>(b.size()));
  if (with_text || with_matches) {
    if (with_text) {
      result.text.assign(static_cast<size_t>(result.length), '\0');
    }
    BacktrackLcs(a, b, table, with_text, with_matches, min_match_len, &result);
  }
  return result;
}

}  // namespace cairn::engine::strings
