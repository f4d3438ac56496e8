// ACL commands: ACL SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, GENPASS, LOG, DRYRUN,
// SAVE, LOAD, HELP, with Redis 7.0's replies and error texts.
#include <string>

#include "dataplane/base/errors.h"
#include "dataplane/base/files.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/access_control.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/dispatch.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

constexpr char kErrNoAclFile[] =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

// ACL SETUSER username [rule ...]: every argument after the subcommand is redacted.
void CmdAclSetUser(CommandContext& ctx) {
  for (size_t i = 2; i < ctx.argc(); i++) {
    ctx.client().redacted_args.push_back(i);
  }
  std::vector<std::string_view> rules(ctx.args().begin() + 3, ctx.args().end());
  Status s = ctx.server().acl().SetUser(ctx.arg(2), rules);
  if (!s.ok()) {
    ctx.reply().Error(s.message());
    return;
  }
  const security::AclUser& user = *ctx.server().acl().Find(ctx.arg(2));
  if (!user.enabled()) {
    // A disabled user's connections are closed at once (the issue asks for it; Redis 7.0 lets
    // them run until they reconnect).
    DisconnectUserClients(ctx.server(), ctx.client(), &user);
  } else {
    DisconnectRevokedSubscribers(ctx.server(), ctx.client(), user);
  }
  ctx.reply().Ok();
}

// The commands / keys / channels fields of one selector (aclAddReplySelectorDescription).
void ReplySelector(protocol::ReplyWriter& r, const security::AclSelector& s) {
  r.Bulk("commands");
  r.Bulk(s.DescribeCommands());
  r.Bulk("keys");
  r.Bulk(s.DescribeKeys());
  r.Bulk("channels");
  r.Bulk(s.DescribeChannels());
}

// ACL GETUSER username: a map of flags (a set), passwords, the root selector's fields and the
// other selectors; null for an unknown user.
void CmdAclGetUser(CommandContext& ctx) {
  security::AclUser* u = ctx.server().acl().Find(ctx.arg(2));
  protocol::ReplyWriter& r = ctx.reply();
  if (u == nullptr) {
    r.Null();
    return;
  }
  r.MapHeader(6);
  r.Bulk("flags");
  std::vector<std::string> flags = u->FlagNames();
  r.SetHeader(static_cast<int64_t>(flags.size()));
  for (const std::string& f : flags) {
    r.Bulk(f);
  }
  r.Bulk("passwords");
  r.ArrayHeader(static_cast<int64_t>(u->passwords().size()));
  for (const std::string& p : u->passwords()) {
    r.Bulk(p);
  }
  ReplySelector(r, u->selectors()[0]);
  r.Bulk("selectors");
  r.ArrayHeader(static_cast<int64_t>(u->selectors().size()) - 1);
  for (size_t i = 1; i < u->selectors().size(); i++) {
    r.MapHeader(3);
    ReplySelector(r, u->selectors()[i]);
  }
}

// ACL DELUSER username [username ...]: the number removed; their clients are disconnected.
void CmdAclDelUser(CommandContext& ctx) {
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (ctx.arg(i) == "default") {
      ctx.reply().Error("ERR The 'default' user cannot be removed");
      return;
    }
  }
  security::Acl& acl = ctx.server().acl();
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc(); i++) {
    security::AclUser* u = acl.Find(ctx.arg(i));
    if (u != nullptr) {
      DisconnectUserClients(ctx.server(), ctx.client(), u);
      acl.DeleteUser(ctx.arg(i));
      deleted++;
    }
  }
  ctx.reply().Integer(deleted);
}

// ACL LIST: one "user <name> <rules>" line per user, sorted by name.
void CmdAclList(CommandContext& ctx) {
  std::vector<std::string> lines = ctx.server().acl().List();
  ctx.reply().ArrayHeader(static_cast<int64_t>(lines.size()));
  for (const std::string& line : lines) {
    ctx.reply().Bulk(line);
  }
}

// ACL USERS: the user names, sorted.
void CmdAclUsers(CommandContext& ctx) {
  const security::AclUserMap& users = ctx.server().acl().users();
  ctx.reply().ArrayHeader(static_cast<int64_t>(users.size()));
  for (const auto& [name, user] : users) {
    ctx.reply().Bulk(name);
  }
}

// ACL WHOAMI
void CmdAclWhoAmI(CommandContext& ctx) {
  ctx.reply().Bulk(ClientUser(ctx.server(), ctx.client()).name());
}

void AppendCategoryCommands(const security::AclCatalog& catalog, int id, uint64_t bit,
                            std::vector<std::string_view>* out) {
  const security::AclCommand& c = catalog.command(id);
  if ((c.categories & bit) != 0) {
    out->push_back(c.fullname);
  }
  for (int sub : c.subcommands) {
    AppendCategoryCommands(catalog, sub, bit, out);
  }
}

// ACL CAT [category]: the category names, or the commands (and subcommands) in one.
void CmdAclCat(CommandContext& ctx) {
  const security::AclCatalog& catalog = ctx.server().acl().catalog();
  std::vector<std::string_view> out;
  if (ctx.argc() == 2) {
    out.assign(catalog.category_names().begin(), catalog.category_names().end());
  } else if (ctx.argc() == 3) {
    std::optional<uint64_t> bit = catalog.CategoryBit(ctx.arg(2));
    if (!bit) {
      ctx.reply().Error("ERR Unknown category '" + std::string(ctx.arg(2)) + "'");
      return;
    }
    for (int id : catalog.top_level()) {
      AppendCategoryCommands(catalog, id, *bit, &out);
    }
  } else {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "ACL"));
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(out.size()));
  for (std::string_view name : out) {
    ctx.reply().Bulk(name);
  }
}

// ACL GENPASS [bits]: (bits + 3) / 4 random hex digits (256 bits by default), from OpenSSL's
// CSPRNG.
void CmdAclGenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.argc() == 3) {
    std::optional<int64_t> v = ParseInt64(ctx.arg(2));
    if (!v) {
      ctx.reply().Error(kErrNotInteger);
      return;
    }
    bits = *v;
  } else if (ctx.argc() > 3) {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "ACL"));
    return;
  }
  if (bits <= 0 || bits > 4096) {
    ctx.reply().Error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
        "number up to 4096");
    return;
  }
  Result<std::string> pass = security::AclGeneratePassword(static_cast<int>(bits));
  if (ctx.ReplyIfError(pass)) {
    return;
  }
  ctx.reply().Bulk(*pass);
}

void ReplyLogEntry(CommandContext& ctx, const security::AclLogEntry& e) {
  protocol::ReplyWriter& r = ctx.reply();
  r.MapHeader(7);
  r.Bulk("count");
  r.Integer(e.count);
  r.Bulk("reason");
  r.Bulk(security::AclDenialName(e.reason));
  r.Bulk("context");
  r.Bulk(e.context);
  r.Bulk("object");
  r.Bulk(e.object);
  r.Bulk("username");
  r.Bulk(e.username);
  r.Bulk("age-seconds");
  r.Double(static_cast<double>(ctx.server().clock().NowMs() - e.created_ms) / 1000);
  r.Bulk("client-info");
  r.Bulk(e.client_info);
}

// ACL LOG [count | RESET]: the newest `count` entries (10 by default).
void CmdAclLog(CommandContext& ctx) {
  security::Acl& acl = ctx.server().acl();
  int64_t count = 10;
  if (ctx.argc() == 3) {
    if (EqualsIgnoreCase(ctx.arg(2), "reset")) {
      acl.ResetLog();
      ctx.reply().Ok();
      return;
    }
    std::optional<int64_t> v = ParseInt64(ctx.arg(2));
    if (!v) {
      ctx.reply().Error(kErrNotInteger);
      return;
    }
    count = std::max<int64_t>(*v, 0);
  } else if (ctx.argc() > 3) {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "ACL"));
    return;
  }
  int64_t n = std::min<int64_t>(count, static_cast<int64_t>(acl.log().size()));
  ctx.reply().ArrayHeader(n);
  for (int64_t i = 0; i < n; i++) {
    ReplyLogEntry(ctx, acl.log()[i]);
  }
}

// The DRYRUN reply text of a denial (getAclErrorMessage in 7.0.15's words).
std::string DryRunDenial(const security::AclVerdict& v, const CommandSpec& spec,
                         const std::vector<std::string_view>& args) {
  switch (v.denial) {
    case security::AclDenial::kCommand:
      return "This user has no permissions to run the '" + spec.name + "' command";
    case security::AclDenial::kKey:
      return "This user has no permissions to access the '" + std::string(args[v.pos]) + "' key";
    default:
      return "This user has no permissions to access the '" + std::string(args[v.pos]) +
             "' channel";
  }
}

// ACL DRYRUN username command [arg ...]: OK when the user may run it, else why not (a bulk).
void CmdAclDryRun(CommandContext& ctx) {
  security::AclUser* u = ctx.server().acl().Find(ctx.arg(2));
  if (u == nullptr) {
    ctx.reply().Error("ERR User '" + std::string(ctx.arg(2)) + "' not found");
    return;
  }
  std::vector<std::string_view> args(ctx.args().begin() + 3, ctx.args().end());
  const CommandSpec* spec = LookupCommand(ctx.server().table(), args);
  if (spec == nullptr) {
    ctx.reply().Error("ERR Command '" + std::string(args[0]) + "' not found");
    return;
  }
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply().Error("ERR wrong number of arguments for '" + spec->name + "' command");
    return;
  }
  security::AclVerdict v = CheckPermission(*u, *spec, args);
  if (!v.ok()) {
    ctx.reply().Bulk(DryRunDenial(v, *spec, args));
    return;
  }
  ctx.reply().Ok();
}

// ACL SAVE: writes ACL LIST's lines to the aclfile (atomically).
void CmdAclSave(CommandContext& ctx) {
  security::Acl& acl = ctx.server().acl();
  if (acl.aclfile.empty()) {
    ctx.reply().Error(kErrNoAclFile);
    return;
  }
  if (!WriteFileAtomic(acl.aclfile, acl.SaveText(), 0644).ok()) {
    ctx.reply().Error(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        "information");
    return;
  }
  ctx.reply().Ok();
}

// ACL LOAD: replaces the users with the aclfile's (all or nothing); clients of the replaced
// users (all but the default user's) are disconnected.
void CmdAclLoad(CommandContext& ctx) {
  security::Acl& acl = ctx.server().acl();
  if (acl.aclfile.empty()) {
    ctx.reply().Error(kErrNoAclFile);
    return;
  }
  Result<security::AclUserMap> users = acl.ReadFile();
  if (!users.ok()) {
    ctx.reply().Error("ERR " + std::string(users.status().message()));
    return;
  }
  DisconnectUserClients(ctx.server(), ctx.client(), nullptr);
  acl.ReplaceUsers(std::move(*users));
  ctx.reply().Ok();
}

void CmdAclHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "ACL",
            {"CAT [<category>]",
             "    List all commands that belong to <category>, or all command categories",
             "    when no category is specified.",
             "DELUSER <username> [<username> ...]",
             "    Delete a list of users.",
             "DRYRUN <username> <command> [<arg> ...]",
             "    Returns whether the user can execute the given command without executing the "
             "command.",
             "GETUSER <username>",
             "    Get the user's details.",
             "GENPASS [<bits>]",
             "    Generate a secure 256-bit user password. The optional `bits` argument can",
             "    be used to specify a different size.",
             "LIST",
             "    Show users details in config file format.",
             "LOAD",
             "    Reload users from the ACL file.",
             "LOG [<count> | RESET]",
             "    Show the ACL log entries.",
             "SAVE",
             "    Save the current config to the ACL file.",
             "SETUSER <username> <attribute> [<attribute> ...]",
             "    Create or modify a user with the specified attributes.",
             "USERS",
             "    List all the registered usernames.",
             "WHOAMI",
             "    Return the current connection username."});
}

}  // namespace

void RegisterAclFamily(CommandTable& table) {
  uint32_t admin = kAdmin | kNoScript | kLoading | kStale;
  uint32_t plain = kNoScript | kLoading | kStale;
  table.Add({.name = "acl", .arity = -2});
  struct Sub {
    const char* name;
    int arity;
    uint32_t flags;
    Handler handler;
  };
  static const Sub kSubs[] = {
      {"cat", -2, plain, CmdAclCat},         {"deluser", -3, admin, CmdAclDelUser},
      {"dryrun", -4, admin, CmdAclDryRun},   {"genpass", -2, plain, CmdAclGenPass},
      {"getuser", 3, admin, CmdAclGetUser},  {"help", 2, kLoading | kStale, CmdAclHelp},
      {"list", 2, admin, CmdAclList},        {"load", 2, admin, CmdAclLoad},
      {"log", -2, admin, CmdAclLog},         {"save", 2, admin, CmdAclSave},
      {"setuser", -3, admin, CmdAclSetUser}, {"users", 2, admin, CmdAclUsers},
      {"whoami", 2, plain, CmdAclWhoAmI},
  };
  for (const Sub& s : kSubs) {
    table.AddSubcommand("acl",
                        {.name = s.name, .arity = s.arity, .flags = s.flags, .handler = s.handler});
  }
}

}  // namespace cairn::commands
