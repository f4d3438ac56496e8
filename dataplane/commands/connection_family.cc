// Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET.
#include <string>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/access_control.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/dispatch.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

constexpr char kServerVersion[] = "7.0.15";

// Authenticates the client as `user` (AUTH, HELLO ... AUTH). On failure replies WRONGPASS and
// returns false; the client's identity stays.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view password) {
  if (!commands::Authenticate(ctx.server(), ctx.client(), ctx.spec(), user, password, ctx.args())) {
    ctx.reply().Error(kErrWrongPass);
    return false;
  }
  return true;
}

// PING [message]
void CmdPing(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.reply().Error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (ctx.client().has_flag(kClientPubSub) && ctx.client().resp() == 2) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("pong");
    ctx.reply().Bulk(ctx.argc() == 1 ? std::string_view() : ctx.arg(1));
    return;
  }
  if (ctx.argc() == 1) {
    ctx.reply().Simple("PONG");
  } else {
    ctx.reply().Bulk(ctx.arg(1));
  }
}

// ECHO message
void CmdEcho(CommandContext& ctx) {
  ctx.reply().Bulk(ctx.arg(1));
}

// QUIT: replies OK and closes the connection once the reply is written.
void CmdQuit(CommandContext& ctx) {
  ctx.reply().Ok();
  ctx.client().set_flag(kClientCloseAfterReply);
}

// SELECT index
void CmdSelect(CommandContext& ctx) {
  std::optional<int64_t> index = ParseInt64(ctx.arg(1));
  if (!index) {
    ctx.reply().Error(kErrSelectNotInt);
    return;
  }
  if (*index < 0 || *index >= ctx.keyspace().db_count()) {
    ctx.reply().Error(kErrInvalidDbIndex);
    return;
  }
  ctx.client().db_index = static_cast<int>(*index);
  ctx.reply().Ok();
}

// AUTH [username] password
void CmdAuth(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  // Credentials never reach SLOWLOG or MONITOR.
  for (size_t i = 1; i < ctx.argc(); i++) {
    ctx.client().redacted_args.push_back(i);
  }
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  std::string_view password = ctx.arg(ctx.argc() - 1);
  if (ctx.argc() == 2 && ctx.server().acl().default_user().nopass()) {
    ctx.reply().Error(kErrAuthNotConfigured);
    return;
  }
  if (Authenticate(ctx, user, password)) {
    ctx.reply().Ok();
  }
}

// Client names: printable ASCII without spaces (CLIENT SETNAME's rule).
bool ValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') {
      return false;
    }
  }
  return true;
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void CmdHello(CommandContext& ctx) {
  int64_t version = 0;
  size_t next = 1;
  if (ctx.argc() >= 2) {
    std::optional<int64_t> v = ParseInt64(ctx.arg(1));
    if (!v) {
      ctx.reply().Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    version = *v;
    next = 2;
    if (version < 2 || version > 3) {
      ctx.reply().Error(kErrUnsupportedProtocol);
      return;
    }
  }
  std::string_view user;
  std::string_view password;
  std::string_view name;
  bool has_auth = false;
  bool has_name = false;
  for (size_t i = next; i < ctx.argc(); i++) {
    size_t left = ctx.argc() - i - 1;
    if (EqualsIgnoreCase(ctx.arg(i), "auth") && left >= 2) {
      has_auth = true;
      ctx.client().redacted_args.push_back(i + 1);  // credentials stay out of SLOWLOG/MONITOR
      ctx.client().redacted_args.push_back(i + 2);
      user = ctx.arg(i + 1);
      password = ctx.arg(i + 2);
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "setname") && left >= 1) {
      has_name = true;
      name = ctx.arg(i + 1);
      i += 1;
    } else {
      ctx.reply().Error("ERR Syntax error in HELLO option '" + std::string(ctx.arg(i)) + "'");
      return;
    }
  }
  if (has_auth && !Authenticate(ctx, user, password)) {
    return;
  }
  if (AuthRequired(ctx.server(), ctx.client())) {
    ctx.reply().Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time");
    return;
  }
  if (has_name) {
    if (!ValidClientName(name)) {
      ctx.reply().Error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    ctx.client().name = std::string(name);
  }
  if (version != 0) {
    ctx.client().set_resp(static_cast<int>(version));
  }
  protocol::ReplyWriter& r = ctx.reply();
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk(kServerVersion);
  r.Bulk("proto");
  r.Integer(ctx.client().resp());
  r.Bulk("id");
  r.Integer(static_cast<int64_t>(ctx.client().id()));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

// RESET: back to a fresh connection's state.
void CmdReset(CommandContext& ctx) {
  Client& c = ctx.client();
  ServerState& s = ctx.server();
  c.multi_queue.clear();
  c.clear_flag(kClientMulti);
  c.clear_flag(kClientDirtyExec);
  c.clear_flag(kClientDirtyCas);
  s.UnwatchAll(&c);
  s.pubsub().RemoveClient(&c);
  c.clear_flag(kClientPubSub);
  auto& monitors = s.monitors();
  monitors.erase(std::remove(monitors.begin(), monitors.end(), &c), monitors.end());
  c.clear_flag(kClientMonitor);
  c.clear_flag(kClientNoEvict);
  c.clear_flag(kClientReplyOff);
  c.clear_flag(kClientReplySkipNext);
  c.db_index = 0;
  c.name.clear();
  c.user = "default";
  c.acl_user = nullptr;
  c.authenticated = DefaultUserOpen(s);
  c.set_resp(2);
  c.reply().set_muted(false);
  c.reply().Simple("RESET");
}

}  // namespace

void RegisterConnectionFamily(CommandTable& table) {
  uint64_t conn = kAclConnection;
  table.Add({.name = "ping",
             .arity = -1,
             .flags = kFast | kSentinel,
             .categories = conn,
             .handler = CmdPing,
             .tips = {"request_policy:all_shards", "response_policy:all_succeeded"}});
  table.Add({.name = "echo",
             .arity = 2,
             .flags = kLoading | kStale | kFast,
             .categories = conn,
             .handler = CmdEcho});
  table.Add({.name = "quit",
             .arity = -1,
             .flags = kAllowBusy | kNoAuth | kLoading | kStale | kFast | kNoScript,
             .categories = conn,
             .handler = CmdQuit});
  table.Add({.name = "select",
             .arity = 2,
             .flags = kLoading | kStale | kFast,
             .categories = conn,
             .handler = CmdSelect});
  table.Add({.name = "auth",
             .arity = -2,
             .flags = kNoScript | kLoading | kStale | kFast | kNoAuth | kSentinel | kAllowBusy,
             .categories = conn,
             .handler = CmdAuth});
  table.Add({.name = "hello",
             .arity = -1,
             .flags = kNoScript | kLoading | kStale | kFast | kNoAuth | kSentinel | kAllowBusy,
             .categories = conn,
             .handler = CmdHello});
  table.Add({.name = "reset",
             .arity = 1,
             .flags = kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy,
             .categories = conn,
             .handler = CmdReset});
}

}  // namespace cairn::commands
