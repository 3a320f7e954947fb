#include "notify/alarm_message.h"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "notify/time_text.h"

namespace dbinsight::notify {

namespace {

bool Unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += Unreserved(c) ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  return out;
}

}  // namespace

std::string AlarmLink(std::string_view ui_base_url, std::string_view alarm_name) {
  while (ui_base_url.ends_with('/')) ui_base_url.remove_suffix(1);
  return fmt::format("{}/#/alarms/{}", ui_base_url, PercentEncode(alarm_name));
}

PublishInput FormatAlarmMessage(const AlarmEvent& e, const NotifyOptions& options) {
  PublishInput out;
  out.subject = e.instance.empty() ? fmt::format("{}: {}", e.new_state, e.alarm_name)
                                   : fmt::format("{}: {} in {}", e.new_state, e.alarm_name, e.instance);
  out.link = AlarmLink(options.ui_base_url, e.alarm_name);

  std::string text = fmt::format("Alarm:       {}\n", e.alarm_name);
  if (!e.alarm_description.empty()) text += fmt::format("Description: {}\n", e.alarm_description);
  if (!e.instance.empty()) text += fmt::format("Instance:    {}\n", e.instance);
  text += fmt::format("State:       {} -> {}\n", e.old_state, e.new_state);
  text += fmt::format("Reason:      {}\n", e.reason);
  text += fmt::format("Time:        {}", ReadableTime(e.time));
  if (!e.top_finding.empty()) text += fmt::format("\nTop finding: {}", e.top_finding);
  out.message = std::move(text);

  std::string change_time = IsoTime(e.time);
  change_time.replace(change_time.size() - 1, 1, "+0000");  // CloudWatch's spelling of UTC
  nlohmann::json doc = {
      {"AlarmName", e.alarm_name},
      {"AlarmDescription", e.alarm_description.empty() ? nlohmann::json() : nlohmann::json(e.alarm_description)},
      {"AWSAccountId", options.account_id},
      {"NewStateValue", e.new_state},
      {"NewStateReason", e.reason},
      {"StateChangeTime", change_time},
      {"Region", options.region},
      {"AlarmArn", fmt::format("arn:aws:cloudwatch:{}:{}:alarm:{}", options.region, options.account_id, e.alarm_name)},
      {"OldStateValue", e.old_state},
      {"DBInstanceIdentifier", e.instance},
      {"AlarmUrl", out.link},
  };
  if (!e.top_finding.empty()) doc["TopFinding"] = e.top_finding;
  std::string json = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.bodies = {{Protocol::kHttp, json}, {Protocol::kHttps, json}};
  return out;
}

PublishInput FormatIncidentMessage(const IncidentNotice& n, const NotifyOptions& options) {
  std::string_view base = options.ui_base_url;
  while (base.ends_with('/')) base.remove_suffix(1);
  PublishInput out;
  out.subject = fmt::format("{}: {} on {}", n.opened ? "INCIDENT" : "RESOLVED", n.kind, n.instance);
  out.link = fmt::format("{}/#/incidents/{}", base, n.id);
  out.message = fmt::format("{}\nIncident {} on {} {}.", n.summary, n.id, n.instance, n.opened ? "is open" : "is over");
  nlohmann::json doc = {{"IncidentId", n.id},   {"DBInstanceIdentifier", n.instance},
                        {"Kind", n.kind},       {"State", n.opened ? "OPEN" : "RESOLVED"},
                        {"Summary", n.summary}, {"IncidentUrl", out.link}};
  if (!n.report_id.empty()) {
    out.message += fmt::format("\nRoot-cause report {}: {}", n.report_id, n.top_finding);
    doc["ReportId"] = n.report_id;
    doc["TopFinding"] = n.top_finding;
  }
  std::string json = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.bodies = {{Protocol::kHttp, json}, {Protocol::kHttps, json}};
  return out;
}

}  // namespace dbinsight::notify
