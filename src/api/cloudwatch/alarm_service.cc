// AlarmService: request checks and the MetricAlarm / AlarmHistoryItem shapes.
#include "api/cloudwatch/alarm_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "api/protocol/pagination.h"
#include "api/protocol/params.h"
#include "metrics/statistics.h"

namespace dbinsight::api::cloudwatch {

namespace {

using nlohmann::json;
using protocol::ObjectReader;
using protocol::ParamErrors;
using protocol::Pattern;
using protocol::StringRule;

constexpr StringRule kAlarmName{.required = true, .min_length = 1, .max_length = 255, .pattern = Pattern::kPrintable};
constexpr StringRule kOptionalString{.min_length = 1, .max_length = 255};
constexpr StringRule kArn{.min_length = 1, .max_length = 1024};
constexpr std::array<std::string_view, 3> kStateValues = {"OK", "ALARM", "INSUFFICIENT_DATA"};
constexpr std::array<std::string_view, 3> kHistoryTypes = {"ConfigurationUpdate", "StateUpdate", "Action"};
constexpr std::array<std::string_view, 2> kAlarmTypes = {"CompositeAlarm", "MetricAlarm"};
constexpr std::array<std::string_view, 2> kScanBy = {"TimestampDescending", "TimestampAscending"};
constexpr int kDefaultDescribePage = 50;
constexpr int kDefaultHistoryPage = 100;
constexpr size_t kMaxActions = 5;
constexpr size_t kMaxNames = 100;

void AddError(ParamErrors& errors, const Status& st) {
  if (!st.ok()) errors.Add(st);
}

std::vector<std::string> Actions(ObjectReader& r, std::string_view name) {
  return r.StringList(name, {.max_items = kMaxActions}, kArn).value_or(std::vector<std::string>{});
}

std::string Arn(const Call& call, const std::string& name) {
  const std::string_view region = call.context.region.empty() ? kDefaultRegion : call.context.region;
  return fmt::format("arn:aws:cloudwatch:{}:{}:alarm:{}", region, kAccount, name);
}

json DimensionsJson(const std::vector<alarm::Dimension>& dimensions) {
  json dims = json::array();
  for (const alarm::Dimension& dim : dimensions) dims.push_back({{"Name", dim.name}, {"Value", dim.value}});
  return dims;
}

// A MetricDataQuery as DescribeAlarms shows it.
json MetricQueryJson(const alarm::MetricDataQuery& q) {
  json out = {{"Id", q.id}, {"ReturnData", q.return_data}};
  if (q.metric_stat) {
    const alarm::MetricStatQuery& m = *q.metric_stat;
    out["MetricStat"] = {{"Metric",
                          {{"Namespace", m.metric_namespace},
                           {"MetricName", m.metric_name},
                           {"Dimensions", DimensionsJson(m.dimensions)}}},
                         {"Period", m.period.count()},
                         {"Stat", m.stat}};
    if (!m.unit.empty()) out["MetricStat"]["Unit"] = m.unit;
  } else {
    out["Expression"] = q.expression;
  }
  if (!q.label.empty()) out["Label"] = q.label;
  return out;
}

json MetricAlarmJson(const alarm::StoredAlarm& a, const Call& call) {
  const alarm::AlarmDefinition& d = a.definition;
  json out = {{"AlarmName", d.name},
              {"AlarmArn", Arn(call, d.name)},
              {"AlarmConfigurationUpdatedTimestamp", ToEpochSeconds(a.configuration_updated)},
              {"ActionsEnabled", d.actions_enabled},
              {"OKActions", d.ok_actions},
              {"AlarmActions", d.alarm_actions},
              {"InsufficientDataActions", d.insufficient_data_actions},
              {"StateValue", alarm::Name(a.state.value)},
              {"StateReason", a.state.reason},
              {"StateUpdatedTimestamp", ToEpochSeconds(a.state.updated)},
              {"EvaluationPeriods", d.evaluation_periods},
              {"ComparisonOperator", alarm::Name(d.comparison_operator)},
              {"StateTransitionedTimestamp", ToEpochSeconds(a.state.transitioned)}};
  if (d.metrics.empty()) {
    out["MetricName"] = d.metric_name;
    out["Namespace"] = d.metric_namespace;
    out["Dimensions"] = DimensionsJson(d.dimensions);
    out["Period"] = d.period.count();
  } else {  // the metric lives in Metrics
    json list = json::array();
    for (const alarm::MetricDataQuery& q : d.metrics) list.push_back(MetricQueryJson(q));
    out["Metrics"] = std::move(list);
  }
  // Members AWS leaves out when they were never set.
  if (!d.description.empty()) out["AlarmDescription"] = d.description;
  if (!a.state.reason_data.empty()) out["StateReasonData"] = a.state.reason_data;
  if (d.statistic) out["Statistic"] = alarm::Name(*d.statistic);
  if (!d.extended_statistic.empty()) out["ExtendedStatistic"] = d.extended_statistic;
  if (!d.unit.empty()) out["Unit"] = d.unit;
  if (d.datapoints_to_alarm) out["DatapointsToAlarm"] = *d.datapoints_to_alarm;
  if (d.threshold) out["Threshold"] = *d.threshold;
  if (d.treat_missing_data) out["TreatMissingData"] = alarm::Name(*d.treat_missing_data);
  if (!d.threshold_metric_id.empty()) out["ThresholdMetricId"] = d.threshold_metric_id;
  return out;
}

// The page of `total` items a MaxRecords (`size_member`)/NextToken request selects.
Result<protocol::PageSlice> Page(const json& body, ObjectReader& r, size_t total, int default_size,
                                 const char* size_member = "MaxRecords") {
  const std::optional<int64_t> max = r.Int(size_member, {.min = 1, .max = 100});
  const std::optional<std::string> token = r.String("NextToken", {.min_length = 1});
  json unpaged = body;
  unpaged.erase(size_member);
  unpaged.erase("NextToken");
  protocol::PageRequest page{.max_results = static_cast<int>(max.value_or(default_size)),
                             .fingerprint = protocol::Fingerprint(unpaged.dump())};
  if (!r.errors().ok()) return r.errors().status();
  if (token) {
    auto offset = protocol::DecodePageToken(*token, page.fingerprint, "NextToken");
    if (!offset.ok()) return offset.status();
    page.offset = offset.value();
  }
  return protocol::Paginate(total, page);
}

std::vector<alarm::Dimension> ReadDimensions(ObjectReader& r) {
  std::vector<alarm::Dimension> out;
  for (ObjectReader& dim : r.ObjectList("Dimensions", {.max_items = 30})) {
    std::optional<std::string> name = dim.String("Name", kAlarmName);
    std::optional<std::string> value = dim.String("Value", {.required = true, .min_length = 1, .max_length = 1024});
    if (name && value) out.push_back({std::move(*name), std::move(*value)});
  }
  return out;
}

// The detector a Put/DeleteAnomalyDetector names: SingleMetricAnomalyDetector
// or the deprecated top-level members (aws-cli 2.9 sends those), not both.
alarm::AnomalyDetector ReadDetector(const json& body, ObjectReader& r) {
  std::optional<ObjectReader> single = r.Object("SingleMetricAnomalyDetector", false);
  if (r.Object("MetricMathAnomalyDetector", false))
    r.InvalidValue("MetricMathAnomalyDetector", "(metric math)", "metric math anomaly detectors are not supported yet");
  const bool legacy = body.is_object() && (body.contains("Namespace") || body.contains("MetricName") ||
                                           body.contains("Stat") || body.contains("Dimensions"));
  if (single && legacy)
    r.errors().Add(Status::InvalidArgument(protocol::InvalidCombinationMessage(
        "SingleMetricAnomalyDetector and the top-level Namespace, MetricName, Dimensions and Stat are mutually "
        "exclusive")));
  ObjectReader& from = single ? *single : r;
  alarm::AnomalyDetector d;
  d.metric_namespace = from.String("Namespace", kAlarmName).value_or("");
  d.metric_name = from.String("MetricName", kAlarmName).value_or("");
  d.dimensions = ReadDimensions(from);
  std::sort(d.dimensions.begin(), d.dimensions.end(),
            [](const alarm::Dimension& a, const alarm::Dimension& b) { return a.name < b.name; });
  d.stat = from.String("Stat", {.required = true, .min_length = 1, .max_length = 50}).value_or("");
  if (!d.stat.empty() && !metrics::ParseStatistic(d.stat))
    from.InvalidValue("Stat", d.stat,
                      "valid values: SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99");
  if (single) single->String("AccountId", {});  // one account
  return d;
}

// PutMetricAlarm's Metrics list: members as the API model has them; the
// rules that relate them are AlarmDefinition::Validate's.
std::vector<alarm::MetricDataQuery> ReadMetrics(ObjectReader& r) {
  std::vector<alarm::MetricDataQuery> out;
  for (ObjectReader& q : r.ObjectList("Metrics", {.max_items = 20})) {
    alarm::MetricDataQuery m;
    m.id = q.String("Id", {.required = true, .min_length = 1, .max_length = 255}).value_or("");
    m.expression = q.String("Expression", {.min_length = 1, .max_length = 2048}).value_or("");
    m.label = q.String("Label", {}).value_or("");
    m.return_data = q.Bool("ReturnData", false).value_or(true);
    q.Int("Period", {.min = 1});  // an expression's period follows its metrics'
    q.String("AccountId", {});    // one account
    if (std::optional<ObjectReader> stat = q.Object("MetricStat", false)) {
      alarm::MetricStatQuery s;
      if (std::optional<ObjectReader> metric = stat->Object("Metric", true)) {
        s.metric_namespace = metric->String("Namespace", kAlarmName).value_or("");
        s.metric_name = metric->String("MetricName", kAlarmName).value_or("");
        s.dimensions = ReadDimensions(*metric);
      }
      s.period = std::chrono::seconds(stat->Int("Period", {.required = true, .min = 1}).value_or(0));
      s.stat = stat->String("Stat", {.required = true, .min_length = 1}).value_or("");
      s.unit = stat->String("Unit", {}).value_or("");
      m.metric_stat = std::move(s);
    }
    out.push_back(std::move(m));
  }
  return out;
}

const char* DetectorStateName(metrics::TrainingState s) {
  switch (s) {
    case metrics::TrainingState::kPendingTraining:
      return "PENDING_TRAINING";
    case metrics::TrainingState::kTrainedInsufficientData:
      return "TRAINED_INSUFFICIENT_DATA";
    case metrics::TrainingState::kTrained:
      return "TRAINED";
  }
  return "PENDING_TRAINING";
}

metrics::MetricId MetricIdOf(const std::string& ns, const std::string& name,
                             const std::vector<alarm::Dimension>& dimensions) {
  metrics::MetricId id{ns, name, {}};
  for (const alarm::Dimension& d : dimensions) id.dimensions.push_back({d.name, d.value});
  std::sort(id.dimensions.begin(), id.dimensions.end());
  return id;
}

// The period a detector's state is judged at: CloudWatch's standard resolution.
constexpr int kDetectorPeriod = 60;

json DetectorJson(const alarm::AnomalyDetector& d, const char* state) {
  json dims = json::array();
  for (const alarm::Dimension& dim : d.dimensions) dims.push_back({{"Name", dim.name}, {"Value", dim.value}});
  json metric = {
      {"Namespace", d.metric_namespace}, {"MetricName", d.metric_name}, {"Dimensions", dims}, {"Stat", d.stat}};
  json out = metric;
  out["SingleMetricAnomalyDetector"] = metric;
  out["Configuration"] =
      d.configuration.empty() ? json{{"ExcludedTimeRanges", json::array()}} : json::parse(d.configuration);
  out["StateValue"] = state;
  return out;
}

bool WantsMetricAlarms(ObjectReader& r) {
  const auto types = r.StringList("AlarmTypes", {}, {.allowed = kAlarmTypes});
  return !types || types->empty() || std::find(types->begin(), types->end(), "MetricAlarm") != types->end();
}

}  // namespace

std::vector<metrics::TimeRange> ExcludedRanges(const alarm::AnomalyDetector& detector) {
  std::vector<metrics::TimeRange> out;
  if (detector.configuration.empty()) return out;
  const json config = json::parse(detector.configuration, nullptr, false);
  if (!config.is_object() || !config.contains("ExcludedTimeRanges")) return out;
  for (const json& range : config["ExcludedTimeRanges"]) {
    out.push_back({static_cast<int64_t>(std::floor(range.value("StartTime", 0.0))),
                   static_cast<int64_t>(std::ceil(range.value("EndTime", 0.0)))});
  }
  return out;
}

Result<std::vector<metrics::DataQuery>> AlarmQueries(const alarm::AlarmDefinition& def,
                                                     std::span<const alarm::AnomalyDetector> detectors) {
  std::vector<metrics::DataQuery> out;
  for (size_t i = 0; i < def.metrics.size(); ++i) {
    const alarm::MetricDataQuery& q = def.metrics[i];
    metrics::DataQuery d{q.id, std::nullopt, std::nullopt, q.label, q.return_data, {}};
    if (q.metric_stat) {
      const alarm::MetricStatQuery& m = *q.metric_stat;
      d.stat = metrics::MetricStat{MetricIdOf(m.metric_namespace, m.metric_name, m.dimensions),
                                   static_cast<int>(m.period.count()), *metrics::ParseStatistic(m.stat),
                                   m.unit.empty() ? std::nullopt : std::optional(m.unit)};
    } else {
      Result<metrics::Expr> e = metrics::ParseExpression(q.expression);
      if (!e.ok()) {
        return Status::InvalidArgument(fmt::format("Invalid metrics list: the Expression of {} ({}): {}", q.id,
                                                   q.expression, e.status().message()));
      }
      d.expression = std::move(e).value();
    }
    out.push_back(std::move(d));
  }
  if (std::optional<metrics::QueryError> e = metrics::CheckQueries(out)) {
    return Status::InvalidArgument(
        fmt::format("Invalid metrics list: the Expression of {}: {}", out[e->query].id, e->message));
  }
  // A band learns without the ExcludedTimeRanges of its metric's detector.
  for (metrics::DataQuery& d : out) {
    const std::optional<metrics::BandCall> band = d.expression ? metrics::AsBandCall(*d.expression) : std::nullopt;
    if (!band) continue;
    const auto metric = std::find_if(def.metrics.begin(), def.metrics.end(),
                                     [&](const alarm::MetricDataQuery& q) { return q.id == band->metric_id; });
    const alarm::MetricStatQuery& m = *metric->metric_stat;
    for (const alarm::AnomalyDetector& det : detectors) {
      if (det.metric_namespace == m.metric_namespace && det.metric_name == m.metric_name && det.stat == m.stat &&
          MetricIdOf("", "", det.dimensions) == MetricIdOf("", "", m.dimensions))
        d.excluded = ExcludedRanges(det);
    }
  }
  return out;
}

AlarmService::AlarmService(alarm::AlarmStore& alarms, const metrics::MetricEngine& engine,
                           alarm::TransitionHandler on_transition)
    : alarms_(alarms), engine_(engine), on_transition_(std::move(on_transition)) {}

void AlarmService::Register(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json_dispatcher) const {
  using Method = Result<json> (AlarmService::*)(const json&, const Call&) const;
  const std::pair<const char*, Method> operations[] = {
      {"PutMetricAlarm", &AlarmService::PutMetricAlarm},
      {"DescribeAlarms", &AlarmService::DescribeAlarms},
      {"DeleteAlarms", &AlarmService::DeleteAlarms},
      {"SetAlarmState", &AlarmService::SetAlarmState},
      {"DescribeAlarmHistory", &AlarmService::DescribeAlarmHistory},
      {"EnableAlarmActions", &AlarmService::EnableAlarmActions},
      {"DisableAlarmActions", &AlarmService::DisableAlarmActions},
      {"PutAnomalyDetector", &AlarmService::PutAnomalyDetector},
      {"DescribeAnomalyDetectors", &AlarmService::DescribeAnomalyDetectors},
      {"DeleteAnomalyDetector", &AlarmService::DeleteAnomalyDetector},
  };
  for (const auto& [name, method] : operations) {
    RegisterOperation(query, json_dispatcher, name,
                      [this, method](const json& body, const Call& call) { return (this->*method)(body, call); });
  }
}

Result<json> AlarmService::PutMetricAlarm(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  alarm::AlarmDefinition d;
  d.name = r.String("AlarmName", kAlarmName).value_or("");
  d.description = r.String("AlarmDescription", {.max_length = 1024}).value_or("");
  d.actions_enabled = r.Bool("ActionsEnabled", false).value_or(true);
  d.ok_actions = Actions(r, "OKActions");
  d.alarm_actions = Actions(r, "AlarmActions");
  d.insufficient_data_actions = Actions(r, "InsufficientDataActions");
  d.metric_namespace = r.String("Namespace", kOptionalString).value_or("");
  d.metric_name = r.String("MetricName", kOptionalString).value_or("");
  d.dimensions = ReadDimensions(r);
  if (std::optional<std::string> s = r.String("Statistic", {})) {
    auto parsed = alarm::ParseStatistic(*s);
    parsed.ok() ? void(d.statistic = parsed.value()) : AddError(errors, parsed.status());
  }
  d.extended_statistic = r.String("ExtendedStatistic", {}).value_or("");
  d.unit = r.String("Unit", {}).value_or("");
  d.period = std::chrono::seconds(r.Int("Period", {.min = 1}).value_or(0));
  d.evaluation_periods = static_cast<int>(r.Int("EvaluationPeriods", {.required = true, .min = 1}).value_or(1));
  if (std::optional<int64_t> m = r.Int("DatapointsToAlarm", {.min = 1})) d.datapoints_to_alarm = static_cast<int>(*m);
  d.threshold = r.Double("Threshold", false);
  if (std::optional<std::string> op = r.String("ComparisonOperator", {.required = true})) {
    auto parsed = alarm::ParseComparisonOperator(*op);
    parsed.ok() ? void(d.comparison_operator = parsed.value()) : AddError(errors, parsed.status());
  }
  if (std::optional<std::string> t = r.String("TreatMissingData", {.min_length = 1, .max_length = 255})) {
    auto parsed = alarm::ParseTreatMissingData(*t);
    parsed.ok() ? void(d.treat_missing_data = parsed.value()) : AddError(errors, parsed.status());
  }
  d.threshold_metric_id = r.String("ThresholdMetricId", kOptionalString).value_or("");
  r.String("EvaluateLowSampleCountPercentile", {});  // percentile alarms always evaluate
  r.ObjectList("Tags", {});                          // tags are not kept
  d.metrics = ReadMetrics(r);
  if (errors.ok()) AddError(errors, d.Validate());
  if (errors.ok() && !d.metrics.empty()) AddError(errors, AlarmQueries(d, {}).status());
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(alarms_.Put(d, engine_.Now()));
  return json::object();
}

Result<json> AlarmService::DescribeAlarms(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto names = r.StringList("AlarmNames", {.max_items = kMaxNames}, kAlarmName);
  const auto prefix = r.String("AlarmNamePrefix", kOptionalString);
  const auto state = r.String("StateValue", {.allowed = kStateValues});
  const auto action_prefix = r.String("ActionPrefix", {.min_length = 1, .max_length = 1024});
  const bool metric_alarms = WantsMetricAlarms(r);
  r.String("ChildrenOfAlarmName", kOptionalString);  // composite alarms: none exist
  r.String("ParentsOfAlarmName", kOptionalString);
  if (errors.ok() && names && !names->empty() && prefix)
    errors.Add(Status::InvalidArgument(
        protocol::InvalidCombinationMessage("AlarmNames and AlarmNamePrefix cannot be specified together")));
  if (!errors.ok()) return errors.status();
  auto all = alarms_.List();
  if (!all.ok()) return all.status();
  std::vector<const alarm::StoredAlarm*> selected;
  for (const alarm::StoredAlarm& a : all.value()) {
    const alarm::AlarmDefinition& d = a.definition;
    if (!metric_alarms) break;
    if (names && !names->empty() && std::find(names->begin(), names->end(), d.name) == names->end()) continue;
    if (prefix && !d.name.starts_with(*prefix)) continue;
    if (state && alarm::Name(a.state.value) != *state) continue;
    if (action_prefix) {
      const auto has = [&](const std::vector<std::string>& list) {
        return std::any_of(list.begin(), list.end(),
                           [&](const std::string& arn) { return arn.starts_with(*action_prefix); });
      };
      if (!has(d.ok_actions) && !has(d.alarm_actions) && !has(d.insufficient_data_actions)) continue;
    }
    selected.push_back(&a);
  }
  auto slice = Page(body, r, selected.size(), kDefaultDescribePage);
  if (!slice.ok()) return slice.status();
  json list = json::array();
  for (size_t k = slice->begin; k < slice->end; ++k) list.push_back(MetricAlarmJson(*selected[k], call));
  json out = {{"MetricAlarms", std::move(list)}, {"CompositeAlarms", json::array()}};
  if (slice->next_token) out["NextToken"] = *slice->next_token;
  return out;
}

Result<json> AlarmService::DeleteAlarms(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto names = r.StringList("AlarmNames", {.required = true, .max_items = kMaxNames}, kAlarmName);
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(alarms_.Delete(*names));
  return json::object();
}

Result<json> AlarmService::SetAlarmState(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto name = r.String("AlarmName", kAlarmName);
  const auto value = r.String("StateValue", {.required = true, .allowed = kStateValues});
  const auto reason = r.String("StateReason", {.required = true, .max_length = 1023});
  const auto data = r.String("StateReasonData", {.max_length = 4000});
  if (errors.ok() && data && !(json::accept(*data) && json::parse(*data).is_object()))
    r.InvalidValue("StateReasonData", *data, "must be a JSON object");
  if (!errors.ok()) return errors.status();
  auto found = alarms_.Get(*name);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::NotFound(fmt::format("Alarm {} does not exist", *name));
  const alarm::AlarmState& previous = (*found)->state;
  const WallTime now = engine_.Now();
  alarm::AlarmState next{alarm::ParseStateValue(*value).value(), *reason, data.value_or(""), now,
                         previous.transitioned};
  if (next.value != previous.value) next.transitioned = now;
  DBI_RETURN_IF_ERROR(alarms_.SetState(*name, next, alarm::StateUpdateItem(*name, previous, next)));
  if (next.value != previous.value && on_transition_) {
    const alarm::AlarmDefinition& def = (*found)->definition;
    on_transition_({def, previous, next, alarm::ActionsOnChange(def, next.value)});
  }
  return json::object();
}

Result<json> AlarmService::DescribeAlarmHistory(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  alarm::HistoryQuery query;
  query.alarm_name = r.String("AlarmName", kOptionalString);
  if (const auto type = r.String("HistoryItemType", {.allowed = kHistoryTypes})) {
    for (alarm::HistoryItemType t : {alarm::HistoryItemType::kConfigurationUpdate, alarm::HistoryItemType::kStateUpdate,
                                     alarm::HistoryItemType::kAction})
      if (alarm::Name(t) == *type) query.type = t;
  }
  query.start = r.Timestamp("StartDate", false);
  query.end = r.Timestamp("EndDate", false);
  const bool ascending = r.String("ScanBy", {.allowed = kScanBy}) == "TimestampAscending";
  const bool metric_alarms = WantsMetricAlarms(r);
  if (!errors.ok()) return errors.status();
  auto items = alarms_.History(query);
  if (!items.ok()) return items.status();
  if (!metric_alarms) items->clear();
  if (ascending) std::reverse(items->begin(), items->end());
  auto slice = Page(body, r, items->size(), kDefaultHistoryPage);
  if (!slice.ok()) return slice.status();
  json list = json::array();
  for (size_t k = slice->begin; k < slice->end; ++k) {
    const alarm::HistoryItem& h = (*items)[k];
    list.push_back({{"AlarmName", h.alarm_name},
                    {"AlarmType", "MetricAlarm"},
                    {"Timestamp", ToEpochSeconds(h.timestamp)},
                    {"HistoryItemType", alarm::Name(h.type)},
                    {"HistorySummary", h.summary},
                    {"HistoryData", h.data}});
  }
  json out = {{"AlarmHistoryItems", std::move(list)}};
  if (slice->next_token) out["NextToken"] = *slice->next_token;
  return out;
}

Result<json> AlarmService::SetActions(const json& body, const Call& call, bool enabled) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto names = r.StringList("AlarmNames", {.required = true, .max_items = kMaxNames}, kAlarmName);
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(alarms_.SetActionsEnabled(*names, enabled));
  return json::object();
}

Result<json> AlarmService::EnableAlarmActions(const json& body, const Call& call) const {
  return SetActions(body, call, true);
}

Result<json> AlarmService::DisableAlarmActions(const json& body, const Call& call) const {
  return SetActions(body, call, false);
}

Result<json> AlarmService::PutAnomalyDetector(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  alarm::AnomalyDetector d = ReadDetector(body, r);
  if (std::optional<ObjectReader> config = r.Object("Configuration", false)) {
    json ranges = json::array();
    for (ObjectReader& range : config->ObjectList("ExcludedTimeRanges", {})) {
      std::optional<WallTime> start = range.Timestamp("StartTime", true);
      std::optional<WallTime> end = range.Timestamp("EndTime", true);
      if (start && end && *end <= *start) range.InvalidValue("EndTime", "(time)", "must be later than StartTime");
      if (start && end) ranges.push_back({{"StartTime", ToEpochSeconds(*start)}, {"EndTime", ToEpochSeconds(*end)}});
    }
    json stored = {{"ExcludedTimeRanges", std::move(ranges)}};
    if (auto tz = config->String("MetricTimezone", {.max_length = 50})) stored["MetricTimezone"] = *tz;
    d.configuration = stored.dump();
  }
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(alarms_.PutDetector(d));
  return json::object();
}

Result<json> AlarmService::DescribeAnomalyDetectors(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto ns = r.String("Namespace", kOptionalString);
  const auto name = r.String("MetricName", kOptionalString);
  const std::vector<alarm::Dimension> dims = ReadDimensions(r);
  constexpr std::array<std::string_view, 2> kTypes = {"SINGLE_METRIC", "METRIC_MATH"};
  const auto types = r.StringList("AnomalyDetectorTypes", {.max_items = 2}, {.allowed = kTypes});
  const bool single =
      !types || types->empty() || std::find(types->begin(), types->end(), "SINGLE_METRIC") != types->end();
  if (!errors.ok()) return errors.status();
  auto all = alarms_.ListDetectors();
  if (!all.ok()) return all.status();
  std::vector<const alarm::AnomalyDetector*> selected;
  for (const alarm::AnomalyDetector& d : all.value()) {
    if (!single || (ns && d.metric_namespace != *ns) || (name && d.metric_name != *name)) continue;
    // Every dimension asked for must be one of the detector's.
    const bool has_dims = std::all_of(dims.begin(), dims.end(), [&](const alarm::Dimension& want) {
      return std::any_of(d.dimensions.begin(), d.dimensions.end(), [&](const alarm::Dimension& have) {
        return have.name == want.name && have.value == want.value;
      });
    });
    if (has_dims) selected.push_back(&d);
  }
  auto slice = Page(body, r, selected.size(), kDefaultHistoryPage, "MaxResults");
  if (!slice.ok()) return slice.status();
  json list = json::array();
  for (size_t k = slice->begin; k < slice->end; ++k) {
    const alarm::AnomalyDetector& d = *selected[k];
    const metrics::MetricStat stat{MetricIdOf(d.metric_namespace, d.metric_name, d.dimensions), kDetectorPeriod,
                                   *metrics::ParseStatistic(d.stat), std::nullopt};
    auto state = engine_.DetectorState(stat, ExcludedRanges(d));
    if (!state.ok()) return state.status();
    list.push_back(DetectorJson(d, DetectorStateName(state.value())));
  }
  json out = {{"AnomalyDetectors", std::move(list)}};
  if (slice->next_token) out["NextToken"] = *slice->next_token;
  return out;
}

Result<json> AlarmService::DeleteAnomalyDetector(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const alarm::AnomalyDetector d = ReadDetector(body, r);
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(alarms_.DeleteDetector(d));
  return json::object();
}

}  // namespace dbinsight::api::cloudwatch
