// Primary probes against real sockets: a listener that never answers, a closed port, and the
// streak bookkeeping.
#include "agent/supervisor/primary_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace cairn::agent {
namespace {

using std::chrono::milliseconds;

// A TCP listener on 127.0.0.1 that accepts (in the kernel backlog) but never replies.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(ProbePrimaryTest, SilentEngineIsUnreachableUnlessTls) {
  SilentListener listener;
  PrimaryTarget target{"127.0.0.1", listener.port(), false, "secret"};
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(ProbePrimary(target, milliseconds(250)));
  // Bounded: the read deadline, not a hang.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  target.tls = true;  // TCP connect alone counts for TLS primaries
  EXPECT_TRUE(ProbePrimary(target, milliseconds(250)));
}

TEST(ProbePrimaryTest, ClosedPortAndBadTargetsAreUnreachable) {
  int port = 0;
  {
    SilentListener gone;
    port = gone.port();
  }
  EXPECT_FALSE(ProbePrimary({"127.0.0.1", port, false, ""}, milliseconds(250)));
  EXPECT_FALSE(ProbePrimary({"127.0.0.1", port, true, ""}, milliseconds(250)));
  EXPECT_FALSE(ProbePrimary({"", 6379, false, ""}, milliseconds(250)));
  EXPECT_FALSE(ProbePrimary({"127.0.0.1", 70000, false, ""}, milliseconds(250)));
}

TEST(ProbeStreakTest, CountsFromTheFirstFailureOfAStreak) {
  using Clock = ProbeStreak::Clock;
  ProbeStreak streak;
  Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(streak.reachable());
  EXPECT_EQ(streak.UnreachableMs(t0), 0);
  streak.Record(true, t0);
  EXPECT_TRUE(streak.reachable());
  EXPECT_EQ(streak.UnreachableMs(t0 + milliseconds(500)), 0);
  streak.Record(false, t0 + milliseconds(1000));
  streak.Record(false, t0 + milliseconds(1200));
  EXPECT_FALSE(streak.reachable());
  EXPECT_EQ(streak.UnreachableMs(t0 + milliseconds(1700)), 700);
  streak.Record(true, t0 + milliseconds(2000));
  EXPECT_EQ(streak.UnreachableMs(t0 + milliseconds(2100)), 0);
  streak.Record(false, t0 + milliseconds(3000));
  EXPECT_EQ(streak.UnreachableMs(t0 + milliseconds(3050)), 50);
  ProbeStreak never_reached;
  never_reached.Record(false, t0);
  EXPECT_EQ(never_reached.UnreachableMs(t0 + milliseconds(300)), 300);
}

}  // namespace
}  // namespace cairn::agent
