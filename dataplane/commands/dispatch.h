// Command dispatch: Redis's processCommand (lookup, arity, protection, auth, transaction and
// Pub/Sub context, OOM, MULTI queueing) and call() (run, statistics, slowlog, latency, MONITOR).
#pragma once

#include <string_view>
#include <vector>

#include "dataplane/commands/client.h"
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/server_state.h"

namespace cairn::commands {

// Runs (or queues, inside MULTI) one command from `client`. args[0] is the command name.
// REQUIRES: !args.empty().
void ProcessCommand(ServerState& server, Client& client, const std::vector<std::string_view>& args);

// Executes a resolved command right away: the handler plus statistics, slowlog, latency
// monitoring and the MONITOR feed. Used by ProcessCommand and by EXEC for queued commands.
void Call(ServerState& server, Client& client, const CommandSpec& spec,
          const std::vector<std::string_view>& args);

// Resolves a command or subcommand by name; nullptr when unknown.
const CommandSpec* LookupCommand(const CommandTable& table,
                                 const std::vector<std::string_view>& args);

// True when CLIENT PAUSE holds this command of `client` (every command under PAUSE ALL, those
// that write or may replicate under PAUSE WRITE; never a replica's). The server leaves it
// unparsed in the input until the pause ends. REQUIRES: args[0] is the command name.
bool IsPostponedByPause(ServerState& server, const Client& client,
                        const std::vector<std::string_view>& args);

// True when `client` must authenticate before running commands without kNoAuth.
bool AuthRequired(const ServerState& server, const Client& client);

}  // namespace cairn::commands
