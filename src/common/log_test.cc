#include "common/log.h"

#include <gtest/gtest.h>

namespace dbinsight::log {
namespace {

TEST(RedactDsnTest, HidesKeywordAndUriPasswords) {
  EXPECT_EQ(RedactDsn("host=x password=secret user=m"), "host=x password=*** user=m");
  EXPECT_EQ(RedactDsn("host=x password = 'a b' user=m"), "host=x password = *** user=m");
  EXPECT_EQ(RedactDsn("postgresql://mon:s3cr3t@h:5432/db"), "postgresql://mon:***@h:5432/db");
  EXPECT_EQ(RedactDsn("host=x user=m"), "host=x user=m");
}

}  // namespace
}  // namespace dbinsight::log
