// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the server's ParameterTable, with Redis
// 7.0's CONFIG SET semantics: every pair is checked before any is applied, and a value that
// fails to apply rolls back the ones applied before it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/admin_replies.h"
#include "dataplane/commands/config_rewrite.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {
namespace {

// CONFIG GET pattern [pattern ...]: a map of matching parameters to their values.
void CmdConfigGet(CommandContext& ctx) {
  std::vector<std::string> patterns(ctx.args().begin() + 2, ctx.args().end());
  std::vector<std::pair<std::string, std::string>> pairs = ctx.server().parameters().Get(patterns);
  ctx.reply().MapHeader(static_cast<int64_t>(pairs.size()));
  for (const auto& [name, value] : pairs) {
    ctx.reply().Bulk(name);
    ctx.reply().Bulk(value);
  }
}

bool IsLocalClient(const Client& client) {
  return client.has_flag(kClientUnixSocket) || client.addr.starts_with("127.") ||
         client.addr.starts_with("::1") || client.addr.starts_with("[::1]");
}

bool ProtectedConfigAllowed(CommandContext& ctx) {
  const std::string& mode = ctx.config().enable_protected_configs;
  return mode == "yes" || (mode == "local" && IsLocalClient(ctx.client()));
}

// The first problem with the parameter names of CONFIG SET, checked before anything is
// applied: an unknown name wins over the other errors (immutable, protected, duplicate) when it
// comes first. Fills `targets` with the parameter of each pair. Empty when all is well.
std::string CheckConfigSetNames(CommandContext& ctx, std::vector<const Parameter*>* targets) {
  std::string error;
  for (size_t arg = 2; arg + 1 < ctx.argc(); arg += 2) {
    const Parameter* p = ctx.server().parameters().Find(ctx.arg(arg));
    if (p == nullptr) {
      if (error.empty()) {
        error = kErrConfigSetUnknownPrefix + std::string(ctx.arg(arg)) + "'";
      }
      continue;
    }
    if ((p->flags & Parameter::kSensitive) != 0) {
      ctx.client().redacted_args.push_back(arg + 1);  // keep the value out of SLOWLOG/MONITOR
    }
    if (!error.empty()) {
      continue;
    }
    const char* reason = nullptr;
    if ((p->flags & Parameter::kImmutable) != 0) {
      reason = kReasonImmutableConfig;
    } else if ((p->flags & Parameter::kProtected) != 0 && !ProtectedConfigAllowed(ctx)) {
      reason = kReasonProtectedConfig;
    } else if (std::find(targets->begin(), targets->end(), p) != targets->end()) {
      reason = kReasonDuplicateParameter;
    }
    if (reason != nullptr) {
      error = kErrConfigSetFailedPrefix + std::string(ctx.arg(arg)) + "') - " + reason;
    }
    targets->push_back(p);
  }
  return error;
}

// CONFIG SET parameter value [parameter value ...]
void CmdConfigSet(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  std::vector<const Parameter*> targets;
  std::string error = CheckConfigSetNames(ctx, &targets);
  if (!error.empty()) {
    ctx.reply().Error(error);
    return;
  }
  std::vector<std::string> old_values;
  old_values.reserve(targets.size());
  for (const Parameter* p : targets) {
    old_values.push_back(p->get());
  }
  for (size_t i = 0; i < targets.size(); i++) {
    Status s = targets[i]->set(ctx.arg(3 + 2 * i), /*startup=*/false);
    if (s.ok()) {
      continue;
    }
    // Roll back what was applied. The old values were accepted before, so these succeed; a
    // failure could only leave that parameter at the new value, which is all that can be done.
    for (size_t j = 0; j <= i; j++) {
      (void)targets[j]->set(old_values[j], /*startup=*/false);
    }
    ctx.reply().Error(kErrConfigSetFailedPrefix + targets[i]->name + "') - " +
                      std::string(s.message()));
    return;
  }
  ctx.reply().Ok();
}

// CONFIG RESETSTAT: zeroes INFO stats, errorstats and per-command statistics (calls, times,
// latency histograms). The slowlog, latency events and the dirty counter stay.
void CmdConfigResetStat(CommandContext& ctx) {
  ServerStats& s = ctx.server().stats();
  s.total_connections_received = 0;
  s.total_commands_processed = 0;
  s.rejected_connections = 0;
  s.net_input_bytes = 0;
  s.net_output_bytes = 0;
  s.total_error_replies = 0;
  s.errors_charged = 0;
  s.uncounted_error_replies = 0;
  s.unexpected_error_replies = 0;
  s.client_qbuf_limit_disconnections = 0;
  s.client_outbuf_limit_disconnections = 0;
  s.total_reads_processed = 0;
  s.total_writes_processed = 0;
  s.errorstats.clear();
  ctx.keyspace().stats() = engine::KeyspaceStats{};
  CommandTable& table = ctx.server().table();
  table.ResetStats();
  for (const CommandSpec* c : table.All()) {
    c->latency.Reset();
    for (const auto& sub : c->subcommands) {
      sub->latency.Reset();
    }
  }
  ctx.reply().Ok();
}

// Writes `text` to `path` through a temporary file renamed over it, so a crash leaves either
// the old file or the new one. Returns an errno-style message on failure.
std::string WriteFileAtomically(const std::string& path, const std::string& text) {
  struct stat st {};
  mode_t mode = stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return std::strerror(errno);
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      std::string error = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return error;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    std::string error = std::strerror(errno);
    unlink(tmp.c_str());
    return error;
  }
  return "";
}

// CONFIG REWRITE: rewrites the file the server started with (a missing file is created).
void CmdConfigRewrite(CommandContext& ctx) {
  const std::string& path = ctx.server().config_file;
  if (path.empty()) {
    ctx.reply().Error(kErrNoConfigFile);
    return;
  }
  std::string old_text;
  std::ifstream in(path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    old_text = ss.str();
  } else if (errno != ENOENT) {
    ctx.reply().Error(kErrRewritingConfigPrefix + std::string(std::strerror(errno)));
    return;
  }
  std::string error =
      WriteFileAtomically(path, RewriteConfigText(old_text, ctx.server().parameters()));
  if (!error.empty()) {
    spdlog::warn("CONFIG REWRITE failed path={} error={}", path, error);
    ctx.reply().Error(kErrRewritingConfigPrefix + error);
    return;
  }
  spdlog::info("CONFIG REWRITE executed with success path={}", path);
  ctx.reply().Ok();
}

void CmdConfigHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx.reply(), "CONFIG",
      {"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
       "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
       "    Reset statistics reported by the INFO command.", "REWRITE",
       "    Rewrite the configuration file."});
}

}  // namespace

void RegisterConfigFamily(CommandTable& table) {
  uint32_t admin = kAdmin | kNoScript | kLoading | kStale;
  table.Add({.name = "config", .arity = -2});
  table.AddSubcommand("config",
                      {.name = "get", .arity = -3, .flags = admin, .handler = CmdConfigGet});
  table.AddSubcommand("config",
                      {.name = "set",
                       .arity = -4,
                       .flags = admin,
                       .handler = CmdConfigSet,
                       .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"}});
  table.AddSubcommand(
      "config", {.name = "resetstat", .arity = 2, .flags = admin, .handler = CmdConfigResetStat});
  table.AddSubcommand("config",
                      {.name = "rewrite", .arity = 2, .flags = admin, .handler = CmdConfigRewrite});
  table.AddSubcommand(
      "config", {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdConfigHelp});
}

}  // namespace cairn::commands
