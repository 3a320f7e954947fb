// AlarmDefinition: one CloudWatch metric alarm as PutMetricAlarm configures it
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html),
// plus the AWS spellings of its enums and the parameter validation PutMetricAlarm applies.
// A plain value type: every field is a value a store can persist and the API can render.
// Thread-compatible (const methods may run concurrently).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::alarm {

// Persisted enums below carry explicit numbers: never renumber, only append.

// ComparisonOperator. The last three compare with an anomaly detection band
// (the ThresholdMetricId expression) instead of a static Threshold.
enum class ComparisonOperator : int {
  kGreaterThanOrEqualToThreshold = 1,
  kGreaterThanThreshold = 2,
  kLessThanThreshold = 3,
  kLessThanOrEqualToThreshold = 4,
  kLessThanLowerOrGreaterThanUpperThreshold = 5,
  kLessThanLowerThreshold = 6,
  kGreaterThanUpperThreshold = 7,
};

// TreatMissingData. See evaluator.h for what each does to an evaluation.
enum class TreatMissingData : int {
  kMissing = 1,
  kNotBreaching = 2,
  kBreaching = 3,
  kIgnore = 4,
};

// The standard statistics (an extended statistic such as "p99" is a string).
enum class Statistic : int {
  kSampleCount = 1,
  kAverage = 2,
  kSum = 3,
  kMinimum = 4,
  kMaximum = 5,
};

// AWS spellings ("GreaterThanThreshold", "notBreaching", "Average").
std::string_view Name(ComparisonOperator op);
std::string_view Name(TreatMissingData t);
std::string_view Name(Statistic s);
// Parse the AWS spelling; InvalidArgument names the parameter and the valid values.
Result<ComparisonOperator> ParseComparisonOperator(std::string_view s);
Result<TreatMissingData> ParseTreatMissingData(std::string_view s);
Result<Statistic> ParseStatistic(std::string_view s);

// True for the three anomaly-band operators.
bool IsBandOperator(ComparisonOperator op);

struct Dimension {
  std::string name;
  std::string value;
};

// MetricStat of a Metrics entry: the metric, the period and the statistic
// ("Average", "p99") of one series.
struct MetricStatQuery {
  std::string metric_namespace;
  std::string metric_name;
  std::vector<Dimension> dimensions;
  std::chrono::seconds period{0};
  std::string stat;
  std::string unit;  // a StandardUnit name; empty = not set
};

// One entry of PutMetricAlarm's Metrics (MetricDataQuery): a metric
// statistic or an expression over the other entries.
struct MetricDataQuery {
  std::string id;
  std::optional<MetricStatQuery> metric_stat;
  std::string expression;  // set exactly when metric_stat is not
  std::string label;       // empty = not set
  bool return_data = true;
};

// True when `expression` is an ANOMALY_DETECTION_BAND(...) call (its
// arguments are checked where expressions are parsed, metrics/).
bool IsBandExpression(std::string_view expression);

struct AlarmDefinition {
  std::string name;         // AlarmName, 1-255 characters
  std::string description;  // AlarmDescription, <= 1024 characters; may be empty
  // A single-metric alarm sets the metric members below (namespace to
  // unit, period); a metric-math or anomaly-band alarm sets `metrics`
  // instead (AWS: "If you use the Metrics parameter, you cannot include the
  // MetricName, Dimensions, Period, Namespace, Statistic, or
  // ExtendedStatistic parameters").
  std::vector<MetricDataQuery> metrics;  // <= 20
  std::string metric_namespace;
  std::string metric_name;
  std::vector<Dimension> dimensions;  // <= 30
  // Exactly one of these: a standard statistic or a percentile ("p99", "p99.9").
  std::optional<Statistic> statistic;
  std::string extended_statistic;
  std::string unit;                // a StandardUnit name; empty = not set
  std::chrono::seconds period{0};  // 10, 20, 30 or a multiple of 60
  int evaluation_periods = 0;      // N of "M out of N", >= 1
  // M of "M out of N". Unset means N, as in AWS; it also selects AWS's older
  // reason wording ("1 datapoint [...]" instead of "1 out of the last 1 datapoints [...]").
  std::optional<int> datapoints_to_alarm;
  std::optional<double> threshold;  // static operators only
  ComparisonOperator comparison_operator = ComparisonOperator::kGreaterThanThreshold;
  // Band operators only: the Id of the ANOMALY_DETECTION_BAND expression whose
  // bounds the metric is compared with.
  std::string threshold_metric_id;
  // Unset behaves as EffectiveTreatMissingData() says; DescribeAlarms omits it.
  std::optional<TreatMissingData> treat_missing_data;
  bool actions_enabled = true;
  std::vector<std::string> ok_actions;  // ARNs, <= 5 per list
  std::vector<std::string> alarm_actions;
  std::vector<std::string> insufficient_data_actions;

  // The period evaluated: `period`, or the period of the Metrics' metric
  // statistics (Validate makes them agree); 0 when there is none.
  std::chrono::seconds EvaluationPeriod() const;
  // The Metrics entry whose series the alarm watches: the one returning data
  // that is not ThresholdMetricId's band. nullptr without Metrics.
  const MetricDataQuery* WatchedMetric() const;
  // The Metrics entry named by ThresholdMetricId; nullptr when none.
  const MetricDataQuery* ThresholdMetric() const;

  // M: datapoints_to_alarm, or evaluation_periods when unset.
  int DatapointsToAlarm() const { return datapoints_to_alarm.value_or(evaluation_periods); }
  // missing by default, except that "Alarms that evaluate metrics in the
  // AWS/DynamoDB namespace default to ignore missing data" (AWS user guide,
  // "Configuring how CloudWatch alarms treat missing data").
  TreatMissingData EffectiveTreatMissingData() const;
  // The statistic as CloudWatch names it in StateReasonData ("Average",
  // "p99"); empty for a Metrics alarm.
  std::string StatisticName() const;

  // PutMetricAlarm's parameter checks. InvalidArgument with a message naming
  // the AWS parameter (e.g. "DatapointsToAlarm must be less than or equal to
  // EvaluationPeriods"); the first violation found is reported.
  Status Validate() const;

 private:
  Status ValidateSingleMetric() const;  // Namespace .. Unit
  Status ValidateComparison() const;    // Threshold / ThresholdMetricId against ComparisonOperator
};

}  // namespace dbinsight::alarm
