// COMMAND and its subcommands: COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP. Replies
// follow Redis 7.0's shapes for both protocols (sets and maps in RESP3, arrays in RESP2).
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/command_docs.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/dispatch.h"
#include "dataplane/commands/families.h"
#include "dataplane/commands/key_specs.h"

namespace cairn::commands {
namespace {

// "get", "config|get" (case-insensitive) -> the command or subcommand; nullptr when unknown.
const CommandSpec* FindByFullName(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* spec = table.Find(name.substr(0, bar));
  if (spec == nullptr || bar == std::string_view::npos) {
    return spec;
  }
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) {
    return nullptr;
  }
  return spec->FindSubcommand(sub);
}

void ReplyKeySpecPart(protocol::ReplyWriter& r, const KeySpec& s, bool begin) {
  r.MapHeader(2);
  r.Bulk("type");
  if (begin) {
    switch (s.begin) {
      case KeySpec::Begin::kIndex:
        r.Bulk("index");
        r.Bulk("spec");
        r.MapHeader(1);
        r.Bulk("index");
        r.Integer(s.index);
        return;
      case KeySpec::Begin::kKeyword:
        r.Bulk("keyword");
        r.Bulk("spec");
        r.MapHeader(2);
        r.Bulk("keyword");
        r.Bulk(s.keyword);
        r.Bulk("startfrom");
        r.Integer(s.startfrom);
        return;
      case KeySpec::Begin::kUnknown:
        break;
    }
  } else if (s.find == KeySpec::Find::kRange) {
    r.Bulk("range");
    r.Bulk("spec");
    r.MapHeader(3);
    r.Bulk("lastkey");
    r.Integer(s.lastkey);
    r.Bulk("keystep");
    r.Integer(s.keystep);
    r.Bulk("limit");
    r.Integer(s.limit);
    return;
  } else if (s.find == KeySpec::Find::kKeynum) {
    r.Bulk("keynum");
    r.Bulk("spec");
    r.MapHeader(3);
    r.Bulk("keynumidx");
    r.Integer(s.keynumidx);
    r.Bulk("firstkey");
    r.Integer(s.firstkey);
    r.Bulk("keystep");
    r.Integer(s.keystep);
    return;
  }
  r.Bulk("unknown");
  r.Bulk("spec");
  r.MapHeader(0);
}

void ReplyFlagSet(protocol::ReplyWriter& r, const std::vector<std::string_view>& names) {
  r.SetHeader(static_cast<int64_t>(names.size()));
  for (std::string_view n : names) {
    r.Simple(n);
  }
}

void ReplyKeySpecs(protocol::ReplyWriter& r, const CommandSpec& spec) {
  std::vector<KeySpec> specs = KeySpecsFor(spec);
  // Redis 7.0 sends the list as a set in RESP3 (of maps).
  r.SetHeader(static_cast<int64_t>(specs.size()));
  for (const KeySpec& s : specs) {
    r.MapHeader(s.notes.empty() ? 3 : 4);
    if (!s.notes.empty()) {
      r.Bulk("notes");
      r.Bulk(s.notes);
    }
    r.Bulk("flags");
    ReplyFlagSet(r, KeySpecFlagNames(s.flags));
    r.Bulk("begin_search");
    ReplyKeySpecPart(r, s, /*begin=*/true);
    r.Bulk("find_keys");
    ReplyKeySpecPart(r, s, /*begin=*/false);
  }
}

std::vector<std::string_view> CategoryNames(const CommandSpec& spec) {
  std::vector<std::string_view> out;
  uint64_t bits = spec.AllCategories();
  const std::vector<std::string_view>& names = AclCategoryNames();
  for (size_t i = 0; i < names.size(); i++) {
    if ((bits & (1ULL << i)) != 0) {
      out.push_back(names[i]);
    }
  }
  return out;
}

// One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories, tips,
// key specs, subcommands.
void ReplyCommandInfo(protocol::ReplyWriter& r, const CommandSpec& spec) {
  r.ArrayHeader(10);
  r.Bulk(spec.name);
  r.Integer(spec.arity);
  ReplyFlagSet(r, spec.FlagNames());
  r.Integer(spec.keys.first);
  r.Integer(spec.keys.last);
  r.Integer(spec.keys.step);
  std::vector<std::string_view> categories = CategoryNames(spec);
  r.SetHeader(static_cast<int64_t>(categories.size()));
  for (std::string_view c : categories) {
    r.Simple("@" + std::string(c));
  }
  r.SetHeader(static_cast<int64_t>(spec.tips.size()));
  for (const std::string& tip : spec.tips) {
    r.Bulk(tip);
  }
  ReplyKeySpecs(r, spec);
  if (!spec.is_container()) {
    r.SetHeader(0);
    return;
  }
  r.ArrayHeader(static_cast<int64_t>(spec.subcommands.size()));
  for (const auto& sub : spec.subcommands) {
    ReplyCommandInfo(r, *sub);
  }
}

// One COMMAND DOCS value: summary, since, group, complexity (when known), subcommands.
void ReplyCommandDoc(protocol::ReplyWriter& r, const CommandSpec& spec) {
  const CommandDoc* doc = FindCommandDoc(spec.name);
  CommandDoc fallback{"", "", "server", ""};
  if (doc == nullptr) {
    doc = &fallback;
  }
  bool complexity = !doc->complexity.empty();
  r.MapHeader(3 + (complexity ? 1 : 0) + (spec.is_container() ? 1 : 0));
  r.Bulk("summary");
  r.Bulk(doc->summary);
  r.Bulk("since");
  r.Bulk(doc->since);
  r.Bulk("group");
  r.Bulk(doc->group);
  if (complexity) {
    r.Bulk("complexity");
    r.Bulk(doc->complexity);
  }
  if (spec.is_container()) {
    r.Bulk("subcommands");
    r.MapHeader(static_cast<int64_t>(spec.subcommands.size()));
    for (const auto& sub : spec.subcommands) {
      r.Bulk(sub->name);
      ReplyCommandDoc(r, *sub);
    }
  }
}

void ReplyAllCommandInfo(CommandContext& ctx) {
  std::vector<const CommandSpec*> all = ctx.server().table().All();
  ctx.reply().ArrayHeader(static_cast<int64_t>(all.size()));
  for (const CommandSpec* spec : all) {
    ReplyCommandInfo(ctx.reply(), *spec);
  }
}

// COMMAND: every command's INFO entry. (The dispatcher resolves "COMMAND <sub>" to the
// subcommands; only the bare command gets here.)
void CmdCommand(CommandContext& ctx) {
  ReplyAllCommandInfo(ctx);
}

// COMMAND COUNT
void CmdCommandCount(CommandContext& ctx) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.server().table().size()));
}

// COMMAND INFO [name ...]: one entry per name (null when unknown); every command without names.
void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    ReplyAllCommandInfo(ctx);
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); i++) {
    const CommandSpec* spec = FindByFullName(ctx.server().table(), ctx.arg(i));
    if (spec == nullptr) {
      ctx.reply().Null();
    } else {
      ReplyCommandInfo(ctx.reply(), *spec);
    }
  }
}

// COMMAND DOCS [name ...]: a map of name -> doc; unknown names are left out.
void CmdCommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.argc() == 2) {
    specs = ctx.server().table().All();
  } else {
    for (size_t i = 2; i < ctx.argc(); i++) {
      const CommandSpec* spec = FindByFullName(ctx.server().table(), ctx.arg(i));
      if (spec != nullptr) {
        specs.push_back(spec);
      }
    }
  }
  ctx.reply().MapHeader(static_cast<int64_t>(specs.size()));
  for (const CommandSpec* spec : specs) {
    ctx.reply().Bulk(spec->name);
    ReplyCommandDoc(ctx.reply(), *spec);
  }
}

struct ListFilter {
  enum class Type { kNone, kModule, kAclCat, kPattern } type = Type::kNone;
  std::string_view arg;
};

bool ListFilterMatches(const ListFilter& filter, const CommandSpec& spec) {
  switch (filter.type) {
    case ListFilter::Type::kNone:
      return true;
    case ListFilter::Type::kModule:
      return false;  // no modules
    case ListFilter::Type::kPattern:
      return GlobMatch(filter.arg, spec.name, /*nocase=*/true);
    case ListFilter::Type::kAclCat: {
      const std::vector<std::string_view>& names = AclCategoryNames();
      for (size_t i = 0; i < names.size(); i++) {
        if (EqualsIgnoreCase(names[i], filter.arg)) {
          return (spec.AllCategories() & (1ULL << i)) != 0;
        }
      }
      return false;
    }
  }
  return false;
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: command names,
// subcommands as "container|sub".
void CmdCommandList(CommandContext& ctx) {
  ListFilter filter;
  if (ctx.argc() != 2) {
    static const std::pair<std::string_view, ListFilter::Type> kTypes[] = {
        {"module", ListFilter::Type::kModule},
        {"aclcat", ListFilter::Type::kAclCat},
        {"pattern", ListFilter::Type::kPattern}};
    if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "filterby")) {
      for (const auto& [name, type] : kTypes) {
        if (EqualsIgnoreCase(ctx.arg(3), name)) {
          filter.type = type;
        }
      }
    }
    if (filter.type == ListFilter::Type::kNone) {
      ctx.reply().Error(kErrSyntax);
      return;
    }
    filter.arg = ctx.arg(4);
  }
  std::vector<std::string_view> names;
  for (const CommandSpec* spec : ctx.server().table().All()) {
    if (ListFilterMatches(filter, *spec)) {
      names.push_back(spec->name);
    }
    for (const auto& sub : spec->subcommands) {
      if (ListFilterMatches(filter, *sub)) {
        names.push_back(sub->name);
      }
    }
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(names.size()));
  for (std::string_view n : names) {
    ctx.reply().Bulk(n);
  }
}

// COMMAND GETKEYS / GETKEYSANDFLAGS command [arg ...]
void GetKeysGeneric(CommandContext& ctx, bool with_flags) {
  std::vector<std::string_view> args(ctx.args().begin() + 2, ctx.args().end());
  const CommandSpec* spec = LookupCommand(ctx.server().table(), args);
  if (spec == nullptr) {
    ctx.reply().Error(kErrInvalidCommandSpecified);
    return;
  }
  if (!CommandHasKeys(*spec)) {
    ctx.reply().Error(kErrCommandHasNoKeys);
    return;
  }
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply().Error(kErrInvalidNumberOfArguments);
    return;
  }
  std::vector<KeyReference> keys = GetKeysWithFlags(*spec, args);
  if (keys.empty() && (spec->flags & kNoMandatoryKeys) == 0) {
    ctx.reply().Error(kErrInvalidArgumentsForCommand);
    return;
  }
  protocol::ReplyWriter& r = ctx.reply();
  r.ArrayHeader(static_cast<int64_t>(keys.size()));
  for (const KeyReference& key : keys) {
    if (with_flags) {
      r.ArrayHeader(2);
      r.Bulk(args[static_cast<size_t>(key.pos)]);
      ReplyFlagSet(r, KeySpecFlagNames(key.flags));
    } else {
      r.Bulk(args[static_cast<size_t>(key.pos)]);
    }
  }
}

void CmdCommandGetKeys(CommandContext& ctx) {
  GetKeysGeneric(ctx, /*with_flags=*/false);
}
void CmdCommandGetKeysAndFlags(CommandContext& ctx) {
  GetKeysGeneric(ctx, /*with_flags=*/true);
}

void CmdCommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "COMMAND",
            {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
             "    Return the total number of commands in this Redis server.", "LIST",
             "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
             "    Return details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "DOCS [<command-name> ...]",
             "    Return documentation details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "GETKEYS <full-command>",
             "    Return the keys from a full Redis command.", "GETKEYSANDFLAGS <full-command>",
             "    Return the keys and the access flags from a full Redis command."});
}

}  // namespace

void RegisterCommandIntrospection(CommandTable& table) {
  uint32_t flags = kLoading | kStale;
  uint64_t conn = kAclConnection;
  table.Add({.name = "command",
             .arity = -1,
             .flags = flags,
             .categories = conn,
             .handler = CmdCommand,
             .tips = {"nondeterministic_output_order"}});
  auto sub = [&](std::string name, int arity, Handler handler, std::vector<std::string> tips) {
    table.AddSubcommand("command", {.name = std::move(name),
                                    .arity = arity,
                                    .flags = flags,
                                    .handler = handler,
                                    .tips = std::move(tips)});
  };
  sub("count", 2, CmdCommandCount, {});
  sub("info", -2, CmdCommandInfo, {"nondeterministic_output_order"});
  sub("docs", -2, CmdCommandDocs, {"nondeterministic_output_order"});
  sub("list", -2, CmdCommandList, {"nondeterministic_output_order"});
  sub("getkeys", -4, CmdCommandGetKeys, {});
  sub("getkeysandflags", -4, CmdCommandGetKeysAndFlags, {});
  sub("help", 2, CmdCommandHelp, {});
}

}  // namespace cairn::commands
