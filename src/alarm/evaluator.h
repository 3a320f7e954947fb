// The CloudWatch metric-alarm state machine as a pure function:
// Evaluate(definition, datapoints, now, previous state) -> new state, whether it
// changed, StateReason / StateReasonData as AWS words them, and the history
// item. Time is a parameter (no clock reads), so tests are exact and a caller
// can replay any instant. Stateless free functions: thread-safe.
//
// Sources, cited where each rule is applied in evaluator.cc:
//  [MD]  AWS user guide, "Configuring how CloudWatch alarms treat missing data":
//        the evaluation range, the fill rules and both M-out-of-N tables.
//  [PT]  same page, "Avoiding premature transitions to alarm state".
//  [EV]  "Alarm evaluation": Period, Evaluation Periods, Datapoints to Alarm.
//  Real StateReason/StateReasonData texts from alarm notifications and the AWS
//  EventBridge/Lambda event examples fix the wording (see reason.h).
//
// How `now` maps to periods. The newest evaluated period ends at `now`
// truncated to the whole minute (to the period for 10, 20 and 30 s periods),
// so it is the most recent *complete* period; older periods follow back to
// back. Periods are therefore aligned to that minute, not to multiples of the
// period: at 17:04:40 a 300 s alarm evaluates [16:59, 17:04), [16:54, 16:59)...
// (AWS alarm events: queryDate 2019-10-02T17:04:40.985, startDate 16:59:00,
// period 300; queryDate 06:30:58 with datapoints at 06:25 and 06:20). An
// alarm over a Metrics list (metric math, anomaly band) is the exception:
// its periods are multiples of the period, as GetMetricData's are, so its
// band and expressions are computed on the same grid. The
// evaluation range reaches EvaluationPeriods + 2 periods back: [MD] retrieves
// "the 5 most recent data points" for an alarm with Evaluation Periods 3; AWS
// says the range depends on the period and resolution without giving a
// formula, and N + 2 is the only documented instance.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alarm/definition.h"
#include "alarm/state.h"
#include "common/clock.h"

namespace dbinsight::alarm {

// Periods beyond EvaluationPeriods the evaluation range looks back ([MD]).
inline constexpr int kExtraRangePeriods = 2;

// One period's aggregate of the alarm's metric: the statistic over
// [start, start + period). A period without an entry counts as missing, like
// one with no (or a non-finite) value; entries whose start is not a period
// start of the evaluation range are not used, so a caller may pass a superset.
// Of two entries with the same start the first counts.
struct Datapoint {
  WallTime start;
  std::optional<double> value;  // nullopt: no data in the period
  double sample_count = 0;      // the period's SampleCount (shown in reason data); finite
  // Band operators: the ThresholdMetricId band's bounds for this period. A
  // period lacking a bound its operator needs counts as missing.
  std::optional<double> lower;
  std::optional<double> upper;
};

// The periods an evaluation at some `now` looks at.
struct EvaluationWindow {
  WallTime start;   // start of the oldest period
  WallTime end;     // exclusive end of the newest period
  int periods = 0;  // EvaluationPeriods + kExtraRangePeriods
};

// REQUIRES: def.Validate().ok().
EvaluationWindow WindowAt(const AlarmDefinition& def, WallTime now);

struct EvaluationResult {
  AlarmState state;                    // after this evaluation; == previous when unchanged
  bool changed = false;                // state.value differs from previous.value
  std::optional<HistoryItem> history;  // the StateUpdate item, when changed
  // ARNs to invoke: the new state's actions, when changed and ActionsEnabled
  // ("An alarm invokes actions only when the alarm changes state").
  std::vector<std::string> actions;
};

// One alarm's change of state as it was stored, by an evaluation or by
// SetAlarmState: what notifications are made from.
struct Transition {
  AlarmDefinition definition;
  AlarmState previous;
  AlarmState current;
  std::vector<std::string> actions;  // ARNs to invoke (empty when ActionsEnabled is false)
};
using TransitionHandler = std::function<void(const Transition&)>;

// The ARNs a change into `value` invokes: that state's actions when
// ActionsEnabled, else none.
std::vector<std::string> ActionsOnChange(const AlarmDefinition& def, StateValue value);

// Evaluates the alarm at `now` over the range WindowAt(def, now).
//
// With R periods in the range, N = EvaluationPeriods, M = DatapointsToAlarm and
// E = periods in the range that have data ([MD]):
//  * E >= N: the N most recent periods with data decide; TreatMissingData plays
//    no part. ALARM when at least M breach, else OK.
//  * E < N: every period with data plus the N - E most recent missing periods
//    are evaluated, the missing ones "filled" per TreatMissingData:
//      breaching     ALARM when breaching + fills >= M, else OK;
//      notBreaching  ALARM when breaching >= M, else OK;
//      missing       ALARM when breaching >= M; OK when any evaluated period
//                    with data is not breaching; otherwise (only breaching
//                    data, fewer than M) ALARM when the oldest of it is at
//                    least M periods old (newest = 1; [PT]), else
//                    INSUFFICIENT_DATA (so E = 0 gives INSUFFICIENT_DATA);
//      ignore        as missing, except that where missing would give
//                    INSUFFICIENT_DATA or the [PT] ALARM, the state is kept.
// A state equal to previous.value is no change: `previous` comes back as is
// (AWS updates StateReason only on a transition).
// REQUIRES: def.Validate().ok().
EvaluationResult Evaluate(const AlarmDefinition& def, std::span<const Datapoint> datapoints, WallTime now,
                          const AlarmState& previous);

}  // namespace dbinsight::alarm
