// Node configuration rendering.
#include "agent/render/node_config.h"

#include "dataplane/base/strings.h"

namespace cairn::agent {
namespace {

bool NeedsQuotes(const std::string& value) {
  if (value.empty()) {
    return true;
  }
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c >= 0x7f) {
      return true;
    }
  }
  return false;
}

bool ValidParameterName(const std::string& name) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string QuoteConfigValue(const std::string& value) {
  // sdscatrepr's quoting is exactly what the config loader's sdssplitargs reads back.
  return NeedsQuotes(value) ? QuoteRepr(value) : value;
}

Result<std::string> RenderNodeConfig(const NodeConfig& config) {
  if (config.port < 0 || config.port > 65535) {
    return Status::InvalidArgument("port: must be between 0 and 65535");
  }
  std::vector<std::pair<std::string, std::string>> lines = {
      {"port", std::to_string(config.port)},
      {"bind", config.bind},
      {"maxmemory", std::to_string(config.maxmemory_bytes)},
      {"maxmemory-policy", config.maxmemory_policy},
  };
  if (!config.dir.empty()) {
    lines.emplace_back("dir", config.dir);
  }
  lines.insert(lines.end(), config.parameters.begin(), config.parameters.end());
  std::string out = "# Written by cairn-agent; changes are overwritten.\n";
  for (const auto& [name, value] : lines) {
    if (!ValidParameterName(name)) {
      return Status::InvalidArgument("parameter name '" + name + "' is not valid");
    }
    out += name;
    out += ' ';
    out += QuoteConfigValue(value);
    out += '\n';
  }
  return out;
}

}  // namespace cairn::agent
