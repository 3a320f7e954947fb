// Turns cumulative readings into stored values: server counters into
// per-second rates (CounterRates) and per-statement counters into
// per-interval deltas (StatementDeltas). Pure logic with no clock or I/O;
// one of each per instance, driven by the Poller's thread (not thread-safe).
//
// Resets: a counter that goes down was reset (server restart,
// pg_stat_reset(), TRUNCATE of the digest table). As Prometheus' rate() does,
// the new value is taken as the increase since the reset, so a restart costs
// at most the counts between the last read and the restart, never a negative
// or a huge bogus rate.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "model/metric.h"

namespace dbinsight::collect {

class CounterRates {
 public:
  // Gauges pass through; counters become (value - previous) / seconds since
  // the previous reading of the same counter. A counter's first reading (and
  // one after more than max_gap) only sets its baseline.
  // REQUIRES: readings come in time order.
  model::MetricSample Next(const std::string& instance_id, const model::Readings& readings);

  // Forget every baseline (after a gap the previous values say nothing
  // about the time in between).
  void Clear() { previous_.clear(); }

 private:
  struct Previous {
    double value;
    WallTime time;
  };
  std::unordered_map<std::string, Previous> previous_;
};

class StatementDeltas {
 public:
  // Deltas since the previous reading, keyed by tokenized_db_id (the
  // engine's own statement id, stable across restarts). Returns nullopt for
  // the first reading (baseline only). A statement absent from the previous
  // reading counts from zero when `complete` (the reading held every row of
  // the server's view, so the statement is new since then) and is only
  // baselined otherwise (it may just have entered a capped top-N). When the
  // server's statistics were reset after the previous reading
  // (reset_epoch), every statement counts from zero. Statements without a
  // tokenized_id yet (text not fetched) are baselined but not emitted.
  std::optional<model::StatementStatsSample> Next(const std::string& instance_id,
                                                  const model::StatementReadings& readings, bool complete);

 private:
  using Counters = std::vector<std::pair<std::string, double>>;
  std::unordered_map<std::string, Counters> previous_;
  std::optional<WallTime> previous_time_;
  double previous_reset_epoch_ = 0;
};

}  // namespace dbinsight::collect
