// Renders a node's engine configuration file (redis.conf syntax) from its desired settings. The
// same file works for cairn-server and for stock redis-server (engine-agnostic, ARCHITECTURE.md
// §3).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::agent {

struct NodeConfig {
  int port = 6379;
  std::string bind = "127.0.0.1";
  std::string dir;  // working directory: RDB files, logs
  int64_t maxmemory_bytes = 0;
  std::string maxmemory_policy = "noeviction";
  // Further parameters, in order (e.g. from the cluster's parameter group).
  std::vector<std::pair<std::string, std::string>> parameters;
};

// Quotes a value for redis.conf: bare when it has no space, quote, backslash or control byte;
// otherwise "..." with \" \\ \n \r \t and \xHH escapes (what the config loader's sdssplitargs
// reads back).
std::string QuoteConfigValue(const std::string& value);

// Returns the file text, one "name value" line per parameter. InvalidArgument when a parameter
// name is empty or contains anything but [a-z0-9-], or the port is out of range.
Result<std::string> RenderNodeConfig(const NodeConfig& config);

}  // namespace cairn::agent
