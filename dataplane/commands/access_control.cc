// ACL glue between the command table and the model (see access_control.h).
#include "dataplane/commands/access_control.h"

#include "dataplane/commands/context.h"
#include "dataplane/commands/key_specs.h"

namespace cairn::commands {
namespace {

void AddToCatalog(security::AclCatalog& catalog, const CommandSpec& spec, int parent) {
  spec.acl_id = catalog.Add(spec.name, spec.AllCategories(), parent);
  for (const auto& sub : spec.subcommands) {
    AddToCatalog(catalog, *sub, spec.acl_id);
  }
}

// Redis 7.0's channel arguments: PUBLISH / SPUBLISH publish to args[1]; SUBSCRIBE / SSUBSCRIBE
// subscribe to every argument; PSUBSCRIBE subscribes to patterns. Unsubscribing is never checked.
std::vector<security::AclArgRef> Channels(const CommandSpec& spec,
                                          const std::vector<std::string_view>& args) {
  std::vector<security::AclArgRef> out;
  const std::string& name = spec.name;
  if (name == "publish" || name == "spublish") {
    out.push_back({.pos = 1});
  } else if (name == "subscribe" || name == "ssubscribe" || name == "psubscribe") {
    for (size_t i = 1; i < args.size(); i++) {
      out.push_back({.pos = static_cast<int>(i), .pattern = name == "psubscribe"});
    }
  }
  return out;
}

// ACLSelectorCheckKey's mapping: access reads; insert, delete and update write.
uint32_t NeededPermissions(uint32_t key_flags) {
  uint32_t needed = 0;
  if ((key_flags & kKeyAccess) != 0) {
    needed |= security::kAclRead;
  }
  if ((key_flags & (kKeyInsert | kKeyDelete | kKeyUpdate)) != 0) {
    needed |= security::kAclWrite;
  }
  return needed;
}

// Closes `clients`; the running client `self` closes once its reply is written.
void CloseClients(ServerState& server, Client& self, const std::vector<Client*>& clients) {
  for (Client* c : clients) {
    if (c == &self) {
      c->set_flag(kClientCloseAfterReply);
    } else if (server.close_client) {
      server.close_client(c);
    }
  }
}

}  // namespace

std::shared_ptr<security::Acl> MakeAcl(const CommandTable& table) {
  std::vector<std::string> names(AclCategoryNames().begin(), AclCategoryNames().end());
  security::AclCatalog catalog(std::move(names));
  for (const CommandSpec* spec : table.All()) {
    AddToCatalog(catalog, *spec, -1);
  }
  return std::make_shared<security::Acl>(std::move(catalog));
}

security::AclUser& ClientUser(ServerState& server, const Client& client) {
  return client.acl_user != nullptr ? *client.acl_user : server.acl().default_user();
}

security::AclVerdict CheckPermission(const security::AclUser& user, const CommandSpec& spec,
                                     const std::vector<std::string_view>& args) {
  if (user.AllowsEverything() || spec.acl_id < 0) {
    return {};
  }
  security::AclRequest request;
  request.command_id = spec.acl_id;
  request.no_auth = (spec.flags & kNoAuth) != 0;
  request.args = &args;
  for (const KeyReference& k : GetKeysWithFlags(spec, args)) {
    request.keys.push_back({.pos = k.pos, .permissions = NeededPermissions(k.flags)});
  }
  request.channels = Channels(spec, args);
  return user.Check(request);
}

bool ReadsAnyKey(const security::AclUser& user, const CommandSpec& spec,
                 const std::vector<std::string_view>& args) {
  if (user.AllowsEverything() || spec.acl_id < 0) {
    return true;
  }
  return user.AllowsCommandOnAnyKey(
      {.command_id = spec.acl_id, .no_auth = (spec.flags & kNoAuth) != 0, .args = &args});
}

std::string NoPermError(const security::AclVerdict& verdict, const CommandSpec& spec) {
  switch (verdict.denial) {
    case security::AclDenial::kCommand:
      return "NOPERM this user has no permissions to run the '" + spec.name + "' command";
    case security::AclDenial::kKey:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case security::AclDenial::kChannel:
      return "NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
    default:
      return "NOPERM no permission";
  }
}

void LogDenial(ServerState& server, Client& client, const CommandSpec& spec,
               const std::vector<std::string_view>& args, const security::AclVerdict& verdict,
               std::string_view context, std::string_view username) {
  security::AclLogEntry entry;
  entry.reason = verdict.denial;
  entry.context = std::string(context);
  switch (verdict.denial) {
    case security::AclDenial::kCommand:
      entry.object = spec.name;
      break;
    case security::AclDenial::kAuth:
      entry.object = std::string(args[0]);
      break;
    default:
      entry.object = std::string(args[verdict.pos]);
  }
  entry.username = username.empty() ? ClientUser(server, client).name() : std::string(username);
  entry.created_ms = server.clock().NowMs();
  CommandContext ctx(server, client, args, spec);
  entry.client_info = ClientLine(ctx, client);
  server.acl().AddLogEntry(std::move(entry));
}

bool Authenticate(ServerState& server, Client& client, const CommandSpec& spec,
                  std::string_view user, std::string_view password,
                  const std::vector<std::string_view>& args) {
  security::AclUser* u = server.acl().Find(user);
  if (u == nullptr || !u->enabled() || !u->PasswordMatches(password)) {
    LogDenial(server, client, spec, args, {security::AclDenial::kAuth, 0},
              client.has_flag(kClientMulti) ? "multi" : "toplevel", user);
    return false;
  }
  client.acl_user = u == &server.acl().default_user() ? nullptr : u;
  client.user = u->name();
  client.authenticated = true;
  return true;
}

bool DefaultUserOpen(ServerState& server) {
  security::AclUser& d = server.acl().default_user();
  return d.enabled() && d.nopass();
}

void DisconnectUserClients(ServerState& server, Client& self, const security::AclUser* user) {
  std::vector<Client*> doomed;
  for (const auto& [id, c] : server.clients()) {
    bool match = user != nullptr ? c->acl_user == user : c->acl_user != nullptr;
    if (match) {
      doomed.push_back(c);
    }
  }
  for (Client* c : doomed) {
    c->acl_user = nullptr;
    c->user = "default";
    c->authenticated = false;
  }
  CloseClients(server, self, doomed);
}

namespace {

bool SubscriptionsAllowed(const Client& c, const security::AclUser& user) {
  for (const std::string& p : c.patterns) {
    if (!user.ChannelAllowed(p, true)) {
      return false;
    }
  }
  for (const std::set<std::string>* channels : {&c.channels, &c.shard_channels}) {
    for (const std::string& ch : *channels) {
      if (!user.ChannelAllowed(ch, false)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

void DisconnectRevokedSubscribers(ServerState& server, Client& self,
                                  const security::AclUser& user) {
  std::vector<Client*> doomed;
  for (const auto& [id, c] : server.clients()) {
    if (&ClientUser(server, *c) == &user && c->total_subscription_count() > 0 &&
        !SubscriptionsAllowed(*c, user)) {
      doomed.push_back(c);
    }
  }
  CloseClients(server, self, doomed);
}

}  // namespace cairn::commands
