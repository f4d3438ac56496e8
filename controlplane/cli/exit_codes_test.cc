#include "controlplane/cli/exit_codes.h"

#include <gtest/gtest.h>

namespace cairn::controlplane::cli {
namespace {

TEST(ExitCodesTest, NumbersAreTheDocumentedOnes) {
  EXPECT_EQ(kExitOk, 0);
  EXPECT_EQ(kExitFailed, 1);
  EXPECT_EQ(kExitUsage, 2);
  EXPECT_EQ(kExitNotFound, 3);
  EXPECT_EQ(kExitUnauthenticated, 4);
}

TEST(ExitCodesTest, MapsGrpcCodes) {
  EXPECT_EQ(ExitCodeForStatus(grpc::StatusCode::OK), kExitOk);
  EXPECT_EQ(ExitCodeForStatus(grpc::StatusCode::NOT_FOUND), kExitNotFound);
  EXPECT_EQ(ExitCodeForStatus(grpc::StatusCode::UNAUTHENTICATED), kExitUnauthenticated);
  EXPECT_EQ(ExitCodeForStatus(grpc::StatusCode::PERMISSION_DENIED), kExitUnauthenticated);
  for (grpc::StatusCode code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::ALREADY_EXISTS,
        grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::RESOURCE_EXHAUSTED,
        grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::INTERNAL, grpc::StatusCode::UNIMPLEMENTED}) {
    EXPECT_EQ(ExitCodeForStatus(code), kExitFailed) << static_cast<int>(code);
  }
}

TEST(ExitCodesTest, ServerMessageIsPrintedAsIs) {
  grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT,
                      "cluster.replicas_per_shard: must be between 0 and 5, got 6");
  EXPECT_EQ(DescribeRpcError(status, "h:1", std::chrono::seconds(30)),
            "cluster.replicas_per_shard: must be between 0 and 5, got 6");
}

TEST(ExitCodesTest, TransportErrorsNameTheAddressAndDeadline) {
  std::string unavailable = DescribeRpcError(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses"),
      "127.0.0.1:1", std::chrono::seconds(30));
  EXPECT_NE(unavailable.find("cannot reach the control plane at 127.0.0.1:1"), std::string::npos);
  std::string deadline =
      DescribeRpcError(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
                       "cp:50051", std::chrono::seconds(30));
  EXPECT_EQ(deadline, "no response from cp:50051 within 30s (--timeout)");
}

TEST(ExitCodesTest, EmptyUnauthenticatedMessageExplainsWhatToDo) {
  std::string text = DescribeRpcError(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, ""), "cp:1",
                                      std::chrono::seconds(1));
  EXPECT_NE(text.find("--token"), std::string::npos);
}

TEST(ExitCodesTest, UnimplementedSaysTheControlPlaneIsOlder) {
  std::string text = DescribeRpcError(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, ""), "cp:1",
                                      std::chrono::seconds(1));
  EXPECT_EQ(text,
            "the control plane at cp:1 does not implement this call (it is older than this "
            "cairnctl)");
}

}  // namespace
}  // namespace cairn::controlplane::cli
