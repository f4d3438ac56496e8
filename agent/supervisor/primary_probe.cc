// Primary probes over TCP with hiredis (connect with a deadline, then AUTH + PING).
#include "agent/supervisor/primary_probe.h"

#include <sys/time.h>

#include <hiredis/hiredis.h>

namespace cairn::agent {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  return timeval{static_cast<time_t>(d.count() / 1000),
                 static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

// Reads one reply; true when the engine answered anything.
bool ReadReply(redisContext* context) {
  void* reply = nullptr;
  if (redisGetReply(context, &reply) != REDIS_OK || reply == nullptr) {
    return false;
  }
  freeReplyObject(reply);
  return true;
}

}  // namespace

bool ProbePrimary(const PrimaryTarget& target, std::chrono::milliseconds timeout) {
  if (target.host.empty() || target.port <= 0 || target.port > 65535) {
    return false;
  }
  redisContext* context =
      redisConnectWithTimeout(target.host.c_str(), target.port, ToTimeval(timeout));
  if (context == nullptr) {
    return false;
  }
  bool ok = context->err == 0;
  if (ok && !target.tls) {
    redisSetTimeout(context, ToTimeval(timeout));
    if (!target.auth_token.empty()) {
      const char* argv[] = {"AUTH", target.auth_token.c_str()};
      size_t lens[] = {4, target.auth_token.size()};
      redisAppendCommandArgv(context, 2, argv, lens);
    }
    redisAppendCommand(context, "PING");
    ok = (target.auth_token.empty() || ReadReply(context)) && ReadReply(context);
  }
  redisFree(context);
  return ok;
}

void ProbeStreak::Record(bool reachable, Clock::time_point now) {
  if (!reachable && (reachable_ || !probed_)) {
    failing_since_ = now;
  }
  probed_ = true;
  reachable_ = reachable;
}

int64_t ProbeStreak::UnreachableMs(Clock::time_point now) const {
  if (!probed_ || reachable_) {
    return 0;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - failing_since_).count();
}

}  // namespace cairn::agent
