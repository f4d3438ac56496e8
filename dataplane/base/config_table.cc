// ParameterTable and value parsers.
#include "dataplane/base/config_table.h"

#include <algorithm>
#include <set>

#include "dataplane/base/strings.h"

namespace cairn {

void ParameterTable::Add(Parameter parameter) {
  auto owned = std::make_unique<Parameter>(std::move(parameter));
  Parameter* p = owned.get();
  // Parameters are registered before any config is applied: what they hold now is the default
  // (CONFIG REWRITE leaves parameters at their default out of the file).
  if (p->default_value.empty() && p->get) {
    p->default_value = p->get();
  }
  CAIRN_CHECK(by_name_.emplace(AsciiLower(p->name), p).second);
  for (const std::string& alias : p->aliases) {
    CAIRN_CHECK(by_name_.emplace(AsciiLower(alias), p).second);
  }
  parameters_.push_back(std::move(owned));
}

const Parameter* ParameterTable::Find(std::string_view name) const {
  auto it = by_name_.find(AsciiLower(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::pair<std::string, std::string>> ParameterTable::Get(
    const std::vector<std::string>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<const Parameter*> seen;
  for (const std::string& pattern : patterns) {
    bool glob = pattern.find_first_of("*?[") != std::string::npos;
    if (!glob) {
      const Parameter* p = Find(pattern);
      if (p != nullptr && seen.insert(p).second) {
        out.emplace_back(AsciiLower(pattern), p->get());
      }
      continue;
    }
    for (const auto& owned : parameters_) {
      const Parameter* p = owned.get();
      if ((p->flags & Parameter::kHidden) != 0 || seen.count(p) != 0) {
        continue;
      }
      if (GlobMatch(pattern, p->name, /*nocase=*/true)) {
        seen.insert(p);
        out.emplace_back(p->name, p->get());
        continue;
      }
      for (const std::string& alias : p->aliases) {
        if (GlobMatch(pattern, alias, /*nocase=*/true)) {
          seen.insert(p);
          out.emplace_back(alias, p->get());
          break;
        }
      }
    }
  }
  return out;
}

Status ParameterTable::Set(std::string_view name, std::string_view value, bool startup) {
  const Parameter* p = Find(name);
  if (p == nullptr) {
    return Status::NotFound("unknown parameter");
  }
  if (!startup && (p->flags & Parameter::kImmutable) != 0) {
    return Status::InvalidArgument("can't set immutable config");
  }
  return p->set(value, startup);
}

std::optional<int64_t> ParseMemory(std::string_view text) {
  std::string lower = AsciiLower(text);
  struct Unit {
    const char* suffix;
    int64_t multiplier;
  };
  static const Unit kUnits[] = {
      {"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024LL * 1024 * 1024},
      {"k", 1000},  {"m", 1000 * 1000},  {"g", 1000LL * 1000 * 1000},
      {"b", 1},
  };
  int64_t multiplier = 1;
  std::string_view digits = lower;
  for (const Unit& u : kUnits) {
    std::string_view suffix(u.suffix);
    if (digits.size() > suffix.size() && digits.ends_with(suffix)) {
      multiplier = u.multiplier;
      digits.remove_suffix(suffix.size());
      break;
    }
  }
  std::optional<int64_t> n = ParseInt64(digits);
  if (!n || *n < 0) {
    return std::nullopt;
  }
  int64_t result;
  if (__builtin_mul_overflow(*n, multiplier, &result)) {
    return std::nullopt;
  }
  return result;
}

std::optional<bool> ParseYesNo(std::string_view text) {
  if (EqualsIgnoreCase(text, "yes")) {
    return true;
  }
  if (EqualsIgnoreCase(text, "no")) {
    return false;
  }
  return std::nullopt;
}

std::function<Status(std::string_view, bool)> BoolSetter(bool* target) {
  return [target](std::string_view v, bool) -> Status {
    std::optional<bool> b = ParseYesNo(v);
    if (!b) {
      return Status::InvalidArgument("argument must be 'yes' or 'no'");
    }
    *target = *b;
    return Status::Ok();
  };
}

std::function<Status(std::string_view, bool)> IntSetter(int64_t* target, int64_t min, int64_t max) {
  return [target, min, max](std::string_view v, bool) -> Status {
    std::optional<int64_t> n = ParseInt64(v);
    if (!n) {
      return Status::InvalidArgument("argument couldn't be parsed into an integer");
    }
    if (*n < min || *n > max) {
      return Status::InvalidArgument("argument must be between " + std::to_string(min) + " and " +
                                     std::to_string(max) + " inclusive");
    }
    *target = *n;
    return Status::Ok();
  };
}

std::function<Status(std::string_view, bool)> MemorySetter(int64_t* target, int64_t min,
                                                           int64_t max) {
  return [target, min, max](std::string_view v, bool) -> Status {
    std::optional<int64_t> n = ParseMemory(v);
    if (!n) {
      return Status::InvalidArgument("argument must be a memory value");
    }
    if (*n < min || *n > max) {
      return Status::InvalidArgument("argument must be between " + std::to_string(min) + " and " +
                                     std::to_string(max) + " inclusive");
    }
    *target = *n;
    return Status::Ok();
  };
}

std::function<Status(std::string_view, bool)> StringSetter(std::string* target) {
  return [target](std::string_view v, bool) -> Status {
    *target = std::string(v);
    return Status::Ok();
  };
}

std::function<Status(std::string_view, bool)> EnumSetter(std::string* target,
                                                         std::vector<std::string> allowed) {
  return [target, allowed = std::move(allowed)](std::string_view v, bool) -> Status {
    for (const std::string& a : allowed) {
      if (EqualsIgnoreCase(a, v)) {
        *target = a;
        return Status::Ok();
      }
    }
    std::string list;
    for (const std::string& a : allowed) {
      list += (list.empty() ? "" : ", ") + a;
    }
    return Status::InvalidArgument("argument(s) must be one of the following: " + list);
  };
}

}  // namespace cairn
