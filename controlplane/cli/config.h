// Where cairnctl finds the control plane and its credentials: flags, then the environment
// (CAIRN_ADDR, CAIRN_TOKEN, CAIRN_CA_FILE), then a YAML config file ($CAIRN_CONFIG or
// ~/.config/cairn/config.yaml with keys addr, token, ca_file).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dataplane/base/status.h"

namespace cairn::controlplane::cli {

inline constexpr std::string_view kDefaultAddr = "127.0.0.1:50051";

// Settings from one source; unset fields defer to the next source.
struct PartialConfig {
  std::optional<std::string> addr;
  std::optional<std::string> token;
  std::optional<std::string> ca_file;
};

// The settings a command connects with.
struct ClientConfig {
  // gRPC target, "host:port".
  std::string addr;
  // Bearer token; empty sends no authorization header. Never printed or logged.
  std::string token;
  // PEM file of the CA that signed the API's certificate; empty means plaintext.
  std::string ca_file;
};

// Reads an environment variable; nullopt when unset. Injected so tests need no real environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment.
EnvLookup ProcessEnv();

// CAIRN_ADDR / CAIRN_TOKEN / CAIRN_CA_FILE. Empty variables count as unset.
PartialConfig ConfigFromEnv(const EnvLookup& env);

// Parses the config file's text. `origin` names the file in errors. Keys: addr, token, ca_file
// (strings); an empty document is fine. Unknown keys, non-mapping documents and YAML syntax
// errors are InvalidArgument naming the file (and the line for syntax errors).
Result<PartialConfig> ParseConfigYaml(std::string_view text, std::string_view origin);

// The config file's path: $CAIRN_CONFIG when set, else $HOME/.config/cairn/config.yaml, else
// empty (no HOME).
std::string ConfigFilePath(const EnvLookup& env);

// Loads the config file. A missing default file is an empty config; a missing file named by
// $CAIRN_CONFIG, an unreadable file or bad contents are InvalidArgument.
Result<PartialConfig> LoadConfigFile(const EnvLookup& env);

// Applies precedence flags > env > file; addr defaults to kDefaultAddr.
ClientConfig MergeConfig(const PartialConfig& flags, const PartialConfig& env,
                         const PartialConfig& file);

}  // namespace cairn::controlplane::cli
