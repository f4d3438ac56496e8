// Registration of cairnctl's command groups onto the CLI11 app. Each group lives in its own file
// (cluster_commands.cc, operation_commands.cc, ...). Parsing only records what to run: a
// subcommand's callback stores an Action, which app.cc runs once the session is open.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "controlplane/cli/session.h"

namespace cairn::controlplane::cli {

// A parsed command's work. Returns the process exit code (exit_codes.h).
using Action = std::function<int(Session&)>;

// `cluster create|list|get|update|delete|nodes|failover`.
void AddClusterCommands(CLI::App& app, Action& action);
// `op get|list|wait`.
void AddOperationCommands(CLI::App& app, Action& action);
// `events list`.
void AddEventCommands(CLI::App& app, Action& action);
// `host list|get|cordon|uncordon|join-token`.
void AddHostCommands(CLI::App& app, Action& action);
// `token create|list|revoke`.
void AddTokenCommands(CLI::App& app, Action& action);
// `snapshot create|list|get|delete|copy|export|import`.
void AddSnapshotCommands(CLI::App& app, Action& action);
// `node-types`, `engine-versions`.
void AddCatalogCommands(CLI::App& app, Action& action);

// Checks a DURATION flag value with ParseDuration; the failure text becomes CLI11's error.
CLI::Validator DurationValidator();

}  // namespace cairn::controlplane::cli
