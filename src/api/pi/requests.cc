#include "api/pi/requests.h"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "api/protocol/params.h"

namespace dbinsight::api::pi {

namespace {

using protocol::IntRule;
using protocol::ListRule;
using protocol::ObjectReader;
using protocol::ParamErrors;
using protocol::Pattern;
using protocol::StringRule;

constexpr std::array<std::string_view, 2> kServiceTypes = {"RDS", "DOCDB"};
constexpr std::array<std::string_view, 2> kPeriodAlignments = {"END_TIME", "START_TIME"};
constexpr std::array<int64_t, 5> kPeriods = {1, 60, 300, 3600, 86400};
constexpr std::array<std::string_view, 2> kDimensionMetrics = {"db.load", "db.sampledload"};
constexpr std::array<std::string_view, 3> kAuthorizedActions = {"DescribeDimensionKeys", "GetDimensionKeyDetails",
                                                                "GetResourceMetrics"};
constexpr std::array<std::string_view, 4> kMetricTypes = {"os", "db", "db.sql.stats", "db.sql_tokenized.stats"};

constexpr StringRule kSanitized{.max_length = 256, .pattern = Pattern::kSanitized};
constexpr StringRule kRequiredSanitized{.required = true, .max_length = 256, .pattern = Pattern::kSanitized};
constexpr StringRule kRequiredRequestString{.required = true, .max_length = 256, .pattern = Pattern::kNonBlank};
constexpr StringRule kFilterValue{.max_length = 256, .pattern = Pattern::kNonBlank};

// ServiceType + Identifier; the identifier is resolved later by Resolve(),
// after every syntactic check, as AWS validates input before looking up
// resources.
std::optional<std::string> ReadServiceAndIdentifier(ObjectReader& r) {
  std::optional<std::string> service =
      r.String("ServiceType", {.required = true, .allowed = kServiceTypes});
  if (service == "DOCDB")
    r.InvalidValue("ServiceType", *service,
                   "DOCDB is not supported: dbinsight monitors PostgreSQL and MariaDB instances (use RDS)");
  return r.String("Identifier",
                  {.required = true, .max_length = 256, .pattern = Pattern::kIdentifier});
}

// The monitored instance an Identifier names: its DbiResourceId or, as a
// convenience, its instance id. Unknown identifiers are InvalidArgument
// (docs/api-coverage.md explains the choice).
const model::InstanceInfo* Resolve(ObjectReader& r, const std::optional<std::string>& identifier,
                                   const Instances& instances) {
  if (!r.errors().ok() || !identifier) return nullptr;
  for (const auto& i : instances)
    if (i.resource_id == *identifier) return &i;
  for (const auto& i : instances)
    if (i.id == *identifier) return &i;
  r.InvalidValue("Identifier", *identifier,
                 "no monitored instance has this DbiResourceId or instance id");
  return nullptr;
}

std::optional<core::DimensionGroup> ReadDimensionGroup(ObjectReader& parent, std::string_view name, bool required) {
  std::optional<ObjectReader> r = parent.Object(name, required);
  if (!r) return std::nullopt;
  core::DimensionGroup g;
  g.group = r->String("Group", kRequiredSanitized).value_or("");
  g.dimensions = r->StringList("Dimensions", {.min_items = 1, .max_items = 10}, kSanitized)
                     .value_or(std::vector<std::string>{});
  if (auto limit = r->Int("Limit", {.min = 1, .max = 25})) g.limit = static_cast<int>(*limit);
  return g;
}

core::DimensionMap ReadFilter(ObjectReader& r) {
  auto filter = r.StringMap("Filter", false, kSanitized, kFilterValue);
  return filter ? core::DimensionMap(filter->begin(), filter->end()) : core::DimensionMap{};
}

struct TimeRange {
  WallTime start;
  WallTime end;
};

TimeRange ReadTimeRange(ObjectReader& r) {
  std::optional<WallTime> start = r.Timestamp("StartTime", true);
  std::optional<WallTime> end = r.Timestamp("EndTime", true);
  if (start && end && *start >= *end)
    r.InvalidValue("EndTime", fmt::format("{}", ToEpochSeconds(*end)),
                   fmt::format("EndTime must be later than StartTime ({})", ToEpochSeconds(*start)));
  return {start.value_or(WallTime{}), end.value_or(WallTime{})};
}

// "report-" and 17 lower-case hex digits (the model's AnalysisReportId pattern).
bool IsReportId(std::string_view id) {
  constexpr std::string_view kPrefix = "report-";
  if (id.size() != kPrefix.size() + 17 || id.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : id.substr(kPrefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<int> ReadPeriod(ObjectReader& r) {
  auto p = r.Int("PeriodInSeconds", {.allowed = kPeriods});
  return p ? std::optional<int>(static_cast<int>(*p)) : std::nullopt;
}

// MaxResults and NextToken. The token is bound to the rest of the request,
// so it is checked against a fingerprint of the body without paging members.
protocol::PageRequest ReadPage(ObjectReader& r, const nlohmann::json& body) {
  protocol::PageRequest page;
  if (auto max = r.Int("MaxResults", {.min = 0, .max = 25})) page.max_results = static_cast<int>(*max);
  std::optional<std::string> token =
      r.String("NextToken", {.min_length = 1, .max_length = 8192, .pattern = Pattern::kNextToken});
  nlohmann::json canonical = body;
  if (canonical.is_object()) {
    canonical.erase("NextToken");
    canonical.erase("MaxResults");
  }
  page.fingerprint = protocol::Fingerprint(canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (token && r.errors().ok()) {
    auto offset = protocol::DecodePageToken(*token, page.fingerprint, "NextToken");
    if (offset.ok()) {
      page.offset = offset.value();
    } else {
      r.errors().Add(offset.status());
    }
  }
  return page;
}

}  // namespace

Result<GetResourceMetricsCall> ParseGetResourceMetrics(const nlohmann::json& body, const Instances& instances) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  GetResourceMetricsCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  for (ObjectReader& q : r.ObjectList("MetricQueries", {.required = true, .min_items = 1, .max_items = 15})) {
    core::MetricQuery query;
    query.metric = q.String("Metric", kRequiredSanitized).value_or("");
    query.group_by = ReadDimensionGroup(q, "GroupBy", false);
    query.filter = ReadFilter(q);
    call.request.queries.push_back(std::move(query));
  }
  TimeRange range = ReadTimeRange(r);
  call.request.start = range.start;
  call.request.end = range.end;
  call.request.period_seconds = ReadPeriod(r);
  call.request.align_to_start =
      r.String("PeriodAlignment", {.allowed = kPeriodAlignments}).value_or("END_TIME") == "START_TIME";
  call.page = ReadPage(r, body);
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  call.request.instance_id = instance->id;
  call.resource_id = instance->resource_id;
  return call;
}

Result<DescribeDimensionKeysCall> ParseDescribeDimensionKeys(const nlohmann::json& body,
                                                             const Instances& instances) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  DescribeDimensionKeysCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  TimeRange range = ReadTimeRange(r);
  call.request.start = range.start;
  call.request.end = range.end;
  call.request.metric = r.String("Metric", kRequiredRequestString).value_or("");
  call.request.period_seconds = ReadPeriod(r);
  call.request.group_by = ReadDimensionGroup(r, "GroupBy", true).value_or(core::DimensionGroup{});
  call.request.additional_metrics = r.StringList("AdditionalMetrics", {.min_items = 1, .max_items = 30}, kSanitized)
                                        .value_or(std::vector<std::string>{});
  call.request.partition_by = ReadDimensionGroup(r, "PartitionBy", false);
  call.request.filter = ReadFilter(r);
  call.page = ReadPage(r, body);
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  call.request.instance_id = instance->id;
  return call;
}

Result<GetDimensionKeyDetailsCall> ParseGetDimensionKeyDetails(const nlohmann::json& body,
                                                               const Instances& instances) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  GetDimensionKeyDetailsCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  call.group = r.String("Group", kRequiredRequestString).value_or("");
  call.group_identifier = r.String("GroupIdentifier", kRequiredRequestString).value_or("");
  call.requested_dimensions = r.StringList("RequestedDimensions", {.min_items = 1, .max_items = 10}, kSanitized)
                                  .value_or(std::vector<std::string>{});
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  call.instance_id = instance->id;
  return call;
}

Result<GetResourceMetadataCall> ParseGetResourceMetadata(const nlohmann::json& body, const Instances& instances) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  auto identifier = ReadServiceAndIdentifier(r);
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  return GetResourceMetadataCall{*instance};
}

Result<ListAvailableResourceDimensionsCall> ParseListAvailableResourceDimensions(const nlohmann::json& body,
                                                                                 const Instances& instances) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  ListAvailableResourceDimensionsCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  call.metrics = r.StringList("Metrics", {.required = true, .min_items = 1, .max_items = 5},
                              {.allowed = kDimensionMetrics})
                     .value_or(std::vector<std::string>{});
  call.page = ReadPage(r, body);
  // Accepted and validated; every action is authorized, so it filters nothing.
  (void)r.StringList("AuthorizedActions", {.min_items = 0, .max_items = 3}, {.allowed = kAuthorizedActions});
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  (void)instance;
  return call;
}

Result<ListAvailableResourceMetricsCall> ParseListAvailableResourceMetrics(const nlohmann::json& body,
                                                                           const Instances& instances) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  ListAvailableResourceMetricsCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  call.metric_types = r.StringList("MetricTypes", {.required = true}, {.allowed = kMetricTypes})
                          .value_or(std::vector<std::string>{});
  call.page = ReadPage(r, body);
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  call.instance = *instance;
  return call;
}

Result<CreatePerformanceAnalysisReportCall> ParseCreatePerformanceAnalysisReport(const nlohmann::json& body,
                                                                                 const Instances& instances,
                                                                                 WallTime now,
                                                                                 std::chrono::seconds history) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  CreatePerformanceAnalysisReportCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  TimeRange range = ReadTimeRange(r);
  if (errors.ok() && range.end > now)
    r.InvalidValue("EndTime", fmt::format("{}", ToEpochSeconds(range.end)),
                   fmt::format("EndTime is in the future (now {})", ToEpochSeconds(now)));
  if (errors.ok() && range.start < now - history)
    r.InvalidValue("StartTime", fmt::format("{}", ToEpochSeconds(range.start)),
                   fmt::format("the window must lie within the last {} days: per-second load is kept that long "
                               "(store retention one_second)",
                               history.count() / 86400.0));
  for (ObjectReader& t : r.ObjectList("Tags", {.min_items = 0, .max_items = 200})) {
    auto key = t.String("Key", {.required = true, .min_length = 1, .max_length = 128});
    auto value = t.String("Value", {.required = true, .max_length = 256});
    if (key && value) call.tags.emplace_back(*key, *value);
  }
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  call.instance = *instance;
  call.start = range.start;
  call.end = range.end;
  return call;
}

namespace {

constexpr std::array<std::string_view, 2> kTextFormats = {"PLAIN_TEXT", "MARKDOWN"};
constexpr std::array<std::string_view, 1> kAcceptLanguages = {"EN_US"};

// ServiceType, Identifier and AnalysisReportId (Get and Delete).
Result<AnalysisReportCall> ParseReportCall(const nlohmann::json& body, const Instances& instances, bool get) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  AnalysisReportCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  call.report_id = r.String("AnalysisReportId", {.required = true, .min_length = 1, .max_length = 100})
                       .value_or("");
  if (errors.ok() && !IsReportId(call.report_id))
    r.InvalidValue("AnalysisReportId", call.report_id, "valid pattern: report-[0-9a-f]{17}");
  if (get) {
    call.markdown = r.String("TextFormat", {.allowed = kTextFormats}).value_or("PLAIN_TEXT") == "MARKDOWN";
    (void)r.String("AcceptLanguage", {.allowed = kAcceptLanguages});
  }
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  call.instance = *instance;
  return call;
}

}  // namespace

Result<AnalysisReportCall> ParseGetPerformanceAnalysisReport(const nlohmann::json& body, const Instances& instances) {
  return ParseReportCall(body, instances, true);
}

Result<AnalysisReportCall> ParseDeletePerformanceAnalysisReport(const nlohmann::json& body,
                                                                const Instances& instances) {
  return ParseReportCall(body, instances, false);
}

Result<ListPerformanceAnalysisReportsCall> ParseListPerformanceAnalysisReports(const nlohmann::json& body,
                                                                               const Instances& instances) {
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  ListPerformanceAnalysisReportsCall call;
  auto identifier = ReadServiceAndIdentifier(r);
  call.list_tags = r.Bool("ListTags", false).value_or(false);
  call.page = ReadPage(r, body);
  const model::InstanceInfo* instance = Resolve(r, identifier, instances);
  if (!errors.ok()) return errors.status();
  call.instance = *instance;
  return call;
}

}  // namespace dbinsight::api::pi
