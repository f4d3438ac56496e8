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
  // Client port: `port` normally; with `tls` it becomes `tls-port` and `port` is 0.
  int port = 6379;
  // Space-separated addresses to listen on ("0.0.0.0", or the host's advertise address).
  std::string bind = "127.0.0.1";
  std::string dir;  // working directory: RDB files, logs
  // Unix socket the agent talks to the node over (empty = none) and its mode (octal, e.g. 700).
  std::string unixsocket;
  std::string unixsocketperm = "700";
  int64_t maxmemory_bytes = 0;
  std::string maxmemory_policy = "noeviction";
  // Default user's password and the password this node presents to its primary (empty = none).
  // Secrets: the rendered file must be written 0600.
  std::string requirepass;
  std::string masterauth;
  // Replicate from this primary (empty host = a primary).
  std::string replicaof_host;
  int replicaof_port = 0;
  // TLS only: files (PEM) in the node directory. Clients need no certificate of their own
  // (tls-auth-clients no); the replication link uses TLS too (tls-replication yes).
  bool tls = false;
  std::string tls_cert_file, tls_key_file, tls_ca_cert_file;
  // Further parameters, in order (e.g. from the cluster's parameter group).
  std::vector<std::pair<std::string, std::string>> parameters;
};

// Quotes a value for redis.conf: bare when it has no space, quote, backslash or control byte;
// otherwise "..." with \" \\ \n \r \t and \xHH escapes (what the config loader's sdssplitargs
// reads back).
std::string QuoteConfigValue(const std::string& value);

// Returns the file text, one "name value" line per parameter (redis.conf names: port or tls-port,
// bind, unixsocket, maxmemory, requirepass, masterauth, replicaof, tls-*, and a
// proc-title-template that shows the config file), then `parameters`.
// Empty optional settings are left out. InvalidArgument when a parameter name is empty or contains
// anything but [a-z0-9-], a port is out of range, or TLS lacks a file.
Result<std::string> RenderNodeConfig(const NodeConfig& config);

}  // namespace cairn::agent
