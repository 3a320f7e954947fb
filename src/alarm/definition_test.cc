// AlarmDefinition: AWS enum spellings and PutMetricAlarm's validation messages.
#include "alarm/definition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace dbinsight::alarm {
namespace {

// The alarm of reference/wire/cloudwatch-PutMetricAlarm.txt.
AlarmDefinition HighConnections() {
  AlarmDefinition d;
  d.name = "high-connections";
  d.metric_namespace = "AWS/RDS";
  d.metric_name = "DatabaseConnections";
  d.dimensions = {{"DBInstanceIdentifier", "X"}};
  d.statistic = Statistic::kAverage;
  d.period = std::chrono::seconds(300);
  d.evaluation_periods = 2;
  d.threshold = 80.0;
  d.comparison_operator = ComparisonOperator::kGreaterThanThreshold;
  d.alarm_actions = {"arn:aws:sns:us-east-1:000000000000:alerts"};
  return d;
}

// The anomaly-detection alarm of the AWS user guide: metric m1 and its band
// ad1, both returning data, ThresholdMetricId ad1.
AlarmDefinition BandAlarm() {
  AlarmDefinition d;
  d.name = "connections-band";
  d.evaluation_periods = 2;
  d.comparison_operator = ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold;
  d.threshold_metric_id = "ad1";
  d.metrics = {
      {"m1",
       MetricStatQuery{
           "AWS/RDS", "DatabaseConnections", {{"DBInstanceIdentifier", "X"}}, std::chrono::seconds(300), "Average", ""},
       "", "", true},
      {"ad1", std::nullopt, "ANOMALY_DETECTION_BAND(m1, 2)", "DatabaseConnections (expected)", true}};
  return d;
}

TEST(DefinitionTest, ValidAlarmPasses) {
  EXPECT_TRUE(HighConnections().Validate().ok()) << HighConnections().Validate().message();
  EXPECT_TRUE(BandAlarm().Validate().ok()) << BandAlarm().Validate().message();
  AlarmDefinition math = BandAlarm();  // a metric-math alarm with a static threshold
  math.comparison_operator = ComparisonOperator::kGreaterThanThreshold;
  math.threshold_metric_id.clear();
  math.threshold = 5;
  math.metrics[0].return_data = false;
  math.metrics[1] = {"e1", std::nullopt, "m1 * 2", "doubled", true};
  EXPECT_TRUE(math.Validate().ok()) << math.Validate().message();
  EXPECT_EQ(math.EvaluationPeriod(), std::chrono::seconds(300));
  EXPECT_EQ(math.WatchedMetric()->id, "e1");
  AlarmDefinition percentile = HighConnections();
  percentile.statistic.reset();
  percentile.extended_statistic = "p99.9";
  percentile.period = std::chrono::seconds(10);
  percentile.evaluation_periods = 8640;  // 10 s * 8640 = one day, the limit
  percentile.datapoints_to_alarm = 8640;
  percentile.unit = "Count/Second";
  EXPECT_TRUE(percentile.Validate().ok()) << percentile.Validate().message();
}

TEST(DefinitionTest, ReportsViolationsNamedAfterAwsParameters) {
  struct Case {
    const char* what;
    std::function<void(AlarmDefinition&)> mutate;
    std::string message;
  };
  const std::string too_long(256, 'a');
  const Case cases[] = {
      {"no name", [](AlarmDefinition& d) { d.name.clear(); }, "The parameter AlarmName is required."},
      {"long name", [&](AlarmDefinition& d) { d.name = too_long; },
       "1 validation error detected: Value '" + too_long +
           "' at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to 255"},
      {"long description", [](AlarmDefinition& d) { d.description = std::string(1025, 'd'); },
       "1 validation error detected: Value '" + std::string(1025, 'd') +
           "' at 'alarmDescription' failed to satisfy constraint: Member must have length less than or equal to 1024"},
      {"no namespace", [](AlarmDefinition& d) { d.metric_namespace.clear(); }, "The parameter Namespace is required."},
      {"colon namespace", [](AlarmDefinition& d) { d.metric_namespace = ":x"; },
       "1 validation error detected: Value ':x' at 'namespace' failed to satisfy constraint: Member must satisfy "
       "regular expression pattern: [^:].*"},
      {"no metric", [](AlarmDefinition& d) { d.metric_name.clear(); }, "The parameter MetricName is required."},
      {"empty dimension value", [](AlarmDefinition& d) { d.dimensions[0].value.clear(); },
       "1 validation error detected: Value '' at 'dimensions.1.member.value' failed to satisfy constraint: Member "
       "must have length greater than or equal to 1"},
      {"both statistics", [](AlarmDefinition& d) { d.extended_statistic = "p99"; },
       "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both."},
      {"no statistic", [](AlarmDefinition& d) { d.statistic.reset(); },
       "Exactly one of the parameters Statistic or ExtendedStatistic must be specified."},
      {"bad percentile", [](AlarmDefinition& d) { d.statistic.reset(), d.extended_statistic = "p100.5"; },
       "The parameter ExtendedStatistic must be a percentile between p0.0 and p100, such as p99 or p99.9; got "
       "'p100.5'."},
      {"percentile decimals", [](AlarmDefinition& d) { d.statistic.reset(), d.extended_statistic = "p99.999"; },
       "The parameter ExtendedStatistic must be a percentile between p0.0 and p100, such as p99 or p99.9; got "
       "'p99.999'."},
      {"unit", [](AlarmDefinition& d) { d.unit = "Bogus"; },
       "1 validation error detected: Value 'Bogus' at 'unit' failed to satisfy constraint: Member must satisfy enum "
       "value set: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, "
       "Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, "
       "Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, "
       "Terabits/Second, Count/Second, None]"},
      {"zero period", [](AlarmDefinition& d) { d.period = std::chrono::seconds(0); },
       "1 validation error detected: Value '0' at 'period' failed to satisfy constraint: Member must have value "
       "greater than or equal to 1"},
      {"odd period", [](AlarmDefinition& d) { d.period = std::chrono::seconds(90); },
       "Period must be 10, 20, 30 or a multiple of 60"},
      {"no evaluation periods", [](AlarmDefinition& d) { d.evaluation_periods = 0; },
       "1 validation error detected: Value '0' at 'evaluationPeriods' failed to satisfy constraint: Member must "
       "have value greater than or equal to 1"},
      {"zero datapoints", [](AlarmDefinition& d) { d.datapoints_to_alarm = 0; },
       "1 validation error detected: Value '0' at 'datapointsToAlarm' failed to satisfy constraint: Member must "
       "have value greater than or equal to 1"},
      {"M > N", [](AlarmDefinition& d) { d.datapoints_to_alarm = 3; },
       "DatapointsToAlarm must be less than or equal to EvaluationPeriods"},
      {"more than a day", [](AlarmDefinition& d) { d.evaluation_periods = 289; },  // 289 * 300 s
       "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400) for alarms "
       "using period < 3600"},
      {"more than a week",
       [](AlarmDefinition& d) { d.period = std::chrono::seconds(3600), d.evaluation_periods = 169; },
       "Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800) for alarms "
       "using period >= 3600"},
      {"static without threshold", [](AlarmDefinition& d) { d.threshold.reset(); },
       "Threshold is required for ComparisonOperator GreaterThanThreshold."},
      {"infinite threshold", [](AlarmDefinition& d) { d.threshold = HUGE_VAL; },
       "The parameter Threshold must be a finite number; got inf."},
      {"static with band", [](AlarmDefinition& d) { d.threshold_metric_id = "ad1"; },
       "ThresholdMetricId can only be used with an anomaly detection band ComparisonOperator, not "
       "GreaterThanThreshold."},
      {"band without id",
       [](AlarmDefinition& d) {
         d.comparison_operator = ComparisonOperator::kGreaterThanUpperThreshold, d.threshold.reset();
       },
       "ComparisonOperators for ranges require ThresholdMetricId to be set"},
      {"band with threshold",
       [](AlarmDefinition& d) {
         d.comparison_operator = ComparisonOperator::kLessThanLowerThreshold, d.threshold_metric_id = "ad1";
       },
       "Threshold and ThresholdMetricId cannot both be set"},
      {"band without Metrics",
       [](AlarmDefinition& d) {
         d.comparison_operator = ComparisonOperator::kLessThanLowerThreshold, d.threshold_metric_id = "ad1";
         d.threshold.reset();
       },
       "Metrics list must contain exactly one metric matching the ThresholdMetricId parameter"},
      {"six actions", [](AlarmDefinition& d) { d.ok_actions = {"a", "b", "c", "d", "e", "f"}; },
       "1 validation error detected: Value '[a, b, c, d, e, f]' at 'oKActions' failed to satisfy constraint: Member "
       "must have length less than or equal to 5"},
  };
  for (const Case& c : cases) {
    AlarmDefinition d = HighConnections();
    c.mutate(d);
    const Status st = d.Validate();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_EQ(st.message(), c.message) << c.what;
  }
}

// PutMetricAlarm's rules for Metrics, with AWS's ValidationError texts
// where known (reported by CloudFormation and Terraform users).
TEST(DefinitionTest, BandAndMetricMathAlarmRules) {
  struct Case {
    const char* what;
    std::function<void(AlarmDefinition&)> mutate;
    std::string message;
  };
  const Case cases[] = {
      {"no ThresholdMetricId", [](AlarmDefinition& d) { d.threshold_metric_id.clear(); },
       "ComparisonOperators for ranges require ThresholdMetricId to be set"},
      {"Threshold too", [](AlarmDefinition& d) { d.threshold = 3; },
       "Threshold and ThresholdMetricId cannot both be set"},
      {"Statistic with Metrics", [](AlarmDefinition& d) { d.statistic = Statistic::kAverage; },
       "Statistic should not be set if list of Metrics is set."},
      {"MetricName with Metrics", [](AlarmDefinition& d) { d.metric_name = "X"; },
       "MetricName should not be set if list of Metrics is set."},
      {"Unit with Metrics", [](AlarmDefinition& d) { d.unit = "Count"; },
       "Unit should not be set if list of Metrics is set."},
      {"Period with Metrics", [](AlarmDefinition& d) { d.period = std::chrono::seconds(60); },
       "Period should not be set if list of Metrics is set."},
      {"id matches nothing", [](AlarmDefinition& d) { d.threshold_metric_id = "ad9"; },
       "Metrics list must contain exactly one metric matching the ThresholdMetricId parameter"},
      {"band not returned", [](AlarmDefinition& d) { d.metrics[1].return_data = false; },
       "Metrics list must contain exactly one metric matching the ThresholdMetricId parameter"},
      {"metric not returned", [](AlarmDefinition& d) { d.metrics[0].return_data = false; },
       "Exactly two elements of the metrics list should return data."},
      {"threshold id is no band", [](AlarmDefinition& d) { d.metrics[1].expression = "m1 * 2"; },
       "ThresholdMetricId must be the Id of an ANOMALY_DETECTION_BAND expression in Metrics; 'ad1' is not one."},
      {"static with two returned",
       [](AlarmDefinition& d) {
         d.comparison_operator = ComparisonOperator::kGreaterThanThreshold, d.threshold_metric_id.clear();
         d.threshold = 1;
       },
       "Exactly one element of the metrics list should return data."},
      {"static watching a band",
       [](AlarmDefinition& d) {
         d.comparison_operator = ComparisonOperator::kGreaterThanThreshold, d.threshold_metric_id.clear();
         d.threshold = 1, d.metrics[0].return_data = false;
       },
       "An ANOMALY_DETECTION_BAND can only be watched with an anomaly detection band ComparisonOperator, not "
       "GreaterThanThreshold."},
      {"duplicate id", [](AlarmDefinition& d) { d.metrics[1].id = "m1"; },
       "Invalid metrics list: the Id 'm1' is used by more than one metric."},
      {"bad id", [](AlarmDefinition& d) { d.metrics[1].id = "Ad1"; },
       "Invalid metrics list: the Id 'Ad1' must start with a lowercase letter and hold only letters, digits and '_'."},
      {"stat and expression", [](AlarmDefinition& d) { d.metrics[0].expression = "m2"; },
       "Invalid metrics list: exactly one of MetricStat and Expression must be specified for the metric m1."},
      {"bad stat", [](AlarmDefinition& d) { d.metrics[0].metric_stat->stat = "Median"; },
       "Invalid metrics list: the Stat 'Median' of the metric m1 must be SampleCount, Average, Sum, Minimum, Maximum "
       "or a percentile such as p99."},
      {"bad period", [](AlarmDefinition& d) { d.metrics[0].metric_stat->period = std::chrono::seconds(7); },
       "Period must be 10, 20, 30 or a multiple of 60"},
      {"no MetricStat",
       [](AlarmDefinition& d) {
         d.metrics[0] = {"m1", std::nullopt, "2 * 3", "", true};
       },
       "Invalid metrics list: at least one metric must have a MetricStat."},
      {"more than a day", [](AlarmDefinition& d) { d.evaluation_periods = 289; },
       "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400) for alarms "
       "using period < 3600"},
  };
  for (const Case& c : cases) {
    AlarmDefinition d = BandAlarm();
    c.mutate(d);
    const Status st = d.Validate();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_EQ(st.message(), c.message) << c.what;
  }
  EXPECT_TRUE(IsBandExpression(" ANOMALY_DETECTION_BAND (m1)"));
  EXPECT_FALSE(IsBandExpression("ANOMALY_DETECTION_BANDS(m1)"));
  EXPECT_FALSE(IsBandExpression("m1 + ANOMALY_DETECTION_BAND(m1)"));
}

TEST(DefinitionTest, NamesRoundTrip) {
  for (int i = 1; i <= 7; ++i) {
    const auto op = static_cast<ComparisonOperator>(i);
    Result<ComparisonOperator> parsed = ParseComparisonOperator(Name(op));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, op);
    EXPECT_EQ(IsBandOperator(op), i >= 5) << Name(op);
  }
  for (int i = 1; i <= 4; ++i) {
    const auto t = static_cast<TreatMissingData>(i);
    EXPECT_EQ(ParseTreatMissingData(Name(t)).value(), t);
  }
  for (int i = 1; i <= 5; ++i) {
    const auto s = static_cast<Statistic>(i);
    EXPECT_EQ(ParseStatistic(Name(s)).value(), s);
  }
  EXPECT_EQ(ParseTreatMissingData("NotBreaching").status().message(),
            "Invalid value 'NotBreaching' for TreatMissingData. Valid values are: missing, notBreaching, breaching, "
            "ignore");
  EXPECT_FALSE(ParseComparisonOperator("GreaterThan").ok());
}

TEST(DefinitionTest, DefaultsFollowAws) {
  AlarmDefinition d = HighConnections();
  EXPECT_EQ(d.DatapointsToAlarm(), 2);  // unset: EvaluationPeriods
  EXPECT_EQ(d.EffectiveTreatMissingData(), TreatMissingData::kMissing);
  d.metric_namespace = "AWS/DynamoDB";  // "default to ignore missing data"
  EXPECT_EQ(d.EffectiveTreatMissingData(), TreatMissingData::kIgnore);
  d.treat_missing_data = TreatMissingData::kBreaching;
  EXPECT_EQ(d.EffectiveTreatMissingData(), TreatMissingData::kBreaching);
  EXPECT_EQ(d.StatisticName(), "Average");
  d.statistic.reset();
  d.extended_statistic = "p99";
  EXPECT_EQ(d.StatisticName(), "p99");
}

}  // namespace
}  // namespace dbinsight::alarm
