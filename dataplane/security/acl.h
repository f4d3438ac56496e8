// Redis 7.0's ACL model: users (on/off, SHA-256 password hashes, flags), selectors (command
// bits, key patterns with read/write permissions, channel patterns), the rule language of ACL
// SETUSER and of `user` lines (parsing and the canonical text ACL LIST prints back), permission
// checks and the ACL LOG. Knows no command table and no clients: the command layer describes
// its commands through an AclCatalog and passes the keys and channels of a command line in.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::security {

// One command or subcommand as the ACL sees it.
struct AclCommand {
  std::string fullname;     // lower case: "get", "config|get"
  uint64_t categories = 0;  // category bits (index = position in the catalog's names)
  int parent = -1;          // id of the container command, -1 for top-level commands
  std::vector<int> subcommands;
};

// Every command and subcommand with a dense id, and the category names. Built once by the
// command layer from its command table (ids are positions in the order of Add).
class AclCatalog {
 public:
  explicit AclCatalog(std::vector<std::string> category_names);
  // Adds a command; `parent` is the id of its container or -1. Returns its id.
  int Add(std::string fullname, uint64_t categories, int parent);
  // Id of "get" / "config|get" (case-insensitive), or -1.
  int Find(std::string_view fullname) const;
  const AclCommand& command(int id) const { return commands_[id]; }
  int size() const { return static_cast<int>(commands_.size()); }
  // Top-level command ids sorted by name (the order rules and ACL CAT list commands in).
  const std::vector<int>& top_level() const { return top_level_; }
  // Category bit of `name` (case-insensitive), or nullopt.
  std::optional<uint64_t> CategoryBit(std::string_view name) const;
  const std::vector<std::string>& category_names() const { return category_names_; }

 private:
  std::vector<std::string> category_names_;
  std::vector<AclCommand> commands_;
  std::map<std::string, int, std::less<>> by_name_;
  std::vector<int> top_level_;
};

// Why a check failed (Redis's ACL_DENIED_*; the order decides which error a user with several
// selectors gets: the highest reason, then the last argument).
enum class AclDenial : int { kNone = 0, kCommand = 1, kKey = 2, kAuth = 3, kChannel = 4 };

// Key permissions of a pattern, and those an argument needs.
enum AclPermission : uint32_t { kAclRead = 1, kAclWrite = 2, kAclReadWrite = 3 };

// A key or channel argument of a command line: its position in the arguments and, for keys,
// the permissions it needs (kAclRead / kAclWrite, 0 = any pattern will do); for channels,
// `pattern` is true for PSUBSCRIBE patterns (matched literally, as Redis 7.0 does).
struct AclArgRef {
  int pos = 0;
  uint32_t permissions = 0;
  bool pattern = false;
};

// One permission check: the command (catalog id), its arguments (args[0] = name) and what the
// command layer extracted from them.
struct AclRequest {
  int command_id = -1;
  bool no_auth = false;  // kNoAuth commands (AUTH, HELLO, ...) pass the command check
  const std::vector<std::string_view>* args = nullptr;
  std::vector<AclArgRef> keys;
  std::vector<AclArgRef> channels;
};

struct AclVerdict {
  AclDenial denial = AclDenial::kNone;
  int pos = 0;  // argument that failed (keys and channels)
  bool ok() const { return denial == AclDenial::kNone; }
};

struct AclKeyPattern {
  std::string pattern;
  uint32_t permissions = kAclReadWrite;
};

// A set of permissions: the root selector of a user or one "(...)" selector.
class AclSelector {
 public:
  AclSelector(const AclCatalog* catalog, bool root, bool all_channels);
  // Applies one rule (+cmd, -@cat, ~pattern, %R~pattern, &channel, allkeys, ...). Errors carry
  // Redis's reason text ("Syntax error", "Unknown command or category name in ACL", ...).
  Status Apply(std::string_view op);
  // The selector as ACL LIST prints it: "~* &* +@all", "%R~k* resetchannels -@all +get".
  std::string Describe() const;
  // ACL GETUSER fields: "-@all +get", "~k* %R~r*" ("~*" for allkeys), "&c*" ("&*").
  std::string DescribeCommands() const;
  std::string DescribeKeys() const;
  std::string DescribeChannels() const;
  AclVerdict Check(const AclRequest& request) const;
  bool root() const { return root_; }
  // True when it allows every command, key and channel (the dispatcher then skips key work).
  bool AllowsEverything() const { return all_commands_ && all_keys_ && all_channels_; }
  // True when it may read every key: allkeys, or a "~*" / "%R~*" pattern (Redis's
  // ACLSelectorHasUnrestrictedKeyAccess for read access).
  bool ReadsAnyKey() const;
  // Channel check: channels match the patterns; a PSUBSCRIBE `pattern` must equal one.
  bool ChannelAllowed(std::string_view channel, bool pattern) const;

 private:
  bool Bit(int id) const { return (bits_[id / 64] >> (id % 64)) & 1; }
  void SetBit(int id, bool on);
  void ChangePermission(int id, bool allow);
  void ChangeCategory(uint64_t category, bool allow);
  Status ApplyCommandRule(std::string_view op);
  Status ApplyKeyPattern(std::string_view op);
  void CountCategory(uint64_t category, int* on, int* off) const;
  void DescribeSingle(int id, AclSelector* fake, std::string* out) const;
  bool KeyAllowed(std::string_view key, uint32_t needed) const;

  const AclCatalog* catalog_;
  bool root_;
  bool all_keys_ = false;
  bool all_channels_ = false;
  bool all_commands_ = false;
  bool future_commands_ = false;  // set by +@all only: commands added later are allowed
  std::vector<uint64_t> bits_;
  std::map<int, std::vector<std::string>> first_args_;  // +select|0: command id -> first args
  std::vector<AclKeyPattern> keys_;
  std::vector<std::string> channels_;
};

// A user: flags, password hashes and selectors (the first is the root selector).
class AclUser {
 public:
  // A new user as ACL SETUSER creates it: off, no passwords, -@all, no keys, channels per
  // acl-pubsub-default.
  AclUser(std::string name, const AclCatalog* catalog, bool all_channels_default);
  // Applies one user rule (on, off, >pass, #hash, nopass, reset, (selector), clearselectors) or
  // a root selector rule. Errors carry Redis's reason text.
  Status Apply(std::string_view op);
  // "on nopass ~* &* +@all": the rules after "user <name> " in ACL LIST.
  std::string Describe() const;
  // The flag names ACL GETUSER lists: on/off, nopass, skip-sanitize-payload, sanitize-payload.
  std::vector<std::string> FlagNames() const;
  // True when `password` hashes to one of the user's hashes (constant-time compare), or the
  // user is nopass. Does not look at on/off.
  bool PasswordMatches(std::string_view password) const;
  AclVerdict Check(const AclRequest& request) const;
  bool AllowsEverything() const {
    return selectors_.size() == 1 && selectors_[0].AllowsEverything();
  }
  // True when one selector allows the command of `request` (its keys and channels are not
  // looked at) and may read every key (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess, which
  // SORT's BY and GET options need).
  bool AllowsCommandOnAnyKey(const AclRequest& request) const;
  // True when some selector allows subscribing to `channel` (a pattern when `pattern`).
  bool ChannelAllowed(std::string_view channel, bool pattern) const;

  const std::string& name() const { return name_; }
  bool enabled() const { return enabled_; }
  bool nopass() const { return nopass_; }
  const std::vector<std::string>& passwords() const { return passwords_; }
  const std::vector<AclSelector>& selectors() const { return selectors_; }

 private:
  Status ApplySelector(std::string_view op);
  Status ChangePassword(std::string_view op);

  std::string name_;
  const AclCatalog* catalog_;
  bool all_channels_default_;
  bool enabled_ = false;
  bool nopass_ = false;
  bool sanitize_payload_ = false;
  bool skip_sanitize_payload_ = false;
  std::vector<std::string> passwords_;  // SHA-256 hex, in the order added
  std::vector<AclSelector> selectors_;
};

// One ACL LOG entry (Redis 7.0 fields).
struct AclLogEntry {
  int64_t count = 1;
  AclDenial reason = AclDenial::kCommand;
  std::string context;  // toplevel, multi, lua
  std::string object;   // command full name, key, channel, or the AUTH/HELLO as typed
  std::string username;
  int64_t created_ms = 0;  // last occurrence (age-seconds counts from here)
  std::string client_info;
};

// Reason names as ACL LOG prints them: command, key, channel, auth.
std::string_view AclDenialName(AclDenial denial);

using AclUserMap = std::map<std::string, std::unique_ptr<AclUser>, std::less<>>;

// The user registry (always holds "default"), acl-pubsub-default, the aclfile and the log.
class Acl {
 public:
  explicit Acl(AclCatalog catalog);
  const AclCatalog& catalog() const { return catalog_; }

  AclUser* Find(std::string_view name);
  AclUser& default_user() { return *default_user_; }
  const AclUserMap& users() const { return users_; }
  // ACL SETUSER name rule...: merges "(" ... ")" arguments into selectors, applies all rules
  // to a copy and stores it only when all succeed. Errors are the complete Redis texts ("ERR
  // Error in ACL SETUSER modifier '...': ...", "ERR Unmatched parenthesis ...").
  Status SetUser(std::string_view name, const std::vector<std::string_view>& rules);
  // Removes a user. REQUIRES: name != "default". False when there is no such user.
  bool DeleteUser(std::string_view name);
  // ACL LIST lines: "user <name> <rules>", sorted by name.
  std::vector<std::string> List() const;
  // requirepass: resets the default user's passwords to `password` ("" = nopass), as Redis's
  // ACLUpdateDefaultUserPassword.
  void SetDefaultPassword(std::string_view password);
  // A `user name rule...` line of the config file: defines a user (a second definition of the
  // same name is an error). Error texts are the config-file reasons Redis prints.
  Status AddConfigUser(const std::vector<std::string>& args);
  bool has_config_users() const { return !config_user_names_.empty(); }
  // Parses ACL file text (ACL LOAD): every line "user <name> <rules>". Returns the users it
  // defines (the default user added with its defaults when absent) or the error text Redis
  // gives ("<file>:<line>: ...").
  Result<AclUserMap> ParseFile(std::string_view text, std::string_view filename) const;
  // Reads and parses `aclfile`; a missing or unreadable file is "Error loading ACLs, opening
  // file '<path>': <reason>".
  Result<AclUserMap> ReadFile() const;
  // Installs users from ParseFile. The default user object stays (clients keep pointing at it)
  // and takes the new rules; other user objects are replaced (kill their clients first).
  void ReplaceUsers(AclUserMap users);
  // ACL SAVE text: the ACL LIST lines, each ending in "\n".
  std::string SaveText() const;

  bool pubsub_default_all() const { return pubsub_default_all_; }
  void set_pubsub_default_all(bool v) { pubsub_default_all_ = v; }
  std::string aclfile;

  // ACL LOG: newest first; entries equal in reason, context, object and user within 60 s are
  // merged (count and time bumped), looking at the newest 10, as Redis does.
  void AddLogEntry(AclLogEntry entry);
  const std::deque<AclLogEntry>& log() const { return log_; }
  void ResetLog() { log_.clear(); }
  int64_t log_max_len = 128;

 private:
  Result<std::unique_ptr<AclUser>> BuildUser(std::string_view name,
                                             const std::vector<std::string_view>& rules,
                                             const AclUser* base, std::string* bad_rule) const;
  // Puts `user` in place of `existing` (the same object, so clients keep their pointer) or adds
  // it under `name` when `existing` is null.
  void Store(AclUser* existing, std::string_view name, std::unique_ptr<AclUser> user);
  void ParseFileLine(std::string_view line, const std::string& where, AclUserMap* users,
                     std::string* errors) const;

  AclCatalog catalog_;
  AclUserMap users_;
  AclUser* default_user_;
  bool pubsub_default_all_ = false;
  std::set<std::string, std::less<>> config_user_names_;
  std::deque<AclLogEntry> log_;
};

// Redis's password hash: lowercase hex SHA-256.
std::string AclHashPassword(std::string_view password);
// ACL GENPASS: `bits` random bits (CSPRNG) as (bits + 3) / 4 hex digits. REQUIRES: 0 < bits.
Result<std::string> AclGeneratePassword(int bits);
// Merges rule arguments "(+get" "~k*)" into selectors "(+get ~k*)" as ACL SETUSER does. On an
// unclosed "(" returns nullopt and sets *bad to the index of its first argument.
std::optional<std::vector<std::string>> AclMergeSelectorArgs(
    const std::vector<std::string_view>& rules, size_t* bad);

}  // namespace cairn::security
