// Logging set-up shared by every binary: spdlog's default logger (the one global, STYLE.md §9).
#pragma once

#include <string>
#include <string_view>

#include "dataplane/base/status.h"

namespace cairn {

// Configures spdlog's default logger. `level` is one of trace, debug, info, warn, error (also the
// redis.conf words: debug, verbose, notice, warning). `file` empty means stderr. Returns
// InvalidArgument for an unknown level and Unavailable when the file cannot be opened.
Status SetUpLogging(std::string_view program, std::string_view level, const std::string& file);

}  // namespace cairn
