// Engines available on this host: cairn-server and redis-server, with the versions they report.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::agent {

struct Engine {
  std::string name;     // "cairn" or "redis"
  std::string version;  // from `<binary> --version`, e.g. "7.0.15" or "0.1.0"
  std::filesystem::path path;
};

// The version in a `--version` line: the text after "v=" up to the next space ("Redis server
// v=7.0.15 sha=..." -> "7.0.15"). nullopt when there is none.
std::optional<std::string> ParseEngineVersion(std::string_view version_output);

// Looks for cairn-server in `engine_dir` and redis-server on $PATH, then in /usr/bin; runs each
// with --version (2 s deadline). Engines that are missing or print no version are left out.
std::vector<Engine> FindEngines(const std::filesystem::path& engine_dir);

// The engine named `name` in `engines`, or nullptr.
const Engine* FindEngine(const std::vector<Engine>& engines, std::string_view name);

}  // namespace cairn::agent
