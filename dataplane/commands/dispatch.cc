// Dispatch. The order of checks and the texts of rejections follow Redis 7.0's server.c, so
// error replies match byte for byte.
#include "dataplane/commands/dispatch.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/access_control.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/scripting.h"

namespace cairn::commands {
namespace {

constexpr size_t kSlowlogMaxArgs = 32;
constexpr size_t kSlowlogMaxArgBytes = 128;

// Rejects before execution; inside MULTI it also dooms the transaction (flagTransaction). A
// rejected EXEC ends the transaction, its error wrapped in EXECABORT (execCommandAbort).
void Reject(ServerState& server, Client& client, const CommandSpec* spec, std::string_view error) {
  if (client.has_flag(kClientMulti)) {
    client.set_flag(kClientDirtyExec);
  }
  if (spec != nullptr) {
    spec->rejected_calls++;
  }
  if (spec != nullptr && spec->name == "exec") {
    server.DiscardTransaction(&client);
    if (error.starts_with("ERR ")) {
      error.remove_prefix(4);
    }
    client.reply().Error(std::string(kErrExecAbortBecause) + std::string(error));
    return;
  }
  client.reply().Error(error);
}

std::string UnknownCommandError(const std::vector<std::string_view>& args) {
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < 128; i++) {
    size_t room = 128 - list.size();
    list += "'";
    list.append(args[i].substr(0, room));
    list += "' ";
  }
  std::string out = "ERR unknown command '";
  out.append(args[0].substr(0, 128));
  out += "', with args beginning with: ";
  out += list;
  return out;
}

bool AllowedInPubSubContext(std::string_view name) {
  static const char* kAllowed[] = {"ping",         "subscribe",    "ssubscribe",
                                   "unsubscribe",  "sunsubscribe", "psubscribe",
                                   "punsubscribe", "quit",         "reset"};
  for (const char* a : kAllowed) {
    if (name == a) {
      return true;
    }
  }
  return false;
}

bool RunsInsideMulti(std::string_view name) {
  return name == "exec" || name == "discard" || name == "multi" || name == "watch" ||
         name == "quit" || name == "reset";
}

bool IsLocalClient(const Client& client) {
  return client.has_flag(kClientUnixSocket) || client.addr.starts_with("127.") ||
         client.addr.starts_with("[::1]") || client.addr.starts_with("::1");
}

bool ProtectedCommandAllowed(const ServerState& server, const Client& client) {
  const std::string& mode = const_cast<ServerState&>(server).config().enable_debug_command;
  return mode == "yes" || (mode == "local" && IsLocalClient(client));
}

void FeedMonitors(ServerState& server, Client& client, const std::vector<std::string_view>& args) {
  int64_t now_us = server.clock().NowMs() * 1000 + server.clock().MonotonicUs() % 1000;
  char stamp[64];
  std::snprintf(stamp, sizeof(stamp), "+%lld.%06lld [%d ", static_cast<long long>(now_us / 1000000),
                static_cast<long long>(now_us % 1000000), client.db_index);
  std::string line = stamp;
  line += client.has_flag(kClientUnixSocket) ? "unix:" + server.config().unixsocket : client.addr;
  line += "]";
  for (std::string_view a : args) {
    line += ' ';
    line += QuoteRepr(a);
  }
  line += "\r\n";
  for (Client* m : server.monitors()) {
    m->reply().Raw(line);
    server.MarkPendingWrite(m);
  }
}

void RecordSlowlog(ServerState& server, Client& client, const std::vector<std::string_view>& args,
                   int64_t duration_us) {
  SlowlogEntry entry;
  entry.id = server.NextSlowlogId();
  entry.time_s = server.clock().NowMs() / 1000;
  entry.duration_us = duration_us;
  size_t n = std::min(args.size(), kSlowlogMaxArgs);
  for (size_t i = 0; i < n; i++) {
    if (n < args.size() && i == n - 1) {
      entry.args.push_back("... (" + std::to_string(args.size() - n + 1) + " more arguments)");
      break;
    }
    if (args[i].size() > kSlowlogMaxArgBytes) {
      entry.args.push_back(std::string(args[i].substr(0, kSlowlogMaxArgBytes)) + "... (" +
                           std::to_string(args[i].size() - kSlowlogMaxArgBytes) + " more bytes)");
    } else {
      entry.args.emplace_back(args[i]);
    }
  }
  entry.peer = client.addr;
  entry.client_name = client.name;
  auto& log = server.slowlog();
  log.push_front(std::move(entry));
  while (static_cast<int64_t>(log.size()) > server.config().slowlog_max_len) {
    log.pop_back();
  }
}

// The arguments as SLOWLOG and MONITOR show them: those the handler redacted (passwords) read
// "(redacted)", as Redis's redactClientCommandArgument makes them.
std::vector<std::string_view> LoggedArgs(const Client& client,
                                         const std::vector<std::string_view>& args) {
  std::vector<std::string_view> out(args);
  for (size_t i : client.redacted_args) {
    if (i < out.size()) {
      out[i] = "(redacted)";
    }
  }
  return out;
}

// Commands that touch the keyspace or may replicate: refused from replicas and MONITOR clients,
// held by CLIENT PAUSE WRITE. EXEC counts as its queued commands do.
bool MayReplicate(const Client& client, const CommandSpec& spec) {
  if ((spec.flags & (kWrite | kMayReplicate)) != 0) {
    return true;
  }
  if (spec.name == "exec") {
    for (const QueuedCommand& q : client.multi_queue) {
      if ((q.spec->flags & (kWrite | kMayReplicate)) != 0) {
        return true;
      }
    }
  }
  return false;
}

// Write commands (EXEC counts when it queued one), as Redis's is_write_command.
// `flags` are the command's own (CommandFlags: a script's flags for EVAL/FCALL).
bool IsWrite(const Client& client, const CommandSpec& spec, uint32_t flags) {
  if ((flags & kWrite) != 0) {
    return true;
  }
  if (spec.name == "exec") {
    for (const QueuedCommand& q : client.multi_queue) {
      if ((q.spec->flags & kWrite) != 0) {
        return true;
      }
    }
  }
  return false;
}

// True when `spec` lacks `flag` or, for EXEC, a queued command does (Redis's cmd_inv_flags).
bool LacksFlag(const Client& client, const CommandSpec& spec, uint32_t flags, uint32_t flag) {
  if ((flags & flag) == 0) {
    return true;
  }
  if (spec.name == "exec") {
    for (const QueuedCommand& q : client.multi_queue) {
      if ((q.spec->flags & flag) == 0) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool IsPostponedByPause(ServerState& server, const Client& client,
                        const std::vector<std::string_view>& args) {
  const PauseState& pause = server.pause();
  if (!pause.active(server.clock().NowMs()) || client.has_flag(kClientReplica) || args.empty()) {
    return false;
  }
  if (!pause.writes_only) {
    return true;
  }
  const CommandSpec* spec = LookupCommand(server.table(), args);
  return spec != nullptr && MayReplicate(client, *spec);
}

bool AuthRequired(const ServerState& server, const Client& client) {
  return !client.authenticated && !DefaultUserOpen(const_cast<ServerState&>(server));
}

const CommandSpec* LookupCommand(const CommandTable& table,
                                 const std::vector<std::string_view>& args) {
  const CommandSpec* spec = table.Find(args[0]);
  if (spec == nullptr || !spec->is_container() || args.size() < 2) {
    return spec;
  }
  return spec->FindSubcommand(args[1]);
}

void Call(ServerState& server, Client& client, const CommandSpec& spec,
          const std::vector<std::string_view>& args) {
  const Clock& clock = server.clock();
  int64_t start_us = clock.MonotonicUs();
  server.stats().ChargeNewErrors();  // errors before this command are not its own
  int64_t uncounted_before = server.stats().uncounted_error_replies;
  bool muted_before = client.reply().muted();
  if (client.has_flag(kClientReplySkipNext)) {
    client.clear_flag(kClientReplySkipNext);
    client.set_flag(kClientReplySkip);
    client.reply().set_muted(true);
  }

  client.redacted_args.clear();
  CommandContext ctx(server, client, args, spec);
  spec.handler(ctx);

  if (client.has_flag(kClientReplySkip)) {
    client.clear_flag(kClientReplySkip);
    client.reply().set_muted(muted_before || client.has_flag(kClientReplyOff));
  }
  int64_t duration_us = clock.MonotonicUs() - start_us;
  spec.calls++;
  spec.usec += duration_us;
  if (server.config().latency_tracking) {
    spec.latency.Record(duration_us);
  }
  // Errors of commands run inside this one (scripts, EXEC) were charged to those.
  if (server.stats().ChargeNewErrors() ||
      server.stats().uncounted_error_replies > uncounted_before) {
    spec.failed_calls++;
  }
  server.stats().total_commands_processed++;
  client.last_command = spec.name;

  const ServerConfig& config = server.config();
  if ((spec.flags & kSkipSlowlog) == 0 && config.slowlog_log_slower_than_us >= 0 &&
      duration_us >= config.slowlog_log_slower_than_us) {
    RecordSlowlog(server, client, LoggedArgs(client, args), duration_us);
  }
  if (config.latency_monitor_threshold_ms > 0 &&
      duration_us / 1000 >= config.latency_monitor_threshold_ms) {
    server.AddLatencySample((spec.flags & kFast) != 0 ? "fast-command" : "command",
                            duration_us / 1000);
  }
  if (!server.monitors().empty() && (spec.flags & (kSkipMonitor | kAdmin)) == 0) {
    FeedMonitors(server, client, LoggedArgs(client, args));
  }
}

void ProcessCommand(ServerState& server, Client& client,
                    const std::vector<std::string_view>& args) {
  const CommandTable& table = server.table();
  const CommandSpec* spec = LookupCommand(table, args);
  if (spec == nullptr) {
    const CommandSpec* container = table.Find(args[0]);
    if (container != nullptr && container->is_container()) {
      std::string upper(args[0]);
      for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      std::string error = "ERR unknown subcommand '";
      error.append(args[1].substr(0, 128));
      error += "'. Try " + upper + " HELP.";
      Reject(server, client, nullptr, error);
    } else {
      Reject(server, client, nullptr, UnknownCommandError(args));
    }
    return;
  }
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    Reject(server, client, spec, "ERR wrong number of arguments for '" + spec->name + "' command");
    return;
  }
  if ((spec->flags & kProtected) != 0 && !ProtectedCommandAllowed(server, client)) {
    std::string name(args[0]);
    for (char& c : name) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    Reject(server, client, spec,
           "ERR " + name +
               " command not allowed. If the enable-debug-command option is set to \"local\", "
               "you can run it from a local connection, otherwise you need to set this option "
               "in the configuration file, and then restart the server.");
    return;
  }
  if ((spec->flags & kNoAuth) == 0 && AuthRequired(server, client)) {
    Reject(server, client, spec, kErrNoAuth);
    return;
  }
  // A script past busy-reply-threshold: only kAllowBusy commands run (Redis's -BUSY).
  if (server.script_busy != 0 && (spec->flags & kAllowBusy) == 0) {
    Reject(server, client, spec, server.script_busy == 1 ? kErrBusyEval : kErrBusyFunction);
    return;
  }
  bool in_multi = client.has_flag(kClientMulti);
  if (in_multi && (spec->flags & kNoMulti) != 0) {
    Reject(server, client, spec, "ERR Command not allowed inside a transaction");
    return;
  }
  // The primary's stream runs without a user, as in Redis.
  if (!client.has_flag(kClientPrimary)) {
    security::AclVerdict verdict = CheckPermission(ClientUser(server, client), *spec, args);
    if (!verdict.ok()) {
      LogDenial(server, client, *spec, args, verdict, in_multi ? "multi" : "toplevel");
      Reject(server, client, spec, NoPermError(verdict, *spec));
      return;
    }
  }
  engine::Keyspace& keyspace = server.keyspace();
  keyspace.SetCommandTime(server.clock().NowMs());
  // As Redis's getCommandFlags: EVAL/EVALSHA/FCALL run with their script's own flags.
  const uint32_t flags = Scripting::CommandFlags(server.scripting.get(), *spec, args);
  // No evictions while a snapshot loads (Redis's isSafeToPerformEvictions): the dataset is
  // incomplete and belongs to the loader.
  if (keyspace.config().maxmemory_bytes > 0 && !server.loading) {
    bool oom = !keyspace.PerformEvictions().ok();
    bool deny = (flags & kDenyOom) != 0;
    // Queueing inside MULTI takes memory whatever the command, so only the commands that end
    // the transaction (or the connection) get through.
    if (in_multi && spec->name != "exec" && spec->name != "discard" && spec->name != "quit" &&
        spec->name != "reset") {
      deny = true;
    }
    if (!deny && spec->name == "exec") {
      for (const QueuedCommand& q : client.multi_queue) {
        deny = deny || (q.spec->flags & kDenyOom) != 0;
      }
    }
    // The primary's stream is applied whatever the replica's memory (Redis's obey_client).
    if (oom && deny && !client.has_flag(kClientPrimary)) {
      Reject(server, client, spec, kErrOom);
      return;
    }
  }
  bool obey = client.has_flag(kClientPrimary);
  if (!obey && server.snapshots != nullptr &&
      (IsWrite(client, *spec, flags) || spec->name == "ping")) {
    if (std::string refusal = server.snapshots->WriteRefusal(); !refusal.empty()) {
      Reject(server, client, spec, refusal);
      return;
    }
  }
  if (!obey && server.replication != nullptr && IsWrite(client, *spec, flags) &&
      !server.replication->EnoughGoodReplicas()) {
    Reject(server, client, spec, kErrNoReplicas);
    return;
  }
  // A read-only replica takes writes only from its primary.
  if (server.replication != nullptr && server.replication->RejectsWrites() &&
      !client.has_flag(kClientPrimary) && IsWrite(client, *spec, flags)) {
    Reject(server, client, spec, kErrReadOnly);
    return;
  }
  if (client.has_flag(kClientPubSub) && client.resp() == 2 &&
      !AllowedInPubSubContext(spec->parent != nullptr ? spec->parent->name : spec->name)) {
    Reject(server, client, spec,
           "ERR Can't execute '" + spec->name +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
               "this context");
    return;
  }
  // A replica that lost its primary (or is syncing) with replica-serve-stale-data no, and a node
  // loading a snapshot, serve only the commands flagged for it.
  if (server.replication != nullptr && server.replication->DeniesStaleData() &&
      LacksFlag(client, *spec, flags, kStale)) {
    Reject(server, client, spec, kErrMasterDown);
    return;
  }
  // The AOF loader's own client (primary-flagged) is what does the loading.
  if (server.loading && !client.has_flag(kClientPrimary) &&
      LacksFlag(client, *spec, spec->flags, kLoading)) {
    Reject(server, client, spec, kErrLoading);
    return;
  }
  // MONITOR makes a client a replica in Redis: neither may touch the keyspace.
  if ((client.has_flag(kClientMonitor) || client.has_flag(kClientReplica)) &&
      ((spec->flags & kReadOnly) != 0 || MayReplicate(client, *spec))) {
    Reject(server, client, spec, kErrReplicaKeyspace);
    return;
  }
  if (in_multi && !RunsInsideMulti(spec->name)) {
    QueuedCommand q;
    q.spec = spec;
    q.args.assign(args.begin(), args.end());
    client.multi_queue.push_back(std::move(q));
    client.reply().Simple("QUEUED");
    return;
  }
  Call(server, client, *spec, args);
  if (server.blocked().has_ready()) {
    server.blocked().ServeReady(server);  // after the whole command (EXEC included), as Redis
  }
}

}  // namespace cairn::commands
