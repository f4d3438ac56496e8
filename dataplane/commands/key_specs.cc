// Key specs: lookup, derivation from legacy key positions, and key extraction with flags (the
// algorithm of Redis 7.0's getKeysUsingKeySpecs, with its fallbacks).
#include "dataplane/commands/key_specs.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "dataplane/base/strings.h"

namespace cairn::commands {
namespace {

// A spec derived from first/last/step for commands Redis 7.0 does not have.
KeySpec DerivedSpec(const CommandSpec& spec) {
  KeySpec s;
  s.flags = (spec.flags & kWrite) != 0 ? (kKeyRW | kKeyUpdate) : (kKeyRO | kKeyAccess);
  s.begin = KeySpec::Begin::kIndex;
  s.index = spec.keys.first;
  s.find = KeySpec::Find::kRange;
  s.lastkey = spec.keys.last >= 0 ? spec.keys.last - spec.keys.first : spec.keys.last;
  s.keystep = std::max(spec.keys.step, 1);
  return s;
}

// Where the spec's first key is, or 0 when the spec does not apply (keyword absent), or -1 when
// it cannot say (unknown begin_search).
int FirstKeyPosition(const KeySpec& s, const std::vector<std::string_view>& args) {
  int argc = static_cast<int>(args.size());
  if (s.begin == KeySpec::Begin::kIndex) {
    return s.index;
  }
  if (s.begin == KeySpec::Begin::kUnknown) {
    return -1;
  }
  int start = s.startfrom > 0 ? s.startfrom : argc + s.startfrom;
  int end = s.startfrom > 0 ? argc - 1 : 1;
  for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) {
      break;
    }
    if (EqualsIgnoreCase(args[static_cast<size_t>(i)], s.keyword)) {
      return i + 1;
    }
  }
  return 0;
}

// Appends the keys of one spec. False when the arguments do not fit it (the whole lookup is
// then invalid, as in Redis).
bool AddSpecKeys(const KeySpec& s, const std::vector<std::string_view>& args,
                 std::vector<KeyReference>* out) {
  int argc = static_cast<int>(args.size());
  int first = FirstKeyPosition(s, args);
  if (first == 0) {
    return true;  // keyword not present: no keys from this spec
  }
  if (first < 0 || s.find == KeySpec::Find::kUnknown) {
    return false;
  }
  int last = 0;
  int step = s.keystep;
  if (s.find == KeySpec::Find::kRange) {
    if (s.lastkey >= 0) {
      last = first + s.lastkey;
    } else if (s.limit == 0) {
      last = argc + s.lastkey;
    } else {
      last = first + ((argc - first) / s.limit + s.lastkey);
    }
  } else {
    if (s.keynumidx >= argc - first) {
      return false;
    }
    size_t count_at = static_cast<size_t>(first) + static_cast<size_t>(s.keynumidx);
    std::optional<int64_t> numkeys = ParseInt64(args[count_at]);
    if (!numkeys || *numkeys < 0 || *numkeys > argc) {
      return false;
    }
    first += s.firstkey;
    last = first + static_cast<int>(*numkeys) - 1;
  }
  if (last >= argc || last < first || first >= argc) {
    return false;
  }
  for (int i = first; i <= last; i += std::max(step, 1)) {
    out->push_back({i, s.flags});
  }
  return (s.flags & kKeyIncomplete) == 0;
}

// Redis's getKeysUsingKeySpecs; nullopt when a spec cannot tell.
std::optional<std::vector<KeyReference>> KeysFromSpecs(const std::vector<KeySpec>& specs,
                                                       const std::vector<std::string_view>& args) {
  std::vector<KeyReference> out;
  for (const KeySpec& s : specs) {
    if ((s.flags & kKeyNotKey) != 0) {
      continue;
    }
    if (!AddSpecKeys(s, args, &out)) {
      return std::nullopt;
    }
  }
  return out;
}

// SET and BITFIELD flag their key by what the arguments do (Redis's setGetKeys and
// bitfieldGetKeys).
uint32_t VariableKeyFlags(std::string_view name, const std::vector<std::string_view>& args) {
  if (name == "set") {
    for (size_t i = 3; i < args.size(); i++) {
      if (EqualsIgnoreCase(args[i], "get")) {
        return kKeyRW | kKeyAccess | kKeyUpdate;
      }
    }
    return kKeyOW | kKeyUpdate;
  }
  bool readonly = true;
  for (size_t i = 2; i < args.size() && readonly; i++) {
    size_t left = args.size() - i - 1;
    if (EqualsIgnoreCase(args[i], "get") && left >= 2) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "overflow") && left >= 1) {
      i += 1;
    } else {
      readonly = false;  // SET, INCRBY or a syntax error: assume it writes
    }
  }
  return readonly ? (kKeyRO | kKeyAccess) : (kKeyRW | kKeyAccess | kKeyUpdate);
}

// Keys from the command's own extraction function, flagged by the spec that starts at the
// key's position, else by the last spec (SORT ... STORE, MIGRATE ... KEYS).
std::vector<KeyReference> KeysFromFunction(const CommandSpec& spec,
                                           const std::vector<KeySpec>& specs,
                                           const std::vector<std::string_view>& args) {
  std::vector<KeyReference> out;
  for (int pos : spec.get_keys(args)) {
    if (pos < 1 || pos >= static_cast<int>(args.size())) {
      continue;  // a position past the arguments names no key
    }
    uint32_t flags = specs.empty() ? 0 : specs.back().flags;
    for (const KeySpec& s : specs) {
      if (s.begin == KeySpec::Begin::kIndex && s.index == pos) {
        flags = s.flags;
        break;
      }
    }
    out.push_back({pos, flags & ~(kKeyIncomplete | kKeyVariableFlags)});
  }
  return out;
}

}  // namespace

std::vector<KeySpec> KeySpecsFor(const CommandSpec& spec) {
  const auto& table = RedisKeySpecTable();
  auto it = table.find(spec.name);
  if (it != table.end()) {
    return it->second;
  }
  if (spec.keys.first > 0) {
    return {DerivedSpec(spec)};
  }
  return {};
}

std::vector<std::string_view> KeySpecFlagNames(uint32_t flags) {
  static const std::pair<uint32_t, std::string_view> kNames[] = {
      {kKeyRO, "RO"},
      {kKeyRW, "RW"},
      {kKeyOW, "OW"},
      {kKeyRM, "RM"},
      {kKeyAccess, "access"},
      {kKeyUpdate, "update"},
      {kKeyInsert, "insert"},
      {kKeyDelete, "delete"},
      {kKeyNotKey, "not_key"},
      {kKeyIncomplete, "incomplete"},
      {kKeyVariableFlags, "variable_flags"},
  };
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) != 0) {
      out.push_back(name);
    }
  }
  return out;
}

bool CommandHasKeys(const CommandSpec& spec) {
  if (spec.get_keys) {
    return true;
  }
  for (const KeySpec& s : KeySpecsFor(spec)) {
    if ((s.flags & kKeyNotKey) == 0) {
      return true;
    }
  }
  return false;
}

std::vector<KeyReference> GetKeysWithFlags(const CommandSpec& spec,
                                           const std::vector<std::string_view>& args) {
  std::vector<KeySpec> specs = KeySpecsFor(spec);
  bool has_keyspec = false;
  bool variable_flags = false;
  for (const KeySpec& s : specs) {
    has_keyspec = has_keyspec || (s.flags & kKeyNotKey) == 0;
    variable_flags = variable_flags || (s.flags & kKeyVariableFlags) != 0;
  }
  if (has_keyspec && !variable_flags) {
    std::optional<std::vector<KeyReference>> keys = KeysFromSpecs(specs, args);
    if (keys) {
      return *std::move(keys);
    }
  }
  if (variable_flags && (spec.name == "set" || spec.name == "bitfield")) {
    return {{1, VariableKeyFlags(spec.name, args)}};
  }
  if (spec.get_keys) {
    return KeysFromFunction(spec, specs, args);
  }
  return {};
}

}  // namespace cairn::commands
