#include "api/cloudwatch/cloudwatch_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>

#include "api/protocol/pagination.h"
#include "api/protocol/query_json.h"
#include "api/protocol/timestamps.h"
#include "api/protocol/xml_writer.h"

namespace dbinsight::api::cloudwatch {

namespace {

using nlohmann::json;
using protocol::InputStyle;
using protocol::ObjectReader;
using protocol::ParamErrors;
using protocol::Pattern;
using protocol::StringRule;

constexpr std::array<std::string_view, 27> kUnits = {
    "Seconds",          "Microseconds",     "Milliseconds", "Bytes",           "Kilobytes",        "Megabytes",
    "Gigabytes",        "Terabytes",        "Bits",         "Kilobits",        "Megabits",         "Gigabits",
    "Terabits",         "Percent",          "Count",        "Bytes/Second",    "Kilobytes/Second", "Megabytes/Second",
    "Gigabytes/Second", "Terabytes/Second", "Bits/Second",  "Kilobits/Second", "Megabits/Second",  "Gigabits/Second",
    "Terabits/Second",  "Count/Second",     "None"};
constexpr std::array<std::string_view, 2> kScanBy = {"TimestampDescending", "TimestampAscending"};
constexpr std::array<std::string_view, 1> kRecentlyActive = {"PT3H"};
constexpr std::array<int64_t, 2> kStorageResolutions = {1, 60};

constexpr StringRule kName{.required = true, .min_length = 1, .max_length = 255, .pattern = Pattern::kPrintable};
constexpr StringRule kOptionalName{.min_length = 1, .max_length = 255, .pattern = Pattern::kPrintable};
constexpr StringRule kDimensionValue{
    .required = true, .min_length = 1, .max_length = 1024, .pattern = Pattern::kPrintable};
constexpr StringRule kUnit{.allowed = kUnits};

// CloudWatch's limits (reference/cloudwatch-api.md §3 and the AWS docs).
constexpr size_t kMaxMetricData = 1000;
constexpr size_t kMaxDimensions = 30;
constexpr size_t kMaxValues = 150;
constexpr double kMaxMagnitude = 0x1p360;  // values beyond ±2^360 are rejected
constexpr int64_t kMaxPastSeconds = 14 * 86400;
constexpr int64_t kMaxFutureSeconds = 2 * 3600;
constexpr int64_t kMaxStatisticsDatapoints = 1440;
constexpr int kDefaultMaxDatapoints = 100800;
constexpr int kListMetricsPage = 500;
constexpr int64_t kMaxPeriod = 366 * 86400;

constexpr std::array<std::string_view, 8> kTimestampMembers = {"Timestamp",
                                                               "Timestamps",
                                                               "AlarmConfigurationUpdatedTimestamp",
                                                               "StateUpdatedTimestamp",
                                                               "StateTransitionedTimestamp",
                                                               "StartTime",
                                                               "EndTime",
                                                               "LastModified"};
constexpr std::array<std::string_view, 1> kMapMembers = {"ExtendedStatistics"};

std::string Number(double v) { return fmt::format("{}", v); }

void AddCombination(ParamErrors& errors, const std::string& detail) {
  errors.Add(Status::InvalidArgument(protocol::InvalidCombinationMessage(detail)));
}

// Namespace: pattern "[^:].*"; PutMetricData may not write AWS's own.
std::optional<std::string> ReadNamespace(ObjectReader& r, bool required, bool for_put) {
  std::optional<std::string> ns = r.String("Namespace", required ? kName : kOptionalName);
  if (!ns) return ns;
  if (ns->front() == ':') {
    r.InvalidValue("Namespace", *ns, "must not start with ':'");
    return std::nullopt;
  }
  if (for_put && ns->starts_with("AWS/")) {
    r.InvalidValue("Namespace", *ns, "namespaces starting with AWS/ are reserved for AWS services");
    return std::nullopt;
  }
  return ns;
}

// Sorted by name; a name given twice is invalid.
std::vector<metrics::Dimension> ReadDimensions(ObjectReader& r) {
  std::vector<metrics::Dimension> out;
  for (ObjectReader& d : r.ObjectList("Dimensions", {.max_items = kMaxDimensions})) {
    std::optional<std::string> name = d.String("Name", kName);
    std::optional<std::string> value = d.String("Value", kDimensionValue);
    if (name && name->front() == ':') d.InvalidValue("Name", *name, "must not start with ':'");
    if (name && value) out.push_back({std::move(*name), std::move(*value)});
  }
  std::sort(out.begin(), out.end());
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].name == out[i - 1].name) r.InvalidValue("Dimensions", out[i].name, "a dimension name may appear once");
  return out;
}

metrics::MetricId ReadMetricId(ObjectReader& r) {
  metrics::MetricId id;
  id.ns = ReadNamespace(r, true, false).value_or("");
  id.name = r.String("MetricName", kName).value_or("");
  id.dimensions = ReadDimensions(r);
  return id;
}

// 1, 5, 10, 30 or a multiple of 60, as CloudWatch accepts.
std::optional<int> ReadPeriod(ObjectReader& r, bool required) {
  std::optional<int64_t> p = r.Int("Period", {.required = required, .min = 1, .max = kMaxPeriod});
  if (!p) return std::nullopt;
  if (*p % 60 != 0 && *p != 1 && *p != 5 && *p != 10 && *p != 30) {
    r.InvalidValue("Period", std::to_string(*p), "valid values: 1, 5, 10, 30 or a multiple of 60");
    return std::nullopt;
  }
  return static_cast<int>(*p);
}

// StartTime and EndTime in whole epoch seconds, start before end.
std::optional<std::pair<int64_t, int64_t>> ReadRange(ObjectReader& r) {
  std::optional<WallTime> start = r.Timestamp("StartTime", true);
  std::optional<WallTime> end = r.Timestamp("EndTime", true);
  if (!start || !end) return std::nullopt;
  const auto s = static_cast<int64_t>(std::floor(ToEpochSeconds(*start)));
  const auto e = static_cast<int64_t>(std::ceil(ToEpochSeconds(*end)));
  if (e <= s) {
    r.InvalidValue("EndTime", protocol::FormatIsoTimestamp(ToEpochSeconds(*end)), "must be later than StartTime");
    return std::nullopt;
  }
  return std::pair(s, e);
}

// A finite value within CloudWatch's range, else recorded under `name`.
bool CheckValue(ObjectReader& r, const std::string& name, double v) {
  if (std::fabs(v) <= kMaxMagnitude) return true;
  r.InvalidValue(name, Number(v), "valid values: -2^360 to 2^360");
  return false;
}

bool IsCount(double c) { return c >= 1 && c <= 0x1p53 && c == std::floor(c); }

// Value, StatisticValues or Values (+ Counts) of one datum, as aggregates.
std::vector<metrics::Aggregate> ReadValues(ObjectReader& m) {
  std::optional<double> value = m.Double("Value", false);
  std::optional<ObjectReader> set = m.Object("StatisticValues", false);
  std::optional<std::vector<double>> values = m.DoubleList("Values", {.max_items = kMaxValues});
  std::optional<std::vector<double>> counts = m.DoubleList("Counts", {.max_items = kMaxValues});
  const bool has_values = values && !values->empty();
  const int forms = int{value.has_value()} + int{set.has_value()} + int{has_values};
  if (forms != 1) {
    AddCombination(m.errors(), forms == 0 ? fmt::format("one of {}, {} and {} is required", m.PathOf("Value"),
                                                        m.PathOf("StatisticValues"), m.PathOf("Values"))
                                          : fmt::format("{}, {} and {} are mutually exclusive", m.PathOf("Value"),
                                                        m.PathOf("StatisticValues"), m.PathOf("Values")));
    return {};
  }
  std::vector<metrics::Aggregate> out;
  if (value) {
    if (CheckValue(m, "Value", *value)) out.push_back({0, *value, *value, *value, 1});
  } else if (set) {
    std::optional<double> n = set->Double("SampleCount", true);
    std::optional<double> sum = set->Double("Sum", true);
    std::optional<double> min = set->Double("Minimum", true);
    std::optional<double> max = set->Double("Maximum", true);
    if (!n || !sum || !min || !max) return {};
    if (!IsCount(*n)) {
      set->InvalidValue("SampleCount", Number(*n), "must be a whole number of at least 1");
    } else if (*min > *max) {
      set->InvalidValue("Minimum", Number(*min), "must not be greater than Maximum");
    } else if (CheckValue(*set, "Sum", *sum) && CheckValue(*set, "Minimum", *min) &&
               CheckValue(*set, "Maximum", *max)) {
      out.push_back({0, *sum, *min, *max, static_cast<int64_t>(*n)});
    }
  } else {
    if (counts && !counts->empty() && counts->size() != values->size()) {
      m.InvalidValue("Counts", std::to_string(counts->size()) + " counts",
                     fmt::format("must have as many entries as Values ({})", values->size()));
      return {};
    }
    for (size_t i = 0; i < values->size(); ++i) {
      const double v = (*values)[i];
      const double c = counts && !counts->empty() ? (*counts)[i] : 1;
      if (!CheckValue(m, m.ElementPath("Values", i), v)) return {};
      if (!IsCount(c)) {
        m.InvalidValue(m.ElementPath("Counts", i), Number(c), "must be a whole number of at least 1");
        return {};
      }
      out.push_back({0, v * c, v, v, static_cast<int64_t>(c)});
    }
  }
  if (counts && !counts->empty() && !has_values)
    AddCombination(m.errors(), fmt::format("{} needs {}", m.PathOf("Counts"), m.PathOf("Values")));
  return out;
}

json MetricJson(const metrics::MetricId& id) {
  json dims = json::array();
  for (const metrics::Dimension& d : id.dimensions) dims.push_back({{"Name", d.name}, {"Value", d.value}});
  return {{"Namespace", id.ns}, {"MetricName", id.name}, {"Dimensions", std::move(dims)}};
}

// Fingerprint of a request without its paging members, binding NextTokens to it.
uint64_t RequestFingerprint(json body, std::initializer_list<const char*> paging) {
  for (const char* member : paging) body.erase(member);
  return protocol::Fingerprint(body.dump());
}

}  // namespace

CloudWatchService::CloudWatchService(metrics::MetricEngine& engine,
                                     std::function<std::vector<model::InstanceInfo>()> instances)
    : engine_(engine), instances_(std::move(instances)) {}

void RegisterOperation(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json_dispatcher,
                       const std::string& name, Operation op, const protocol::ErrorVocabulary* errors) {
  json_dispatcher.Register(
      name,
      [op](const json& body, const protocol::RequestContext& context) {
        return op(body, Call{InputStyle::kJson, context});
      },
      errors);
  query.Register(
      name, [op](const protocol::QueryParams& params, const protocol::RequestContext& context) -> Result<std::string> {
        Result<json> out = op(protocol::QueryParamsToJson(params), Call{InputStyle::kQuery, context});
        if (!out.ok()) return out.status();
        protocol::XmlWriter w;
        protocol::WriteJsonAsXml(w, out.value(), {.timestamps = kTimestampMembers, .maps = kMapMembers});
        return w.Take();
      },
      errors);
}

void CloudWatchService::Register(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json_dispatcher) const {
  using Method = Result<json> (CloudWatchService::*)(const json&, InputStyle) const;
  const std::pair<const char*, Method> operations[] = {
      {"PutMetricData", &CloudWatchService::PutMetricData},
      {"GetMetricStatistics", &CloudWatchService::GetMetricStatistics},
      {"GetMetricData", &CloudWatchService::GetMetricData},
      {"ListMetrics", &CloudWatchService::ListMetrics},
  };
  for (const auto& [name, method] : operations) {
    RegisterOperation(query, json_dispatcher, name,
                      [this, method](const json& body, const Call& call) { return (this->*method)(body, call.style); });
  }
}

Result<json> CloudWatchService::PutMetricData(const json& body, InputStyle style) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, style);
  const std::optional<std::string> ns = ReadNamespace(r, true, true);
  const WallTime now = engine_.Now();
  const double now_s = ToEpochSeconds(now);
  std::vector<metrics::Datum> data;
  for (ObjectReader& m : r.ObjectList("MetricData", {.required = true, .min_items = 1, .max_items = kMaxMetricData})) {
    metrics::Datum d;
    d.name = m.String("MetricName", kName).value_or("");
    d.dimensions = ReadDimensions(m);
    d.time = now;
    if (std::optional<WallTime> t = m.Timestamp("Timestamp", false)) {
      const double s = ToEpochSeconds(*t);
      if (s < now_s - kMaxPastSeconds) {
        m.InvalidValue("Timestamp", protocol::FormatIsoTimestamp(s), "must be no more than two weeks in the past");
      } else if (s > now_s + kMaxFutureSeconds) {
        m.InvalidValue("Timestamp", protocol::FormatIsoTimestamp(s), "must be no more than two hours in the future");
      }
      d.time = *t;
    }
    d.unit = m.String("Unit", kUnit).value_or(std::string(metrics::kNoUnit));
    d.high_resolution = m.Int("StorageResolution", {.allowed = kStorageResolutions}) == 1;
    d.values = ReadValues(m);
    if (!errors.ok()) break;
    data.push_back(std::move(d));
  }
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(engine_.Put(*ns, data));
  return json::object();
}

Result<json> CloudWatchService::GetMetricStatistics(const json& body, InputStyle style) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, style);
  metrics::StatisticsRequest request;
  request.metric = ReadMetricId(r);
  const auto range = ReadRange(r);
  const std::optional<int> period = ReadPeriod(r, true);
  const auto standard =
      r.StringList("Statistics", {.min_items = 1, .max_items = 5}, {.allowed = metrics::kStandardStatistics});
  const auto extended = r.StringList("ExtendedStatistics", {.min_items = 1, .max_items = 10}, {.min_length = 1});
  for (const std::string& s : standard.value_or(std::vector<std::string>{}))
    request.statistics.push_back(*metrics::ParseStatistic(s));
  if (extended) {
    for (size_t i = 0; i < extended->size(); ++i) {
      std::optional<metrics::Statistic> s = metrics::ParseStatistic((*extended)[i]);
      if (!s || s->kind != metrics::Statistic::Kind::kPercentile) {
        r.InvalidValue(r.ElementPath("ExtendedStatistics", i), (*extended)[i],
                       "valid values: percentiles p0 to p100 with at most two decimals, e.g. p99 or p99.9");
        break;
      }
      request.statistics.push_back(std::move(*s));
    }
  }
  request.unit = r.String("Unit", kUnit);
  if (errors.ok() && !standard && !extended)
    AddCombination(errors, "at least one of the parameters Statistics and ExtendedStatistics must be specified");
  if (errors.ok()) {
    const int64_t n = metrics::PeriodCount(range->first, range->second, *period);
    if (n > kMaxStatisticsDatapoints)
      AddCombination(errors, fmt::format("the request covers {} periods of Period {}, more than the limit of {} "
                                         "datapoints; use a longer Period or a shorter time range",
                                         n, *period, kMaxStatisticsDatapoints));
  }
  if (!errors.ok()) return errors.status();
  request.start = range->first;
  request.end = range->second;
  request.period = *period;
  auto points = engine_.GetStatistics(request);
  if (!points.ok()) return points.status();
  json datapoints = json::array();
  for (const metrics::Datapoint& d : points.value()) {
    json p = {{"Timestamp", d.timestamp}, {"Unit", d.unit}};
    for (size_t i = 0; i < request.statistics.size(); ++i) {
      const metrics::Statistic& s = request.statistics[i];
      if (s.kind == metrics::Statistic::Kind::kPercentile) {
        p["ExtendedStatistics"][s.name] = d.values[i];
      } else {
        p[s.name] = d.values[i];
      }
    }
    datapoints.push_back(std::move(p));
  }
  return json{{"Label", request.metric.name}, {"Datapoints", std::move(datapoints)}};
}

Result<json> CloudWatchService::GetMetricData(const json& body, InputStyle style) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, style);
  std::vector<ObjectReader> readers =
      r.ObjectList("MetricDataQueries", {.required = true, .min_items = 1, .max_items = 500});
  std::vector<metrics::DataQuery> queries;
  for (ObjectReader& q : readers) {
    metrics::DataQuery d;
    d.id = q.String("Id", {.required = true, .min_length = 1, .max_length = 255}).value_or("");
    if (!d.id.empty() && !(d.id[0] >= 'a' && d.id[0] <= 'z' && std::all_of(d.id.begin(), d.id.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                           })))
      q.InvalidValue("Id", d.id, "must start with a lowercase letter and hold only letters, digits and '_'");
    std::optional<ObjectReader> stat = q.Object("MetricStat", false);
    std::optional<std::string> expression = q.String("Expression", {.min_length = 1, .max_length = 2048});
    d.label = q.String("Label", {}).value_or("");
    d.return_data = q.Bool("ReturnData", false).value_or(true);
    ReadPeriod(q, false);  // validated; an expression's period follows its inputs'
    if (stat && expression) {
      AddCombination(errors,
                     fmt::format("{} and {} are mutually exclusive", q.PathOf("MetricStat"), q.PathOf("Expression")));
    } else if (!stat && !expression) {
      AddCombination(errors,
                     fmt::format("one of {} and {} is required", q.PathOf("MetricStat"), q.PathOf("Expression")));
    }
    if (stat) {
      metrics::MetricStat s;
      if (std::optional<ObjectReader> metric = stat->Object("Metric", true)) s.metric = ReadMetricId(*metric);
      s.period = ReadPeriod(*stat, true).value_or(60);
      if (std::optional<std::string> text = stat->String("Stat", {.required = true, .min_length = 1})) {
        if (std::optional<metrics::Statistic> parsed = metrics::ParseStatistic(*text)) {
          s.stat = std::move(*parsed);
        } else {
          stat->InvalidValue("Stat", *text,
                             "valid values: SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99");
        }
      }
      s.unit = stat->String("Unit", kUnit);
      d.stat = std::move(s);
    } else if (expression) {
      Result<metrics::Expr> parsed = metrics::ParseExpression(*expression);
      if (parsed.ok()) {
        d.expression = std::move(parsed).value();
      } else {
        q.InvalidValue("Expression", *expression, parsed.status().message());
      }
    }
    queries.push_back(std::move(d));
  }
  const auto range = ReadRange(r);
  const std::optional<std::string> scan_by = r.String("ScanBy", {.allowed = kScanBy});
  const std::optional<int64_t> max_points = r.Int("MaxDatapoints", {.min = 1, .max = kDefaultMaxDatapoints});
  const std::optional<std::string> token = r.String("NextToken", {.min_length = 1});
  r.Object("LabelOptions", false);  // Timezone: labels here never hold times
  if (errors.ok()) {
    if (std::optional<metrics::QueryError> e = metrics::CheckQueries(queries)) {
      const std::string_view member = e->member;
      readers[e->query].InvalidValue(member, member == "Id" ? queries[e->query].id : "(expression)", e->message);
    }
  }
  protocol::PageRequest page{.max_results = static_cast<int>(max_points.value_or(kDefaultMaxDatapoints)),
                             .fingerprint = RequestFingerprint(body, {"NextToken", "MaxDatapoints"})};
  if (errors.ok() && token) {
    auto offset = protocol::DecodePageToken(*token, page.fingerprint, "NextToken");
    if (!offset.ok()) return offset.status();
    page.offset = offset.value();
  }
  if (!errors.ok()) return errors.status();

  auto results = engine_.GetData(queries, range->first, range->second);
  if (!results.ok()) return results.status();
  size_t total = 0;
  for (const metrics::DataResult& d : results.value()) total += d.points.size();
  const protocol::PageSlice slice = protocol::Paginate(total, page);
  const bool ascending = scan_by == "TimestampAscending";
  json out_results = json::array();
  size_t position = 0;  // of the result's first point in the whole answer
  for (const metrics::DataResult& d : results.value()) {
    std::vector<std::pair<int64_t, double>> points(d.points.begin(), d.points.end());
    if (!ascending) std::reverse(points.begin(), points.end());
    json timestamps = json::array(), values = json::array();
    const size_t from = std::clamp(slice.begin, position, position + points.size());
    const size_t to = std::clamp(slice.end, position, position + points.size());
    for (size_t k = from; k < to; ++k) {
      timestamps.push_back(points[k - position].first);
      values.push_back(points[k - position].second);
    }
    position += points.size();
    out_results.push_back({{"Id", d.id},
                           {"Label", d.label},
                           {"Timestamps", std::move(timestamps)},
                           {"Values", std::move(values)},
                           {"StatusCode", position > slice.end ? "PartialData" : "Complete"}});
  }
  json out = {{"MetricDataResults", std::move(out_results)}, {"Messages", json::array()}};
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

Result<json> CloudWatchService::ListMetrics(const json& body, InputStyle style) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, style);
  metrics::ListRequest request;
  request.ns = ReadNamespace(r, false, false);
  request.name = r.String("MetricName", kOptionalName);
  for (ObjectReader& d : r.ObjectList("Dimensions", {.max_items = 10})) {
    std::optional<std::string> name = d.String("Name", kName);
    std::optional<std::string> value =
        d.String("Value", {.min_length = 1, .max_length = 1024, .pattern = Pattern::kPrintable});
    if (name) request.dimensions.emplace_back(std::move(*name), std::move(value));
  }
  request.recently_active = r.String("RecentlyActive", {.allowed = kRecentlyActive}).has_value();
  r.Bool("IncludeLinkedAccounts", false);  // one account: nothing is linked
  const std::optional<std::string> token = r.String("NextToken", {.min_length = 1});
  protocol::PageRequest page{.max_results = kListMetricsPage, .fingerprint = RequestFingerprint(body, {"NextToken"})};
  if (errors.ok() && token) {
    auto offset = protocol::DecodePageToken(*token, page.fingerprint, "NextToken");
    if (!offset.ok()) return offset.status();
    page.offset = offset.value();
  }
  if (!errors.ok()) return errors.status();
  std::vector<std::string> ids;
  for (const model::InstanceInfo& i : instances_()) ids.push_back(i.id);
  auto found = engine_.List(request, ids);
  if (!found.ok()) return found.status();
  const protocol::PageSlice slice = protocol::Paginate(found->size(), page);
  json list = json::array();
  for (size_t k = slice.begin; k < slice.end; ++k) list.push_back(MetricJson((*found)[k]));
  json out = {{"Metrics", std::move(list)}};
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

}  // namespace dbinsight::api::cloudwatch
