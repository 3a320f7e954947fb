#include "collect/rates.h"

#include <chrono>
#include <cmath>

namespace dbinsight::collect {

namespace {

double Seconds(WallTime from, WallTime to) { return std::chrono::duration<double>(to - from).count(); }

// The increase of a counter between two readings; a decrease means a reset
// happened in between, and `now` is what accumulated since.
double Increase(double before, double now) { return now >= before ? now - before : now; }

}  // namespace

model::MetricSample CounterRates::Next(const std::string& instance_id, const model::Readings& readings) {
  model::MetricSample out;
  out.instance_id = instance_id;
  out.time = readings.time;
  out.points.reserve(readings.values.size());
  for (const model::Reading& r : readings.values) {
    if (!std::isfinite(r.value)) continue;
    if (r.kind == model::MetricKind::kGauge) {
      out.points.push_back({r.name, r.value});
      continue;
    }
    auto [it, inserted] = previous_.try_emplace(r.name, Previous{r.value, readings.time});
    if (inserted) continue;
    const double seconds = Seconds(it->second.time, readings.time);
    if (seconds > 0) out.points.push_back({r.name, Increase(it->second.value, r.value) / seconds});
    it->second = {r.value, readings.time};
  }
  return out;
}

std::optional<model::StatementStatsSample> StatementDeltas::Next(const std::string& instance_id,
                                                                 const model::StatementReadings& readings,
                                                                 bool complete) {
  const bool first = !previous_time_.has_value();
  // Counts since a reset that happened after our last reading all fall in
  // this interval.
  const bool reset = !first && readings.reset_epoch > previous_reset_epoch_ &&
                     readings.reset_epoch > ToEpochSeconds(*previous_time_) - 1;
  std::optional<model::StatementStatsSample> out;
  if (!first) {
    out.emplace();
    out->instance_id = instance_id;
    out->from = *previous_time_;
    out->to = readings.time;
  }
  std::unordered_map<std::string, Counters> current;
  current.reserve(readings.statements.size());
  for (const model::StatementCounters& s : readings.statements) {
    auto prev = previous_.find(s.tokenized_db_id);
    const bool known = prev != previous_.end() && !reset;
    if (out && !s.tokenized_id.empty() && (known || complete || reset)) {
      model::StatementDelta d;
      bool ran = false;
      for (const auto& [name, value] : s.counters) {
        double before = 0;
        if (known) {
          for (const auto& [pn, pv] : prev->second)
            if (pn == name) before = pv;
        }
        const double delta = Increase(before, value);
        ran = ran || delta > 0;
        d.deltas.emplace_back(name, delta);
      }
      if (ran) {
        d.tokenized_id = s.tokenized_id;
        d.tokenized_db_id = s.tokenized_db_id;
        d.statement = s.statement;
        out->statements.push_back(std::move(d));
      }
    }
    current.emplace(s.tokenized_db_id, s.counters);
  }
  previous_ = std::move(current);
  previous_time_ = readings.time;
  previous_reset_epoch_ = readings.reset_epoch;
  return out;
}

}  // namespace dbinsight::collect
