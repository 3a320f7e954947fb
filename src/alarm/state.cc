// Alarm state names, the initial state and StateUpdate history items.
#include "alarm/state.h"

#include <fmt/format.h>

#include "alarm/format.h"

namespace dbinsight::alarm {
namespace {

// {"stateValue":..,"stateReason":..[,"stateReasonData":{..}]}, as in the
// DescribeAlarmHistory example of the AWS CLI reference.
std::string StateJson(const AlarmState& s) {
  std::vector<std::string> members{JsonMember("stateValue", JsonQuote(Name(s.value))),
                                   JsonMember("stateReason", JsonQuote(s.reason))};
  if (!s.reason_data.empty()) members.push_back(JsonMember("stateReasonData", s.reason_data));
  return JsonObject(members);
}

}  // namespace

std::string_view Name(StateValue v) {
  switch (v) {
    case StateValue::kOk:
      return "OK";
    case StateValue::kAlarm:
      return "ALARM";
    case StateValue::kInsufficientData:
      return "INSUFFICIENT_DATA";
  }
  DBI_CHECK(false && "unknown StateValue");
  return {};
}

std::string_view Name(HistoryItemType t) {
  switch (t) {
    case HistoryItemType::kConfigurationUpdate:
      return "ConfigurationUpdate";
    case HistoryItemType::kStateUpdate:
      return "StateUpdate";
    case HistoryItemType::kAction:
      return "Action";
  }
  DBI_CHECK(false && "unknown HistoryItemType");
  return {};
}

Result<StateValue> ParseStateValue(std::string_view s) {
  for (StateValue v : {StateValue::kOk, StateValue::kAlarm, StateValue::kInsufficientData}) {
    if (Name(v) == s) return v;
  }
  return Status::InvalidArgument(
      fmt::format("Invalid value '{}' for StateValue. Valid values are: OK, ALARM, INSUFFICIENT_DATA", s));
}

AlarmState InitialState(WallTime now) {
  return {StateValue::kInsufficientData, "Unchecked: Initial alarm creation", "", now, now};
}

HistoryItem StateUpdateItem(std::string_view alarm_name, const AlarmState& from, const AlarmState& to) {
  return {std::string(alarm_name), to.updated, HistoryItemType::kStateUpdate,
          fmt::format("Alarm updated from {} to {}", Name(from.value), Name(to.value)),
          JsonObject({JsonMember("version", JsonQuote("1.0")), JsonMember("oldState", StateJson(from)),
                      JsonMember("newState", StateJson(to))})};
}

}  // namespace dbinsight::alarm
