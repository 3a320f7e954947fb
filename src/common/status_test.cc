#include "common/status.h"

#include <gtest/gtest.h>

namespace dbinsight {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

TEST(StatusTest, ResultCarriesValueOrError) {
  EXPECT_EQ(Half(4).value(), 2);
  auto r = Half(3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().ToString(), "InvalidArgument: odd");
}

}  // namespace
}  // namespace dbinsight
