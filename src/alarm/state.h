// The state of one metric alarm as DescribeAlarms reports it (StateValue,
// StateReason, StateReasonData and their timestamps) and the
// DescribeAlarmHistory item a state change leaves behind. Plain values a store
// can persist field by field and the API can render as they are.
// Thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::alarm {

// Persisted enums below carry explicit numbers: never renumber, only append.

enum class StateValue : int {
  kOk = 1,
  kAlarm = 2,
  kInsufficientData = 3,
};

enum class HistoryItemType : int {
  kConfigurationUpdate = 1,
  kStateUpdate = 2,
  kAction = 3,
};

// AWS spellings: "OK", "ALARM", "INSUFFICIENT_DATA"; "StateUpdate", ...
std::string_view Name(StateValue v);
std::string_view Name(HistoryItemType t);
Result<StateValue> ParseStateValue(std::string_view s);

struct AlarmState {
  StateValue value = StateValue::kInsufficientData;
  std::string reason;  // StateReason: text for humans
  // StateReasonData: a JSON object as text, or empty when there is none
  // (a new alarm; SetAlarmState without StateReasonData).
  std::string reason_data;
  WallTime updated;       // StateUpdatedTimestamp
  WallTime transitioned;  // StateTransitionedTimestamp: when `value` last changed
};

// The state PutMetricAlarm gives a new alarm: INSUFFICIENT_DATA with AWS's
// reason "Unchecked: Initial alarm creation", stamped `now`.
AlarmState InitialState(WallTime now);

struct HistoryItem {
  std::string alarm_name;
  WallTime timestamp;
  HistoryItemType type = HistoryItemType::kStateUpdate;
  std::string summary;  // HistorySummary, e.g. "Alarm updated from OK to ALARM"
  std::string data;     // HistoryData: a JSON object as text
};

// The StateUpdate item for a change from `from` to `to`, stamped to.updated.
// HistoryData is AWS's document: {"version":"1.0","oldState":{"stateValue":..,
// "stateReason":..,"stateReasonData":{..}},"newState":{..}}, reason data
// embedded as objects and left out when empty.
// REQUIRES: each reason_data is empty or a JSON object text.
HistoryItem StateUpdateItem(std::string_view alarm_name, const AlarmState& from, const AlarmState& to);

}  // namespace dbinsight::alarm
