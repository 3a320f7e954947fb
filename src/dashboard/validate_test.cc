// Dashboard names and bodies: what CloudWatch accepts, rejects (with the
// JSON pointer of each error) and warns about.
#include "dashboard/validate.h"

#include <gtest/gtest.h>

#include <string>

namespace dbinsight::dashboard {
namespace {

std::string WithWidget(const std::string& widget) { return R"({"widgets":[)" + widget + "]}"; }

std::vector<ValidationMessage> Errors(const std::string& body) { return ValidateBody(body).errors; }

TEST(NameTest, CloudWatchCharacterSetAndLength) {
  EXPECT_TRUE(IsValidName("RDS-Performance-db_1"));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("a.b"));
  EXPECT_TRUE(IsValidName("a.b", /*allow_dot=*/true));
  EXPECT_TRUE(IsValidName("", /*allow_dot=*/true));
  EXPECT_TRUE(IsValidName(std::string(255, 'a')));
  EXPECT_FALSE(IsValidName(std::string(256, 'a')));
}

TEST(ValidateTest, CapturedBodyIsValid) {
  const Validation v = ValidateBody(
      R"({"widgets":[{"type":"metric","x":0,"y":0,"width":12,"height":6,"properties":{"metrics":[["RDS/PerformanceInsights","DBLoad","DBInstanceIdentifier","X"]],"period":300,"stat":"Average","region":"us-east-1"}}]})");
  EXPECT_TRUE(v.errors.empty());
  EXPECT_TRUE(v.warnings.empty());
}

TEST(ValidateTest, EmptyDashboardAndTopLevelMembers) {
  EXPECT_TRUE(Errors(R"({"widgets":[]})").empty());
  EXPECT_TRUE(
      Errors(R"({"widgets":[],"start":"-PT3H","end":"P0D","periodOverride":"inherit","variables":[]})").empty());
  EXPECT_EQ(Errors(R"({"widgets":[],"periodOverride":"never"})"),
            (std::vector<ValidationMessage>{
                {"/periodOverride", "Should be equal to one of the allowed values: auto, inherit"}}));
  const Validation v = ValidateBody(R"({"widgets":[],"colour":"red"})");
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.warnings, (std::vector<ValidationMessage>{{"/colour", "Unknown property 'colour' is ignored"}}));
}

TEST(ValidateTest, BodyMustBeAnObjectWithWidgets) {
  EXPECT_EQ(Errors("not json"), (std::vector<ValidationMessage>{{"", "Should be a valid JSON object"}}));
  EXPECT_EQ(Errors("[1]"), (std::vector<ValidationMessage>{{"", "Should be a valid JSON object"}}));
  EXPECT_EQ(Errors("{}"), (std::vector<ValidationMessage>{{"", "Should have required property 'widgets'"}}));
  EXPECT_EQ(Errors(R"({"widgets":{}})"), (std::vector<ValidationMessage>{{"/widgets", "Should be array"}}));
}

TEST(ValidateTest, WidgetPlacement) {
  const std::string props = R"("properties":{"markdown":"# hi"})";
  EXPECT_TRUE(Errors(WithWidget(R"({"type":"text","x":23,"y":100,"width":1,"height":1000,)" + props + "}")).empty());
  EXPECT_EQ(Errors(WithWidget(R"({"type":"text","x":24,"width":25,"height":0,)" + props + "}")),
            (std::vector<ValidationMessage>{{"/widgets/0/x", "Should be <= 23"},
                                            {"/widgets/0/width", "Should be <= 24"},
                                            {"/widgets/0/height", "Should be >= 1"}}));
  EXPECT_EQ(Errors(WithWidget(R"({"type":"text","width":6.5,"y":"0",)" + props + "}")),
            (std::vector<ValidationMessage>{{"/widgets/0/y", "Should be integer"},
                                            {"/widgets/0/width", "Should be integer"}}));
}

TEST(ValidateTest, WidgetTypes) {
  EXPECT_EQ(Errors(WithWidget(R"({"properties":{}})")),
            (std::vector<ValidationMessage>{{"/widgets/0", "Should have required property 'type'"}}));
  EXPECT_EQ(Errors(WithWidget(R"({"type":"text"})")),
            (std::vector<ValidationMessage>{{"/widgets/0", "Should have required property 'properties'"}}));
  EXPECT_EQ(Errors(WithWidget(R"({"type":"chart","properties":{}})")),
            (std::vector<ValidationMessage>{
                {"/widgets/0/type",
                 "Should be equal to one of the allowed values: metric, text, log, alarm, explorer, custom"}}));
  const Validation explorer = ValidateBody(WithWidget(R"({"type":"explorer","properties":{"anything":1}})"));
  EXPECT_TRUE(explorer.errors.empty());
  ASSERT_EQ(explorer.warnings.size(), 1u);
  EXPECT_EQ(explorer.warnings[0].data_path, "/widgets/0/type");
}

TEST(ValidateTest, TextLogAndAlarmWidgets) {
  EXPECT_EQ(Errors(WithWidget(R"({"type":"text","properties":{"background":"blue"}})")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties", "Should have required property 'markdown'"},
                                            {"/widgets/0/properties/background",
                                             "Should be equal to one of the allowed values: solid, transparent"}}));
  EXPECT_TRUE(
      Errors(
          WithWidget(
              R"({"type":"log","properties":{"query":"SOURCE 'g' | fields @message","region":"us-east-1","view":"table"}})"))
          .empty());
  EXPECT_EQ(Errors(WithWidget(R"({"type":"log","properties":{"region":"us-east-1"}})")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties", "Should have required property 'query'"}}));
  EXPECT_TRUE(
      Errors(
          WithWidget(
              R"({"type":"alarm","properties":{"alarms":["arn:aws:cloudwatch:us-east-1:000000000000:alarm:RDS-CPU"],"states":["ALARM"],"sortBy":"default"}})"))
          .empty());
  EXPECT_EQ(
      Errors(WithWidget(R"({"type":"alarm","properties":{"alarms":["RDS-CPU"],"states":["RED"]}})")),
      (std::vector<ValidationMessage>{{"/widgets/0/properties/states/0",
                                       "Should be equal to one of the allowed values: ALARM, INSUFFICIENT_DATA, OK"},
                                      {"/widgets/0/properties/alarms/0",
                                       "Should be an alarm ARN: arn:aws:cloudwatch:<region>:<account>:alarm:<name>"}}));
  EXPECT_EQ(Errors(WithWidget(R"({"type":"alarm","properties":{"alarms":[]}})")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties/alarms", "Should NOT have fewer than 1 items"}}));
}

std::string Metric(const std::string& metrics, const std::string& extra = "") {
  return WithWidget(R"({"type":"metric","properties":{"region":"us-east-1")" + extra + R"(,"metrics":)" + metrics +
                    "}}");
}

TEST(ValidateTest, MetricRowsWithShorthandAndOptions) {
  EXPECT_TRUE(
      Errors(Metric(R"js([["AWS/RDS","CPUUtilization","DBInstanceIdentifier","db1"],
                                [".","ReadIOPS",".","."],
                                [".","WriteIOPS",".",".",{"yAxis":"right","label":"writes","stat":"p99","id":"w1"}],
                                [{"expression":"SUM(METRICS())","label":"total","id":"e1"}]])js",
                    R"(,"view":"gauge","stat":"Maximum","period":60,"title":"t","yAxis":{"left":{"min":0,"max":100}})"))
          .empty());
  EXPECT_TRUE(Errors(Metric(R"([["AWS/RDS","CPUUtilization"]])")).empty());
}

TEST(ValidateTest, MetricRowErrorsNameTheirPath) {
  EXPECT_EQ(
      Errors(Metric(R"([[".","CPUUtilization"]])")),
      (std::vector<ValidationMessage>{{"/widgets/0/properties/metrics/0/0",
                                       "'.' repeats the previous metric's value at this position, but it has none"}}));
  EXPECT_EQ(Errors(Metric(R"([["AWS/RDS","CPUUtilization","DBInstanceIdentifier"]])")),
            (std::vector<ValidationMessage>{
                {"/widgets/0/properties/metrics/0",
                 "Should hold a namespace, a metric name and dimension name/value pairs, then optionally an options "
                 "object"}}));
  EXPECT_EQ(Errors(Metric(R"([["AWS/RDS",5]])")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties/metrics/0/1", "Should be string"}}));
  EXPECT_EQ(Errors(Metric(R"(["AWS/RDS","CPUUtilization"])")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties/metrics/0", "Should be array"},
                                            {"/widgets/0/properties/metrics/1", "Should be array"}}));
  EXPECT_EQ(Errors(Metric(R"({})")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties/metrics", "Should be array"}}));
  EXPECT_EQ(
      Errors(Metric(R"([["AWS/RDS","CPUUtilization",{"period":7,"yAxis":"top","id":"Bad"}]])")),
      (std::vector<ValidationMessage>{
          {"/widgets/0/properties/metrics/0/2/id",
           "Should start with a lowercase letter and hold only letters, digits, '_'"},
          {"/widgets/0/properties/metrics/0/2/period", "Should be 1, 5, 10, 30 or a multiple of 60"},
          {"/widgets/0/properties/metrics/0/2/yAxis", "Should be equal to one of the allowed values: left, right"}}));
  EXPECT_EQ(Errors(Metric(R"([["AWS/RDS","CPUUtilization"]])", R"(,"view":"line","period":0)")),
            (std::vector<ValidationMessage>{
                {"/widgets/0/properties/view",
                 "Should be equal to one of the allowed values: timeSeries, singleValue, gauge, bar, pie, table"},
                {"/widgets/0/properties/period", "Should be 1, 5, 10, 30 or a multiple of 60"}}));
  EXPECT_EQ(Errors(WithWidget(R"({"type":"metric","properties":{"metrics":[]}})")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties", "Should have required property 'region'"}}));
}

TEST(ValidateTest, UnknownStatisticIsAWarning) {
  const Validation v = ValidateBody(Metric(R"([["AWS/RDS","CPUUtilization"]])", R"(,"stat":"Median")"));
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.warnings,
            (std::vector<ValidationMessage>{
                {"/widgets/0/properties/stat", "Unknown statistic 'Median'; the widget shows no data for it"}}));
}

TEST(ValidateTest, Limits) {
  std::string rows = "[";
  for (size_t i = 0; i <= kMaxMetricsPerWidget; ++i) rows += std::string(i ? "," : "") + R"(["N","M"])";
  EXPECT_EQ(Errors(Metric(rows + "]")),
            (std::vector<ValidationMessage>{{"/widgets/0/properties/metrics", "Should NOT have more than 500 items"}}));
  std::string widgets = R"({"widgets":[)";
  for (size_t i = 0; i <= kMaxWidgets; ++i)
    widgets += std::string(i ? "," : "") + R"({"type":"text","properties":{"markdown":"x"}})";
  EXPECT_EQ(Errors(widgets + "]}"),
            (std::vector<ValidationMessage>{{"/widgets", "Should NOT have more than 500 items"}}));
}

TEST(CheckBodyTest, MessagesAsCloudWatchWordsThem) {
  auto not_json = CheckBody("{");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(not_json.status().message(), "The field DashboardBody must be a valid JSON object");

  auto invalid = CheckBody(WithWidget(R"({"type":"text","properties":{}})"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().message(),
            "The dashboard body is invalid, there are 1 validation errors:\n[\n  {\n    \"dataPath\": "
            "\"/widgets/0/properties\",\n    \"message\": \"Should have required property 'markdown'\"\n  }\n]");

  auto warned = CheckBody(WithWidget(R"({"type":"custom","properties":{}})"));
  ASSERT_TRUE(warned.ok());
  EXPECT_EQ(warned->size(), 1u);

  const std::string big = R"({"widgets":[],"start":")" + std::string(kMaxBodyBytes, 'x') + R"("})";
  auto too_big = CheckBody(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().message(), "The field DashboardBody must be at most 1048576 bytes");
}

}  // namespace
}  // namespace dbinsight::dashboard
