// Key specifications: where a command's keys are and how it uses them, as Redis 7.0 describes
// them in COMMAND INFO and uses them for COMMAND GETKEYS / GETKEYSANDFLAGS. A spec finds its
// first key (begin_search: a fixed index, or the argument after a keyword) and then the keys
// from there (find_keys: a range, or a count argument followed by that many keys).
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dataplane/commands/command_table.h"

namespace cairn::commands {

// Key-spec flags (Redis 7.0 CMD_KEY_*), in the order COMMAND INFO prints them.
enum KeySpecFlag : uint32_t {
  kKeyRO = 1 << 0,  // reads the value
  kKeyRW = 1 << 1,  // reads and changes the value
  kKeyOW = 1 << 2,  // overwrites the value without reading it
  kKeyRM = 1 << 3,  // deletes the key
  kKeyAccess = 1 << 4,
  kKeyUpdate = 1 << 5,
  kKeyInsert = 1 << 6,
  kKeyDelete = 1 << 7,
  kKeyNotKey = 1 << 8,  // a channel name in a key position (SPUBLISH), not a key
  kKeyIncomplete = 1 << 9,
  kKeyVariableFlags = 1 << 10,  // the flags depend on the arguments (SET ... GET)
};

struct KeySpec {
  enum class Begin : uint8_t { kIndex, kKeyword, kUnknown };
  enum class Find : uint8_t { kRange, kKeynum, kUnknown };

  uint32_t flags = 0;
  std::string_view notes;  // empty: no "notes" field
  Begin begin = Begin::kIndex;
  int index = 0;             // kIndex: argument position of the first key
  std::string_view keyword;  // kKeyword: the key follows this argument
  int startfrom = 0;         // kKeyword: search from here (< 0: from the end, backwards)
  Find find = Find::kRange;
  int lastkey = 0;    // kRange: last key relative to the first (< 0: from the end)
  int keystep = 1;    // kRange and kKeynum: distance between keys
  int limit = 0;      // kRange with lastkey -1: only 1/limit of the remaining arguments
  int keynumidx = 0;  // kKeynum: position of the key count, relative to the first key's
  int firstkey = 0;   // kKeynum: first key relative to the first key's position
};

// Redis 7.0's key specs by full command name (key_spec_table.cc); commands without keys are
// absent.
const std::unordered_map<std::string_view, std::vector<KeySpec>>& RedisKeySpecTable();

// The key specs of `spec` ("set", "object|encoding"): Redis 7.0's for the commands it has,
// otherwise derived from the legacy key positions (RW+UPDATE for writes, RO+ACCESS otherwise).
// Empty for keyless commands.
std::vector<KeySpec> KeySpecsFor(const CommandSpec& spec);

// Flag names in COMMAND INFO order: "RO", "RW", "OW", "RM", "access", ..., "variable_flags".
std::vector<std::string_view> KeySpecFlagNames(uint32_t flags);

// A key found in a command line: its argument position and how the command uses it.
struct KeyReference {
  int pos = 0;
  uint32_t flags = 0;
};

// True when COMMAND GETKEYS can say anything about `spec` (Redis's doesCommandHaveKeys): it has
// a key spec that is not NOT_KEY, or a key extraction function.
bool CommandHasKeys(const CommandSpec& spec);

// The keys of the command line `args` (args[0] is the command name; for a subcommand args[1]
// its name), as Redis's getKeysFromCommandWithSpecs finds them: through the key specs when they
// can tell, else through the command's own extraction. Empty when none or when the arguments
// do not fit the specs. REQUIRES: the arity of `args` matches `spec`.
std::vector<KeyReference> GetKeysWithFlags(const CommandSpec& spec,
                                           const std::vector<std::string_view>& args);

}  // namespace cairn::commands
