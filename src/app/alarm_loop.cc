// AlarmLoop: metric reads for alarm windows, evaluation, persistence.
#include "app/alarm_loop.h"

#include <algorithm>
#include <map>

#include "api/cloudwatch/alarm_service.h"
#include "common/log.h"

namespace dbinsight::app {
namespace {

metrics::Statistic Parse(std::string_view name) { return *metrics::ParseStatistic(name); }

metrics::Statistic::Kind KindOf(alarm::Statistic s) {
  switch (s) {
    case alarm::Statistic::kSampleCount:
      return metrics::Statistic::Kind::kSampleCount;
    case alarm::Statistic::kAverage:
      return metrics::Statistic::Kind::kAverage;
    case alarm::Statistic::kSum:
      return metrics::Statistic::Kind::kSum;
    case alarm::Statistic::kMinimum:
      return metrics::Statistic::Kind::kMinimum;
    case alarm::Statistic::kMaximum:
      return metrics::Statistic::Kind::kMaximum;
  }
  return metrics::Statistic::Kind::kAverage;
}

}  // namespace

AlarmLoop::AlarmLoop(alarm::AlarmStore& alarms, const metrics::MetricEngine& engine,
                     alarm::TransitionHandler on_transition)
    : alarms_(alarms), engine_(engine), on_transition_(std::move(on_transition)) {}

Result<std::vector<alarm::Datapoint>> AlarmLoop::MetricsDatapoints(const alarm::AlarmDefinition& def,
                                                                   const alarm::EvaluationWindow& window) const {
  auto detectors = alarms_.ListDetectors();
  if (!detectors.ok()) return detectors.status();
  auto queries = api::cloudwatch::AlarmQueries(def, detectors.value());
  if (!queries.ok()) return queries.status();
  auto results = engine_.GetData(queries.value(), static_cast<int64_t>(ToEpochSeconds(window.start)),
                                 static_cast<int64_t>(ToEpochSeconds(window.end)));
  if (!results.ok()) return results.status();
  const metrics::Series* values = nullptr;
  const metrics::Series* lower = nullptr;
  const metrics::Series* upper = nullptr;
  for (const metrics::DataResult& r : results.value()) {
    if (r.id == def.WatchedMetric()->id) values = &r.points;
    if (r.id != def.threshold_metric_id) continue;
    (r.bound == metrics::DataResult::Bound::kLower ? lower : upper) = &r.points;
  }
  auto bound = [](const metrics::Series* s, int64_t t) -> std::optional<double> {
    if (s == nullptr) return std::nullopt;
    auto it = s->find(t);
    return it == s->end() ? std::nullopt : std::optional(it->second);
  };
  std::vector<alarm::Datapoint> out;
  for (const auto& [t, v] : *values)
    out.push_back({FromEpochSeconds(static_cast<double>(t)), v, 0, bound(lower, t), bound(upper, t)});
  return out;
}

Result<std::vector<alarm::Datapoint>> AlarmLoop::Datapoints(const alarm::AlarmDefinition& def,
                                                            const alarm::EvaluationWindow& window) const {
  if (!def.metrics.empty()) return MetricsDatapoints(def, window);
  metrics::StatisticsRequest request;
  request.metric.ns = def.metric_namespace;
  request.metric.name = def.metric_name;
  for (const alarm::Dimension& d : def.dimensions) request.metric.dimensions.push_back({d.name, d.value});
  std::sort(request.metric.dimensions.begin(), request.metric.dimensions.end());
  request.start = static_cast<int64_t>(ToEpochSeconds(window.start));
  request.end = static_cast<int64_t>(ToEpochSeconds(window.end));
  if (!def.unit.empty()) request.unit = def.unit;
  const int period = static_cast<int>(def.period.count());
  const bool merge = def.statistic.has_value() && period % 60 == 0;
  request.period = merge ? 60 : period;
  if (merge) {
    request.statistics = {Parse("SampleCount"), Parse("Sum"), Parse("Minimum"), Parse("Maximum")};
  } else {
    request.statistics = {Parse("SampleCount"), Parse(def.StatisticName())};
  }
  auto points = engine_.GetStatistics(request);
  if (!points.ok()) return points.status();
  std::vector<alarm::Datapoint> out;
  if (!merge) {
    for (const metrics::Datapoint& p : points.value())
      out.push_back({FromEpochSeconds(static_cast<double>(p.timestamp)), p.values[1], p.values[0]});
    return out;
  }
  // Per alarm period, the minutes of the first unit seen (AWS answers an
  // alarm without Unit from one unit's data too).
  std::map<int64_t, metrics::Aggregate> periods;
  const std::string* unit = nullptr;
  for (const metrics::Datapoint& p : points.value()) {
    if (unit == nullptr) unit = &p.unit;
    if (p.unit != *unit || p.values[0] < 1) continue;
    const int64_t start = request.start + (p.timestamp - request.start) / period * period;
    const metrics::Aggregate minute{start, p.values[1], p.values[2], p.values[3], static_cast<int64_t>(p.values[0])};
    auto [it, inserted] = periods.try_emplace(start, minute);
    if (!inserted) it->second.Merge(minute);
  }
  const metrics::Statistic::Kind kind = KindOf(*def.statistic);
  for (const auto& [start, total] : periods)
    out.push_back({FromEpochSeconds(static_cast<double>(start)), metrics::StandardValue(kind, total),
                   static_cast<double>(total.count)});
  return out;
}

Status AlarmLoop::RunOnce(WallTime now) {
  auto alarms = alarms_.List();
  if (!alarms.ok()) return alarms.status();
  Status first = Status::Ok();
  for (const alarm::StoredAlarm& a : alarms.value()) {
    const alarm::AlarmDefinition& def = a.definition;
    auto points = Datapoints(def, alarm::WindowAt(def, now));
    Status st = points.status();
    if (st.ok()) {
      alarm::EvaluationResult r = alarm::Evaluate(def, points.value(), now, a.state);
      if (r.changed) {
        st = alarms_.SetState(def.name, r.state, r.history);
        if (st.code() == StatusCode::kNotFound) continue;  // deleted since List(): nothing to report
        if (st.ok() && on_transition_) on_transition_({def, a.state, r.state, std::move(r.actions)});
      }
    }
    if (!st.ok()) {
      log::Warn("alarm {}: evaluation failed: {}", def.name, st.ToString());
      if (first.ok()) first = st;
    }
  }
  return first;
}

}  // namespace dbinsight::app
