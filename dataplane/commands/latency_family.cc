// LATENCY: the latency monitor's events (LATEST, HISTORY, RESET, GRAPH, DOCTOR) and the
// per-command latency histograms (HISTOGRAM).
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

constexpr int kGraphColumns = 80;
constexpr int kGraphRows = 4;

// LATENCY LATEST: [event, time of the latest sample, its latency, the all-time max] per event.
void CmdLatencyLatest(CommandContext& ctx) {
  const auto& events = ctx.server().latency_events();
  ctx.reply().ArrayHeader(static_cast<int64_t>(events.size()));
  for (const auto& [name, event] : events) {
    const LatencySample& last = event.samples.back();
    ctx.reply().ArrayHeader(4);
    ctx.reply().Bulk(name);
    ctx.reply().Integer(last.time_s);
    ctx.reply().Integer(last.latency_ms);
    ctx.reply().Integer(event.max_ms);
  }
}

// LATENCY HISTORY event: [time, latency] per sample, oldest first; empty for unknown events.
void CmdLatencyHistory(CommandContext& ctx) {
  const auto& events = ctx.server().latency_events();
  auto it = events.find(std::string(ctx.arg(2)));
  if (it == events.end()) {
    ctx.reply().ArrayHeader(0);
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(it->second.samples.size()));
  for (const LatencySample& s : it->second.samples) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Integer(s.time_s);
    ctx.reply().Integer(s.latency_ms);
  }
}

// LATENCY RESET [event ...]: forgets the named events (all without names); replies how many.
void CmdLatencyReset(CommandContext& ctx) {
  auto& events = ctx.server().latency_events();
  int64_t removed = 0;
  if (ctx.argc() == 2) {
    removed = static_cast<int64_t>(events.size());
    events.clear();
  } else {
    for (size_t i = 2; i < ctx.argc(); i++) {
      removed += static_cast<int64_t>(events.erase(std::string(ctx.arg(i))));
    }
  }
  ctx.reply().Integer(removed);
}

// "15s", "3m", "2h", "4d": how long ago a sample was taken.
std::string AgeLabel(int64_t seconds) {
  if (seconds < 60) {
    return std::to_string(seconds) + "s";
  }
  if (seconds < 3600) {
    return std::to_string(seconds / 60) + "m";
  }
  if (seconds < 86400) {
    return std::to_string(seconds / 3600) + "h";
  }
  return std::to_string(seconds / 86400) + "d";
}

// A column chart of the newest samples, one column each: the lowest sample one row high, the
// highest kGraphRows rows; below it each sample's age, written downwards.
std::string LatencyGraph(const std::string& name, const LatencyEvent& event, int64_t now_s) {
  size_t first = event.samples.size() > kGraphColumns ? event.samples.size() - kGraphColumns : 0;
  std::vector<LatencySample> samples(event.samples.begin() + static_cast<int64_t>(first),
                                     event.samples.end());
  int64_t high = 0;
  int64_t low = INT64_MAX;
  for (const LatencySample& s : samples) {
    high = std::max(high, s.latency_ms);
    low = std::min(low, s.latency_ms);
  }
  std::string out = name + " - high " + std::to_string(high) + " ms, low " + std::to_string(low) +
                    " ms (all time high " + std::to_string(event.max_ms) + " ms)\n" +
                    std::string(kGraphColumns, '-') + "\n";
  std::vector<int> heights;
  std::vector<std::string> labels;
  size_t label_rows = 0;
  for (const LatencySample& s : samples) {
    double span = static_cast<double>(std::max<int64_t>(high - low, 1));
    heights.push_back(
        1 + static_cast<int>(std::lround((kGraphRows - 1) * (s.latency_ms - low) / span)));
    labels.push_back(AgeLabel(std::max<int64_t>(now_s - s.time_s, 0)));
    label_rows = std::max(label_rows, labels.back().size());
  }
  for (int row = kGraphRows; row >= 1; row--) {
    for (int h : heights) {
      out += h == row ? '#' : (h > row ? '|' : ' ');
    }
    out += "\n";
  }
  for (size_t row = 0; row < label_rows; row++) {
    for (const std::string& label : labels) {
      out += row < label.size() ? label[row] : ' ';
    }
    out += "\n";
  }
  return out;
}

// LATENCY GRAPH event
void CmdLatencyGraph(CommandContext& ctx) {
  const auto& events = ctx.server().latency_events();
  std::string name(ctx.arg(2));
  auto it = events.find(name);
  if (it == events.end() || it->second.samples.empty()) {
    ctx.reply().Error(kErrNoLatencySamplesPrefix + name + "'");
    return;
  }
  int64_t now_s = ctx.server().clock().NowMs() / 1000;
  ctx.reply().Verbatim(LatencyGraph(name, it->second, now_s));
}

// One doctor line: count, average, mean deviation and period of an event's samples.
std::string DoctorEventLine(size_t index, const std::string& name, const LatencyEvent& e) {
  double sum = 0;
  for (const LatencySample& s : e.samples) {
    sum += static_cast<double>(s.latency_ms);
  }
  double n = static_cast<double>(e.samples.size());
  double avg = sum / n;
  double deviation = 0;
  for (const LatencySample& s : e.samples) {
    deviation += std::fabs(static_cast<double>(s.latency_ms) - avg);
  }
  deviation /= n;
  double period =
      e.samples.size() > 1
          ? static_cast<double>(e.samples.back().time_s - e.samples.front().time_s) / (n - 1)
          : 0;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "%zu. %s: %zu latency spikes (average %.0fms, mean deviation %.0fms, period "
                "%.2f sec). Worst all time event %" PRId64 "ms.\n",
                index, name.c_str(), e.samples.size(), avg, deviation, period, e.max_ms);
  return buf;
}

// LATENCY DOCTOR: a plain-language report on the latency events.
void CmdLatencyDoctor(CommandContext& ctx) {
  const ServerConfig& config = ctx.config();
  const auto& events = ctx.server().latency_events();
  std::string text;
  if (config.latency_monitor_threshold_ms == 0 && events.empty()) {
    text =
        "Latency monitoring is disabled in this server. Enable it with \"CONFIG SET "
        "latency-monitor-threshold <milliseconds>\" to collect latency events.\n";
  } else if (events.empty()) {
    text = "No latency spike has been observed since the latency events were last reset.\n";
  } else {
    text = "Latency spikes were observed:\n\n";
    size_t index = 1;
    for (const auto& [name, event] : events) {
      text += DoctorEventLine(index++, name, event);
    }
    if (config.slowlog_log_slower_than_us > config.latency_monitor_threshold_ms * 1000) {
      text += "\nThe slow log only records commands slower than " +
              std::to_string(config.slowlog_log_slower_than_us) +
              " microseconds, more than the latency monitor threshold: lower "
              "slowlog-log-slower-than to see the commands behind these spikes.\n";
    }
  }
  ctx.reply().Verbatim(text);
}

void ReplyHistogram(protocol::ReplyWriter& r, const CommandSpec& spec) {
  std::vector<std::pair<int64_t, int64_t>> buckets = spec.latency.CumulativeBuckets();
  r.Bulk(spec.name);
  r.MapHeader(2);
  r.Bulk("calls");
  r.Integer(spec.latency.count());
  r.Bulk("histogram_usec");
  r.MapHeader(static_cast<int64_t>(buckets.size()));
  for (const auto& [usec, count] : buckets) {
    r.Integer(usec);
    r.Integer(count);
  }
}

// A command and its subcommands that have latency samples.
void CollectHistograms(const CommandSpec& spec, std::vector<const CommandSpec*>* out) {
  if (spec.latency.count() > 0) {
    out->push_back(&spec);
  }
  for (const auto& sub : spec.subcommands) {
    if (sub->latency.count() > 0) {
      out->push_back(sub.get());
    }
  }
}

// LATENCY HISTOGRAM [command ...]: a map of command -> {calls, histogram_usec} for the named
// commands (and their subcommands) with samples; every such command without names.
void CmdLatencyHistogram(CommandContext& ctx) {
  const CommandTable& table = ctx.server().table();
  std::vector<const CommandSpec*> specs;
  if (ctx.argc() == 2) {
    for (const CommandSpec* spec : table.All()) {
      CollectHistograms(*spec, &specs);
    }
  }
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view name = ctx.arg(i);
    size_t bar = name.find('|');
    const CommandSpec* spec = table.Find(name.substr(0, bar));
    if (spec != nullptr && bar != std::string_view::npos) {
      spec = spec->FindSubcommand(name.substr(bar + 1));
    }
    if (spec != nullptr) {
      CollectHistograms(*spec, &specs);
    }
  }
  ctx.reply().MapHeader(static_cast<int64_t>(specs.size()));
  for (const CommandSpec* spec : specs) {
    ReplyHistogram(ctx.reply(), *spec);
  }
}

constexpr char kHistogramHelp[] =
    "    Return a cumulative distribution of latencies in the format of a histogram for the "
    "specified command names.";

void CmdLatencyHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "LATENCY",
            {"DOCTOR", "    Return a human readable latency analysis report.", "GRAPH <event>",
             "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>",
             "    Return time-latency samples for the <event> class.", "LATEST",
             "    Return the latest latency samples for all events.", "RESET [<event> ...]",
             "    Reset latency data of one or more <event> classes.",
             "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]",
             kHistogramHelp, "    If no commands are specified then all histograms are replied."});
}

}  // namespace

void RegisterLatencyFamily(CommandTable& table) {
  uint32_t admin = kAdmin | kNoScript | kLoading | kStale;
  std::vector<std::string> special = {"nondeterministic_output", "request_policy:all_nodes",
                                      "response_policy:special"};
  table.Add({.name = "latency", .arity = -2});
  auto sub = [&](std::string name, int arity, Handler handler, std::vector<std::string> tips) {
    table.AddSubcommand("latency", {.name = std::move(name),
                                    .arity = arity,
                                    .flags = admin,
                                    .handler = handler,
                                    .tips = std::move(tips)});
  };
  sub("latest", 2, CmdLatencyLatest, special);
  sub("history", 3, CmdLatencyHistory, special);
  sub("reset", -2, CmdLatencyReset, {"request_policy:all_nodes", "response_policy:all_succeeded"});
  sub("graph", 3, CmdLatencyGraph, special);
  sub("doctor", 2, CmdLatencyDoctor, special);
  sub("histogram", -2, CmdLatencyHistogram, special);
  table.AddSubcommand(
      "latency",
      {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdLatencyHelp});
}

}  // namespace cairn::commands
