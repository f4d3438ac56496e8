// Engine discovery.
#include "agent/supervisor/engines.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "agent/supervisor/process.h"

namespace cairn::agent {
namespace {

std::optional<std::filesystem::path> FindOnPath(const std::string& binary) {
  const char* path_env = std::getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "";
  path += ":/usr/bin:/usr/local/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? colon : colon - start);
    if (!dir.empty()) {
      std::filesystem::path candidate = std::filesystem::path(dir) / binary;
      if (access(candidate.c_str(), X_OK) == 0) {
        return std::filesystem::absolute(candidate);
      }
    }
    if (colon == std::string::npos) {
      break;
    }
    start = colon + 1;
  }
  return std::nullopt;
}

std::optional<Engine> Probe(const std::string& name, const std::filesystem::path& path) {
  if (access(path.c_str(), X_OK) != 0) {
    return std::nullopt;
  }
  Result<std::string> out = RunAndCapture({path.string(), "--version"}, std::chrono::seconds(2));
  if (!out.ok()) {
    return std::nullopt;
  }
  std::optional<std::string> version = ParseEngineVersion(*out);
  if (!version) {
    return std::nullopt;
  }
  return Engine{name, *version, path};
}

}  // namespace

std::optional<std::string> ParseEngineVersion(std::string_view version_output) {
  size_t at = version_output.find("v=");
  while (at != std::string_view::npos && at > 0 && version_output[at - 1] != ' ') {
    at = version_output.find("v=", at + 2);
  }
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = version_output.substr(at + 2);
  size_t end = rest.find_first_of(" \t\r\n");
  std::string_view version = rest.substr(0, end);
  if (version.empty()) {
    return std::nullopt;
  }
  return std::string(version);
}

std::vector<Engine> FindEngines(const std::filesystem::path& engine_dir) {
  std::vector<Engine> engines;
  std::error_code ec;
  std::filesystem::path cairn = std::filesystem::absolute(engine_dir / "cairn-server", ec);
  if (std::optional<Engine> e = Probe("cairn", cairn)) {
    engines.push_back(*e);
  }
  if (std::optional<std::filesystem::path> redis = FindOnPath("redis-server")) {
    if (std::optional<Engine> e = Probe("redis", *redis)) {
      engines.push_back(*e);
    }
  }
  return engines;
}

const Engine* FindEngine(const std::vector<Engine>& engines, std::string_view name) {
  for (const Engine& e : engines) {
    if (e.name == name) {
      return &e;
    }
  }
  return nullptr;
}

}  // namespace cairn::agent
