// hiredis client for a node's unix socket.
#include "agent/supervisor/node_client.h"

#include <sys/time.h>

#include <hiredis/hiredis.h>

namespace cairn::agent {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  return timeval{static_cast<time_t>(d.count() / 1000),
                 static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

}  // namespace

Result<std::unique_ptr<NodeClient>> NodeClient::Connect(const std::filesystem::path& socket,
                                                        const std::string& password,
                                                        std::chrono::milliseconds timeout) {
  redisContext* context = redisConnectUnixWithTimeout(socket.c_str(), ToTimeval(timeout));
  return Finish(context, "node socket " + socket.string(), password, timeout);
}

Result<std::unique_ptr<NodeClient>> NodeClient::ConnectTcp(const std::string& host, int port,
                                                           const std::string& password,
                                                           std::chrono::milliseconds timeout) {
  redisContext* context = redisConnectWithTimeout(host.c_str(), port, ToTimeval(timeout));
  return Finish(context, "node " + host + ":" + std::to_string(port), password, timeout);
}

Result<std::unique_ptr<NodeClient>> NodeClient::Finish(redisContext* context,
                                                       const std::string& where,
                                                       const std::string& password,
                                                       std::chrono::milliseconds timeout) {
  if (context == nullptr) {
    return Status::Unavailable("cannot allocate a redis context");
  }
  std::unique_ptr<NodeClient> client(new NodeClient(context));
  if (context->err != 0) {
    return Status::Unavailable(where + ": " + context->errstr);
  }
  redisSetTimeout(context, ToTimeval(timeout));
  if (!password.empty()) {
    Result<std::string> auth = client->Command({"AUTH", password});
    if (!auth.ok()) {
      return auth.status().code() == StatusCode::kUnavailable
                 ? auth.status()
                 : Status::FailedPrecondition(where + " refused the agent's AUTH");
    }
  }
  return client;
}

NodeClient::~NodeClient() {
  redisFree(context_);
}

Result<std::string> NodeClient::Command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (reply == nullptr) {
    return Status::Unavailable(std::string("node connection: ") + context_->errstr);
  }
  Result<std::string> out = std::string();
  switch (reply->type) {
    case REDIS_REPLY_ERROR:
      out = Status::FailedPrecondition(std::string(reply->str, reply->len));
      break;
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_STRING:
      out = std::string(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out = std::to_string(reply->integer);
      break;
    default:
      break;
  }
  freeReplyObject(reply);
  return out;
}

Result<std::map<std::string, std::string>> NodeClient::Info(const std::string& section) {
  Result<std::string> text = Command({"INFO", section});
  if (!text.ok()) {
    return text.status();
  }
  return ParseInfo(*text);
}

std::string InfoField(const std::map<std::string, std::string>& info, const std::string& name) {
  auto it = info.find(name);
  return it == info.end() ? "" : it->second;
}

std::map<std::string, std::string> ParseInfo(const std::string& text) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    size_t colon = line.find(':');
    if (!line.empty() && line[0] != '#' && colon != std::string::npos) {
      fields[line.substr(0, colon)] = line.substr(colon + 1);
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return fields;
}

}  // namespace cairn::agent
