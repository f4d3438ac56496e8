// Acl: the user registry (ACL SETUSER staging, DELUSER, LIST), the default user and
// requirepass, `user` config lines, the ACL file text (ACL LOAD / SAVE) and the ACL LOG, as
// Redis 7.0's acl.c does them.
#include "dataplane/security/acl.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "dataplane/protocol/resp_parser.h"

namespace cairn::security {
namespace {

constexpr int64_t kLogGroupingMs = 60000;
constexpr int kLogScan = 10;
constexpr char kLoadAborted[] =
    "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

bool HasSpaces(std::string_view s) {
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\0') {
      return true;
    }
  }
  return false;
}

std::unique_ptr<AclUser> DefaultUser(const AclCatalog* catalog) {
  auto user = std::make_unique<AclUser>("default", catalog, false);
  for (std::string_view r : {"+@all", "~*", "&*", "on", "nopass"}) {
    user->Apply(r).ok();  // known rules: cannot fail
  }
  return user;
}

}  // namespace

Acl::Acl(AclCatalog catalog) : catalog_(std::move(catalog)) {
  auto user = DefaultUser(&catalog_);
  default_user_ = user.get();
  users_.emplace("default", std::move(user));
}

AclUser* Acl::Find(std::string_view name) {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second.get();
}

Result<std::unique_ptr<AclUser>> Acl::BuildUser(std::string_view name,
                                                const std::vector<std::string_view>& rules,
                                                const AclUser* base, std::string* bad) const {
  auto user = base != nullptr
                  ? std::make_unique<AclUser>(*base)
                  : std::make_unique<AclUser>(std::string(name), &catalog_, pubsub_default_all_);
  size_t open = 0;
  std::optional<std::vector<std::string>> merged = AclMergeSelectorArgs(rules, &open);
  if (!merged) {
    *bad = std::string(rules[open]);
    return Status::FailedPrecondition("unmatched");
  }
  for (const std::string& r : *merged) {
    Status s = user->Apply(r);
    if (!s.ok()) {
      *bad = r;
      return s;
    }
  }
  return user;
}

Status Acl::SetUser(std::string_view name, const std::vector<std::string_view>& rules) {
  if (HasSpaces(name)) {
    return Status::InvalidArgument("ERR Usernames can't contain spaces or null characters");
  }
  std::string bad;
  AclUser* existing = Find(name);
  Result<std::unique_ptr<AclUser>> user = BuildUser(name, rules, existing, &bad);
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kFailedPrecondition) {
      return Status::InvalidArgument("ERR Unmatched parenthesis in acl selector starting at '" +
                                     bad + "'.");
    }
    return Status::InvalidArgument("ERR Error in ACL SETUSER modifier '" + bad +
                                   "': " + std::string(user.status().message()));
  }
  Store(existing, name, std::move(*user));
  return Status::Ok();
}

void Acl::Store(AclUser* existing, std::string_view name, std::unique_ptr<AclUser> user) {
  if (existing != nullptr) {
    *existing = std::move(*user);  // same object: clients keep their pointer
  } else {
    users_.emplace(std::string(name), std::move(user));
  }
}

bool Acl::DeleteUser(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end() || it->second.get() == default_user_) {
    return false;
  }
  users_.erase(it);
  return true;
}

std::vector<std::string> Acl::List() const {
  std::vector<std::string> out;
  for (const auto& [name, user] : users_) {
    std::string rules = user->Describe();
    out.push_back("user " + name + " " + rules);
  }
  return out;
}

std::string Acl::SaveText() const {
  std::string out;
  for (const std::string& line : List()) {
    out += line + "\n";
  }
  return out;
}

void Acl::SetDefaultPassword(std::string_view password) {
  default_user_->Apply("resetpass").ok();  // known rules: cannot fail
  if (password.empty()) {
    default_user_->Apply("nopass").ok();
  } else {
    default_user_->Apply(">" + std::string(password)).ok();
  }
}

// Redis validates the rules on a scratch user (unknown commands pass) and names the failing
// one by its index into the whole line "user name rule...", so the first rule's error names
// "user" and the second's the user name; kept for identical messages.
Status Acl::AddConfigUser(const std::vector<std::string>& args) {
  if (args.empty()) {
    return Status::InvalidArgument("Error in user declaration 'user': Syntax error");
  }
  const std::string& name = args[0];
  if (config_user_names_.contains(name)) {
    return Status::InvalidArgument(
        "Error in user declaration '" + name +
        "': Duplicate user found. A user can only be defined once in config files");
  }
  std::vector<std::string_view> rules(args.begin() + 1, args.end());
  std::vector<std::string_view> line = {"user", name};
  line.insert(line.end(), rules.begin(), rules.end());
  size_t open = 0;
  std::optional<std::vector<std::string>> merged = AclMergeSelectorArgs(rules, &open);
  if (!merged) {
    return Status::InvalidArgument("Error in user declaration '" + std::string(line[open]) +
                                   "': Syntax error");
  }
  AclUser scratch(name, &catalog_, pubsub_default_all_);
  for (size_t j = 0; j < merged->size(); j++) {
    Status s = scratch.Apply((*merged)[j]);
    if (!s.ok() && s.message() != "Unknown command or category name in ACL") {
      return Status::InvalidArgument("Error in user declaration '" +
                                     std::string(line[std::min(j, line.size() - 1)]) +
                                     "': " + std::string(s.message()));
    }
  }
  std::string bad;
  AclUser* existing = Find(name);
  if (existing != nullptr) {
    rules.insert(rules.begin(), "reset");  // only "default" exists already: Redis resets it
  }
  Result<std::unique_ptr<AclUser>> user = BuildUser(name, rules, existing, &bad);
  if (!user.ok()) {
    return Status::InvalidArgument("Error in user declaration '" + bad +
                                   "': " + std::string(user.status().message()));
  }
  config_user_names_.insert(name);
  Store(existing, name, std::move(*user));
  return Status::Ok();
}

// One "user <name> <rules>" line of an ACL file; problems are appended to `errors`.
void Acl::ParseFileLine(std::string_view line, const std::string& where, AclUserMap* users,
                        std::string* errors) const {
  std::vector<std::string> args;
  if (!protocol::SplitInlineArgs(line, &args)) {
    *errors += where + ": unbalanced quotes in acl line. ";
    return;
  }
  if (args.size() < 2 || args[0] != "user") {
    *errors += where + " should start with user keyword followed by the username. ";
    return;
  }
  if (users->contains(args[1])) {
    *errors += "WARNING: Duplicate user '" + args[1] + "' found on line " +
               where.substr(where.rfind(':') + 1) + ". ";
    return;
  }
  std::vector<std::string_view> rules(args.begin() + 2, args.end());
  size_t open = 0;
  std::optional<std::vector<std::string>> merged = AclMergeSelectorArgs(rules, &open);
  if (!merged) {
    *errors += where + ": Unmatched parenthesis in selector definition.";
    return;
  }
  auto user = std::make_unique<AclUser>(args[1], &catalog_, pubsub_default_all_);
  bool reported = false;
  for (const std::string& r : *merged) {
    Status s = user->Apply(r);
    if (s.ok()) {
      continue;
    }
    if (s.message() == "Unknown command or category name in ACL") {
      *errors +=
          where + ": Error in applying operation '" + r + "': " + std::string(s.message()) + ". ";
    } else if (!reported) {
      *errors += where + ": " + std::string(s.message()) + ". ";
      reported = true;
    }
  }
  users->emplace(args[1], std::move(user));
}

Result<AclUserMap> Acl::ParseFile(std::string_view text, std::string_view filename) const {
  AclUserMap users;
  std::string errors;
  int lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    lineno++;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) {
      line.remove_prefix(1);
    }
    if (line.empty()) {
      continue;
    }
    ParseFileLine(line, std::string(filename) + ":" + std::to_string(lineno), &users, &errors);
  }
  if (!errors.empty()) {
    return Status::InvalidArgument(errors + kLoadAborted);
  }
  if (!users.contains("default")) {
    users.emplace("default", DefaultUser(&catalog_));
  }
  return users;
}

Result<AclUserMap> Acl::ReadFile() const {
  std::ifstream in(aclfile);
  if (!in) {
    return Status::Unavailable("Error loading ACLs, opening file '" + aclfile +
                               "': " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseFile(text.str(), aclfile);
}

void Acl::ReplaceUsers(AclUserMap users) {
  *default_user_ = std::move(*users["default"]);
  users.erase("default");
  for (auto it = users_.begin(); it != users_.end();) {
    it = it->second.get() == default_user_ ? std::next(it) : users_.erase(it);
  }
  for (auto& [name, user] : users) {
    users_.emplace(name, std::move(user));
  }
}

void Acl::AddLogEntry(AclLogEntry entry) {
  int scanned = 0;
  for (auto it = log_.begin(); it != log_.end() && scanned < kLogScan; ++it, ++scanned) {
    int64_t delta = it->created_ms - entry.created_ms;
    if (it->reason == entry.reason && it->context == entry.context && it->object == entry.object &&
        it->username == entry.username && (delta < 0 ? -delta : delta) <= kLogGroupingMs) {
      AclLogEntry merged = std::move(*it);
      log_.erase(it);
      merged.count++;
      merged.created_ms = entry.created_ms;
      merged.client_info = std::move(entry.client_info);
      log_.push_front(std::move(merged));
      return;
    }
  }
  log_.push_front(std::move(entry));
  while (static_cast<int64_t>(log_.size()) > log_max_len) {
    log_.pop_back();
  }
}

}  // namespace cairn::security
