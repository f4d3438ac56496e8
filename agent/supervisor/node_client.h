// The agent's connection to one node: hiredis over the node's unix socket (so TLS nodes need no
// client TLS here), or over TCP to a node on another host (plain text only). Blocking, with a
// deadline per call. Never logs arguments (they carry secrets).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/base/status.h"

struct redisContext;

namespace cairn::agent {

class NodeClient {
 public:
  // Connects to `socket` and, when `password` is non-empty, sends AUTH. Every call, the connect
  // included, is bounded by `timeout`. Unavailable when the node does not answer;
  // FailedPrecondition when AUTH is refused.
  static Result<std::unique_ptr<NodeClient>> Connect(const std::filesystem::path& socket,
                                                     const std::string& password,
                                                     std::chrono::milliseconds timeout);
  // The same over TCP to `host`:`port` (no TLS), for a node of another host.
  static Result<std::unique_ptr<NodeClient>> ConnectTcp(const std::string& host, int port,
                                                        const std::string& password,
                                                        std::chrono::milliseconds timeout);
  ~NodeClient();

  // Sends one command; returns a status, bulk or integer reply as text (arrays and nil as "").
  // An error reply becomes FailedPrecondition with the node's text; I/O failures Unavailable.
  Result<std::string> Command(const std::vector<std::string>& args);

  // INFO `section` parsed into field -> value (Redis's "name:value" lines).
  Result<std::map<std::string, std::string>> Info(const std::string& section);

 private:
  explicit NodeClient(redisContext* context) : context_(context) {}
  // Checks the connect, sets the call timeout and sends AUTH; `where` names the peer in errors.
  static Result<std::unique_ptr<NodeClient>> Finish(redisContext* context, const std::string& where,
                                                    const std::string& password,
                                                    std::chrono::milliseconds timeout);
  redisContext* context_;
};

// Parses INFO text ("# Section\r\nname:value\r\n...") into field -> value.
std::map<std::string, std::string> ParseInfo(const std::string& text);

// The value of INFO field `name` in `info`, "" when absent.
std::string InfoField(const std::map<std::string, std::string>& info, const std::string& name);

}  // namespace cairn::agent
