// cairnctl's entry point as a function: parses argv with CLI11, resolves the connection settings
// (flags > environment > config file), runs the chosen command and returns its exit code.
#pragma once

#include <ostream>

#include "controlplane/cli/config.h"

namespace cairn::controlplane::cli {

// Runs one cairnctl invocation. Normal output goes to `out`, progress and errors ("error: ...")
// to `err`. Returns an ExitCode (exit_codes.h): 2 for any usage error (unknown command or flag,
// bad flag value, unreadable or malformed config file), 0 for --help.
int RunCairnctl(int argc, const char* const* argv, const EnvLookup& env, std::ostream& out,
                std::ostream& err);

}  // namespace cairn::controlplane::cli
