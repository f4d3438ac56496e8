#include "dataplane/base/status.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(StatusTest, DefaultIsOkAndEmpty) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, NamedConstructorsCarryCodeAndMessage) {
  Status s = Status::NotFound("snapshot nightly-3");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "snapshot nightly-3");
  EXPECT_EQ(s.ToString(), "NOT_FOUND: snapshot nightly-3");
}

TEST(StatusTest, CopiesAreIndependent) {
  Status a = Status::Internal("x");
  Status b = a;
  a = Status::Ok();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(b.message(), "x");
}

Result<int> Half(int v) {
  if (v % 2 != 0) {
    return Status::InvalidArgument("odd");
  }
  return v / 2;
}

Status UseHalf(int v, int* out) {
  Result<int> r = Half(v);
  CAIRN_RETURN_IF_ERROR(r.status());
  *out = *r;
  return Status::Ok();
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, ReturnIfErrorPropagates) {
  int out = 0;
  EXPECT_TRUE(UseHalf(10, &out).ok());
  EXPECT_EQ(out, 5);
  EXPECT_EQ(UseHalf(7, &out).message(), "odd");
}

TEST(ResultDeathTest, ConstructingFromOkStatusIsABug) {
  EXPECT_DEATH({ Result<int> r{Status::Ok()}; }, "CAIRN_CHECK failed");
}

}  // namespace
}  // namespace cairn
