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

namespace {

using Lines = std::vector<std::pair<std::string, std::string>>;

void AddIfSet(Lines& lines, const char* name, const std::string& value) {
  if (!value.empty()) {
    lines.emplace_back(name, value);
  }
}

// Each space-separated word quoted on its own: bind takes one address per word.
std::string QuoteWords(const std::string& words) {
  std::string out;
  size_t start = 0;
  while (start < words.size()) {
    size_t end = words.find(' ', start);
    std::string word = words.substr(start, end == std::string::npos ? end : end - start);
    if (!word.empty()) {
      out += out.empty() ? "" : " ";
      out += QuoteConfigValue(word);
    }
    start = end == std::string::npos ? words.size() : end + 1;
  }
  return out.empty() ? QuoteConfigValue("") : out;
}

Status AddTls(const NodeConfig& config, Lines& lines) {
  if (config.tls_cert_file.empty() || config.tls_key_file.empty() ||
      config.tls_ca_cert_file.empty()) {
    return Status::InvalidArgument("tls: needs a certificate, a key and a CA file");
  }
  lines.emplace_back("port", "0");
  lines.emplace_back("tls-port", std::to_string(config.port));
  lines.emplace_back("tls-cert-file", config.tls_cert_file);
  lines.emplace_back("tls-key-file", config.tls_key_file);
  lines.emplace_back("tls-ca-cert-file", config.tls_ca_cert_file);
  lines.emplace_back("tls-auth-clients", "no");
  lines.emplace_back("tls-replication", "yes");
  return Status::Ok();
}

}  // namespace

Result<std::string> RenderNodeConfig(const NodeConfig& config) {
  if (config.port < 0 || config.port > 65535) {
    return Status::InvalidArgument("port: must be between 0 and 65535");
  }
  if (!config.replicaof_host.empty() &&
      (config.replicaof_port <= 0 || config.replicaof_port > 65535)) {
    return Status::InvalidArgument("replicaof: port must be between 1 and 65535");
  }
  Lines lines;
  if (config.tls) {
    CAIRN_RETURN_IF_ERROR(AddTls(config, lines));
  } else {
    lines.emplace_back("port", std::to_string(config.port));
  }
  size_t bind_line = lines.size();
  lines.emplace_back("bind", QuoteWords(config.bind));
  AddIfSet(lines, "dir", config.dir);
  if (!config.unixsocket.empty()) {
    lines.emplace_back("unixsocket", config.unixsocket);
    lines.emplace_back("unixsocketperm", config.unixsocketperm);
  }
  lines.emplace_back("maxmemory", std::to_string(config.maxmemory_bytes));
  lines.emplace_back("maxmemory-policy", config.maxmemory_policy);
  // A replica joining (creation, scaling, replacement after a failover) syncs at once: Redis
  // 7.0's default waits 5 s to batch replicas into one diskless transfer.
  lines.emplace_back("repl-diskless-sync-delay", "0");
  // `ps` shows each node's config file (in its node directory), so the nodes on one host tell
  // apart, and the supervisor still recognises its nodes by their command line after a restart.
  lines.emplace_back("proc-title-template", "{title} {listen-addr} {server-mode} {config-file}");
  AddIfSet(lines, "requirepass", config.requirepass);
  AddIfSet(lines, "masterauth", config.masterauth);
  size_t replicaof_line = SIZE_MAX;
  if (!config.replicaof_host.empty()) {
    replicaof_line = lines.size();
    // One line, two words: quoting them separately keeps each a single argument.
    lines.emplace_back("replicaof", QuoteConfigValue(config.replicaof_host) + " " +
                                        std::to_string(config.replicaof_port));
  }
  lines.insert(lines.end(), config.parameters.begin(), config.parameters.end());
  std::string out = "# Written by cairn-agent; changes are overwritten.\n";
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& [name, value] = lines[i];
    if (!ValidParameterName(name)) {
      return Status::InvalidArgument("parameter name '" + name + "' is not valid");
    }
    out += name;
    out += ' ';
    // bind and replicaof take several words, each quoted above.
    out += i == replicaof_line || i == bind_line ? value : QuoteConfigValue(value);
    out += '\n';
  }
  return out;
}

}  // namespace cairn::agent
