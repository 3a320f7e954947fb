// QueryEngine: Performance Insights semantics over the stores: DB load by
// period, group-by with top-N, filters, partitions, automatic period choice,
// counter and OS metrics, per-SQL statistics, and the metric/dimension
// vocabulary. Owns nothing but caches; the store must
// outlive it. Thread-safe: API worker threads call it concurrently.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/sample.h"
#include "pi/types.h"

namespace dbinsight::store {
class Store;
class MetricStore;
struct StatementRange;
}

namespace dbinsight::pi {

class QueryEngine {
 public:
  QueryEngine(store::Store& store, store::MetricStore& metrics);

  // InvalidArgument (message names the parameter, e.g. "MetricQueries[0].Metric")
  // for unknown metrics, groups, dimensions, bad periods or time ranges.
  Result<GetResourceMetricsResult> GetResourceMetrics(const GetResourceMetricsRequest& req) const;
  Result<DescribeDimensionKeysResult> DescribeDimensionKeys(const DescribeDimensionKeysRequest& req) const;
  // group: "db.sql" or "db.sql_tokenized"; group_identifier: that group's id
  // value. requested: full or short dimension names; empty = all.
  Result<std::vector<DimensionKeyDetail>> GetDimensionKeyDetails(
      const std::string& instance_id, const std::string& group, const std::string& group_identifier,
      const std::vector<std::string>& requested) const;

  // Recorded outages overlapping [start, end), oldest first.
  std::vector<GapInfo> Gaps(const std::string& instance_id, WallTime start, WallTime end) const;
  // Who blocked whom: the lock waits of samples taken in [from, to), oldest
  // first, only samples that had any (kept as long as 1-second DB load).
  Result<std::vector<model::LockWaitSample>> LockWaits(const std::string& instance_id, WallTime from,
                                                       WallTime to) const;

  // What the instance has: "db" lists DB load and every db.* counter stored
  // for it, "os" its os.* metrics, "db.sql_tokenized.stats" the per-SQL
  // statistics of its engine ("postgres", "mariadb", "mysql"); "db.sql.stats"
  // is empty (statistics are per normalized statement only).
  Result<std::vector<MetricDescription>> AvailableMetrics(const std::string& instance_id, const std::string& engine,
                                                          const std::vector<std::string>& metric_types) const;
  // metric: "db.load" (or "db.sampledload").
  static Result<std::vector<DimensionGroupDescription>> AvailableDimensions(const std::string& metric);

 private:
  // Series of stored metrics and per-SQL statistics (stored_metrics.cc).
  Result<std::vector<DataPoint>> StoredPoints(const std::string& instance_id, const std::string& metric,
                                              const std::string& param, const DimensionMap& filter, int64_t start,
                                              int64_t end, int period, double offset) const;
  // Per-SQL statistics of each key of a db.sql_tokenized / db.sql group, by
  // the key's statement id. Adds to keys[i].additional_metrics.
  Status AddStatementStats(const std::string& instance_id, const DescribeDimensionKeysRequest& req,
                           std::vector<DimensionKeyDescription>& keys) const;

  store::Store& store_;
  store::MetricStore& metrics_;
};

}  // namespace dbinsight::pi
