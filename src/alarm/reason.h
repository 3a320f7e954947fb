// StateReason and StateReasonData for an evaluation's outcome, worded as
// CloudWatch words them. The wording is taken from real alarm texts, e.g.
//   "Threshold Crossed: 1 out of the last 1 datapoints [85.0 (27/11/26 10:00:00)]
//    was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM
//    transition)."  (DatapointsToAlarm set)
//   "Threshold Crossed: 1 datapoint [1.0 (26/08/26 16:16:00)] was not less than
//    the threshold (1.0) and 2 missing datapoints were treated as [Breaching]."
//    (DatapointsToAlarm unset: AWS's older form)
//   "Thresholds Crossed: 1 out of the last 1 datapoints [0.0 (03/10/19 15:58:00)]
//    was less than the lower thresholds [0.0205...] or greater than the upper
//    thresholds [0.3006...] (minimum 1 datapoint for OK -> ALARM transition)."
//   "Threshold Crossed: no datapoints were received for 2 periods and 2 missing
//    datapoints were treated as [Breaching]."
//   "Insufficient Data: 5 datapoints were unknown."
// and the reason data of the AWS Lambda alarm-action event example:
//   {"version":"1.0","queryDate":..,"startDate":..,"statistic":"Average",
//    "period":60,"recentDatapoints":[..],"threshold":1.0,"evaluatedDatapoints":
//    [{"timestamp":..,"sampleCount":5.0,"value":..}]}
// Pure functions, thread-safe. Used by evaluator.cc.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "alarm/definition.h"
#include "alarm/evaluator.h"
#include "alarm/state.h"

namespace dbinsight::alarm {

// One of the EvaluationPeriods periods an evaluation looked at.
struct EvaluatedPeriod {
  WallTime start;
  std::optional<Datapoint> data;  // nullopt: missing, filled per TreatMissingData
  bool breaching = false;         // meaningful when data is set
};

// `evaluated` is newest first and has EvaluationPeriods entries.
// REQUIRES: value came from the evaluator's rules for `evaluated` (e.g. an OK
// or ALARM has a period with data or a fill that agrees with it).
std::string StateReason(const AlarmDefinition& def, StateValue value, std::span<const EvaluatedPeriod> evaluated);
std::string StateReasonData(const AlarmDefinition& def, std::span<const EvaluatedPeriod> evaluated, WallTime now);

}  // namespace dbinsight::alarm
