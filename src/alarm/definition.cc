// AlarmDefinition: enum spellings and PutMetricAlarm validation.
#include "alarm/definition.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace dbinsight::alarm {
namespace {

constexpr std::array<std::pair<ComparisonOperator, std::string_view>, 7> kOperators{{
    {ComparisonOperator::kGreaterThanOrEqualToThreshold, "GreaterThanOrEqualToThreshold"},
    {ComparisonOperator::kGreaterThanThreshold, "GreaterThanThreshold"},
    {ComparisonOperator::kLessThanThreshold, "LessThanThreshold"},
    {ComparisonOperator::kLessThanOrEqualToThreshold, "LessThanOrEqualToThreshold"},
    {ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold, "LessThanLowerOrGreaterThanUpperThreshold"},
    {ComparisonOperator::kLessThanLowerThreshold, "LessThanLowerThreshold"},
    {ComparisonOperator::kGreaterThanUpperThreshold, "GreaterThanUpperThreshold"},
}};

constexpr std::array<std::pair<TreatMissingData, std::string_view>, 4> kTreatments{{
    {TreatMissingData::kMissing, "missing"},
    {TreatMissingData::kNotBreaching, "notBreaching"},
    {TreatMissingData::kBreaching, "breaching"},
    {TreatMissingData::kIgnore, "ignore"},
}};

constexpr std::array<std::pair<Statistic, std::string_view>, 5> kStatistics{{
    {Statistic::kSampleCount, "SampleCount"},
    {Statistic::kAverage, "Average"},
    {Statistic::kSum, "Sum"},
    {Statistic::kMinimum, "Minimum"},
    {Statistic::kMaximum, "Maximum"},
}};

// StandardUnit (reference/cloudwatch-api.md §3).
constexpr std::array<std::string_view, 27> kUnits{
    "Seconds",          "Microseconds",     "Milliseconds", "Bytes",           "Kilobytes",        "Megabytes",
    "Gigabytes",        "Terabytes",        "Bits",         "Kilobits",        "Megabits",         "Gigabits",
    "Terabits",         "Percent",          "Count",        "Bytes/Second",    "Kilobytes/Second", "Megabytes/Second",
    "Gigabytes/Second", "Terabytes/Second", "Bits/Second",  "Kilobits/Second", "Megabits/Second",  "Gigabits/Second",
    "Terabits/Second",  "Count/Second",     "None",
};

template <typename E, size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  DBI_CHECK(false && "enum value without a name");
  return {};
}

template <typename E, size_t N>
Result<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s,
                  std::string_view parameter) {
  std::string valid;
  for (const auto& [value, name] : table) {
    if (name == s) return value;
    valid += valid.empty() ? "" : ", ";
    valid += name;
  }
  return Status::InvalidArgument(fmt::format("Invalid value '{}' for {}. Valid values are: {}", s, parameter, valid));
}

// The wording AWS's request validation uses for constraints of the API model
// (lengths, ranges, enums): "1 validation error detected: Value 'x' at
// 'alarmName' failed to satisfy constraint: Member must ...".
Status ModelViolation(std::string_view value, std::string_view member, std::string_view constraint) {
  return Status::InvalidArgument(
      fmt::format("1 validation error detected: Value '{}' at '{}' failed to satisfy constraint: Member must {}", value,
                  member, constraint));
}

Status CheckLength(std::string_view value, std::string_view member, size_t min, size_t max) {
  if (value.size() < min) {
    return ModelViolation(value, member, fmt::format("have length greater than or equal to {}", min));
  }
  if (value.size() > max) {
    return ModelViolation(value, member, fmt::format("have length less than or equal to {}", max));
  }
  return Status::Ok();
}

Status CheckActions(const std::vector<std::string>& actions, std::string_view member) {
  if (actions.size() > 5) {
    return ModelViolation(fmt::format("[{}]", fmt::join(actions, ", ")), member, "have length less than or equal to 5");
  }
  for (size_t i = 0; i < actions.size(); ++i) {
    DBI_RETURN_IF_ERROR(CheckLength(actions[i], fmt::format("{}.{}.member", member, i + 1), 1, 1024));
  }
  return Status::Ok();
}

// "p" followed by a number from 0 to 100 with at most two decimals
// (PutMetricAlarm, ExtendedStatistic: "a value between p0.0 and p100").
bool IsPercentile(std::string_view s) {
  if (s.size() < 2 || s[0] != 'p') return false;
  s.remove_prefix(1);
  const size_t dot = s.find('.');
  auto digits = [](std::string_view d) {
    return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(s.substr(0, dot))) return false;
  if (dot != std::string_view::npos && (!digits(s.substr(dot + 1)) || s.size() - dot - 1 > 2)) return false;
  double value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value <= 100;
}

bool ValidPeriod(int64_t seconds) { return seconds == 10 || seconds == 20 || seconds == 30 || seconds % 60 == 0; }

Status CheckDimensions(const std::vector<Dimension>& dimensions, std::string_view member) {
  if (dimensions.size() > 30) {
    return ModelViolation(fmt::format("{} dimensions", dimensions.size()), member,
                          "have length less than or equal to 30");
  }
  for (size_t i = 0; i < dimensions.size(); ++i) {
    DBI_RETURN_IF_ERROR(CheckLength(dimensions[i].name, fmt::format("{}.{}.member.name", member, i + 1), 1, 255));
    DBI_RETURN_IF_ERROR(CheckLength(dimensions[i].value, fmt::format("{}.{}.member.value", member, i + 1), 1, 1024));
  }
  return Status::Ok();
}

Status CheckUnit(const std::string& unit, std::string_view member) {
  if (!unit.empty() && std::find(kUnits.begin(), kUnits.end(), unit) == kUnits.end()) {
    return ModelViolation(unit, member, fmt::format("satisfy enum value set: [{}]", fmt::join(kUnits, ", ")));
  }
  return Status::Ok();
}

bool IsStandardStatistic(std::string_view s) {
  return std::any_of(kStatistics.begin(), kStatistics.end(), [&](const auto& e) { return e.second == s; });
}

// A Metrics entry on its own: its Id, and a valid MetricStat or an expression.
Status CheckQuery(const MetricDataQuery& q, size_t i) {
  const std::string member = fmt::format("metrics.{}.member", i + 1);
  DBI_RETURN_IF_ERROR(CheckLength(q.id, member + ".id", 1, 255));
  const bool id_ok = q.id[0] >= 'a' && q.id[0] <= 'z' && std::all_of(q.id.begin(), q.id.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                     });
  if (!id_ok) {
    return Status::InvalidArgument(fmt::format(
        "Invalid metrics list: the Id '{}' must start with a lowercase letter and hold only letters, digits and '_'.",
        q.id));
  }
  if (q.metric_stat.has_value() == !q.expression.empty()) {
    return Status::InvalidArgument(fmt::format(
        "Invalid metrics list: exactly one of MetricStat and Expression must be specified for the metric {}.", q.id));
  }
  DBI_RETURN_IF_ERROR(CheckLength(q.expression, member + ".expression", 0, 2048));
  if (!q.metric_stat) return Status::Ok();
  const MetricStatQuery& m = *q.metric_stat;
  const std::string stat_member = member + ".metricStat";
  DBI_RETURN_IF_ERROR(CheckLength(m.metric_namespace, stat_member + ".metric.namespace", 1, 255));
  DBI_RETURN_IF_ERROR(CheckLength(m.metric_name, stat_member + ".metric.metricName", 1, 255));
  DBI_RETURN_IF_ERROR(CheckDimensions(m.dimensions, stat_member + ".metric.dimensions"));
  if (!IsStandardStatistic(m.stat) && !IsPercentile(m.stat)) {
    return Status::InvalidArgument(fmt::format(
        "Invalid metrics list: the Stat '{}' of the metric {} must be SampleCount, Average, Sum, Minimum, Maximum or "
        "a percentile such as p99.",
        m.stat, q.id));
  }
  if (m.period.count() < 1) {
    return ModelViolation(std::to_string(m.period.count()), stat_member + ".period",
                          "have value greater than or equal to 1");
  }
  if (!ValidPeriod(m.period.count())) return Status::InvalidArgument("Period must be 10, 20, 30 or a multiple of 60");
  return CheckUnit(m.unit, stat_member + ".unit");
}

// PutMetricAlarm's rules for the Metrics list (metric math and anomaly band
// alarms). Texts of AWS's ValidationErrors where they are known.
Status CheckMetrics(const AlarmDefinition& d) {
  const std::pair<bool, std::string_view> single[] = {{!d.metric_namespace.empty(), "Namespace"},
                                                      {!d.metric_name.empty(), "MetricName"},
                                                      {!d.dimensions.empty(), "Dimensions"},
                                                      {d.statistic.has_value(), "Statistic"},
                                                      {!d.extended_statistic.empty(), "ExtendedStatistic"},
                                                      {d.period.count() != 0, "Period"},
                                                      {!d.unit.empty(), "Unit"}};
  for (const auto& [set, parameter] : single) {
    // AWS: "Unit should not be set if list of Metrics is set."
    if (set) return Status::InvalidArgument(fmt::format("{} should not be set if list of Metrics is set.", parameter));
  }
  if (d.metrics.size() > 20) {
    return ModelViolation(fmt::format("{} metrics", d.metrics.size()), "metrics",
                          "have length less than or equal to 20");
  }
  std::chrono::seconds period{0};
  for (size_t i = 0; i < d.metrics.size(); ++i) {
    const MetricDataQuery& q = d.metrics[i];
    DBI_RETURN_IF_ERROR(CheckQuery(q, i));
    for (size_t j = 0; j < i; ++j) {
      if (d.metrics[j].id == q.id) {
        return Status::InvalidArgument(
            fmt::format("Invalid metrics list: the Id '{}' is used by more than one metric.", q.id));
      }
    }
    if (!q.metric_stat) continue;
    if (period.count() != 0 && q.metric_stat->period != period) {
      return Status::InvalidArgument("Invalid metrics list: every MetricStat of an alarm must have the same Period.");
    }
    period = q.metric_stat->period;
  }
  if (period.count() == 0) {
    return Status::InvalidArgument("Invalid metrics list: at least one metric must have a MetricStat.");
  }
  const auto returned = std::count_if(d.metrics.begin(), d.metrics.end(), [](const auto& q) { return q.return_data; });
  if (!IsBandOperator(d.comparison_operator)) {
    if (returned != 1) return Status::InvalidArgument("Exactly one element of the metrics list should return data.");
    if (IsBandExpression(d.WatchedMetric()->expression)) {
      return Status::InvalidArgument(fmt::format(
          "An ANOMALY_DETECTION_BAND can only be watched with an anomaly detection band ComparisonOperator, not {}.",
          Name(d.comparison_operator)));
    }
    return Status::Ok();
  }
  const auto matching = std::count_if(d.metrics.begin(), d.metrics.end(), [&](const MetricDataQuery& q) {
    return q.return_data && q.id == d.threshold_metric_id;
  });
  if (matching != 1) {
    return Status::InvalidArgument(
        "Metrics list must contain exactly one metric matching the ThresholdMetricId parameter");
  }
  if (!IsBandExpression(d.ThresholdMetric()->expression)) {
    return Status::InvalidArgument(fmt::format(
        "ThresholdMetricId must be the Id of an ANOMALY_DETECTION_BAND expression in Metrics; '{}' is not one.",
        d.threshold_metric_id));
  }
  if (returned != 2) return Status::InvalidArgument("Exactly two elements of the metrics list should return data.");
  if (IsBandExpression(d.WatchedMetric()->expression)) {
    return Status::InvalidArgument("Invalid metrics list: the metric the alarm watches cannot be a band as well.");
  }
  return Status::Ok();
}

}  // namespace

bool IsBandExpression(std::string_view e) {
  while (!e.empty() && (e.front() == ' ' || e.front() == '\t' || e.front() == '\n')) e.remove_prefix(1);
  constexpr std::string_view kBand = "ANOMALY_DETECTION_BAND";
  if (!e.starts_with(kBand)) return false;
  e.remove_prefix(kBand.size());
  while (!e.empty() && (e.front() == ' ' || e.front() == '\t' || e.front() == '\n')) e.remove_prefix(1);
  return e.starts_with('(');
}

std::string_view Name(ComparisonOperator op) { return NameIn(kOperators, op); }
std::string_view Name(TreatMissingData t) { return NameIn(kTreatments, t); }
std::string_view Name(Statistic s) { return NameIn(kStatistics, s); }

Result<ComparisonOperator> ParseComparisonOperator(std::string_view s) {
  return ParseIn(kOperators, s, "ComparisonOperator");
}
Result<TreatMissingData> ParseTreatMissingData(std::string_view s) {
  return ParseIn(kTreatments, s, "TreatMissingData");
}
Result<Statistic> ParseStatistic(std::string_view s) { return ParseIn(kStatistics, s, "Statistic"); }

bool IsBandOperator(ComparisonOperator op) {
  return op == ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold ||
         op == ComparisonOperator::kLessThanLowerThreshold || op == ComparisonOperator::kGreaterThanUpperThreshold;
}

TreatMissingData AlarmDefinition::EffectiveTreatMissingData() const {
  if (treat_missing_data) return *treat_missing_data;
  return metric_namespace == "AWS/DynamoDB" ? TreatMissingData::kIgnore : TreatMissingData::kMissing;
}

std::string AlarmDefinition::StatisticName() const {
  return statistic ? std::string(Name(*statistic)) : extended_statistic;
}

std::chrono::seconds AlarmDefinition::EvaluationPeriod() const {
  if (metrics.empty()) return period;
  for (const MetricDataQuery& q : metrics) {
    if (q.metric_stat) return q.metric_stat->period;
  }
  return std::chrono::seconds{0};
}

const MetricDataQuery* AlarmDefinition::WatchedMetric() const {
  for (const MetricDataQuery& q : metrics) {
    if (q.return_data && !(IsBandOperator(comparison_operator) && q.id == threshold_metric_id)) return &q;
  }
  return nullptr;
}

const MetricDataQuery* AlarmDefinition::ThresholdMetric() const {
  for (const MetricDataQuery& q : metrics) {
    if (q.id == threshold_metric_id) return &q;
  }
  return nullptr;
}

Status AlarmDefinition::ValidateSingleMetric() const {
  if (metric_namespace.empty()) return Status::InvalidArgument("The parameter Namespace is required.");
  DBI_RETURN_IF_ERROR(CheckLength(metric_namespace, "namespace", 1, 255));
  if (metric_namespace[0] == ':') {
    return ModelViolation(metric_namespace, "namespace", "satisfy regular expression pattern: [^:].*");
  }
  if (metric_name.empty()) return Status::InvalidArgument("The parameter MetricName is required.");
  DBI_RETURN_IF_ERROR(CheckLength(metric_name, "metricName", 1, 255));
  if (dimensions.size() > 30) {
    return ModelViolation(fmt::format("{} dimensions", dimensions.size()), "dimensions",
                          "have length less than or equal to 30");
  }
  for (size_t i = 0; i < dimensions.size(); ++i) {
    DBI_RETURN_IF_ERROR(CheckLength(dimensions[i].name, fmt::format("dimensions.{}.member.name", i + 1), 1, 255));
    DBI_RETURN_IF_ERROR(CheckLength(dimensions[i].value, fmt::format("dimensions.{}.member.value", i + 1), 1, 1024));
  }

  if (statistic && !extended_statistic.empty()) {
    return Status::InvalidArgument(
        "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.");
  }
  if (!statistic && extended_statistic.empty()) {
    return Status::InvalidArgument("Exactly one of the parameters Statistic or ExtendedStatistic must be specified.");
  }
  if (!statistic && !IsPercentile(extended_statistic)) {
    return Status::InvalidArgument(fmt::format(
        "The parameter ExtendedStatistic must be a percentile between p0.0 and p100, such as p99 or p99.9; got '{}'.",
        extended_statistic));
  }
  return CheckUnit(unit, "unit");
}

Status AlarmDefinition::ValidateComparison() const {
  const std::string_view op = Name(comparison_operator);
  if (IsBandOperator(comparison_operator)) {
    // AWS's ValidationError texts.
    if (threshold_metric_id.empty()) {
      return Status::InvalidArgument("ComparisonOperators for ranges require ThresholdMetricId to be set");
    }
    if (threshold) return Status::InvalidArgument("Threshold and ThresholdMetricId cannot both be set");
    if (metrics.empty()) {
      return Status::InvalidArgument(
          "Metrics list must contain exactly one metric matching the ThresholdMetricId parameter");
    }
  } else {
    if (!threshold) {
      return Status::InvalidArgument(fmt::format("Threshold is required for ComparisonOperator {}.", op));
    }
    if (!std::isfinite(*threshold)) {
      return Status::InvalidArgument(
          fmt::format("The parameter Threshold must be a finite number; got {}.", *threshold));
    }
    if (!threshold_metric_id.empty()) {
      return Status::InvalidArgument(fmt::format(
          "ThresholdMetricId can only be used with an anomaly detection band ComparisonOperator, not {}.", op));
    }
  }
  return Status::Ok();
}

Status AlarmDefinition::Validate() const {
  if (name.empty()) return Status::InvalidArgument("The parameter AlarmName is required.");
  DBI_RETURN_IF_ERROR(CheckLength(name, "alarmName", 1, 255));
  DBI_RETURN_IF_ERROR(CheckLength(description, "alarmDescription", 0, 1024));

  // A Metrics alarm's comparison decides which Metrics rules apply, so it
  // is checked first; a single-metric alarm's metric comes first.
  if (!metrics.empty()) {
    DBI_RETURN_IF_ERROR(ValidateComparison());
    DBI_RETURN_IF_ERROR(CheckMetrics(*this));
  } else {
    DBI_RETURN_IF_ERROR(ValidateSingleMetric());
  }

  const int64_t period_s = EvaluationPeriod().count();
  if (period_s < 1) return ModelViolation(std::to_string(period_s), "period", "have value greater than or equal to 1");
  if (!ValidPeriod(period_s)) return Status::InvalidArgument("Period must be 10, 20, 30 or a multiple of 60");
  if (evaluation_periods < 1) {
    return ModelViolation(std::to_string(evaluation_periods), "evaluationPeriods",
                          "have value greater than or equal to 1");
  }
  if (datapoints_to_alarm && *datapoints_to_alarm < 1) {
    return ModelViolation(std::to_string(*datapoints_to_alarm), "datapointsToAlarm",
                          "have value greater than or equal to 1");
  }
  if (DatapointsToAlarm() > evaluation_periods) {
    return Status::InvalidArgument("DatapointsToAlarm must be less than or equal to EvaluationPeriods");
  }
  // PutMetricAlarm, Period: "Period multiplied by EvaluationPeriods can't be
  // more than 604,800 seconds. For alarms with a period of less than one hour
  // (3,600 seconds), the total evaluation period can't be longer than one day".
  const int64_t window_s = period_s * evaluation_periods;
  if (period_s < 3600 && window_s > 86400) {
    return Status::InvalidArgument(
        "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400) for alarms "
        "using period < 3600");
  }
  if (window_s > 604800) {
    return Status::InvalidArgument(
        "Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800) for alarms "
        "using period >= 3600");
  }

  if (metrics.empty()) DBI_RETURN_IF_ERROR(ValidateComparison());

  DBI_RETURN_IF_ERROR(CheckActions(ok_actions, "oKActions"));
  DBI_RETURN_IF_ERROR(CheckActions(alarm_actions, "alarmActions"));
  DBI_RETURN_IF_ERROR(CheckActions(insufficient_data_actions, "insufficientDataActions"));
  return Status::Ok();
}

}  // namespace dbinsight::alarm
