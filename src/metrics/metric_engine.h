// MetricEngine: CloudWatch metric semantics over the metric store, wire-
// neutral (api/cloudwatch maps both CloudWatch protocols onto it).
//  * Put stores custom metrics (series.h says where) at their second, or
//    standard-resolution ones at their minute, in any time order.
//  * GetStatistics / GetData answer per period of `period` seconds from the
//    first period starting at `start` rounded down to the period's
//    granularity (the coarsest store tier dividing it), through the last one
//    starting before `end`. Sums, counts, min and max come exactly from that
//    tier; percentiles from the finest tier still holding every value of a
//    period (statistics.h).
//  * An ANOMALY_DETECTION_BAND query answers two results with its id, the
//    lower and the upper bound (CloudWatch: "The band consists of two time
//    series"), trained over the metric's history before the window (band.h).
//  * List walks the stored custom series and the collector-recorded AWS/RDS
//    metrics of the instances it is given.
// Request values arrive validated by the api layer (ranges, enums, names).
// Borrows the store and clock, which must outlive it. Thread-safe: the store
// is, and the engine keeps no state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "metrics/band.h"
#include "metrics/expression.h"
#include "metrics/series.h"
#include "metrics/statistics.h"
#include "store/metric_store.h"

namespace dbinsight::metrics {

// One PutMetricData datum: values as aggregates (a value is {v, v, v, 1}; v
// with count c is {v*c, v, v, c}; a statistic set is itself). `start` of the
// aggregates is ignored.
struct Datum {
  std::string name;
  std::vector<Dimension> dimensions;  // sorted by name, unique
  WallTime time;
  std::string unit{kNoUnit};
  bool high_resolution = false;  // StorageResolution 1; else stored at its minute
  std::vector<Aggregate> values;
};

struct StatisticsRequest {
  MetricId metric;
  int64_t start = 0;  // epoch seconds, start < end
  int64_t end = 0;
  int period = 60;  // 1, 5, 10, 30 or a multiple of 60
  std::vector<Statistic> statistics;
  std::optional<std::string> unit;  // only data put with this unit
};

struct Datapoint {
  int64_t timestamp = 0;  // the period's start
  std::string unit;
  std::vector<double> values;  // one per requested statistic, in order
};

struct MetricStat {
  MetricId metric;
  int period = 60;
  Statistic stat;
  std::optional<std::string> unit;
};

// A GetMetricData query: a metric statistic, or an expression over others.
struct DataQuery {
  std::string id;
  std::optional<MetricStat> stat;
  std::optional<Expr> expression;  // parsed; exactly one of stat/expression
  std::string label;               // empty: the metric name, or the id of an expression
  bool return_data = true;
  // Band queries: periods the model must not learn (the detector's
  // ExcludedTimeRanges; the caller looks them up).
  std::vector<TimeRange> excluded;
};

struct DataResult {
  // Which bound of a band query's result this is; kNone for other queries.
  enum class Bound { kNone, kLower, kUpper };
  std::string id;
  std::string label;  // a band's: the query's label + " Lower" / " Upper"
  Series points;      // timestamp -> value, ascending
  Bound bound = Bound::kNone;
};

struct ListRequest {
  std::optional<std::string> ns;
  std::optional<std::string> name;
  // Each dimension name the metric must have, with the value it must have
  // when given.
  std::vector<std::pair<std::string, std::optional<std::string>>> dimensions;
  bool recently_active = false;  // "PT3H": only metrics with data in the last 3 hours
};

// A query that CheckQueries refuses: its index, the member at fault ("Id"
// or "Expression") and why.
struct QueryError {
  size_t query = 0;
  std::string member;
  std::string message;
};

// The number of periods GetStatistics/GetData answer for at most.
int64_t PeriodCount(int64_t start, int64_t end, int period);

// Static checks of a GetMetricData request before any read: ids unique,
// expressions naming known ids without cycles, each expression yielding one
// time series or being a band over a metric (MetricStat) query. nullopt when
// the queries are fine.
std::optional<QueryError> CheckQueries(std::span<const DataQuery> queries);

class MetricEngine {
 public:
  MetricEngine(store::MetricStore& store, const Clock& clock);

  WallTime Now() const { return clock_.Now(); }

  // All or nothing per series key; errors are the store's.
  Status Put(const std::string& ns, std::span<const Datum> data);

  // Periods with data, ascending; without a unit filter, one datapoint per
  // unit the metric was put with in that period.
  Result<std::vector<Datapoint>> GetStatistics(const StatisticsRequest& request) const;

  // Results of the queries with return_data, in request order. REQUIRES:
  // CheckQueries accepted them.
  Result<std::vector<DataResult>> GetData(std::span<const DataQuery> queries, int64_t start, int64_t end) const;

  // How far a detector of `stat` (at its period) has trained on the stored
  // history of the last kBandHistory before Now().
  Result<TrainingState> DetectorState(const MetricStat& stat, std::span<const TimeRange> excluded) const;

  // Matching metrics sorted by namespace, name, dimensions. rds_instances:
  // the configured instance ids whose AWS/RDS metrics are listed.
  Result<std::vector<MetricId>> List(const ListRequest& request, std::span<const std::string> rds_instances) const;

 private:
  // Where a metric's values are stored: one (key, stored name, unit) per unit.
  struct Stored {
    std::string key;
    std::string name;
    std::string unit;
  };
  std::vector<Stored> Locate(const MetricId& metric, const std::optional<std::string>& unit) const;
  // Per period (index from the first) the stored aggregate, and the
  // aggregates a percentile ranks when `percentiles`.
  struct Periods;
  Result<Periods> Read(const Stored& where, int64_t start, int64_t end, int period, bool percentiles) const;
  Result<Series> StatSeries(const MetricStat& stat, int64_t start, int64_t end) const;
  Result<BandSeries> Band(const MetricStat& stat, double k, int64_t start, int64_t end,
                          std::span<const TimeRange> excluded) const;

  store::MetricStore& store_;
  const Clock& clock_;
};

}  // namespace dbinsight::metrics
