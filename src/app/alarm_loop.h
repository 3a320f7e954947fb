// AlarmLoop: evaluates every stored metric alarm at a given instant. For each
// alarm it reads the period aggregates of WindowAt(def, now) through the
// MetricEngine, runs alarm::Evaluate, stores the outcome, and hands each state
// change to the transition callback (notifications hang off it). It lives in
// app/ because it joins alarm/ and metrics/, which are peers.
//
// Periods that are multiples of 60 s are built from the minute tier (SampleCount,
// Sum, Minimum, Maximum merged per alarm period), because alarm periods start
// on the evaluation's minute, not on multiples of the period that the coarser
// store tiers use. Percentiles cannot be merged: an ExtendedStatistic alarm
// reads its period directly, so its periods follow the engine's alignment
// (multiples of the period's tier; exact for periods below 300 s).
//
// An alarm over a Metrics list (metric math, anomaly band) asks GetData for
// its queries over the window, whose periods are then multiples of the period
// (evaluator.h): the watched series gives the values and the ThresholdMetricId
// band (trained on up to two weeks before the window, without the metric's
// detector's ExcludedTimeRanges) each period's lower and upper bound.
//
// Borrows the store and engine, which must outlive it. RunOnce is meant for
// one thread at a time (serve's alarm thread, or a test).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "alarm/alarm_store.h"
#include "alarm/evaluator.h"
#include "common/status.h"
#include "metrics/metric_engine.h"

namespace dbinsight::app {

class AlarmLoop {
 public:
  AlarmLoop(alarm::AlarmStore& alarms, const metrics::MetricEngine& engine,
            alarm::TransitionHandler on_transition);

  // Evaluates all alarms at `now`. An alarm whose data or update fails is
  // skipped (the others still run); the first such error is returned.
  Status RunOnce(WallTime now);

  // The alarm's datapoints over `window`, one per period with data.
  Result<std::vector<alarm::Datapoint>> Datapoints(const alarm::AlarmDefinition& def,
                                                   const alarm::EvaluationWindow& window) const;

 private:
  Result<std::vector<alarm::Datapoint>> MetricsDatapoints(const alarm::AlarmDefinition& def,
                                                          const alarm::EvaluationWindow& window) const;

  alarm::AlarmStore& alarms_;
  const metrics::MetricEngine& engine_;
  alarm::TransitionHandler on_transition_;
};

}  // namespace dbinsight::app
