#include "api/events/events_service.h"

#include <optional>
#include <string>

#include "api/protocol/params.h"

namespace dbinsight::api::events {
namespace {

constexpr protocol::StringRule kName{.required = true, .min_length = 1, .max_length = 64};
constexpr protocol::StringRule kOptionalName{.min_length = 1, .max_length = 64};
constexpr protocol::StringRule kBus{.min_length = 1, .max_length = 1600};
constexpr protocol::IntRule kLimit{.min = 1, .max = 100};

// Only the default bus exists: by name or by ARN.
Status CheckBus(const AnalyzerPort& port, const std::optional<std::string>& bus) {
  if (!bus || *bus == "default" ||
      *bus == "arn:aws:events:" + port.region + ":" + port.account_id + ":event-bus/default")
    return Status::Ok();
  return Status::NotFound("Event bus " + *bus + " does not exist.");
}

// The one rule named `name`, or EventBridge's not-found error.
Status CheckRule(const AnalyzerPort& port, const std::string& name) {
  if (name == port.rule_name) return Status::Ok();
  return Status::NotFound("Rule " + name + " does not exist on EventBus default.");
}

}  // namespace

void EventsService::Register(protocol::JsonDispatcher& d) const {
  auto bind = [this](Result<nlohmann::json> (EventsService::*op)(const nlohmann::json&) const) {
    return [this, op](const nlohmann::json& body, const protocol::RequestContext&) { return (this->*op)(body); };
  };
  d.Register("DescribeRule", bind(&EventsService::DescribeRule));
  d.Register("ListRules", bind(&EventsService::ListRules));
  d.Register("ListTargetsByRule", bind(&EventsService::ListTargetsByRule));
}

nlohmann::json EventsService::Rule() const {
  return {{"Name", port_.rule_name},
          {"Arn", "arn:aws:events:" + port_.region + ":" + port_.account_id + ":rule/" + port_.rule_name},
          {"ScheduleExpression", port_.schedule},
          {"State", port_.enabled ? "ENABLED" : "DISABLED"},
          {"Description", "Runs dbinsight's reference performance analysis of every monitored instance"},
          {"EventBusName", "default"}};
}

Result<nlohmann::json> EventsService::DescribeRule(const nlohmann::json& body) const {
  protocol::ParamErrors errors;
  protocol::ObjectReader in(body, "", errors);
  const std::optional<std::string> name = in.String("Name", kName);
  const std::optional<std::string> bus = in.String("EventBusName", kBus);
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(CheckBus(port_, bus));
  DBI_RETURN_IF_ERROR(CheckRule(port_, *name));
  nlohmann::json rule = Rule();
  rule["CreatedBy"] = port_.account_id;
  return rule;
}

Result<nlohmann::json> EventsService::ListRules(const nlohmann::json& body) const {
  protocol::ParamErrors errors;
  protocol::ObjectReader in(body, "", errors);
  const std::optional<std::string> prefix = in.String("NamePrefix", kOptionalName);
  const std::optional<std::string> bus = in.String("EventBusName", kBus);
  in.Int("Limit", kLimit);  // one rule: every page is the first
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(CheckBus(port_, bus));
  nlohmann::json rules = nlohmann::json::array();
  if (port_.rule_name.rfind(prefix.value_or(""), 0) == 0) rules.push_back(Rule());
  return nlohmann::json{{"Rules", std::move(rules)}};
}

Result<nlohmann::json> EventsService::ListTargetsByRule(const nlohmann::json& body) const {
  protocol::ParamErrors errors;
  protocol::ObjectReader in(body, "", errors);
  const std::optional<std::string> rule = in.String("Rule", kName);
  const std::optional<std::string> bus = in.String("EventBusName", kBus);
  in.Int("Limit", kLimit);
  if (!errors.ok()) return errors.status();
  DBI_RETURN_IF_ERROR(CheckBus(port_, bus));
  DBI_RETURN_IF_ERROR(CheckRule(port_, *rule));
  nlohmann::json targets = nlohmann::json::array();
  for (const AnalyzerFunction& f : port_.functions)
    targets.push_back({{"Id", f.name}, {"Arn", FunctionArn(port_, f.name)}});
  return nlohmann::json{{"Targets", std::move(targets)}};
}

}  // namespace dbinsight::api::events
