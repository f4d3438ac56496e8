// Command table: registration, lookup and metadata derived from flags.
#include "dataplane/commands/command_table.h"

#include <algorithm>
#include <utility>

#include "dataplane/base/status.h"
#include "dataplane/base/strings.h"

namespace cairn::commands {

const std::vector<std::string_view>& AclCategoryNames() {
  static const std::vector<std::string_view> kNames = {
      "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
      "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
      "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
  return kNames;
}

uint64_t CommandSpec::AllCategories() const {
  uint64_t c = categories;
  if ((flags & kWrite) != 0) {
    c |= kAclWrite;
  }
  if ((flags & kReadOnly) != 0 && (c & kAclScripting) == 0) {
    c |= kAclRead;
  }
  if ((flags & kAdmin) != 0) {
    c |= kAclAdmin | kAclDangerous;
  }
  if ((flags & kPubSub) != 0) {
    c |= kAclPubSub;
  }
  if ((flags & kFast) != 0) {
    c |= kAclFast;
  }
  if ((flags & kBlocking) != 0) {
    c |= kAclBlocking;
  }
  if ((c & kAclFast) == 0) {
    c |= kAclSlow;
  }
  return c;
}

std::vector<std::string_view> CommandSpec::FlagNames() const {
  // Order and visibility as Redis 7.0's addReplyCommandFlags.
  static const std::pair<uint32_t, std::string_view> kFlags[] = {
      {kWrite, "write"},
      {kReadOnly, "readonly"},
      {kDenyOom, "denyoom"},
      {kAdmin, "admin"},
      {kPubSub, "pubsub"},
      {kNoScript, "noscript"},
      {kBlocking, "blocking"},
      {kLoading, "loading"},
      {kStale, "stale"},
      {kSkipMonitor, "skip_monitor"},
      {kSkipSlowlog, "skip_slowlog"},
      {kFast, "fast"},
      {kNoAuth, "no_auth"},
      {kNoMandatoryKeys, "no_mandatory_keys"},
      {kNoAsyncLoading, "no_async_loading"},
      {kNoMulti, "no_multi"},
  };
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : kFlags) {
    if ((flags & bit) != 0) {
      out.push_back(name);
    }
  }
  if (get_keys) {
    out.push_back("movablekeys");
  }
  if ((flags & kAllowBusy) != 0) {
    out.push_back("allow_busy");
  }
  return out;
}

const CommandSpec* CommandSpec::FindSubcommand(std::string_view sub) const {
  for (const auto& s : subcommands) {
    std::string_view short_name = std::string_view(s->name).substr(s->name.find('|') + 1);
    if (EqualsIgnoreCase(short_name, sub)) {
      return s.get();
    }
  }
  return nullptr;
}

std::vector<int> CommandSpec::KeyIndexes(const std::vector<std::string_view>& args) const {
  if (get_keys) {
    return get_keys(args);
  }
  std::vector<int> out;
  if (keys.first <= 0) {
    return out;
  }
  int argc = static_cast<int>(args.size());
  int last = keys.last >= 0 ? keys.last : argc + keys.last;
  int step = std::max(keys.step, 1);
  for (int i = keys.first; i <= last && i < argc; i += step) {
    out.push_back(i);
  }
  return out;
}

size_t CommandTable::CaseInsensitiveHash::operator()(std::string_view s) const {
  // FNV-1a over lower-cased bytes: command names are short.
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  }
  return static_cast<size_t>(h);
}

bool CommandTable::CaseInsensitiveEq::operator()(std::string_view a, std::string_view b) const {
  return EqualsIgnoreCase(a, b);
}

CommandSpec& CommandTable::Add(CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec& ref = *owned;
  bool inserted = commands_.emplace(ref.name, std::move(owned)).second;
  CAIRN_CHECK(inserted);
  return ref;
}

CommandSpec& CommandTable::AddSubcommand(std::string_view parent, CommandSpec spec) {
  auto it = commands_.find(parent);
  CAIRN_CHECK(it != commands_.end());
  CommandSpec& p = *it->second;
  spec.name = p.name + "|" + spec.name;
  spec.categories |= p.categories;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  owned->parent = &p;
  p.subcommands.push_back(std::move(owned));
  return *p.subcommands.back();
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  auto it = commands_.find(name);
  return it == commands_.end() ? nullptr : it->second.get();
}

std::vector<const CommandSpec*> CommandTable::All() const {
  std::vector<const CommandSpec*> out;
  out.reserve(commands_.size());
  for (const auto& [name, spec] : commands_) {
    out.push_back(spec.get());
  }
  std::sort(out.begin(), out.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  return out;
}

void CommandTable::ResetStats() {
  for (auto& [name, spec] : commands_) {
    spec->calls = spec->usec = spec->rejected_calls = spec->failed_calls = 0;
    for (auto& sub : spec->subcommands) {
      sub->calls = sub->usec = sub->rejected_calls = sub->failed_calls = 0;
    }
  }
}

}  // namespace cairn::commands
