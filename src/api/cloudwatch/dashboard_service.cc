// DashboardService: request checks and the GetDashboard / DashboardEntry shapes.
#include "api/cloudwatch/dashboard_service.h"

#include <fmt/format.h>

#include <tuple>

#include "api/protocol/pagination.h"
#include "api/protocol/params.h"
#include "dashboard/validate.h"

namespace dbinsight::api::cloudwatch {

namespace {

using nlohmann::json;
using protocol::ObjectReader;
using protocol::ParamErrors;

constexpr protocol::StringRule kRequired{.required = true};
constexpr protocol::StringRule kName{.required = true, .min_length = 1};
// ListDashboards returns up to 1000 entries a page, as CloudWatch does.
constexpr int kListPage = 1000;
constexpr size_t kMaxDeleteNames = 100;

std::string Arn(const std::string& name) { return fmt::format("arn:aws:cloudwatch::{}:dashboard/{}", kAccount, name); }

// The name member `member` ("DashboardName", "DashboardNames.member.1") holds
// `name`: CloudWatch's wording when it breaks the naming rule.
Status CheckName(const std::string& member, const std::string& name, bool allow_dot = false) {
  if (dashboard::IsValidName(name, allow_dot)) return Status::Ok();
  if (name.size() > dashboard::kMaxNameLength)
    return Status::InvalidArgument(
        fmt::format("The value for field {} must be at most {} characters long", member, dashboard::kMaxNameLength));
  return Status::InvalidArgument(fmt::format(
      "The value for field {} contains invalid characters. It can only contain alphanumerics, {}dash (-) and "
      "underscore (_).",
      member, allow_dot ? "dot (.), " : ""));
}

}  // namespace

DashboardService::DashboardService(dashboard::DashboardStore& dashboards, const metrics::MetricEngine& engine)
    : dashboards_(dashboards), engine_(engine) {}

void DashboardService::Register(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json_dispatcher) const {
  using Method = Result<json> (DashboardService::*)(const json&, const Call&) const;
  const std::tuple<const char*, Method, const protocol::ErrorVocabulary*> operations[] = {
      {"PutDashboard", &DashboardService::PutDashboard, &kPutDashboardErrors},
      {"GetDashboard", &DashboardService::GetDashboard, &kDashboardErrors},
      {"ListDashboards", &DashboardService::ListDashboards, &kDashboardErrors},
      {"DeleteDashboards", &DashboardService::DeleteDashboards, &kDashboardErrors},
  };
  for (const auto& [name, method, errors] : operations) {
    RegisterOperation(
        query, json_dispatcher, name,
        [this, method](const json& body, const Call& call) { return (this->*method)(body, call); }, errors);
  }
}

Result<json> DashboardService::PutDashboard(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto name = r.String("DashboardName", kName);
  const auto text = r.String("DashboardBody", kRequired);
  r.ObjectList("Tags", {});  // tags are not kept
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(CheckName("DashboardName", *name));
  auto warnings = dashboard::CheckBody(*text);
  if (!warnings.ok()) return warnings.status();
  DBI_RETURN_IF_ERROR(dashboards_.Put(*name, *text, engine_.Now()));
  json messages = json::array();
  for (const dashboard::ValidationMessage& m : warnings.value())
    messages.push_back({{"DataPath", m.data_path}, {"Message", m.message}});
  return json{{"DashboardValidationMessages", std::move(messages)}};
}

Result<json> DashboardService::GetDashboard(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto name = r.String("DashboardName", kName);
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(CheckName("DashboardName", *name));
  auto found = dashboards_.Get(*name);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::NotFound(fmt::format("Dashboard {} does not exist", *name));
  return json{{"DashboardArn", Arn(*name)}, {"DashboardBody", (*found)->body}, {"DashboardName", *name}};
}

Result<json> DashboardService::ListDashboards(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const std::string prefix = r.String("DashboardNamePrefix", {}).value_or("");
  const auto token = r.String("NextToken", {.min_length = 1});
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(CheckName("DashboardNamePrefix", prefix, /*allow_dot=*/true));
  json unpaged = body;
  unpaged.erase("NextToken");
  protocol::PageRequest page{.max_results = kListPage, .fingerprint = protocol::Fingerprint(unpaged.dump())};
  if (token) {
    auto offset = protocol::DecodePageToken(*token, page.fingerprint, "NextToken");
    if (!offset.ok()) return offset.status();
    page.offset = offset.value();
  }
  auto list = dashboards_.List(prefix);
  if (!list.ok()) return list.status();
  const protocol::PageSlice slice = protocol::Paginate(list->size(), page);
  json entries = json::array();
  for (size_t k = slice.begin; k < slice.end; ++k) {
    const dashboard::Dashboard& d = (*list)[k];
    entries.push_back({{"DashboardName", d.name},
                       {"DashboardArn", Arn(d.name)},
                       {"LastModified", ToEpochSeconds(d.last_modified)},
                       {"Size", d.size}});
  }
  json out = {{"DashboardEntries", std::move(entries)}};
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

Result<json> DashboardService::DeleteDashboards(const json& body, const Call& call) const {
  ParamErrors errors;
  ObjectReader r(body, "", errors, call.style);
  const auto names = r.StringList("DashboardNames", {.required = true, .max_items = kMaxDeleteNames}, {});
  if (!errors.ok()) return errors.status();
  for (size_t i = 0; i < names->size(); ++i)
    DBI_RETURN_IF_ERROR(CheckName(r.ElementPath("DashboardNames", i), (*names)[i]));
  DBI_RETURN_IF_ERROR(dashboards_.Delete(*names));
  return json::object();
}

}  // namespace dbinsight::api::cloudwatch
