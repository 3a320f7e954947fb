// The alarm state machine: which periods are evaluated and what they decide.
// Rules and their sources are listed in evaluator.h.
#include "alarm/evaluator.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "alarm/reason.h"
#include "common/check.h"

namespace dbinsight::alarm {
namespace {

std::optional<double> Finite(const std::optional<double>& v) { return v && std::isfinite(*v) ? v : std::nullopt; }

// Whether a datapoint breaches; nullopt when it counts as missing (no value, or
// no band bound the operator needs).
std::optional<bool> Breaches(const AlarmDefinition& def, const Datapoint& p) {
  const std::optional<double> value = Finite(p.value);
  if (!value) return std::nullopt;
  const double v = *value;
  const std::optional<double> lower = Finite(p.lower);
  const std::optional<double> upper = Finite(p.upper);
  switch (def.comparison_operator) {
    case ComparisonOperator::kGreaterThanOrEqualToThreshold:
      return v >= *def.threshold;
    case ComparisonOperator::kGreaterThanThreshold:
      return v > *def.threshold;
    case ComparisonOperator::kLessThanThreshold:
      return v < *def.threshold;
    case ComparisonOperator::kLessThanOrEqualToThreshold:
      return v <= *def.threshold;
    case ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold:
      if (!lower || !upper) return std::nullopt;
      return v < *lower || v > *upper;
    case ComparisonOperator::kLessThanLowerThreshold:
      if (!lower) return std::nullopt;
      return v < *lower;
    case ComparisonOperator::kGreaterThanUpperThreshold:
      if (!upper) return std::nullopt;
      return v > *upper;
  }
  DBI_CHECK(false && "unknown ComparisonOperator");
  return std::nullopt;
}

// Every period of the evaluation range, newest first.
std::vector<EvaluatedPeriod> RangeAt(const AlarmDefinition& def, const EvaluationWindow& window,
                                     std::span<const Datapoint> datapoints) {
  std::map<WallTime, const Datapoint*> by_start;
  for (const Datapoint& p : datapoints) by_start.emplace(p.start, &p);
  std::vector<EvaluatedPeriod> range;
  for (int i = 0; i < window.periods; ++i) {
    EvaluatedPeriod period{window.end - (i + 1) * def.EvaluationPeriod(), std::nullopt, false};
    if (auto it = by_start.find(period.start); it != by_start.end()) {
      if (std::optional<bool> breaching = Breaches(def, *it->second)) {
        period.data = *it->second;
        period.breaching = *breaching;
      }
    }
    range.push_back(std::move(period));
  }
  return range;
}

// Indexes (into the range, newest first) of the EvaluationPeriods periods
// evaluated. [MD]: with enough datapoints, "the most recent real data points
// ... including the necessary extra data points from farther back in the
// evaluation range"; otherwise "all real data points in the evaluation range"
// and as few missing ones as possible, the most recent ("the two most recent
// missing data points are both treated as breaching").
std::vector<int> Evaluated(const std::vector<EvaluatedPeriod>& range, int n) {
  std::vector<int> with_data, missing;
  for (int i = 0; i < int(range.size()); ++i) (range[i].data ? with_data : missing).push_back(i);
  std::vector<int> chosen(with_data.begin(), with_data.begin() + std::min<int>(n, with_data.size()));
  if (int(chosen.size()) < n) chosen.insert(chosen.end(), missing.begin(), missing.begin() + (n - chosen.size()));
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

// The state the evaluated periods call for; nullopt means "retain the current
// state" (TreatMissingData ignore).
std::optional<StateValue> Decide(const AlarmDefinition& def, const std::vector<EvaluatedPeriod>& range,
                                 const std::vector<int>& evaluated) {
  const int n = def.evaluation_periods;
  const int m = def.DatapointsToAlarm();
  int with_data = 0, breaching = 0, oldest_with_data = -1;
  for (int i : evaluated) {
    if (!range[i].data) continue;
    ++with_data;
    breaching += range[i].breaching;
    oldest_with_data = i;
  }
  const auto threshold = [&](int breaches) { return breaches >= m ? StateValue::kAlarm : StateValue::kOk; };
  // [MD]: enough real datapoints, "the value you set for how to treat missing
  // data is not needed and is ignored"; "If fewer than the value of Datapoints
  // to Alarm are breaching, the alarm state is set to OK. Otherwise ... ALARM."
  if (with_data >= n) return threshold(breaching);
  const int fills = n - with_data;
  switch (def.EffectiveTreatMissingData()) {
    case TreatMissingData::kBreaching:
      return threshold(breaching + fills);
    case TreatMissingData::kNotBreaching:
      return threshold(breaching);
    case TreatMissingData::kMissing:
    case TreatMissingData::kIgnore:
      break;
  }
  // missing / ignore: the fills count for nothing. Both [MD] tables: M breaching
  // datapoints alarm; one non-breaching datapoint makes the state OK (rows
  // "0 - - - -", "- - - - 0", and "0 - X - -" for 2 out of 3, which stays OK
  // although [PT]'s wording alone would alarm it).
  if (breaching >= m) return StateValue::kAlarm;
  if (with_data > breaching) return StateValue::kOk;
  // Nothing but fewer than M breaching datapoints: the tables' "Retain current
  // state" for ignore; for missing, [PT]: ALARM when "the oldest available
  // breaching datapoint ... is at least as old as the value of Datapoints to
  // Alarm, and all other more recent data points are breaching or missing"
  // ("- - X - -" for 3 out of 3, "- - - X -" for 2 out of 3, "X - - - -"),
  // else INSUFFICIENT_DATA ("- - - - X", "- - - - -").
  if (def.EffectiveTreatMissingData() == TreatMissingData::kIgnore) return std::nullopt;
  if (with_data > 0 && oldest_with_data + 1 >= m) return StateValue::kAlarm;
  return StateValue::kInsufficientData;
}

const std::vector<std::string>& ActionsFor(const AlarmDefinition& def, StateValue value) {
  switch (value) {
    case StateValue::kOk:
      return def.ok_actions;
    case StateValue::kAlarm:
      return def.alarm_actions;
    case StateValue::kInsufficientData:
      return def.insufficient_data_actions;
  }
  DBI_CHECK(false && "unknown StateValue");
  return def.ok_actions;
}

}  // namespace

std::vector<std::string> ActionsOnChange(const AlarmDefinition& def, StateValue value) {
  return def.actions_enabled ? ActionsFor(def, value) : std::vector<std::string>{};
}

EvaluationWindow WindowAt(const AlarmDefinition& def, WallTime now) {
  const std::chrono::seconds period = def.EvaluationPeriod();
  DBI_CHECK(period.count() > 0 && def.evaluation_periods >= 1);
  // Periods end on a minute boundary (10/20/30 s periods: on a period
  // boundary, all of which divide the minute); a Metrics alarm's on a
  // multiple of its period, where GetMetricData's periods start.
  const int64_t align = def.metrics.empty() ? std::min<int64_t>(period.count(), 60) : period.count();
  int64_t s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  s -= ((s % align) + align) % align;
  EvaluationWindow window;
  window.end = WallTime(std::chrono::seconds(s));
  window.periods = def.evaluation_periods + kExtraRangePeriods;
  window.start = window.end - window.periods * period;
  return window;
}

EvaluationResult Evaluate(const AlarmDefinition& def, std::span<const Datapoint> datapoints, WallTime now,
                          const AlarmState& previous) {
  const std::vector<EvaluatedPeriod> range = RangeAt(def, WindowAt(def, now), datapoints);
  const std::vector<int> chosen = Evaluated(range, def.evaluation_periods);
  EvaluationResult result{previous};
  const std::optional<StateValue> next = Decide(def, range, chosen);
  if (!next || *next == previous.value) return result;

  std::vector<EvaluatedPeriod> evaluated;
  for (int i : chosen) evaluated.push_back(range[i]);
  result.state = {*next, StateReason(def, *next, evaluated), StateReasonData(def, evaluated, now), now, now};
  result.changed = true;
  result.history = StateUpdateItem(def.name, previous, result.state);
  result.actions = ActionsOnChange(def, *next);
  return result;
}

}  // namespace dbinsight::alarm
