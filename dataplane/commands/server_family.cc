// Server commands: INFO, TIME, LASTSAVE, SHUTDOWN, SLOWLOG. The themed parts live beside this
// file and are registered from here: COMMAND (command_introspection.cc), CONFIG
// (config_family.cc), LATENCY (latency_family.cc) and DEBUG (debug_family.cc).
#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/commands/scripting.h"

namespace cairn::commands {

void RegisterCommandIntrospection(CommandTable& table);
void RegisterConfigFamily(CommandTable& table);
void RegisterLatencyFamily(CommandTable& table);
void RegisterDebugFamily(CommandTable& table);

namespace {

// Redis 7.0's section order, and the sections INFO shows without arguments ("default").
constexpr std::string_view kSectionOrder[] = {
    "server",  "clients",      "memory",     "persistence",  "stats",   "replication", "cpu",
    "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"};
constexpr std::string_view kDefaultSections[] = {
    "server", "clients", "memory",     "persistence", "stats",   "replication",
    "cpu",    "modules", "errorstats", "cluster",     "keyspace"};

struct InfoSection {
  std::string_view name;
  std::function<void(std::string&)> fill;
  bool in_default = false;
};

// latency_percentiles_usec_<command>:p50=...,p99=...,p99.9=... for every command called since
// the last CONFIG RESETSTAT (latency-tracking-info-percentiles "50 99 99.9").
void FillLatencyStats(ServerState& server, std::string& out) {
  const std::vector<double>& percentiles = server.config().latency_tracking_percentiles;
  auto emit = [&out, &percentiles](const CommandSpec& c) {
    if (c.latency.count() == 0) {
      return;
    }
    out += "latency_percentiles_usec_" + c.name + ":";
    for (size_t i = 0; i < percentiles.size(); i++) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "%sp%g=%.3f", i == 0 ? "" : ",", percentiles[i],
                    c.latency.ValueAtPercentileUs(percentiles[i]));
      out += buf;
    }
    out += "\r\n";
  };
  const CommandTable& table = server.table();
  for (const CommandSpec* c : table.All()) {
    emit(*c);
    for (const auto& sub : c->subcommands) {
      emit(*sub);
    }
  }
}

// The sections in display order: those the server layer registered, plus the ones this family
// fills when nobody registered them (modules: none loaded; latencystats; cluster: disabled).
std::vector<InfoSection> AllSections(ServerState& server) {
  const auto& registered = server.info_sections();
  auto find = [&registered](std::string_view name) -> const ServerState::InfoSectionEntry* {
    for (const auto& s : registered) {
      if (s.name == name) {
        return &s;
      }
    }
    return nullptr;
  };
  auto is_default = [](std::string_view name) {
    return std::find(std::begin(kDefaultSections), std::end(kDefaultSections), name) !=
           std::end(kDefaultSections);
  };
  ServerState* state = &server;
  std::vector<InfoSection> out;
  for (std::string_view name : kSectionOrder) {
    if (const auto* s = find(name)) {
      out.push_back({name, s->fill, s->in_default || is_default(name)});
    } else if (name == "modules") {
      out.push_back({name, [](std::string&) {}, true});
    } else if (name == "latencystats") {
      out.push_back({name, [state](std::string& o) { FillLatencyStats(*state, o); }, false});
    } else if (name == "cluster") {
      out.push_back({name, [](std::string& o) { o += "cluster_enabled:0\r\n"; }, true});
    }
  }
  for (const auto& s : registered) {
    if (std::find(std::begin(kSectionOrder), std::end(kSectionOrder), s.name) ==
        std::end(kSectionOrder)) {
      out.push_back({s.name, s.fill, s.in_default});
    }
  }
  return out;
}

std::string SectionHeader(std::string_view name) {
  if (name == "cpu") {
    return "# CPU\r\n";
  }
  std::string header = "# " + std::string(name) + "\r\n";
  header[2] = static_cast<char>(std::toupper(static_cast<unsigned char>(header[2])));
  return header;
}

// INFO [section ...]: "default" without arguments; "all" and "everything" select every section;
// unknown names select nothing.
void CmdInfo(CommandContext& ctx) {
  std::vector<InfoSection> sections = AllSections(ctx.server());
  bool all = false;
  std::set<std::string> wanted;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string name = AsciiLower(ctx.arg(i));
    if (name == "all" || name == "everything") {
      all = true;
    } else if (name == "default") {
      for (const InfoSection& s : sections) {
        if (s.in_default) {
          wanted.emplace(s.name);
        }
      }
    } else {
      wanted.insert(std::move(name));
    }
  }
  bool defaults = ctx.argc() == 1;
  std::string text;
  for (const InfoSection& s : sections) {
    if (!all && !(defaults && s.in_default) && wanted.count(std::string(s.name)) == 0) {
      continue;
    }
    if (!text.empty()) {
      text += "\r\n";
    }
    text += SectionHeader(s.name);
    s.fill(text);
  }
  ctx.reply().Verbatim(text);
}

// TIME: [unix seconds, microseconds] as bulk strings.
void CmdTime(CommandContext& ctx) {
  const Clock& clock = ctx.server().clock();
  int64_t now_us = clock.NowMs() * 1000 + clock.MonotonicUs() % 1000;
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(std::to_string(now_us / 1000000));
  ctx.reply().Bulk(std::to_string(now_us % 1000000));
}

// LASTSAVE: the Unix time of the last successful save; the start time until the first save, as
// Redis initialises it.
void CmdLastSave(CommandContext& ctx) {
  int64_t last = ctx.server().last_save_s;
  ctx.reply().Integer(last != 0 ? last : ctx.server().stats().start_time_ms / 1000);
}

// SAVE: writes the RDB snapshot in the foreground.
void CmdSave(CommandContext& ctx) {
  SnapshotHooks* snapshots = ctx.server().snapshots;
  Status s = snapshots != nullptr ? snapshots->Save() : Status::Internal("ERR");
  if (!s.ok()) {
    ctx.reply().Error(s.message());
    return;
  }
  ctx.reply().Ok();
}

// BGSAVE [SCHEDULE]: writes the snapshot from a forked child.
void CmdBgsave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "schedule")) {
    schedule = true;
  } else if (ctx.argc() > 1) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  SnapshotHooks* snapshots = ctx.server().snapshots;
  if (snapshots == nullptr) {
    ctx.reply().Error("ERR");
    return;
  }
  Result<std::string> r = snapshots->BackgroundSave(schedule);
  if (!r.ok()) {
    ctx.reply().Error(r.status().message());
    return;
  }
  ctx.reply().Simple(*r);
}

// BGREWRITEAOF: forks a child writing a new AOF base (or schedules it behind a running BGSAVE).
void CmdBgRewriteAof(CommandContext& ctx) {
  SnapshotHooks* snapshots = ctx.server().snapshots;
  Result<std::string> r = snapshots != nullptr ? snapshots->BackgroundRewriteAof()
                                               : Result<std::string>(Status::Internal("ERR"));
  if (!r.ok()) {
    ctx.reply().Error(r.status().message());
    return;
  }
  ctx.reply().Simple(*r);
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success the server exits without replying.
void CmdShutdown(CommandContext& ctx) {
  bool nosave = false;
  bool save = false;
  bool now = false;
  bool force = false;
  bool abort = false;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view a = ctx.arg(i);
    bool* target = EqualsIgnoreCase(a, "nosave")  ? &nosave
                   : EqualsIgnoreCase(a, "save")  ? &save
                   : EqualsIgnoreCase(a, "now")   ? &now
                   : EqualsIgnoreCase(a, "force") ? &force
                   : EqualsIgnoreCase(a, "abort") ? &abort
                                                  : nullptr;
    if (target == nullptr) {
      ctx.reply().Error(kErrSyntax);
      return;
    }
    *target = true;
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  if (abort) {
    // Shutdowns never wait for replicas here, so none is ever in progress.
    ctx.reply().Error(kErrNoShutdownInProgress);
    return;
  }
  // A busy script: only SHUTDOWN NOSAVE gets through (Redis's slowevalerr otherwise).
  if (ctx.server().script_busy != 0 && !nosave) {
    ctx.reply().Error(ctx.server().script_busy == 1 ? kErrBusyEval : kErrBusyFunction);
    return;
  }
  std::string error =
      ctx.server().shutdown ? ctx.server().shutdown(save, nosave, now, force) : kErrShutdownFailed;
  if (!error.empty()) {
    ctx.reply().Error(error);
  }
}

void ReplySlowlogEntry(protocol::ReplyWriter& r, const SlowlogEntry& e) {
  r.ArrayHeader(6);
  r.Integer(e.id);
  r.Integer(e.time_s);
  r.Integer(e.duration_us);
  r.ArrayHeader(static_cast<int64_t>(e.args.size()));
  for (const std::string& a : e.args) {
    r.Bulk(a);
  }
  r.Bulk(e.peer);
  r.Bulk(e.client_name);
}

// SLOWLOG GET [count]: the newest `count` entries (10 by default, -1 for all).
void CmdSlowlogGet(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() == 3) {
    std::optional<int64_t> n = ParseInt64(ctx.arg(2));
    if (!n || *n < -1) {
      ctx.reply().Error(kErrSlowlogCount);
      return;
    }
    count = *n;
  } else if (ctx.argc() > 3) {
    ctx.reply().Error(SubcommandSyntaxError(ctx.arg(1), "SLOWLOG"));
    return;
  }
  const auto& log = ctx.server().slowlog();
  size_t n = count < 0 ? log.size() : std::min(log.size(), static_cast<size_t>(count));
  ctx.reply().ArrayHeader(static_cast<int64_t>(n));
  for (size_t i = 0; i < n; i++) {
    ReplySlowlogEntry(ctx.reply(), log[i]);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.server().slowlog().size()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server().slowlog().clear();
  ctx.reply().Ok();
}

void CmdSlowlogHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "SLOWLOG",
            {"GET [<count>]",
             "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
             "    Entries are made of:",
             "    id, timestamp, time in microseconds, arguments array, client IP and port,",
             "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
             "    Reset the slowlog."});
}

void RegisterSlowlog(CommandTable& table) {
  uint32_t admin = kAdmin | kLoading | kStale;
  table.Add({.name = "slowlog", .arity = -2});
  table.AddSubcommand("slowlog", {.name = "get",
                                  .arity = -2,
                                  .flags = admin,
                                  .handler = CmdSlowlogGet,
                                  .tips = {"request_policy:all_nodes", "nondeterministic_output"}});
  table.AddSubcommand("slowlog", {.name = "len",
                                  .arity = 2,
                                  .flags = admin,
                                  .handler = CmdSlowlogLen,
                                  .tips = {"request_policy:all_nodes", "response_policy:agg_sum",
                                           "nondeterministic_output"}});
  table.AddSubcommand("slowlog",
                      {.name = "reset",
                       .arity = 2,
                       .flags = admin,
                       .handler = CmdSlowlogReset,
                       .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"}});
  table.AddSubcommand(
      "slowlog",
      {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdSlowlogHelp});
}

}  // namespace

void RegisterServerFamily(CommandTable& table) {
  table.Add({.name = "info",
             .arity = -1,
             .flags = kLoading | kStale,
             .categories = kAclDangerous,
             .handler = CmdInfo,
             .tips = {"nondeterministic_output", "request_policy:all_shards",
                      "response_policy:special"}});
  table.Add({.name = "time",
             .arity = 1,
             .flags = kLoading | kStale | kFast,
             .handler = CmdTime,
             .tips = {"nondeterministic_output"}});
  table.Add({.name = "lastsave",
             .arity = 1,
             .flags = kLoading | kStale | kFast,
             .categories = kAclAdmin | kAclDangerous,
             .handler = CmdLastSave,
             .tips = {"nondeterministic_output"}});
  table.Add({.name = "save",
             .arity = 1,
             .flags = kAdmin | kNoScript | kNoAsyncLoading | kNoMulti,
             .handler = CmdSave});
  table.Add({.name = "bgsave",
             .arity = -1,
             .flags = kAdmin | kNoScript | kNoAsyncLoading,
             .handler = CmdBgsave});
  table.Add({.name = "bgrewriteaof",
             .arity = 1,
             .flags = kAdmin | kNoScript | kNoAsyncLoading,
             .handler = CmdBgRewriteAof});
  table.Add({.name = "shutdown",
             .arity = -1,
             .flags = kAdmin | kNoScript | kLoading | kStale | kNoMulti | kAllowBusy,
             .handler = CmdShutdown});
  RegisterSlowlog(table);
  RegisterCommandIntrospection(table);
  RegisterConfigFamily(table);
  RegisterLatencyFamily(table);
  RegisterDebugFamily(table);
}

}  // namespace cairn::commands
