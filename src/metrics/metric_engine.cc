#include "metrics/metric_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "model/metric_catalog.h"
#include "store/tiers.h"

namespace dbinsight::metrics {

namespace {

// The coarsest store tier dividing `period`: its aggregates add up to the
// period's exactly.
int Granularity(int period) {
  for (auto it = store::kTiers.rbegin(); it != store::kTiers.rend(); ++it)
    if (period % *it == 0) return *it;
  return 1;
}

int64_t FirstPeriod(int64_t start, int period) { return store::FloorTo(start, Granularity(period)); }

// The unit of a collector-recorded AWS/RDS metric; nullopt when `name` is
// not one (the same instance key also holds db.* and os.* metrics).
std::optional<std::string_view> RdsUnit(std::string_view name) {
  for (const model::MetricInfo& m : model::InstanceMetrics())
    if (m.name == name) return m.unit;
  return std::nullopt;
}

bool HasDimensions(const std::vector<Dimension>& have, const ListRequest& request) {
  for (const auto& [name, value] : request.dimensions) {
    auto it = std::find_if(have.begin(), have.end(), [&](const Dimension& d) { return d.name == name; });
    if (it == have.end() || (value && it->value != *value)) return false;
  }
  return true;
}

constexpr int64_t kRecentlyActiveSeconds = 3 * 3600;

}  // namespace

int64_t PeriodCount(int64_t start, int64_t end, int period) {
  const int64_t first = FirstPeriod(start, period);
  return end <= first ? 0 : (end - first + period - 1) / period;
}

std::optional<QueryError> CheckQueries(std::span<const DataQuery> queries) {
  std::map<std::string, size_t, std::less<>> index;
  for (size_t i = 0; i < queries.size(); ++i)
    if (!index.emplace(queries[i].id, i).second)
      return QueryError{i, "Id", fmt::format("the id {} is used by more than one query", queries[i].id)};
  std::map<size_t, Result<ValueKind>> kinds;
  std::set<size_t> checking;  // expressions being checked: meeting one again is a cycle
  std::function<Result<ValueKind>(size_t)> kind_of_query = [&](size_t i) -> Result<ValueKind> {
    if (auto it = kinds.find(i); it != kinds.end()) return it->second;
    if (!queries[i].expression) return ValueKind::kSeries;
    if (!checking.insert(i).second)
      return Status::InvalidArgument(
          fmt::format("the expressions refer to each other in a cycle through {}", queries[i].id));
    Status nested;  // an error inside a referenced expression, reported as is
    Result<ValueKind> kind = Check(*queries[i].expression, [&](std::string_view id) -> std::optional<ValueKind> {
      auto it = index.find(id);
      if (it == index.end()) return std::nullopt;
      Result<ValueKind> k = kind_of_query(it->second);
      if (k.ok()) return k.value();
      if (nested.ok()) nested = k.status();
      return ValueKind::kSeries;
    });
    checking.erase(i);
    if (!nested.ok()) kind = nested;
    kinds.emplace(i, kind);
    return kind;
  };
  for (size_t i = 0; i < queries.size(); ++i) {
    Result<ValueKind> kind = kind_of_query(i);
    if (!kind.ok()) return QueryError{i, "Expression", kind.status().message()};
    if (kind.value() == ValueKind::kBand) {
      const auto metric = index.find(AsBandCall(*queries[i].expression)->metric_id);
      if (!queries[metric->second].stat)
        return QueryError{i, "Expression",
                          fmt::format("the first argument of ANOMALY_DETECTION_BAND must be the id of a metric, not of "
                                      "the expression {}",
                                      metric->first)};
      continue;
    }
    if (queries[i].return_data && kind.value() != ValueKind::kSeries)
      return QueryError{i, "Expression",
                        kind.value() == ValueKind::kScalar
                            ? "the expression yields a single number, not a time series"
                            : "the expression yields several time series; return one per query (e.g. with SUM)"};
  }
  return std::nullopt;
}

struct MetricEngine::Periods {
  std::map<int64_t, Aggregate> totals;              // period start -> its values
  std::map<int64_t, std::vector<Aggregate>> parts;  // period start -> what a percentile ranks
};

MetricEngine::MetricEngine(store::MetricStore& store, const Clock& clock) : store_(store), clock_(clock) {}

Status MetricEngine::Put(const std::string& ns, std::span<const Datum> data) {
  std::map<std::string, std::vector<store::NamedMetricPeriod>> by_key;
  for (const Datum& d : data) {
    int64_t second = static_cast<int64_t>(std::floor(ToEpochSeconds(d.time)));
    if (!d.high_resolution) second = store::FloorTo(second, 60);
    auto& periods = by_key[CustomSeriesKey(ns, d.dimensions)];
    const std::string stored = CustomStoredName(d.name, d.unit);
    for (Aggregate v : d.values) {
      v.start = second;
      periods.push_back({stored, v});
    }
  }
  for (const auto& [key, periods] : by_key) DBI_RETURN_IF_ERROR(store_.MergeMetricPeriods(key, periods));
  return Status::Ok();
}

std::vector<MetricEngine::Stored> MetricEngine::Locate(const MetricId& metric,
                                                       const std::optional<std::string>& unit) const {
  if (std::optional<std::string> instance = RdsInstance(metric)) {
    std::optional<std::string_view> rds_unit = RdsUnit(metric.name);
    if (!rds_unit || (unit && *unit != *rds_unit)) return {};
    return {Stored{*instance, metric.name, std::string(*rds_unit)}};
  }
  if (metric.ns == kRdsNamespace) return {};  // no other AWS/RDS dimension sets are recorded
  std::vector<Stored> out;
  const std::string key = CustomSeriesKey(metric.ns, metric.dimensions);
  for (const std::string& stored : store_.MetricNames(key)) {
    auto parsed = ParseCustomStoredName(stored);
    if (parsed && parsed->first == metric.name && (!unit || *unit == parsed->second))
      out.push_back({key, stored, parsed->second});
  }
  return out;
}

Result<MetricEngine::Periods> MetricEngine::Read(const Stored& where, int64_t start, int64_t end, int period,
                                                 bool percentiles) const {
  const int granularity = Granularity(period);
  const int64_t first = FirstPeriod(start, period);
  const int64_t last = first + PeriodCount(start, end, period) * period;
  auto period_of = [&](int64_t t) { return first + (t - first) / period * period; };
  Periods out;
  auto rows = store_.ReadMetric(where.key, where.name, granularity, first, last);
  if (!rows.ok()) return rows.status();
  for (const Aggregate& a : rows.value()) {
    Aggregate& total = out.totals.try_emplace(period_of(a.start), Aggregate{period_of(a.start)}).first->second;
    total.Merge(a);
  }
  if (!percentiles) return out;
  // Finest tier first: a period takes the first tier that still holds all of
  // its values (finer tiers expire sooner).
  for (int tier : store::kTiers) {
    if (tier > granularity || out.parts.size() == out.totals.size()) break;
    Result<std::vector<Aggregate>> tier_rows =
        tier == granularity ? rows : store_.ReadMetric(where.key, where.name, tier, first, last);
    if (!tier_rows.ok()) return tier_rows.status();
    std::map<int64_t, std::vector<Aggregate>> grouped;
    for (const Aggregate& a : tier_rows.value()) grouped[period_of(a.start)].push_back(a);
    for (auto& [p, parts] : grouped) {
      auto total = out.totals.find(p);
      if (total == out.totals.end() || out.parts.contains(p)) continue;
      int64_t count = 0;
      for (const Aggregate& a : parts) count += a.count;
      if (count == total->second.count) out.parts.emplace(p, std::move(parts));
    }
  }
  return out;
}

Result<std::vector<Datapoint>> MetricEngine::GetStatistics(const StatisticsRequest& request) const {
  const bool percentiles = std::any_of(request.statistics.begin(), request.statistics.end(),
                                       [](const Statistic& s) { return s.kind == Statistic::Kind::kPercentile; });
  std::vector<Datapoint> out;
  for (const Stored& where : Locate(request.metric, request.unit)) {
    auto periods = Read(where, request.start, request.end, request.period, percentiles);
    if (!periods.ok()) return periods.status();
    for (const auto& [start, total] : periods->totals) {
      Datapoint d{start, where.unit, {}};
      for (const Statistic& s : request.statistics)
        d.values.push_back(s.kind == Statistic::Kind::kPercentile ? Percentile(periods->parts.at(start), s.percentile)
                                                                  : StandardValue(s.kind, total));
      out.push_back(std::move(d));
    }
  }
  std::sort(out.begin(), out.end(), [](const Datapoint& a, const Datapoint& b) {
    return std::tie(a.timestamp, a.unit) < std::tie(b.timestamp, b.unit);
  });
  return out;
}

Result<Series> MetricEngine::StatSeries(const MetricStat& stat, int64_t start, int64_t end) const {
  const bool percentile = stat.stat.kind == Statistic::Kind::kPercentile;
  Periods all;  // every unit's data together: a GetMetricData result has no unit
  for (const Stored& where : Locate(stat.metric, stat.unit)) {
    auto periods = Read(where, start, end, stat.period, percentile);
    if (!periods.ok()) return periods.status();
    for (const auto& [p, total] : periods->totals) all.totals.try_emplace(p, Aggregate{p}).first->second.Merge(total);
    for (auto& [p, parts] : periods->parts) {
      auto& into = all.parts[p];
      into.insert(into.end(), parts.begin(), parts.end());
    }
  }
  Series out;
  for (const auto& [p, total] : all.totals)
    out.emplace(p,
                percentile ? Percentile(all.parts.at(p), stat.stat.percentile) : StandardValue(stat.stat.kind, total));
  return out;
}

Result<BandSeries> MetricEngine::Band(const MetricStat& stat, double k, int64_t start, int64_t end,
                                      std::span<const TimeRange> excluded) const {
  const int64_t first = FirstPeriod(start, stat.period);
  auto series = StatSeries(stat, TrainingStart(first, stat.period), end);
  if (!series.ok()) return series.status();
  return BandOver(series.value(), first, k, excluded);
}

Result<TrainingState> MetricEngine::DetectorState(const MetricStat& stat, std::span<const TimeRange> excluded) const {
  const auto now = static_cast<int64_t>(std::floor(ToEpochSeconds(clock_.Now())));
  const int64_t end = FirstPeriod(now, stat.period) + stat.period;
  auto series = StatSeries(stat, TrainingStart(end, stat.period), end);
  if (!series.ok()) return series.status();
  return TrainingStateOf(series.value(), excluded);
}

Result<std::vector<DataResult>> MetricEngine::GetData(std::span<const DataQuery> queries, int64_t start,
                                                      int64_t end) const {
  std::map<std::string, Value, std::less<>> values;
  std::vector<Series> metric_series;  // METRICS(): the metric queries' series in request order
  for (const DataQuery& q : queries) {
    if (!q.stat) continue;
    auto series = StatSeries(*q.stat, start, end);
    if (!series.ok()) return series.status();
    metric_series.push_back(series.value());
    values[q.id] = Value{ValueKind::kSeries, 0, std::move(series).value(), {}};
  }
  // Expressions in dependency order, each once (CheckQueries excluded cycles).
  std::function<const Value&(std::string_view)> value_of = [&](std::string_view id) -> const Value& {
    if (auto it = values.find(id); it != values.end()) return it->second;
    auto q = std::find_if(queries.begin(), queries.end(), [&](const DataQuery& d) { return d.id == id; });
    DBI_CHECK(q != queries.end() && q->expression);
    Value v = Evaluate(*q->expression, value_of, metric_series);
    return values.emplace(std::string(id), std::move(v)).first->second;
  };
  std::vector<DataResult> out;
  for (const DataQuery& q : queries) {
    if (!q.return_data) continue;
    std::string label = !q.label.empty() ? q.label : q.stat ? q.stat->metric.name : q.id;
    if (std::optional<BandCall> band = q.expression ? AsBandCall(*q.expression) : std::nullopt) {
      const DataQuery& metric =
          *std::find_if(queries.begin(), queries.end(), [&](const DataQuery& d) { return d.id == band->metric_id; });
      auto bounds = Band(*metric.stat, band->k, start, end, q.excluded);
      if (!bounds.ok()) return bounds.status();
      out.push_back({q.id, label + " Lower", std::move(bounds->lower), DataResult::Bound::kLower});
      out.push_back({q.id, label + " Upper", std::move(bounds->upper), DataResult::Bound::kUpper});
      continue;
    }
    out.push_back({q.id, std::move(label), value_of(q.id).series});
  }
  return out;
}

Result<std::vector<MetricId>> MetricEngine::List(const ListRequest& request,
                                                 std::span<const std::string> rds_instances) const {
  const auto now = static_cast<int64_t>(std::floor(ToEpochSeconds(clock_.Now())));
  const int64_t recent_from = store::FloorTo(now - kRecentlyActiveSeconds, 60);
  const int64_t recent_to = store::FloorTo(now, 60) + 60;
  std::set<MetricId> found;
  auto consider = [&](MetricId id, const std::string& key, const std::string& stored) -> Status {
    if ((request.name && id.name != *request.name) || !HasDimensions(id.dimensions, request)) return Status::Ok();
    if (request.recently_active) {
      auto rows = store_.ReadMetric(key, stored, 60, recent_from, recent_to);
      if (!rows.ok()) return rows.status();
      if (rows->empty()) return Status::Ok();
    }
    found.insert(std::move(id));
    return Status::Ok();
  };
  for (const std::string& key : store_.InstanceNames()) {
    auto series = ParseCustomSeriesKey(key);
    if (!series || (request.ns && series->first != *request.ns)) continue;
    for (const std::string& stored : store_.MetricNames(key))
      if (auto parsed = ParseCustomStoredName(stored))
        DBI_RETURN_IF_ERROR(consider(MetricId{series->first, parsed->first, series->second}, key, stored));
  }
  if (!request.ns || *request.ns == kRdsNamespace) {
    for (const std::string& instance : rds_instances)
      for (const std::string& name : store_.MetricNames(instance))
        if (RdsUnit(name))
          DBI_RETURN_IF_ERROR(
              consider(MetricId{std::string(kRdsNamespace), name, {{std::string(kRdsInstanceDimension), instance}}},
                       instance, name));
  }
  return std::vector<MetricId>(found.begin(), found.end());
}

}  // namespace dbinsight::metrics
