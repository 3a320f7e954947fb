#include <gtest/gtest.h>

#include <regex>

#include "model/dimensions.h"
#include "model/instance.h"

namespace dbinsight::model {
namespace {

TEST(DimensionsTest, LooksUpGroupsAndDimensions) {
  EXPECT_EQ(GroupByName("db.sql_tokenized"), Group::kSqlTokenized);
  EXPECT_FALSE(GroupByName("db.nope"));
  auto d = DimensionByName("db.user.name");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->group, Group::kUser);
  EXPECT_EQ(d->index, dim::kUserName);
  EXPECT_EQ(Info(Group::kDb).dimensions[0], "db.name");
}

TEST(InstanceTest, ResourceIdIsStableAndWellFormed) {
  std::string a = DeriveResourceId("demo-pg");
  EXPECT_EQ(a, DeriveResourceId("demo-pg"));
  EXPECT_NE(a, DeriveResourceId("demo-pg2"));
  EXPECT_TRUE(std::regex_match(a, std::regex("db-[A-Z0-9]{26}")));
}

}  // namespace
}  // namespace dbinsight::model
