// CLIENT (ID, INFO, LIST, KILL, SETNAME, GETNAME, PAUSE, UNPAUSE, REPLY, NO-EVICT, HELP) and
// MONITOR.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

// Client classes of CLIENT LIST TYPE and CLIENT KILL TYPE (Redis's getClientType).
enum class ClientType { kNormal, kReplica, kPubSub, kPrimary };

ClientType TypeOf(const Client& c) {
  if (c.has_flag(kClientPrimary)) {
    return ClientType::kPrimary;
  }
  if (c.has_flag(kClientReplica) && !c.has_flag(kClientMonitor)) {
    return ClientType::kReplica;
  }
  if (c.has_flag(kClientPubSub)) {
    return ClientType::kPubSub;
  }
  return ClientType::kNormal;
}

std::optional<ClientType> ParseClientType(std::string_view name) {
  static const std::pair<std::string_view, ClientType> kNames[] = {
      {"normal", ClientType::kNormal},
      {"slave", ClientType::kReplica},
      {"replica", ClientType::kReplica},
      {"pubsub", ClientType::kPubSub},
      {"master", ClientType::kPrimary}};
  for (const auto& [n, type] : kNames) {
    if (EqualsIgnoreCase(name, n)) {
      return type;
    }
  }
  return std::nullopt;
}

// CLIENT LIST's flags= letters, in Redis's order; "N" when none applies.
std::string FlagLetters(const Client& c) {
  static const std::pair<ClientFlag, char> kLetters[] = {
      {kClientPrimary, 'M'},         {kClientPubSub, 'P'},    {kClientMulti, 'x'},
      {kClientBlocked, 'b'},         {kClientTracking, 't'},  {kClientDirtyCas, 'd'},
      {kClientCloseAfterReply, 'c'}, {kClientCloseAsap, 'A'}, {kClientUnixSocket, 'U'},
      {kClientNoEvict, 'e'}};
  std::string out;
  if (c.has_flag(kClientMonitor)) {
    out += 'O';
  } else if (c.has_flag(kClientReplica)) {
    out += 'S';
  }
  for (const auto& [flag, letter] : kLetters) {
    if (c.has_flag(flag)) {
      out += letter;
    }
  }
  return out.empty() ? "N" : out;
}

// Output buffer figures in Redis's terms: the first 16 KB block is the static reply buffer
// (rbs/obl), later blocks the reply list (oll/omem).
struct OutputFigures {
  size_t rbs, obl, oll, omem;
};

OutputFigures Output(Client& c) {
  constexpr size_t kBlock = protocol::OutputBuffer::kBlockBytes;
  size_t used = c.out().size();
  size_t allocated = c.out().AllocatedBytes();
  return {std::min(allocated, kBlock), std::min(used, kBlock),
          used > kBlock ? (used - kBlock + kBlock - 1) / kBlock : 0,
          allocated > kBlock ? allocated - kBlock : 0};
}

size_t ArgBytes(const std::vector<std::string_view>& args) {
  size_t n = 0;
  for (std::string_view a : args) {
    n += a.size();
  }
  return n;
}

}  // namespace

std::string ClientLine(CommandContext& ctx, Client& c) {
  bool self = &c == &ctx.client();
  int64_t now_ms = ctx.server().clock().NowMs();
  size_t multi_mem = 0;
  for (const QueuedCommand& q : c.multi_queue) {
    for (const std::string& a : q.args) {
      multi_mem += a.size();
    }
  }
  size_t argv_mem = self ? ArgBytes(ctx.args()) : 0;
  OutputFigures out = Output(c);
  size_t qbuf = c.query_buffer_bytes();
  size_t qbuf_free = c.query_buffer_capacity() > qbuf ? c.query_buffer_capacity() - qbuf : 0;
  size_t tot_mem = c.query_buffer_capacity() + c.out().AllocatedBytes() + argv_mem + multi_mem;
  int64_t idle_since = std::max(c.last_interaction_ms, c.created_ms());
  std::string line = "id=" + std::to_string(c.id()) + " addr=" + c.addr + " laddr=" + c.laddr +
                     " fd=" + std::to_string(c.fd) + " name=" + c.name +
                     " age=" + std::to_string((now_ms - c.created_ms()) / 1000) +
                     " idle=" + std::to_string(self ? 0 : (now_ms - idle_since) / 1000) +
                     " flags=" + FlagLetters(c) + " db=" + std::to_string(c.db_index);
  line +=
      " sub=" + std::to_string(c.channels.size()) + " psub=" + std::to_string(c.patterns.size()) +
      " ssub=" + std::to_string(c.shard_channels.size()) + " multi=" +
      std::to_string(c.has_flag(kClientMulti) ? static_cast<int64_t>(c.multi_queue.size()) : -1);
  line += " qbuf=" + std::to_string(qbuf) + " qbuf-free=" + std::to_string(qbuf_free) +
          " argv-mem=" + std::to_string(argv_mem) + " multi-mem=" + std::to_string(multi_mem) +
          " rbs=" + std::to_string(out.rbs) + " rbp=" + std::to_string(out.obl) +
          " obl=" + std::to_string(out.obl) + " oll=" + std::to_string(out.oll) +
          " omem=" + std::to_string(out.omem) + " tot-mem=" + std::to_string(tot_mem);
  line += std::string(" events=") + (c.fd >= 0 ? "r" : "") +
          " cmd=" + (self ? ctx.spec().name : std::string(c.last_command)) + " user=" + c.user +
          " redir=-1 resp=" + std::to_string(c.resp());
  return line;
}

namespace {

// CLIENT ID
void CmdClientId(CommandContext& ctx) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.client().id()));
}

// CLIENT INFO: this connection's CLIENT LIST line.
void CmdClientInfo(CommandContext& ctx) {
  ctx.reply().Verbatim(ClientLine(ctx, ctx.client()) + "\n");
}

// CLIENT LIST [TYPE type | ID id [id ...]]
void CmdClientList(CommandContext& ctx) {
  std::vector<Client*> listed;
  if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(2), "type")) {
    std::optional<ClientType> type = ParseClientType(ctx.arg(3));
    if (!type) {
      ctx.reply().Error(kErrUnknownClientTypePrefix + std::string(ctx.arg(3)) + "'");
      return;
    }
    for (const auto& [id, c] : ctx.server().clients()) {
      if (TypeOf(*c) == *type) {
        listed.push_back(c);
      }
    }
  } else if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(2), "id")) {
    for (size_t i = 3; i < ctx.argc(); i++) {
      std::optional<int64_t> id = ParseInt64(ctx.arg(i));
      if (!id) {
        ctx.reply().Error(kErrInvalidClientId);
        return;
      }
      if (Client* c = ctx.server().FindClient(static_cast<uint64_t>(*id))) {
        listed.push_back(c);
      }
    }
  } else if (ctx.argc() != 2) {
    ctx.reply().Error(kErrSyntax);
    return;
  } else {
    for (const auto& [id, c] : ctx.server().clients()) {
      listed.push_back(c);
    }
  }
  std::string text;
  for (Client* c : listed) {
    text += ClientLine(ctx, *c) + "\n";
  }
  ctx.reply().Verbatim(text);
}

// CLIENT KILL's filters (new form); unset ones match every client.
struct KillFilter {
  std::optional<std::string_view> addr;
  std::optional<std::string_view> laddr;
  std::optional<ClientType> type;
  std::optional<std::string_view> user;
  uint64_t id = 0;
  bool skipme = true;

  bool Matches(const Client& c, const Client& self) const {
    return (!addr || c.addr == *addr) && (!laddr || c.laddr == *laddr) &&
           (!type || TypeOf(c) == *type) && (id == 0 || c.id() == id) &&
           (!user || c.user == *user) && !(skipme && &c == &self);
  }
};

bool UserExists(CommandContext& ctx, std::string_view user) {
  if (user == "default") {
    return true;
  }
  for (const auto& [id, c] : ctx.server().clients()) {
    if (c->user == user) {
      return true;
    }
  }
  return false;
}

// Parses "option value" pairs of CLIENT KILL into `filter`; an error text on failure.
std::string ParseKillFilter(CommandContext& ctx, KillFilter* filter) {
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    if (i + 1 >= ctx.argc()) {
      return kErrSyntax;
    }
    std::string_view value = ctx.arg(i + 1);
    if (EqualsIgnoreCase(opt, "id")) {
      std::optional<int64_t> id = ParseInt64(value);
      if (!id || *id < 1) {
        return kErrClientIdNotPositive;
      }
      filter->id = static_cast<uint64_t>(*id);
    } else if (EqualsIgnoreCase(opt, "type")) {
      filter->type = ParseClientType(value);
      if (!filter->type) {
        return kErrUnknownClientTypePrefix + std::string(value) + "'";
      }
    } else if (EqualsIgnoreCase(opt, "addr")) {
      filter->addr = value;
    } else if (EqualsIgnoreCase(opt, "laddr")) {
      filter->laddr = value;
    } else if (EqualsIgnoreCase(opt, "user")) {
      if (!UserExists(ctx, value)) {
        return kErrNoSuchUserPrefix + std::string(value) + "'";
      }
      filter->user = value;
    } else if (EqualsIgnoreCase(opt, "skipme") &&
               (EqualsIgnoreCase(value, "yes") || EqualsIgnoreCase(value, "no"))) {
      filter->skipme = EqualsIgnoreCase(value, "yes");
    } else {
      return kErrSyntax;
    }
  }
  return "";
}

// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [ADDR ip:port] [LADDR ip:port]
// [USER name] [SKIPME yes|no]: the old form replies OK or an error, the new one the count.
void CmdClientKill(CommandContext& ctx) {
  KillFilter filter;
  bool old_form = ctx.argc() == 3;
  if (old_form) {
    filter.addr = ctx.arg(2);
    filter.skipme = false;
  } else {
    std::string error = ParseKillFilter(ctx, &filter);
    if (!error.empty()) {
      ctx.reply().Error(error);
      return;
    }
  }
  std::vector<Client*> victims;
  bool kill_self = false;
  for (const auto& [id, c] : ctx.server().clients()) {
    if (filter.Matches(*c, ctx.client())) {
      kill_self = kill_self || c == &ctx.client();
      victims.push_back(c);
    }
  }
  for (Client* c : victims) {
    if (c != &ctx.client() && ctx.server().close_client) {
      ctx.server().close_client(c);
    }
  }
  if (old_form && victims.empty()) {
    ctx.reply().Error(kErrNoSuchClient);
  } else if (old_form) {
    ctx.reply().Ok();
  } else {
    ctx.reply().Integer(static_cast<int64_t>(victims.size()));
  }
  if (kill_self) {
    ctx.client().set_flag(kClientCloseAfterReply);  // after the reply is queued, as Redis does
  }
}

// CLIENT SETNAME name: printable ASCII without spaces; "" removes the name.
void CmdClientSetName(CommandContext& ctx) {
  std::string_view name = ctx.arg(2);
  for (char c : name) {
    if (c < '!' || c > '~') {
      ctx.reply().Error(kErrInvalidClientName);
      return;
    }
  }
  ctx.client().name = std::string(name);
  ctx.reply().Ok();
}

// CLIENT GETNAME: the name, or null without one.
void CmdClientGetName(CommandContext& ctx) {
  if (ctx.client().name.empty()) {
    ctx.reply().Null();
  } else {
    ctx.reply().Bulk(ctx.client().name);
  }
}

// CLIENT PAUSE timeout-ms [WRITE|ALL]: holds commands (every command, or only those that write)
// of all clients but replicas until the timeout. A pause never gets shorter or weaker while it
// lasts: a later one extends it and ALL wins over WRITE.
void CmdClientPause(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "CLIENT"));
    return;
  }
  bool writes_only = false;
  if (ctx.argc() == 4) {
    writes_only = EqualsIgnoreCase(ctx.arg(3), "write");
    if (!writes_only && !EqualsIgnoreCase(ctx.arg(3), "all")) {
      ctx.reply().Error(kErrClientPauseMode);
      return;
    }
  }
  std::optional<int64_t> timeout = ParseInt64(ctx.arg(2));
  if (!timeout) {
    ctx.reply().Error(kErrTimeoutNotInteger);
    return;
  }
  if (*timeout < 0) {
    ctx.reply().Error(kErrTimeoutNegative);
    return;
  }
  int64_t now = ctx.now_ms();
  int64_t end = *timeout > 0 && *timeout < INT64_MAX - now ? now + *timeout : *timeout;
  PauseState& pause = ctx.server().pause();
  if (pause.active(now)) {
    pause.until_ms = std::max(pause.until_ms, end);
    pause.writes_only = pause.writes_only && writes_only;
  } else {
    pause.until_ms = end;
    pause.writes_only = writes_only;
  }
  ctx.reply().Ok();
}

// CLIENT UNPAUSE: ends the pause; the server resumes the held clients at its next cron.
void CmdClientUnpause(CommandContext& ctx) {
  PauseState& pause = ctx.server().pause();
  // Not in the future, so not active; not 0, so the cron knows held input may be waiting.
  pause.until_ms = std::max<int64_t>(ctx.now_ms(), 1);
  pause.writes_only = false;
  ctx.reply().Ok();
}

// CLIENT REPLY ON|OFF|SKIP: OFF and SKIP send no reply themselves.
void CmdClientReply(CommandContext& ctx) {
  Client& c = ctx.client();
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "on")) {
    c.clear_flag(kClientReplyOff);
    c.clear_flag(kClientReplySkipNext);
    c.reply().set_muted(false);
    c.reply().Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    c.set_flag(kClientReplyOff);
    c.reply().set_muted(true);
  } else if (EqualsIgnoreCase(mode, "skip")) {
    if (!c.has_flag(kClientReplyOff)) {
      c.set_flag(kClientReplySkipNext);
    }
  } else {
    c.reply().Error(kErrSyntax);
  }
}

// CLIENT NO-EVICT on|off
void CmdClientNoEvict(CommandContext& ctx) {
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "on")) {
    ctx.client().set_flag(kClientNoEvict);
  } else if (EqualsIgnoreCase(mode, "off")) {
    ctx.client().clear_flag(kClientNoEvict);
  } else {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  ctx.reply().Ok();
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking command (BLPOP, ...) with
// its timeout reply or an UNBLOCKED error. Replies 1 when that client was blocked, else 0.
void CmdClientUnblock(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    ctx.reply().Error(std::string(kErrSubcommandSyntaxPrefix) + std::string(ctx.arg(1)) +
                      "'. Try CLIENT HELP.");
    return;
  }
  bool error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "error")) {
      error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "timeout")) {
      ctx.reply().Error(kErrUnblockReason);
      return;
    }
  }
  std::optional<int64_t> id = ParseInt64(ctx.arg(2));
  if (!id) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  bool done =
      *id > 0 && ctx.server().blocked().Unblock(ctx.server(), static_cast<uint64_t>(*id), error);
  ctx.reply().Integer(done ? 1 : 0);
}

void CmdClientHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "CLIENT",
            {"CACHING (YES|NO)",
             "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
             "GETREDIR",
             "    Return the client ID we are redirecting to when tracking is enabled.",
             "GETNAME",
             "    Return the name of the current connection.",
             "ID",
             "    Return the ID of the current connection.",
             "INFO",
             "    Return information about the current client connection.",
             "KILL <ip:port>",
             "    Kill connection made from <ip:port>.",
             "KILL <option> <value> [<option> <value> [...]]",
             "    Kill connections. Options are:",
             "    * ADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made from the specified address",
             "    * LADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made to specified local address",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Kill connections by type.",
             "    * USER <username>",
             "      Kill connections authenticated by <username>.",
             "    * SKIPME (YES|NO)",
             "      Skip killing current connection (default: yes).",
             "LIST [options ...]",
             "    Return information about client connections. Options:",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Return clients of specified type.",
             "UNPAUSE",
             "    Stop the current client pause, resuming traffic.",
             "PAUSE <timeout> [WRITE|ALL]",
             "    Suspend all, or just write, clients for <timeout> milliseconds.",
             "REPLY (ON|OFF|SKIP)",
             "    Control the replies sent to the current connection.",
             "SETNAME <name>",
             "    Assign the name <name> to the current connection.",
             "UNBLOCK <clientid> [TIMEOUT|ERROR]",
             "    Unblock the specified blocked client.",
             "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
             "         [OPTIN] [OPTOUT] [NOLOOP]",
             "    Control server assisted client side caching.",
             "TRACKINGINFO",
             "    Report tracking status for the current connection.",
             "NO-EVICT (ON|OFF)",
             "    Protect current client connection from eviction."});
}

// MONITOR: from now on this connection receives every command the server runs. A second
// MONITOR is ignored without a reply, as in Redis.
void CmdMonitor(CommandContext& ctx) {
  Client& c = ctx.client();
  if (c.has_flag(kClientMulti)) {
    ctx.reply().Error(kErrMonitorDenyBlocking);
    return;
  }
  if (c.has_flag(kClientMonitor) || c.has_flag(kClientReplica)) {
    return;
  }
  c.set_flag(kClientMonitor);
  ctx.server().monitors().push_back(&c);
  ctx.reply().Ok();
}

}  // namespace

void RegisterClientFamily(CommandTable& table) {
  uint32_t plain = kNoScript | kLoading | kStale;
  uint32_t admin = kAdmin | plain;
  table.Add({.name = "client", .arity = -2});
  auto sub = [&](std::string name, int arity, uint32_t flags, Handler handler,
                 std::vector<std::string> tips = {}) {
    table.AddSubcommand("client", {.name = std::move(name),
                                   .arity = arity,
                                   .flags = flags,
                                   .categories = kAclConnection,
                                   .handler = handler,
                                   .tips = std::move(tips)});
  };
  sub("id", 2, plain, CmdClientId);
  sub("info", 2, plain, CmdClientInfo, {"nondeterministic_output"});
  sub("list", -2, admin, CmdClientList, {"nondeterministic_output"});
  sub("kill", -3, admin, CmdClientKill);
  sub("setname", 3, plain, CmdClientSetName);
  sub("getname", 2, plain, CmdClientGetName);
  sub("pause", -3, admin, CmdClientPause);
  sub("unpause", 2, admin, CmdClientUnpause);
  sub("reply", 3, plain, CmdClientReply);
  sub("no-evict", 3, admin, CmdClientNoEvict);
  sub("unblock", -3, admin, CmdClientUnblock);
  sub("help", 2, kLoading | kStale, CmdClientHelp);
  table.Add({.name = "monitor", .arity = 1, .flags = admin, .handler = CmdMonitor});
}

}  // namespace cairn::commands
