#include "metrics/expression.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace dbinsight::metrics {
namespace {

const std::map<std::string, Value, std::less<>>& Inputs() {
  static const std::map<std::string, Value, std::less<>> inputs = {
      {"m1", {ValueKind::kSeries, 0, {{0, 1}, {60, 2}, {120, 3}}, {}}},
      {"m2", {ValueKind::kSeries, 0, {{60, 10}, {120, 0}, {180, 5}}, {}}},
  };
  return inputs;
}

Result<ValueKind> CheckText(std::string_view text) {
  auto e = ParseExpression(text);
  if (!e.ok()) return e.status();
  return Check(e.value(), [](std::string_view id) -> std::optional<ValueKind> {
    return Inputs().contains(id) ? std::optional(ValueKind::kSeries) : std::nullopt;
  });
}

Value Eval(std::string_view text) {
  auto e = ParseExpression(text);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(CheckText(text).ok()) << CheckText(text).status().ToString();
  const std::vector<Series> metrics = {Inputs().at("m1").series, Inputs().at("m2").series};
  return Evaluate(
      e.value(), [](std::string_view id) -> const Value& { return Inputs().find(id)->second; }, metrics);
}

TEST(ExpressionTest, ArithmeticFollowsPrecedenceAndJoinsOnTimestamps) {
  EXPECT_EQ(Eval("m1*2").series, (Series{{0, 2}, {60, 4}, {120, 6}}));
  EXPECT_EQ(Eval("1 + m1 * 2 - 1").series, (Series{{0, 2}, {60, 4}, {120, 6}}));
  EXPECT_EQ(Eval("(m1 + 1) * 2").series, (Series{{0, 4}, {60, 6}, {120, 8}}));
  EXPECT_EQ(Eval("-m1 / 2").series, (Series{{0, -0.5}, {60, -1}, {120, -1.5}}));
  EXPECT_EQ(Eval("m1 + m2").series, (Series{{60, 12}, {120, 3}}));  // timestamps both have
  EXPECT_EQ(Eval("m1 / m2").series, (Series{{60, 0.2}}));           // x/0 is no data point
  EXPECT_EQ(Eval("2 * 3 + 1").scalar, 7);
  EXPECT_EQ(Eval("1e2/4").scalar, 25);
}

TEST(ExpressionTest, FunctionsOverSeriesAndArrays) {
  EXPECT_EQ(Eval("SUM(m1)").scalar, 6);
  EXPECT_EQ(Eval("AVG(m1)").scalar, 2);
  EXPECT_EQ(Eval("MAX(m2)").scalar, 10);
  EXPECT_EQ(Eval("m1 - AVG(m1)").series, (Series{{0, -1}, {60, 0}, {120, 1}}));
  EXPECT_EQ(Eval("SUM([m1, m2])").series, (Series{{0, 1}, {60, 12}, {120, 3}, {180, 5}}));
  EXPECT_EQ(Eval("AVG([m1, m2])").series, (Series{{0, 1}, {60, 6}, {120, 1.5}, {180, 5}}));
  EXPECT_EQ(Eval("MIN(METRICS())").series, (Series{{0, 1}, {60, 2}, {120, 0}, {180, 5}}));
  EXPECT_EQ(Eval("SUM(METRICS() * 2)").series, (Series{{0, 2}, {60, 24}, {120, 6}, {180, 10}}));
  EXPECT_EQ(Eval("ABS(-m1)").series, (Series{{0, 1}, {60, 2}, {120, 3}}));
}

TEST(ExpressionTest, SyntaxErrorsNameTheCharacter) {
  for (auto [text, what] : {std::pair{"m1 *", "character 5: expression ends too early"},
                            {"m1 ** 2", "character 5: unexpected '*'"},
                            {"(m1 + 2", "expected ')'"},
                            {"SUM(m1", "expected ')' or ','"},
                            {"m1 m2", "character 4: unexpected 'm'"},
                            {"m1 # 2", "unexpected '#'"},
                            {"SUM m1", "expected '(' after function SUM"},
                            {"", "ends too early"}}) {
    auto e = ParseExpression(text);
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_NE(e.status().message().find(what), std::string::npos) << text << ": " << e.status().message();
  }
}

TEST(ExpressionTest, CheckRejectsUnknownIdsFunctionsAndKinds) {
  EXPECT_EQ(CheckText("m1 + m2").value(), ValueKind::kSeries);
  EXPECT_EQ(CheckText("SUM(m1)").value(), ValueKind::kScalar);
  EXPECT_EQ(CheckText("METRICS()").value(), ValueKind::kArray);
  for (auto [text, what] : {std::pair{"m9 * 2", "no query has the id m9"},
                            {"FOO(m1)", "unknown function FOO"},
                            {"SUM(2)", "SUM needs a time series or an array"},
                            {"SUM(m1, m2)", "SUM takes one argument"},
                            {"METRICS() + m1", "cannot combine an array with a time series"},
                            {"[m1, 2]", "an array holds time series, not a number"},
                            {"ANOMALY_DETECTION_BAND()", "takes a metric id and optionally the band width"},
                            {"ANOMALY_DETECTION_BAND(m1, 2, 3)", "takes a metric id and optionally the band width"},
                            {"ANOMALY_DETECTION_BAND(2)", "first argument of ANOMALY_DETECTION_BAND must be the id"},
                            {"ANOMALY_DETECTION_BAND(m1 * 2)", "first argument of ANOMALY_DETECTION_BAND must be"},
                            {"ANOMALY_DETECTION_BAND(m9)", "no query has the id m9"},
                            {"ANOMALY_DETECTION_BAND(m1, 0)",
                             "second argument of ANOMALY_DETECTION_BAND must be a "
                             "positive number"},
                            {"ANOMALY_DETECTION_BAND(m1, -2)", "must be a positive number"},
                            {"ANOMALY_DETECTION_BAND(m1, m2)", "must be a positive number"},
                            {"ANOMALY_DETECTION_BAND(m1) * 2",
                             "character 1: an ANOMALY_DETECTION_BAND cannot be an "
                             "operand"}}) {
    auto k = CheckText(text);
    ASSERT_FALSE(k.ok()) << text;
    EXPECT_NE(k.status().message().find(what), std::string::npos) << text << ": " << k.status().message();
  }
}

TEST(ExpressionTest, BandIsAWholeExpressionWithAnOptionalWidth) {
  EXPECT_EQ(CheckText("ANOMALY_DETECTION_BAND(m1, 3.5)").value(), ValueKind::kBand);
  EXPECT_EQ(CheckText("ANOMALY_DETECTION_BAND(m1)").value(), ValueKind::kBand);
  auto band = AsBandCall(ParseExpression("ANOMALY_DETECTION_BAND(m2, 3.5)").value());
  ASSERT_TRUE(band);
  EXPECT_EQ(band->metric_id, "m2");
  EXPECT_EQ(band->k, 3.5);
  EXPECT_EQ(AsBandCall(ParseExpression("ANOMALY_DETECTION_BAND(m1)").value())->k, 2);
  EXPECT_FALSE(AsBandCall(ParseExpression("m1 * 2").value()));
  // An id naming a band query cannot feed another expression.
  auto e = ParseExpression("ad1 + 1").value();
  auto k = Check(e, [](std::string_view) -> std::optional<ValueKind> { return ValueKind::kBand; });
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("ad1 is an ANOMALY_DETECTION_BAND"), std::string::npos) << k.status().message();
}

}  // namespace
}  // namespace dbinsight::metrics
