// The recipe's default dashboard passes dbinsight's own validation and holds
// the four widgets the recipe describes.
#include "dashboard/recipe.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dashboard/validate.h"

namespace dbinsight::dashboard {
namespace {

TEST(RecipeTest, RdsPerformanceDashboardIsValid) {
  EXPECT_EQ(RdsPerformanceDashboardName("db1"), "RDS-Performance-db1");
  const std::string body = RdsPerformanceDashboard("db1", "eu-west-1");
  const Validation v = ValidateBody(body);
  EXPECT_TRUE(v.errors.empty()) << body;
  EXPECT_TRUE(v.warnings.empty()) << body;

  const nlohmann::json parsed = nlohmann::json::parse(body);
  const nlohmann::json& widgets = parsed.at("widgets");
  ASSERT_EQ(widgets.size(), 4u);
  EXPECT_EQ(widgets[0]["properties"]["metrics"][0],
            nlohmann::json::parse(R"(["AWS/RDS","DatabaseConnections","DBInstanceIdentifier","db1"])"));
  EXPECT_EQ(widgets[0]["properties"]["metrics"].size(), 4u);
  EXPECT_EQ(widgets[1]["properties"]["metrics"][1], nlohmann::json::parse(R"([".","ProblematicQueries",".","."])"));
  EXPECT_EQ(widgets[1]["properties"]["metrics"][0][0], "RDS/PerformanceInsights");
  EXPECT_EQ(widgets[2]["properties"]["metrics"][3][1], "WriteThroughput");
  EXPECT_EQ(widgets[3]["type"], "log");
  EXPECT_EQ(widgets[3]["properties"]["region"], "eu-west-1");
  EXPECT_NE(widgets[3]["properties"]["query"].get<std::string>().find("/aws/rds/instance/db1/slowquery"),
            std::string::npos);
  // Two columns, no overlap.
  EXPECT_EQ(widgets[3]["x"], 12);
  EXPECT_EQ(widgets[3]["y"], 6);
}

}  // namespace
}  // namespace dbinsight::dashboard
