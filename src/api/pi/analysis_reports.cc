#include "api/pi/analysis_reports.h"

#include "analysis/report_job.h"
#include "analysis/root_cause.h"
#include "api/pi/requests.h"
#include "api/protocol/utf8.h"

namespace dbinsight::api::pi {
namespace {

using nlohmann::json;

// The model's limits: MarkdownString 8000 characters, DescriptiveString 2000.
constexpr size_t kMaxDescriptionBytes = 8000;
constexpr size_t kMaxDescriptiveBytes = 2000;

std::string Cut(const std::string& s, size_t max) { return std::string(protocol::TruncateUtf8(s, max)); }

json Descriptive(const std::map<std::string, std::string>& map) {
  json out = json::object();
  for (const auto& [k, v] : map) out[Cut(k, kMaxDescriptiveBytes)] = Cut(v, kMaxDescriptiveBytes);
  return out;
}

json MetricData(const analysis::Evidence& e, double value) {
  json metric = {{"Metric", Cut(e.metric, kMaxDescriptiveBytes)},
                 {"DisplayName", Cut(e.display_name, kMaxDescriptiveBytes)},
                 {"Value", value}};
  if (!e.dimensions.empty()) metric["Dimensions"] = Descriptive(e.dimensions);
  if (!e.filter.empty()) metric["Filter"] = Descriptive(e.filter);
  return {{"PerformanceInsightsMetric", std::move(metric)}};
}

json Insight(const analysis::Finding& f, analysis::TextFormat format) {
  json out = {{"InsightId", f.id},
              {"InsightType", f.type},
              {"Context", f.causal ? "CAUSAL" : "CONTEXTUAL"},
              {"StartTime", ToEpochSeconds(f.start)},
              {"EndTime", ToEpochSeconds(f.end)},
              {"Severity", analysis::SeverityName(f.severity)},
              {"Description", Cut(analysis::DescribeFinding(f, format), kMaxDescriptionBytes)}};
  json recs = json::array();
  for (const analysis::Recommendation& r : f.recommendations)
    recs.push_back({{"RecommendationId", r.id},
                    {"RecommendationDescription", Cut(analysis::InFormat(r.text, format), kMaxDescriptionBytes)}});
  out["Recommendations"] = std::move(recs);
  json data = json::array(), baseline = json::array();
  for (const analysis::Evidence& e : f.evidence) {
    data.push_back(MetricData(e, e.value));
    if (e.baseline) baseline.push_back(MetricData(e, *e.baseline));
  }
  out["InsightData"] = std::move(data);
  if (!baseline.empty()) out["BaselineData"] = std::move(baseline);
  json supporting = json::array();
  for (const analysis::Finding& s : f.supporting) supporting.push_back(Insight(s, format));
  if (!supporting.empty()) out["SupportingInsights"] = std::move(supporting);
  return out;
}

json Tags(const analysis::StoredReport& r) {
  json tags = json::array();
  for (const auto& [k, v] : r.tags) tags.push_back({{"Key", k}, {"Value", v}});
  return tags;
}

Status NoSuchReport(const std::string& id) {
  return Status::NotFound("Invalid value for parameter AnalysisReportId, value: " + id +
                          ", no report with this id for the instance");
}

}  // namespace

AnalysisReportService::AnalysisReportService(::dbinsight::pi::QueryEngine& engine,
                                             std::function<std::vector<model::InstanceInfo>()> instances,
                                             analysis::ReportStore& reports, std::function<WallTime()> now,
                                             std::chrono::seconds history, analysis::IndexAdvisors advisors)
    : engine_(engine),
      instances_(std::move(instances)),
      reports_(reports),
      now_(std::move(now)),
      history_(history),
      advisors_(std::move(advisors)) {}

void AnalysisReportService::Register(protocol::JsonDispatcher& d) const {
  auto bind = [this](Result<json> (AnalysisReportService::*op)(const json&) const) {
    return [this, op](const json& body, const protocol::RequestContext&) { return (this->*op)(body); };
  };
  d.Register("CreatePerformanceAnalysisReport", bind(&AnalysisReportService::CreatePerformanceAnalysisReport));
  d.Register("GetPerformanceAnalysisReport", bind(&AnalysisReportService::GetPerformanceAnalysisReport));
  d.Register("ListPerformanceAnalysisReports", bind(&AnalysisReportService::ListPerformanceAnalysisReports));
  d.Register("DeletePerformanceAnalysisReport", bind(&AnalysisReportService::DeletePerformanceAnalysisReport));
}

Result<json> AnalysisReportService::CreatePerformanceAnalysisReport(const json& body) const {
  const WallTime now = now_();
  auto call = ParseCreatePerformanceAnalysisReport(body, instances_(), now, history_);
  if (!call.ok()) return call.status();
  auto id = analysis::StoreAnalysis(engine_, reports_, {call->instance, call->start, call->end, call->tags}, now,
                                    advisors_ ? advisors_(call->instance.id) : analysis::IndexAdvisor{});
  if (!id.ok()) return id.status();
  return json{{"AnalysisReportId", *id}};
}

Result<json> AnalysisReportService::GetPerformanceAnalysisReport(const json& body) const {
  auto call = ParseGetPerformanceAnalysisReport(body, instances_());
  if (!call.ok()) return call.status();
  auto stored = reports_.Get(call->instance.id, call->report_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return NoSuchReport(call->report_id);
  const analysis::StoredReport& r = **stored;
  json report = {{"AnalysisReportId", r.id},
                 {"Identifier", call->instance.resource_id},
                 {"ServiceType", "RDS"},
                 {"CreateTime", ToEpochSeconds(r.create_time)},
                 {"StartTime", ToEpochSeconds(r.start)},
                 {"EndTime", ToEpochSeconds(r.end)},
                 {"Status", analysis::ReportStatusName(r.status)}};
  json insights = json::array();
  if (r.status == analysis::ReportStatus::kSucceeded) {
    auto parsed = analysis::Report::FromJson(r.report_json);
    if (!parsed.ok()) return parsed.status();
    const auto format = call->markdown ? analysis::TextFormat::kMarkdown : analysis::TextFormat::kPlainText;
    for (const analysis::Finding& f : parsed->findings) insights.push_back(Insight(f, format));
  }
  report["Insights"] = std::move(insights);
  return json{{"AnalysisReport", std::move(report)}};
}

Result<json> AnalysisReportService::ListPerformanceAnalysisReports(const json& body) const {
  auto call = ParseListPerformanceAnalysisReports(body, instances_());
  if (!call.ok()) return call.status();
  auto list = reports_.List(call->instance.id);
  if (!list.ok()) return list.status();
  protocol::PageSlice slice = protocol::Paginate(list->size(), call->page);
  json items = json::array();
  for (size_t i = slice.begin; i < slice.end; ++i) {
    const analysis::StoredReport& r = (*list)[i];
    json item = {{"AnalysisReportId", r.id},
                 {"CreateTime", ToEpochSeconds(r.create_time)},
                 {"StartTime", ToEpochSeconds(r.start)},
                 {"EndTime", ToEpochSeconds(r.end)},
                 {"Status", analysis::ReportStatusName(r.status)}};
    if (call->list_tags) item["Tags"] = Tags(r);
    items.push_back(std::move(item));
  }
  json out = {{"AnalysisReports", std::move(items)}};
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

Result<json> AnalysisReportService::DeletePerformanceAnalysisReport(const json& body) const {
  auto call = ParseDeletePerformanceAnalysisReport(body, instances_());
  if (!call.ok()) return call.status();
  Status st = reports_.Delete(call->instance.id, call->report_id);
  if (st.code() == StatusCode::kNotFound) return NoSuchReport(call->report_id);
  if (!st.ok()) return st;
  return json::object();
}

}  // namespace dbinsight::api::pi
