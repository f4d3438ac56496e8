// SORT and SORT_RO (Redis 7.0 sort.c): sorts the elements of a list, set or sorted set
// numerically (strtod, ties broken by comparing the elements as bytes) or with ALPHA as strings,
// optionally by the values of other keys (BY pattern, "*" replaced by the element, "->field"
// for a hash field; a pattern without "*" skips sorting), then LIMIT offset count, GET patterns
// ("#" the element itself) and, for SORT, STORE into a list (an empty result deletes the
// destination). Lists and sorted sets keep their own order when not sorted; a set is sorted
// with ALPHA then when the result is stored or a script asks, as Redis does.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/access_control.h"
#include "dataplane/commands/collection_args.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/commands/notify.h"
#include "dataplane/engine/types/collection.h"
#include "dataplane/engine/types/hash.h"
#include "dataplane/engine/types/list.h"
#include "dataplane/engine/types/set.h"
#include "dataplane/engine/types/zset.h"

namespace cairn::commands {
namespace {

// SORT's BY (with a "*" pattern) and GET need read access to every key (Redis 7.0 sort.c).
constexpr char kErrSortByDenied[] =
    "ERR BY option of SORT denied due to insufficient ACL permissions.";
constexpr char kErrSortGetDenied[] =
    "ERR GET option of SORT denied due to insufficient ACL permissions.";

using engine::Entry;
using engine::ValueType;

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> by;
  std::optional<std::string_view> store;
  std::vector<std::string_view> gets;
};

struct Item {
  std::string element;
  double score = 0;
  std::optional<std::string> by_value;  // ALPHA with BY: the value compared
};

// The text before the first NUL, as the C string functions Redis applies to patterns see it.
std::string_view CString(std::string_view s) {
  return s.substr(0, std::min(s.size(), s.find('\0')));
}

// Parses the options from argument 2; false after replying an error.
bool ParseSortOptions(CommandContext& ctx, bool readonly, SortOptions* o) {
  for (size_t j = 2; j < ctx.argc(); j++) {
    std::string_view w = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (EqualsIgnoreCase(w, "asc") || EqualsIgnoreCase(w, "desc")) {
      o->desc = EqualsIgnoreCase(w, "desc");
    } else if (EqualsIgnoreCase(w, "alpha")) {
      o->alpha = true;
    } else if (EqualsIgnoreCase(w, "limit") && left >= 2) {
      std::optional<int64_t> start = ParseInt64(ctx.arg(j + 1));
      std::optional<int64_t> count = start ? ParseInt64(ctx.arg(j + 2)) : std::nullopt;
      if (!count) {
        ctx.reply().Error(kErrNotInteger);
        return false;
      }
      o->limit_start = *start;
      o->limit_count = *count;
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(w, "store") && left >= 1) {
      o->store = ctx.arg(++j);
    } else if (EqualsIgnoreCase(w, "by") && left >= 1) {
      o->by = ctx.arg(++j);
      o->dontsort = CString(*o->by).find('*') == std::string_view::npos;
      if (!o->dontsort &&
          !ReadsAnyKey(ClientUser(ctx.server(), ctx.client()), ctx.spec(), ctx.args())) {
        ctx.reply().Error(kErrSortByDenied);
        return false;
      }
    } else if (EqualsIgnoreCase(w, "get") && left >= 1) {
      if (!ReadsAnyKey(ClientUser(ctx.server(), ctx.client()), ctx.spec(), ctx.args())) {
        ctx.reply().Error(kErrSortGetDenied);
        return false;
      }
      o->gets.push_back(ctx.arg(++j));
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// lookupKeyByPattern: the string at the key `pattern` names for `element` ("*" replaced by it),
// or the hash field after "->"; "#" is the element itself. nullopt when missing, of another
// type, or when the pattern has no "*".
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view element) {
  if (!pattern.empty() && pattern[0] == '#' && (pattern.size() == 1 || pattern[1] == '\0')) {
    return std::string(element);
  }
  std::string_view c = CString(pattern);
  size_t star = c.find('*');
  if (star == std::string_view::npos) {
    return std::nullopt;
  }
  size_t arrow = c.find("->", star + 1);
  bool has_field = arrow != std::string_view::npos && arrow + 2 < c.size();
  std::string_view field = has_field ? pattern.substr(arrow + 2) : std::string_view();
  size_t postfix_end = has_field ? arrow : pattern.size();
  std::string key(pattern.substr(0, star));
  key.append(element);
  key.append(pattern.substr(star + 1, postfix_end - star - 1));
  Entry* e = ctx.db().LookupRead(key);
  if (e == nullptr) {
    return std::nullopt;
  }
  if (has_field) {
    if (e->type() != ValueType::kHash) {
      return std::nullopt;
    }
    std::optional<std::string_view> v = engine::ValueOf<engine::HashValue>(e)->Get(field);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  }
  if (e->type() != ValueType::kString) {
    return std::nullopt;
  }
  return std::string(e->string_value());
}

// The elements of the value at `e` in its own order (a list head to tail, a sorted set by
// rank, a set as it iterates).
std::vector<Item> LoadElements(Entry* e) {
  std::vector<Item> out;
  auto add = [&out](std::string_view s) { out.push_back({std::string(s), 0, std::nullopt}); };
  if (e == nullptr) {
    return out;
  }
  if (e->type() == ValueType::kList) {
    auto* list = engine::ValueOf<engine::ListValue>(e);
    if (!list->empty()) {
      list->Visit(0, list->size() - 1, false, [&](std::string_view s) {
        add(s);
        return true;
      });
    }
  } else if (e->type() == ValueType::kSet) {
    engine::ValueOf<engine::SetValue>(e)->ForEach(add);
  } else {
    engine::ValueOf<engine::ZSetValue>(e)->ForEach([&](double, std::string_view m) {
      add(m);
      return true;
    });
  }
  return out;
}

// The numeric sort key of `text` as SORT reads it: strtod up to the first NUL; false when
// something is left over, it overflows or it is NaN.
bool SortScore(const std::string& text, double* score) {
  char* end = nullptr;
  errno = 0;
  *score = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*score);
}

// Binary comparison (compareStringObjects) or, when `collate`, C-string comparison (strcoll in
// the C locale).
int CompareText(const std::string& a, const std::string& b, bool collate) {
  int c = collate ? std::strcmp(a.c_str(), b.c_str()) : a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// sortCompare.
int CompareItems(const Item& a, const Item& b, const SortOptions& o) {
  if (!o.alpha) {
    if (a.score != b.score) {
      return a.score > b.score ? 1 : -1;
    }
    return CompareText(a.element, b.element, false);
  }
  bool collate = !o.store.has_value();
  if (!o.by) {
    return CompareText(a.element, b.element, collate);
  }
  if (!a.by_value || !b.by_value) {
    return a.by_value.has_value() == b.by_value.has_value() ? 0 : (a.by_value ? 1 : -1);
  }
  return CompareText(*a.by_value, *b.by_value, collate);
}

// Loads the sort keys and sorts; false when a numeric key is not a number.
bool SortItems(CommandContext& ctx, std::vector<Item>& items, const SortOptions& o) {
  bool numbers_ok = true;
  for (Item& it : items) {
    std::optional<std::string> by =
        o.by ? LookupByPattern(ctx, *o.by, it.element) : std::optional<std::string>(it.element);
    if (!by) {
      continue;
    }
    if (o.alpha) {
      it.by_value = o.by ? std::move(by) : std::nullopt;
    } else if (!SortScore(*by, &it.score)) {
      numbers_ok = false;
    }
  }
  std::stable_sort(items.begin(), items.end(), [&o](const Item& a, const Item& b) {
    int c = CompareItems(a, b, o);
    return (o.desc ? -c : c) < 0;
  });
  return numbers_ok;
}

// The values SORT outputs for items [start, end]: the elements, or the GET lookups of each
// (nullopt for a missing one).
std::vector<std::optional<std::string>> Output(CommandContext& ctx, const std::vector<Item>& items,
                                               int64_t start, int64_t end, const SortOptions& o) {
  std::vector<std::optional<std::string>> out;
  for (int64_t j = start; j <= end; j++) {
    const std::string& element = items[static_cast<size_t>(j)].element;
    if (o.gets.empty()) {
      out.emplace_back(element);
    }
    for (std::string_view pattern : o.gets) {
      out.push_back(LookupByPattern(ctx, pattern, element));
    }
  }
  return out;
}

// STORE: the values become a list at `dst` (missing GET values as ""); none deletes `dst`.
void StoreOutput(CommandContext& ctx, std::string_view dst,
                 const std::vector<std::optional<std::string>>& values) {
  std::string key(dst);
  if (values.empty()) {
    StoreEmptyResult(ctx, key);
    return;
  }
  auto* list = new engine::ListValue(ctx.keyspace().config().list_max_listpack_size);
  for (const std::optional<std::string>& v : values) {
    list->PushBack(v.value_or(""));
  }
  ctx.db().Upsert(
      Entry::NewObject(key, ValueType::kList, engine::Encoding::kQuicklist, list, false, 0));
  ctx.SignalModified(key);
  ctx.Notify(kNotifyList, "sortstore", key);
  ctx.MarkWritten(static_cast<int64_t>(values.size()));
  ctx.reply().Integer(static_cast<int64_t>(values.size()));
}

// The output range [start, end] of `n` items after LIMIT (empty when end < start).
std::pair<int64_t, int64_t> LimitRange(int64_t n, const SortOptions& o) {
  int64_t start = std::max<int64_t>(o.limit_start, 0);
  int64_t end = o.limit_count < 0 ? n - 1 : start + std::min(o.limit_count, n) - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  return {start, std::min(end, n - 1)};
}

// The value to sort at `key` (nullptr when missing); replies WRONGTYPE and returns false for a
// type SORT cannot sort. A sorted set is converted to the skiplist encoding for good, as Redis
// 7.0 does before sorting one.
bool LookupSortable(CommandContext& ctx, std::string_view key, Entry** out) {
  Entry* e = ctx.db().LookupRead(key);
  *out = e;
  if (e == nullptr) {
    return true;
  }
  if (e->type() == ValueType::kZSet) {
    auto* z = engine::ValueOf<engine::ZSetValue>(e);
    if (z->encoding() != engine::Encoding::kSkiplist) {
      z->ConvertToFull();
      e->set_encoding(z->encoding());
    }
    return true;
  }
  if (e->type() != ValueType::kList && e->type() != ValueType::kSet) {
    ctx.reply().Error(kErrWrongType);
    return false;
  }
  return true;
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  SortOptions o;
  Entry* e;
  if (!ParseSortOptions(ctx, readonly, &o) || !LookupSortable(ctx, ctx.arg(1), &e)) {
    return;
  }
  bool is_set = e != nullptr && e->type() == ValueType::kSet;
  bool in_script = ctx.server().propagate_capture != nullptr;
  if (o.dontsort && is_set && (o.store || in_script)) {
    o.dontsort = false;  // a set's own order is not deterministic: sort it
    o.alpha = true;
    o.by.reset();
  }
  std::vector<Item> items = LoadElements(e);
  bool numbers_ok = true;
  if (!o.dontsort) {
    numbers_ok = SortItems(ctx, items, o);
  } else if (o.desc && !is_set) {
    std::reverse(items.begin(), items.end());
  }
  auto [start, end] = LimitRange(static_cast<int64_t>(items.size()), o);
  if (!numbers_ok) {
    ctx.reply().Error(kErrSortScores);
    return;
  }
  std::vector<std::optional<std::string>> values = Output(ctx, items, start, end, o);
  if (o.store) {
    StoreOutput(ctx, *o.store, values);
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(values.size()));
  for (const std::optional<std::string>& v : values) {
    v ? ctx.reply().Bulk(*v) : ctx.reply().Null();
  }
}

void CmdSort(CommandContext& ctx) {
  SortGeneric(ctx, false);
}

void CmdSortRo(CommandContext& ctx) {
  SortGeneric(ctx, true);
}

// sortGetKeys: the key, then the last STORE destination (LIMIT, GET and BY values skipped).
std::vector<int> SortKeys(const std::vector<std::string_view>& args) {
  std::vector<int> keys{1};
  int stored = -1;
  for (size_t i = 2; i < args.size(); i++) {
    if (EqualsIgnoreCase(args[i], "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "get") || EqualsIgnoreCase(args[i], "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(args[i], "store") && i + 1 < args.size()) {
      stored = static_cast<int>(i + 1);
    }
  }
  if (stored > 0) {
    keys.push_back(stored);
  }
  return keys;
}

std::vector<int> SortRoKeys(const std::vector<std::string_view>&) {
  return {1};
}

}  // namespace

void RegisterSortFamily(CommandTable& table) {
  uint64_t cats = kAclSet | kAclSortedSet | kAclList | kAclDangerous;
  // clang-format off
  table.Add({.name = "sort", .arity = -2, .flags = kWrite | kDenyOom,
             .categories = cats, .keys = {1, 1, 1}, .handler = CmdSort,
             .get_keys = SortKeys});
  table.Add({.name = "sort_ro", .arity = -2, .flags = kReadOnly, .categories = cats,
             .keys = {1, 1, 1}, .handler = CmdSortRo, .get_keys = SortRoKeys});
  // clang-format on
}

}  // namespace cairn::commands
