// spdlog default logger configuration.
#include "dataplane/base/logging.h"

#include <optional>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace cairn {
namespace {

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view level) {
  if (level == "trace") {
    return spdlog::level::trace;
  }
  if (level == "debug" || level == "verbose") {
    return spdlog::level::debug;
  }
  if (level == "info" || level == "notice") {
    return spdlog::level::info;
  }
  if (level == "warn" || level == "warning") {
    return spdlog::level::warn;
  }
  if (level == "error") {
    return spdlog::level::err;
  }
  return std::nullopt;
}

}  // namespace

Status SetUpLogging(std::string_view program, std::string_view level, const std::string& file) {
  std::optional<spdlog::level::level_enum> parsed = ParseLevel(level);
  if (!parsed) {
    return Status::InvalidArgument("unknown log level '" + std::string(level) + "'");
  }
  std::shared_ptr<spdlog::logger> logger;
  std::string name(program);
  spdlog::drop(name);  // a second call (tests, config reload) replaces the logger
  try {
    if (file.empty()) {
      logger = spdlog::stderr_logger_mt(name);
    } else {
      logger = spdlog::basic_logger_mt(name, file);
    }
  } catch (const spdlog::spdlog_ex& e) {  // spdlog throws when the file cannot be opened
    return Status::Unavailable(std::string("cannot open log file: ") + e.what());
  }
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %L " + std::string(program) + "[%P] %v");
  logger->set_level(*parsed);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace cairn
