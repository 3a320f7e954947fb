// QueryEngine: Performance Insights semantics over the store: DB load by
// period, group-by with top-N, filters, partitions, automatic period choice,
// and the metric/dimension vocabulary. Owns nothing but caches; the store must
// outlive it. Thread-safe: API worker threads call it concurrently.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "pi/types.h"

namespace dbinsight::store {
class Store;
}

namespace dbinsight::pi {

class QueryEngine {
 public:
  explicit QueryEngine(store::Store& store);

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

  // metric_types: "db", "os", "db.sql.stats", "db.sql_tokenized.stats".
  static Result<std::vector<MetricDescription>> AvailableMetrics(const std::vector<std::string>& metric_types);
  // metric: "db.load" (or "db.sampledload").
  static Result<std::vector<DimensionGroupDescription>> AvailableDimensions(const std::string& metric);

 private:
  store::Store& store_;
};

}  // namespace dbinsight::pi
