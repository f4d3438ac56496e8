// Config precedence and the YAML config file (yaml-cpp; its exceptions are caught at the call).
#include "controlplane/cli/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace cairn::controlplane::cli {
namespace {

std::optional<std::string> NonEmpty(std::optional<std::string> value) {
  if (value && value->empty()) {
    return std::nullopt;
  }
  return value;
}

const std::optional<std::string>& First(const std::optional<std::string>& a,
                                        const std::optional<std::string>& b,
                                        const std::optional<std::string>& c) {
  return a ? a : (b ? b : c);
}

// Reads one string key of the top-level mapping into `out`.
Status ReadKey(const std::string& key, const YAML::Node& value, std::string_view origin,
               std::optional<std::string>& out) {
  if (value.IsNull()) {
    out = std::nullopt;
    return Status::Ok();
  }
  if (!value.IsScalar()) {
    return Status::InvalidArgument("config file " + std::string(origin) + ": key '" + key +
                                   "' must be a string");
  }
  out = NonEmpty(value.as<std::string>());
  return Status::Ok();
}

Result<PartialConfig> ParseConfigNode(const YAML::Node& root, std::string_view origin) {
  PartialConfig config;
  if (root.IsNull()) {
    return config;
  }
  if (!root.IsMap()) {
    return Status::InvalidArgument("config file " + std::string(origin) +
                                   ": expected a mapping with keys addr, token, ca_file");
  }
  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    std::optional<std::string>* target = key == "addr"      ? &config.addr
                                         : key == "token"   ? &config.token
                                         : key == "ca_file" ? &config.ca_file
                                                            : nullptr;
    if (target == nullptr) {
      return Status::InvalidArgument("config file " + std::string(origin) + ": unknown key '" +
                                     key + "' (known: addr, token, ca_file)");
    }
    CAIRN_RETURN_IF_ERROR(ReadKey(key, entry.second, origin, *target));
  }
  return config;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

PartialConfig ConfigFromEnv(const EnvLookup& env) {
  return {.addr = NonEmpty(env("CAIRN_ADDR")),
          .token = NonEmpty(env("CAIRN_TOKEN")),
          .ca_file = NonEmpty(env("CAIRN_CA_FILE"))};
}

Result<PartialConfig> ParseConfigYaml(std::string_view text, std::string_view origin) {
  try {
    return ParseConfigNode(YAML::Load(std::string(text)), origin);
  } catch (const YAML::Exception& e) {
    // e.mark.line is 0-based; -1 when yaml-cpp knows no position.
    std::string where = e.mark.line >= 0 ? ": line " + std::to_string(e.mark.line + 1) : "";
    return Status::InvalidArgument("config file " + std::string(origin) + where + ": " + e.msg);
  }
}

std::string ConfigFilePath(const EnvLookup& env) {
  if (std::optional<std::string> explicit_path = NonEmpty(env("CAIRN_CONFIG"))) {
    return *explicit_path;
  }
  std::optional<std::string> home = NonEmpty(env("HOME"));
  if (!home) {
    return "";
  }
  return *home + "/.config/cairn/config.yaml";
}

Result<PartialConfig> LoadConfigFile(const EnvLookup& env) {
  std::string path = ConfigFilePath(env);
  bool explicit_path = NonEmpty(env("CAIRN_CONFIG")).has_value();
  std::error_code ec;
  if (path.empty() || (!explicit_path && !std::filesystem::exists(path, ec))) {
    return PartialConfig{};
  }
  std::ifstream in(path);
  if (!in) {
    return Status::InvalidArgument("cannot read config file " + path +
                                   (explicit_path ? " (from CAIRN_CONFIG)" : ""));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfigYaml(text.str(), path);
}

ClientConfig MergeConfig(const PartialConfig& flags, const PartialConfig& env,
                         const PartialConfig& file) {
  ClientConfig config;
  config.addr = First(flags.addr, env.addr, file.addr).value_or(std::string(kDefaultAddr));
  config.token = First(flags.token, env.token, file.token).value_or("");
  config.ca_file = First(flags.ca_file, env.ca_file, file.ca_file).value_or("");
  return config;
}

}  // namespace cairn::controlplane::cli
