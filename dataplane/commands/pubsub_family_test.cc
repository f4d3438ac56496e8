#include <gtest/gtest.h>

#include "dataplane/commands/command_harness.h"

namespace cairn::commands {
namespace {

TEST(PubSubFamilyTest, HarnessRuns) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"PING"}), "+PONG");
}

}  // namespace
}  // namespace cairn::commands
