// The agent's own view of a replica's primary (agent.proto NodeStatus.primary_reachable): a probe
// over TCP from this host, and the streak bookkeeping that turns probe results into
// primary_reachable / primary_unreachable_ms.
#pragma once

#include <chrono>
#include <string>
#include <tuple>

namespace cairn::agent {

inline constexpr std::chrono::milliseconds kPrimaryProbePeriod{200};
inline constexpr std::chrono::milliseconds kPrimaryProbeTimeout{250};

struct PrimaryTarget {
  std::string host;
  int port = 0;
  bool tls = false;        // TCP connect alone counts: the agent holds no client TLS
  std::string auth_token;  // sent with AUTH before PING when non-empty (secret; never logged)
  bool operator<(const PrimaryTarget& o) const {
    return std::tie(host, port, tls, auth_token) < std::tie(o.host, o.port, o.tls, o.auth_token);
  }
  bool operator==(const PrimaryTarget& o) const {
    return std::tie(host, port, tls, auth_token) == std::tie(o.host, o.port, o.tls, o.auth_token);
  }
};

// One probe of `target`: a TCP connect within `timeout`; then, unless target.tls, AUTH (when a
// token is set) and PING, pipelined, whose replies must arrive within `timeout` (any reply to
// PING counts, errors such as NOAUTH or LOADING included: the engine answered). Blocking, for a
// probe thread. False on a refused or timed-out connect, a reset, or a missing reply.
bool ProbePrimary(const PrimaryTarget& target, std::chrono::milliseconds timeout);

// The failing streak of one replica's primary. Not thread-safe (the supervisor's lock guards it).
class ProbeStreak {
 public:
  using Clock = std::chrono::steady_clock;
  // Records one probe result taken at `now`.
  void Record(bool reachable, Clock::time_point now);
  // False until the first successful probe, and after any failed one.
  bool reachable() const { return probed_ && reachable_; }
  // ms since the first failed probe of the current failing streak at `now`; 0 while reachable or
  // before any probe.
  int64_t UnreachableMs(Clock::time_point now) const;

 private:
  bool probed_ = false;
  bool reachable_ = false;
  Clock::time_point failing_since_{};
};

}  // namespace cairn::agent
