// How an alarm state change, or an incident, reads as a notification. alarm/
// is a peer module and analysis/ another, so app/ copies the facts into an
// AlarmEvent or IncidentNotice and publishes the formatted message.
// Pure function; thread-safe.
#pragma once

#include <cstdint>
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
  // The instance's latest analysis finding (a one-sentence recommendation);
  // empty when no analysis found anything.
  std::string top_finding;
};

// Subject "ALARM: <alarm> in <instance>" (new state first; without an
// instance "ALARM: <alarm>"); the text lists alarm, description, instance,
// "OK -> ALARM", reason, time and the top finding when there is one; link <ui_base_url>/#/alarms/<name>. http
// and https subscribers get CloudWatch's alarm document instead (AlarmName,
// AlarmDescription, AWSAccountId, NewStateValue, NewStateReason,
// StateChangeTime, Region, AlarmArn, OldStateValue) plus DBInstanceIdentifier
// AlarmUrl and TopFinding (when set), so tools written for CloudWatch alarms over SNS work.
PublishInput FormatAlarmMessage(const AlarmEvent& event, const NotifyOptions& options);

// An incident the live detectors opened or closed.
struct IncidentNotice {
  int64_t id = 0;
  std::string instance;
  std::string kind;  // "high-load"
  bool opened = true;
  std::string summary;  // analysis::Incident::Summary()
  // At the close: the root-cause report of the incident's window and its
  // top finding's summary ("" when none was made).
  std::string report_id;
  std::string top_finding;
};

// Subject "INCIDENT: high-load on <instance>" or "RESOLVED: ...", the
// summary, the report's top finding at the close, and the link
// <ui_base_url>/#/incidents/<id>; webhooks get the same as a JSON document
// {IncidentId, DBInstanceIdentifier, Kind, State (OPEN|RESOLVED), Summary,
// IncidentUrl, and ReportId, TopFinding when there is a report}.
PublishInput FormatIncidentMessage(const IncidentNotice& notice, const NotifyOptions& options);

// <ui_base_url>/#/alarms/<percent-encoded name>.
std::string AlarmLink(std::string_view ui_base_url, std::string_view alarm_name);

}  // namespace dbinsight::notify
