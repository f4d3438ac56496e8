#include "controlplane/cli/progress.h"

#include <gtest/gtest.h>

namespace cairn::controlplane::cli {
namespace {

using Lines = std::vector<std::string>;

v1::Operation Op(v1::OperationState state, int percent) {
  v1::Operation op;
  op.set_id("op-1");
  op.set_type("CreateCluster");
  op.set_resource("clusters/demo");
  op.set_state(state);
  op.set_progress_percent(percent);
  return op;
}

void AddStep(v1::Operation& op, const std::string& name, v1::OperationState state,
             const std::string& detail = "") {
  v1::OperationStep* step = op.add_steps();
  step->set_name(name);
  step->set_state(state);
  step->set_detail(detail);
}

TEST(ProgressTest, LineFormat) {
  EXPECT_EQ(ProgressLine(40, "start demo-0001-002", "SUCCEEDED", ""),
            "[ 40%] start demo-0001-002 ... SUCCEEDED");
  EXPECT_EQ(ProgressLine(100, "place nodes", "FAILED", "no host in zone c"),
            "[100%] place nodes ... FAILED (no host in zone c)");
  EXPECT_EQ(ProgressLine(-5, "x", "", ""), "[  0%] x ... PENDING");
  EXPECT_EQ(ProgressLine(250, "x", "RUNNING", ""), "[100%] x ... RUNNING");
}

TEST(ProgressTest, PrintsEachChangeOnce) {
  ProgressRenderer renderer;
  v1::Operation op = Op(v1::OPERATION_STATE_RUNNING, 0);
  AddStep(op, "place nodes", v1::OPERATION_STATE_RUNNING);
  EXPECT_EQ(renderer.Update(op),
            (Lines{"operation op-1: CreateCluster clusters/demo", "[  0%] place nodes ... RUNNING",
                   "[  0%] operation ... RUNNING"}));
  EXPECT_EQ(renderer.Update(op), Lines{}) << "no change, no line";

  op.set_progress_percent(40);
  op.mutable_steps(0)->set_state(v1::OPERATION_STATE_SUCCEEDED);
  AddStep(op, "start demo-0001-001", v1::OPERATION_STATE_RUNNING, "port 7001");
  EXPECT_EQ(renderer.Update(op), (Lines{"[ 40%] place nodes ... SUCCEEDED",
                                        "[ 40%] start demo-0001-001 ... RUNNING (port 7001)"}));

  op.set_progress_percent(60);
  op.mutable_steps(1)->set_detail("waiting for sync");
  EXPECT_EQ(renderer.Update(op),
            Lines{"[ 60%] start demo-0001-001 ... RUNNING (waiting for sync)"});

  op.set_progress_percent(100);
  op.set_state(v1::OPERATION_STATE_SUCCEEDED);
  op.mutable_steps(1)->set_state(v1::OPERATION_STATE_SUCCEEDED);
  op.mutable_steps(1)->set_detail("");
  EXPECT_EQ(renderer.Update(op),
            (Lines{"[100%] start demo-0001-001 ... SUCCEEDED", "[100%] operation ... SUCCEEDED"}));
}

TEST(ProgressTest, ReplacedStepAtSameIndexIsPrintedAsNew) {
  ProgressRenderer renderer;
  v1::Operation op = Op(v1::OPERATION_STATE_RUNNING, 10);
  AddStep(op, "a", v1::OPERATION_STATE_RUNNING);
  renderer.Update(op);
  op.mutable_steps(0)->set_name("b");
  EXPECT_EQ(renderer.Update(op), Lines{"[ 10%] b ... RUNNING"});
}

TEST(ProgressTest, FailureTextCarriesCodeReasonAndMessage) {
  v1::Operation op = Op(v1::OPERATION_STATE_FAILED, 20);
  op.mutable_error()->set_code("RESOURCE_EXHAUSTED");
  op.mutable_error()->set_reason("CapacityUnavailable");
  op.mutable_error()->set_message("no host has 16 GiB free");
  EXPECT_EQ(OperationFailureText(op),
            "operation op-1 failed: RESOURCE_EXHAUSTED CapacityUnavailable: no host has 16 GiB "
            "free");
  v1::Operation bare = Op(v1::OPERATION_STATE_FAILED, 20);
  EXPECT_EQ(OperationFailureText(bare), "operation op-1 failed: no error details given");
  EXPECT_EQ(OperationFailureText(Op(v1::OPERATION_STATE_CANCELLED, 0)),
            "operation op-1 was cancelled");
}

TEST(ProgressTest, TerminalStates) {
  EXPECT_FALSE(IsTerminal(v1::OPERATION_STATE_PENDING));
  EXPECT_FALSE(IsTerminal(v1::OPERATION_STATE_RUNNING));
  EXPECT_TRUE(IsTerminal(v1::OPERATION_STATE_SUCCEEDED));
  EXPECT_TRUE(IsTerminal(v1::OPERATION_STATE_FAILED));
  EXPECT_TRUE(IsTerminal(v1::OPERATION_STATE_CANCELLED));
}

}  // namespace
}  // namespace cairn::controlplane::cli
