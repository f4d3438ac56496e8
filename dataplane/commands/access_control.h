// The ACL as commands use it: the catalog built from the command table, the permission check of
// one command line (keys through the key specs, channels of the Pub/Sub commands), NOPERM
// texts, ACL LOG entries, authentication and disconnecting the clients of a removed user.
// The model itself is dataplane/security/acl.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/commands/client.h"
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/server_state.h"
#include "dataplane/security/acl.h"

namespace cairn::commands {

// A new ACL (default user only) whose catalog holds every command and subcommand of `table`;
// stores each spec's catalog id in CommandSpec::acl_id.
std::shared_ptr<security::Acl> MakeAcl(const CommandTable& table);

// The user `client` runs as (the default user until AUTH).
security::AclUser& ClientUser(ServerState& server, const Client& client);

// Checks `args` (args[0] the command name) of `spec` against `user`, as Redis's
// ACLCheckAllUserCommandPerm: command bits, keys (read/write from the key specs) and channels.
security::AclVerdict CheckPermission(const security::AclUser& user, const CommandSpec& spec,
                                     const std::vector<std::string_view>& args);

// True when `user` may run `spec` with read access to every key (SORT's BY and GET options,
// which read keys no key spec names; Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess).
bool ReadsAnyKey(const security::AclUser& user, const CommandSpec& spec,
                 const std::vector<std::string_view>& args);

// The NOPERM error of a denied command (without the leading '-'), as processCommand words it.
std::string NoPermError(const security::AclVerdict& verdict, const CommandSpec& spec);

// Adds an ACL LOG entry for a denial of `client`'s command. `context` is toplevel, multi or lua;
// `username` replaces the client's user name when not empty (failed AUTH: the name tried).
void LogDenial(ServerState& server, Client& client, const CommandSpec& spec,
               const std::vector<std::string_view>& args, const security::AclVerdict& verdict,
               std::string_view context, std::string_view username = {});

// AUTH / HELLO AUTH: on success the client runs as `user`; on failure (unknown user, off, wrong
// password) logs an "auth" entry (object: args[0] as typed) and returns false.
bool Authenticate(ServerState& server, Client& client, const CommandSpec& spec,
                  std::string_view user, std::string_view password,
                  const std::vector<std::string_view>& args);

// True when new connections start authenticated: the default user is on and nopass.
bool DefaultUserOpen(ServerState& server);

// Closes every client authenticated as `user` (nullptr: every client not running as the
// default user, as ACL LOAD does); `self` closes after its reply. Such clients fall back to the
// default user, unauthenticated, until they close.
void DisconnectUserClients(ServerState& server, Client& self, const security::AclUser* user);

// After ACL SETUSER changed `user`: closes its subscribed clients that hold a channel, shard
// channel or pattern the user may no longer subscribe to (Redis's ACLKillPubsubClientsIfNeeded);
// `self` closes after its reply.
void DisconnectRevokedSubscribers(ServerState& server, Client& self, const security::AclUser& user);

}  // namespace cairn::commands
