// Global flags, parsing and dispatch of cairnctl.
#include "controlplane/cli/app.h"

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "controlplane/cli/commands.h"
#include "controlplane/cli/duration.h"
#include "controlplane/cli/exit_codes.h"
#include "controlplane/cli/session.h"

namespace cairn::controlplane::cli {
namespace {

// Global flags as given; an Option* with count() == 0 was not given.
struct GlobalFlags {
  std::string addr;
  std::string token;
  std::string ca_file;
  std::string output = "table";
  std::string timeout = "30s";
  std::string wait_timeout = "15m";
  CLI::Option* addr_option = nullptr;
  CLI::Option* token_option = nullptr;
  CLI::Option* ca_file_option = nullptr;
};

void AddGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  flags.addr_option = app.add_option(
      "--addr", flags.addr,
      "Control plane gRPC address (env CAIRN_ADDR; default " + std::string(kDefaultAddr) + ")");
  flags.token_option = app.add_option("--token", flags.token, "API bearer token (env CAIRN_TOKEN)");
  flags.ca_file_option = app.add_option("--ca-file", flags.ca_file,
                                        "PEM CA to verify a TLS API; without it, plaintext "
                                        "(env CAIRN_CA_FILE)");
  app.add_option("-o,--output", flags.output, "Output format: table, json or yaml")
      ->check(CLI::IsMember({"table", "json", "yaml"}));
  app.add_option("--timeout", flags.timeout, "Deadline of each request (default 30s)")
      ->check(DurationValidator());
  app.add_option("--wait-timeout", flags.wait_timeout,
                 "Longest --wait or 'op wait' before giving up (default 15m)")
      ->check(DurationValidator());
}

PartialConfig ConfigFromFlags(const GlobalFlags& flags) {
  PartialConfig config;
  if (flags.addr_option->count() > 0) {
    config.addr = flags.addr;
  }
  if (flags.token_option->count() > 0) {
    config.token = flags.token;
  }
  if (flags.ca_file_option->count() > 0) {
    config.ca_file = flags.ca_file;
  }
  return config;
}

// Turns the parsed global flags, environment and config file into session options.
Result<SessionOptions> ResolveOptions(const GlobalFlags& flags, const EnvLookup& env) {
  Result<PartialConfig> file = LoadConfigFile(env);
  if (!file.ok()) {
    return file.status();
  }
  SessionOptions options;
  options.config = MergeConfig(ConfigFromFlags(flags), ConfigFromEnv(env), *file);
  // The flag values passed their validators while parsing, so these parse.
  Result<OutputFormat> format = ParseOutputFormat(flags.output);
  Result<std::chrono::milliseconds> timeout = ParseDuration(flags.timeout);
  Result<std::chrono::milliseconds> wait_timeout = ParseDuration(flags.wait_timeout);
  if (!format.ok() || !timeout.ok() || !wait_timeout.ok()) {
    return Status::InvalidArgument("invalid --output, --timeout or --wait-timeout");
  }
  if (timeout->count() == 0) {
    return Status::InvalidArgument("--timeout must be more than 0");
  }
  options.format = *format;
  options.timeout = *timeout;
  options.wait_timeout = *wait_timeout;
  return options;
}

std::unique_ptr<CLI::App> BuildApp(GlobalFlags& flags, Action& action) {
  auto app = std::make_unique<CLI::App>(
      "cairnctl: manage Cairn clusters, snapshots, operations, hosts and tokens through the "
      "control plane's gRPC API",
      "cairnctl");
  app->fallthrough();  // global flags may follow the subcommand: `cairnctl cluster list -o json`
  app->require_subcommand(1);
  AddGlobalFlags(*app, flags);
  AddClusterCommands(*app, action);
  AddSnapshotCommands(*app, action);
  AddOperationCommands(*app, action);
  AddEventCommands(*app, action);
  AddHostCommands(*app, action);
  AddTokenCommands(*app, action);
  AddCatalogCommands(*app, action);
  return app;
}

// The deepest subcommand the parse reached ("cluster" for `cairnctl cluster frob`).
const CLI::App& DeepestParsed(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    if (sub->parsed()) {
      return DeepestParsed(*sub);
    }
  }
  return app;
}

// CLI11's message, except for a missing or unknown subcommand, which names the choices.
std::string DescribeParseError(const CLI::App& app, const CLI::ParseError& error) {
  const CLI::App& where = DeepestParsed(app);
  std::vector<const CLI::App*> subcommands = where.get_subcommands({});
  if (subcommands.empty() || where.get_subcommands().size() > 0) {
    return error.what();
  }
  std::string path = where.get_parent() == nullptr ? "cairnctl" : "cairnctl " + where.get_name();
  std::string choices;
  for (const CLI::App* sub : subcommands) {
    choices += (choices.empty() ? "" : ", ") + sub->get_name();
  }
  // With fallthrough, a stray word may be recorded on the root rather than on `where`.
  std::vector<std::string> extra = app.remaining(/*recurse=*/true);
  if (!extra.empty()) {
    return "unknown command '" + extra.front() + "' for '" + path +
           "' (expected one of: " + choices + ")";
  }
  return "'" + path + "' needs a command: " + choices;
}

}  // namespace

CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        Result<std::chrono::milliseconds> duration = ParseDuration(text);
        return duration.ok() ? "" : std::string(duration.status().message());
      },
      "DURATION");
}

int RunCairnctl(int argc, const char* const* argv, const EnvLookup& env, std::ostream& out,
                std::ostream& err) {
  GlobalFlags flags;
  Action action;
  std::unique_ptr<CLI::App> app = BuildApp(flags, action);
  try {
    app->parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app->exit(e, out, err);  // --help: prints the (sub)command's help, exit 0
  } catch (const CLI::ParseError& e) {
    err << "error: " << DescribeParseError(*app, e) << "\nRun 'cairnctl --help' for usage.\n";
    return kExitUsage;
  }
  if (!action) {
    err << "error: no command given\nRun 'cairnctl --help' for usage.\n";
    return kExitUsage;
  }
  Result<SessionOptions> options = ResolveOptions(flags, env);
  if (!options.ok()) {
    err << "error: " << options.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Session>> session = Session::Open(std::move(*options), out, err);
  if (!session.ok()) {
    err << "error: " << session.status().message() << "\n";
    return kExitUsage;
  }
  return action(**session);
}

}  // namespace cairn::controlplane::cli
