// How an alarm state change reads as a notification. alarm/ is a peer module,
// so app/ copies the facts of a transition into an AlarmEvent and publishes
// FormatAlarmMessage(event) to each topic ARN among the alarm's actions.
// Pure function; thread-safe.
#pragma once

#include <string>

#include "common/clock.h"
#include "notify/options.h"
#include "notify/types.h"

namespace dbinsight::notify {

struct AlarmEvent {
  std::string alarm_name;
  std::string alarm_description;  // may be empty
  std::string instance;           // the DB instance the alarm watches; may be empty
  std::string old_state;          // "OK", "ALARM", "INSUFFICIENT_DATA"
  std::string new_state;
  std::string reason;  // StateReason
  WallTime time;       // when the state changed
};

// Subject "ALARM: <alarm> in <instance>" (new state first; without an
// instance "ALARM: <alarm>"); the text lists alarm, description, instance,
// "OK -> ALARM", reason and time; link <ui_base_url>/#/alarms/<name>. http
// and https subscribers get CloudWatch's alarm document instead (AlarmName,
// AlarmDescription, AWSAccountId, NewStateValue, NewStateReason,
// StateChangeTime, Region, AlarmArn, OldStateValue) plus DBInstanceIdentifier
// and AlarmUrl, so tools written for CloudWatch alarms over SNS work.
PublishInput FormatAlarmMessage(const AlarmEvent& event, const NotifyOptions& options);

// <ui_base_url>/#/alarms/<percent-encoded name>.
std::string AlarmLink(std::string_view ui_base_url, std::string_view alarm_name);

}  // namespace dbinsight::notify
