// The command table: every command's metadata (name, arity, flags, key positions, ACL
// categories) and its handler, as Redis's command table and COMMAND INFO describe them. The
// dispatcher applies the metadata before a handler runs (STYLE.md §4).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dataplane/commands/latency_histogram.h"

namespace cairn::commands {

class CommandContext;
using Handler = void (*)(CommandContext& ctx);

// Command flags, as COMMAND INFO prints them (Redis 7.0 CMD_*).
enum CommandFlag : uint32_t {
  kWrite = 1 << 0,
  kReadOnly = 1 << 1,
  kDenyOom = 1 << 2,
  kAdmin = 1 << 3,
  kPubSub = 1 << 4,
  kNoScript = 1 << 5,
  kBlocking = 1 << 6,
  kLoading = 1 << 7,  // ok while loading
  kStale = 1 << 8,    // ok on a stale replica
  kSkipMonitor = 1 << 9,
  kSkipSlowlog = 1 << 10,
  kFast = 1 << 11,
  kNoAuth = 1 << 12,
  kMayReplicate = 1 << 13,
  kNoMulti = 1 << 14,
  kAllowBusy = 1 << 15,
  kSentinel = 1 << 16,
  kOnlySentinel = 1 << 17,
  kNoMandatoryKeys = 1 << 18,
  kProtected = 1 << 19,  // DEBUG, MODULE: behind enable-*-command
  kNoAsyncLoading = 1 << 20,
};

// ACL categories (Redis 7.0 ACL_CATEGORY_*), in COMMAND INFO / ACL CAT order.
enum AclCategory : uint64_t {
  kAclKeyspace = 1ULL << 0,
  kAclRead = 1ULL << 1,
  kAclWrite = 1ULL << 2,
  kAclSet = 1ULL << 3,
  kAclSortedSet = 1ULL << 4,
  kAclList = 1ULL << 5,
  kAclHash = 1ULL << 6,
  kAclString = 1ULL << 7,
  kAclBitmap = 1ULL << 8,
  kAclHyperLogLog = 1ULL << 9,
  kAclGeo = 1ULL << 10,
  kAclStream = 1ULL << 11,
  kAclPubSub = 1ULL << 12,
  kAclAdmin = 1ULL << 13,
  kAclFast = 1ULL << 14,
  kAclSlow = 1ULL << 15,
  kAclBlocking = 1ULL << 16,
  kAclDangerous = 1ULL << 17,
  kAclConnection = 1ULL << 18,
  kAclTransaction = 1ULL << 19,
  kAclScripting = 1ULL << 20,
};

// Names of the categories, in bit order ("keyspace", "read", ...).
const std::vector<std::string_view>& AclCategoryNames();

// Legacy key positions (COMMAND INFO first/last/step): 1-based argument indexes; last < 0 counts
// from the end (-1 = last argument); all zero for keyless commands.
struct KeyPositions {
  int first = 0;
  int last = 0;
  int step = 0;
};

struct CommandSpec {
  std::string name;  // lower case; subcommands "config|get"
  int arity = 0;     // > 0 exact, < 0 at least -arity (the name counts)
  uint32_t flags = 0;
  // Categories beyond those implied by flags (kWrite -> @write, ...): the family's (@string).
  uint64_t categories = 0;
  KeyPositions keys;
  Handler handler = nullptr;
  // COMMAND INFO tips, e.g. "nondeterministic_output", "request_policy:all_shards".
  std::vector<std::string> tips;
  // Extracts key argument indexes when positions cannot say it (e.g. ZUNIONSTORE numkeys).
  std::function<std::vector<int>(const std::vector<std::string_view>& args)> get_keys;
  // Subcommands by lower-case name (CONFIG GET ...); empty for plain commands.
  std::vector<std::unique_ptr<CommandSpec>> subcommands;
  CommandSpec* parent = nullptr;
  // Id of the command in the ACL catalog (access_control.h MakeAcl); -1 before.
  mutable int acl_id = -1;

  // Statistics for INFO commandstats (reset by CONFIG RESETSTAT).
  mutable int64_t calls = 0;
  mutable int64_t usec = 0;
  mutable int64_t rejected_calls = 0;
  mutable int64_t failed_calls = 0;
  // Latency distribution for LATENCY HISTOGRAM and INFO latencystats (reset by CONFIG RESETSTAT).
  mutable LatencyHistogram latency;

  bool is_container() const { return !subcommands.empty(); }
  // ACL categories including those the flags imply.
  uint64_t AllCategories() const;
  // Flag names as COMMAND INFO prints them ("write", "denyoom", ...).
  std::vector<std::string_view> FlagNames() const;
  // Subcommand by name (case-insensitive) or nullptr.
  const CommandSpec* FindSubcommand(std::string_view name) const;
  // Argument indexes that are keys for this invocation.
  std::vector<int> KeyIndexes(const std::vector<std::string_view>& args) const;
};

class CommandTable {
 public:
  // Adds a command. REQUIRES: the name is new.
  CommandSpec& Add(CommandSpec spec);
  // Adds a subcommand to a container command added before.
  CommandSpec& AddSubcommand(std::string_view parent, CommandSpec spec);
  // Case-insensitive lookup of a top-level command; nullptr when unknown.
  const CommandSpec* Find(std::string_view name) const;
  // Every top-level command.
  std::vector<const CommandSpec*> All() const;
  size_t size() const { return commands_.size(); }
  void ResetStats();

 private:
  struct CaseInsensitiveHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct CaseInsensitiveEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>, CaseInsensitiveHash,
                     CaseInsensitiveEq>
      commands_;
};

// Registers every command family (one explicit call per family; no static registration).
void RegisterAllCommands(CommandTable& table);

}  // namespace cairn::commands
