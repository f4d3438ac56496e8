#include "controlplane/model/names.h"

#include <gtest/gtest.h>

namespace cairn::controlplane {
namespace {

TEST(ValidateNameTest, AcceptsDnsSafeNames) {
  for (const char* ok : {"a", "demo", "shop-eu-1", "a234567890123456789012345678901234567890"}) {
    EXPECT_TRUE(ValidateName("cluster.name", ok).ok()) << ok;
  }
}

TEST(ValidateNameTest, RejectsWithFieldInMessage) {
  Status s = ValidateName("cluster.name", "Shop");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "cluster.name: must start with a lowercase letter");
  for (const char* bad :
       {"", "1abc", "a_b", "ab-", "a b", "ümlaut", "a2345678901234567890123456789012345678901"}) {
    EXPECT_FALSE(ValidateName("cluster.name", bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace cairn::controlplane
