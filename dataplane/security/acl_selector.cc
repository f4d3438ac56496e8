// AclCatalog and AclSelector: the command bits, key and channel patterns of one selector, the
// rules that change them and the canonical text ACL LIST prints (Redis 7.0's ACLSetSelector,
// ACLDescribeSelector and ACLSelectorCheckCmd).
#include <algorithm>
#include <cctype>

#include "dataplane/base/strings.h"
#include "dataplane/security/acl.h"

namespace cairn::security {
namespace {

constexpr char kErrSyntax[] = "Syntax error";
constexpr char kErrUnknown[] = "Unknown command or category name in ACL";
constexpr char kErrKeyAfterAll[] =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr char kErrChannelAfterAll[] =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
constexpr char kErrSubcommandFirstArg[] = "Allowing first-arg of a subcommand is not supported";

std::string PatternText(const AclKeyPattern& p) {
  std::string prefix = p.permissions == kAclReadWrite ? "~"
                       : p.permissions == kAclRead    ? "%R~"
                                                      : "%W~";
  return prefix + p.pattern;
}

}  // namespace

AclCatalog::AclCatalog(std::vector<std::string> category_names)
    : category_names_(std::move(category_names)) {}

int AclCatalog::Add(std::string fullname, uint64_t categories, int parent) {
  int id = size();
  std::string lower = AsciiLower(fullname);
  commands_.push_back({lower, categories, parent, {}});
  by_name_.emplace(lower, id);
  if (parent >= 0) {
    commands_[parent].subcommands.push_back(id);
  } else {
    top_level_.push_back(id);
  }
  auto by_name = [this](int a, int b) { return commands_[a].fullname < commands_[b].fullname; };
  std::sort(top_level_.begin(), top_level_.end(), by_name);
  if (parent >= 0) {
    std::sort(commands_[parent].subcommands.begin(), commands_[parent].subcommands.end(), by_name);
  }
  return id;
}

int AclCatalog::Find(std::string_view fullname) const {
  auto it = by_name_.find(AsciiLower(fullname));
  return it == by_name_.end() ? -1 : it->second;
}

std::optional<uint64_t> AclCatalog::CategoryBit(std::string_view name) const {
  for (size_t i = 0; i < category_names_.size(); i++) {
    if (EqualsIgnoreCase(category_names_[i], name)) {
      return 1ULL << i;
    }
  }
  return std::nullopt;
}

AclSelector::AclSelector(const AclCatalog* catalog, bool root, bool all_channels)
    : catalog_(catalog),
      root_(root),
      all_channels_(all_channels),
      bits_((catalog->size() + 63) / 64 + 1, 0) {}

void AclSelector::SetBit(int id, bool on) {
  if (on) {
    bits_[id / 64] |= 1ULL << (id % 64);
  } else {
    bits_[id / 64] &= ~(1ULL << (id % 64));
    all_commands_ = false;
  }
}

// ACLChangeSelectorPerm: the command and, for a container, all its subcommands; forgets the
// first arguments allowed for it.
void AclSelector::ChangePermission(int id, bool allow) {
  SetBit(id, allow);
  first_args_.erase(id);
  for (int sub : catalog_->command(id).subcommands) {
    SetBit(sub, allow);
  }
}

void AclSelector::ChangeCategory(uint64_t category, bool allow) {
  for (int id = 0; id < catalog_->size(); id++) {
    if ((catalog_->command(id).categories & category) != 0) {
      ChangePermission(id, allow);
    }
  }
}

Status AclSelector::Apply(std::string_view op) {
  if (op.empty()) {
    return Status::Ok();
  }
  if (EqualsIgnoreCase(op, "allkeys") || op == "~*") {
    all_keys_ = true;
    keys_.clear();
  } else if (EqualsIgnoreCase(op, "resetkeys")) {
    all_keys_ = false;
    keys_.clear();
  } else if (EqualsIgnoreCase(op, "allchannels") || op == "&*") {
    all_channels_ = true;
    channels_.clear();
  } else if (EqualsIgnoreCase(op, "resetchannels")) {
    all_channels_ = false;
    channels_.clear();
  } else if (EqualsIgnoreCase(op, "allcommands") || EqualsIgnoreCase(op, "+@all")) {
    std::fill(bits_.begin(), bits_.end(), ~0ULL);
    all_commands_ = true;
    future_commands_ = true;
    first_args_.clear();
  } else if (EqualsIgnoreCase(op, "nocommands") || EqualsIgnoreCase(op, "-@all")) {
    std::fill(bits_.begin(), bits_.end(), 0ULL);
    all_commands_ = false;
    future_commands_ = false;
    first_args_.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    return ApplyKeyPattern(op);
  } else if (op[0] == '&') {
    if (all_channels_) {
      return Status::InvalidArgument(kErrChannelAfterAll);
    }
    std::string channel(op.substr(1));
    if (std::find(channels_.begin(), channels_.end(), channel) == channels_.end()) {
      channels_.push_back(std::move(channel));
    }
  } else if ((op[0] == '+' || op[0] == '-') && op.size() > 1 && op[1] == '@') {
    std::optional<uint64_t> bit = catalog_->CategoryBit(op.substr(2));
    if (!bit) {
      return Status::InvalidArgument(kErrUnknown);
    }
    ChangeCategory(*bit, op[0] == '+');
  } else if (op[0] == '+' || op[0] == '-') {
    return ApplyCommandRule(op);
  } else {
    return Status::InvalidArgument(kErrSyntax);
  }
  return Status::Ok();
}

// +cmd, -cmd, +container|sub, -container|sub, +cmd|firstarg.
Status AclSelector::ApplyCommandRule(std::string_view op) {
  bool allow = op[0] == '+';
  std::string_view name = op.substr(1);
  size_t bar = name.rfind('|');
  if (bar == std::string_view::npos || !allow) {
    int id = catalog_->Find(name);
    if (id < 0 || std::count(name.begin(), name.end(), '|') > 1) {
      return Status::InvalidArgument(kErrUnknown);
    }
    ChangePermission(id, allow);
    return Status::Ok();
  }
  std::string_view base = name.substr(0, bar);
  std::string_view sub = name.substr(bar + 1);
  int id = catalog_->Find(base);
  if (id < 0 || std::count(base.begin(), base.end(), '|') > 1) {
    return Status::InvalidArgument(kErrUnknown);
  }
  if (catalog_->command(id).parent >= 0) {
    return Status::InvalidArgument(kErrSubcommandFirstArg);
  }
  if (sub.empty()) {
    return Status::InvalidArgument(kErrSyntax);
  }
  if (!catalog_->command(id).subcommands.empty()) {
    int sub_id = catalog_->Find(name);
    if (sub_id < 0) {
      return Status::InvalidArgument(kErrUnknown);
    }
    ChangePermission(sub_id, true);
    return Status::Ok();
  }
  // Allowing one first argument of a command without subcommands (deprecated in Redis).
  std::vector<std::string>& args = first_args_[id];
  std::string arg = AsciiLower(sub);
  if (std::find(args.begin(), args.end(), arg) == args.end()) {
    args.push_back(std::move(arg));
  }
  return Status::Ok();
}

// ~pattern, %R~pattern, %W~pattern, %RW~pattern.
Status AclSelector::ApplyKeyPattern(std::string_view op) {
  if (all_keys_) {
    return Status::InvalidArgument(kErrKeyAfterAll);
  }
  uint32_t permissions = 0;
  size_t offset = 1;
  if (op[0] == '%') {
    for (; offset < op.size(); offset++) {
      char c = static_cast<char>(std::toupper(static_cast<unsigned char>(op[offset])));
      if (c == 'R' && (permissions & kAclRead) == 0) {
        permissions |= kAclRead;
      } else if (c == 'W' && (permissions & kAclWrite) == 0) {
        permissions |= kAclWrite;
      } else if (op[offset] == '~') {
        offset++;
        break;
      } else {
        return Status::InvalidArgument(kErrSyntax);
      }
    }
  } else {
    permissions = kAclReadWrite;
  }
  if (permissions == 0) {  // an empty pattern is accepted, as in Redis
    return Status::InvalidArgument(kErrSyntax);
  }
  std::string pattern(op.substr(offset));
  for (AclKeyPattern& p : keys_) {
    if (p.pattern == pattern) {
      p.permissions |= permissions;
      return Status::Ok();
    }
  }
  keys_.push_back({std::move(pattern), permissions});
  return Status::Ok();
}

void AclSelector::CountCategory(uint64_t category, int* on, int* off) const {
  for (int id = 0; id < catalog_->size(); id++) {
    if ((catalog_->command(id).categories & category) != 0) {
      (Bit(id) ? *on : *off) += 1;
    }
  }
}

// ACLDescribeSelectorCommandRulesSingleCommands: the +cmd / -cmd rules that make `fake` match
// this selector for `id` and its subcommands, then its allowed first arguments.
void AclSelector::DescribeSingle(int id, AclSelector* fake, std::string* out) const {
  bool user_bit = Bit(id);
  if (user_bit != fake->Bit(id)) {
    *out += (user_bit ? "+" : "-") + catalog_->command(id).fullname + " ";
    fake->ChangePermission(id, user_bit);
  }
  for (int sub : catalog_->command(id).subcommands) {
    DescribeSingle(sub, fake, out);
  }
  auto it = first_args_.find(id);
  if (!user_bit && it != first_args_.end()) {
    for (const std::string& arg : it->second) {
      *out += "+" + catalog_->command(id).fullname + "|" + arg + " ";
    }
  }
}

// Redis 7.0's ACLDescribeSelectorCommandRules: start from +@all or -@all, add the categories
// that fit best one by one, then single commands for the remaining differences.
std::string AclSelector::DescribeCommands() const {
  bool additive = !future_commands_;
  std::string out = additive ? "-@all " : "+@all ";
  AclSelector fake(catalog_, false, false);
  fake.Apply(additive ? "-@all" : "+@all").ok();  // known rules: cannot fail
  AclSelector temp = *this;
  const std::vector<std::string>& names = catalog_->category_names();
  std::vector<bool> applied(names.size(), false);
  while (true) {
    int best = -1;
    int min_diff = INT32_MAX;
    int max_same = 0;
    for (size_t j = 0; j < names.size(); j++) {
      if (applied[j]) {
        continue;
      }
      int on = 0;
      int off = 0;
      temp.CountCategory(1ULL << j, &on, &off);
      int diff = additive ? off : on;
      int same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = static_cast<int>(j);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) {
      break;
    }
    fake.ChangeCategory(1ULL << best, additive);
    temp.ChangeCategory(1ULL << best, !additive);
    out += std::string(additive ? "+@" : "-@") + names[best] + " ";
    applied[best] = true;
  }
  for (int id : catalog_->top_level()) {
    DescribeSingle(id, &fake, &out);
  }
  out.pop_back();
  return out;
}

std::string AclSelector::DescribeKeys() const {
  if (all_keys_) {
    return "~*";
  }
  std::string out;
  for (const AclKeyPattern& p : keys_) {
    out += (out.empty() ? "" : " ") + PatternText(p);
  }
  return out;
}

std::string AclSelector::DescribeChannels() const {
  if (all_channels_) {
    return "&*";
  }
  std::string out;
  for (const std::string& c : channels_) {
    out += (out.empty() ? "&" : " &") + c;
  }
  return out;
}

std::string AclSelector::Describe() const {
  std::string out;
  if (all_keys_) {
    out += "~* ";
  } else {
    for (const AclKeyPattern& p : keys_) {
      out += PatternText(p) + " ";
    }
  }
  if (all_channels_) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const std::string& c : channels_) {
      out += "&" + c + " ";
    }
  }
  return out + DescribeCommands();
}

// ACLSelectorCheckKey: access needs read; insert, delete and update need write.
bool AclSelector::KeyAllowed(std::string_view key, uint32_t needed) const {
  if (all_keys_) {
    return true;
  }
  for (const AclKeyPattern& p : keys_) {
    if ((p.permissions & needed) == needed && GlobMatch(p.pattern, key)) {
      return true;
    }
  }
  return false;
}

bool AclSelector::ReadsAnyKey() const {
  return all_keys_ || std::any_of(keys_.begin(), keys_.end(), [](const AclKeyPattern& p) {
           return p.pattern == "*" && (p.permissions & kAclRead) != 0;
         });
}

// Channels match the patterns; PSUBSCRIBE patterns must equal one literally.
bool AclSelector::ChannelAllowed(std::string_view channel, bool pattern) const {
  if (all_channels_) {
    return true;
  }
  for (const std::string& p : channels_) {
    if (pattern ? p == channel : GlobMatch(p, channel)) {
      return true;
    }
  }
  return false;
}

AclVerdict AclSelector::Check(const AclRequest& request) const {
  const std::vector<std::string_view>& args = *request.args;
  int id = request.command_id;
  if (!all_commands_ && !request.no_auth && !Bit(id)) {
    auto it = first_args_.find(id);
    int index = catalog_->command(id).parent >= 0 ? 2 : 1;
    if (it == first_args_.end() || static_cast<int>(args.size()) <= index ||
        std::find(it->second.begin(), it->second.end(), AsciiLower(args[index])) ==
            it->second.end()) {
      return {AclDenial::kCommand, 0};
    }
  }
  for (const AclArgRef& k : request.keys) {
    if (!KeyAllowed(args[k.pos], k.permissions)) {
      return {AclDenial::kKey, k.pos};
    }
  }
  for (const AclArgRef& c : request.channels) {
    if (!ChannelAllowed(args[c.pos], c.pattern)) {
      return {AclDenial::kChannel, c.pos};
    }
  }
  return {};
}

}  // namespace cairn::security
