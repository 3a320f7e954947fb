// Request and result values of the Performance Insights query engine
// (QueryEngine). Wire-neutral: api/pi maps JSON onto these and back. Times are
// WallTime; periods in seconds. Plain values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace dbinsight::pi {

using DimensionMap = std::map<std::string, std::string>;

struct DimensionGroup {
  std::string group;                    // "db.wait_event"
  std::vector<std::string> dimensions;  // empty = all dimensions of the group
  int limit = 10;                       // top-N keys, 1..25
};

struct MetricQuery {
  std::string metric;  // "db.load.avg"
  std::optional<DimensionGroup> group_by;
  DimensionMap filter;  // full dimension name -> value
};

struct GetResourceMetricsRequest {
  std::string instance_id;  // dbinsight instance id (api/ resolves the Identifier)
  WallTime start;  // inclusive
  WallTime end;    // exclusive
  std::optional<int> period_seconds;
  bool align_to_start = false;  // PeriodAlignment START_TIME; default END_TIME
  std::vector<MetricQuery> queries;
};

struct DataPoint {
  double timestamp;  // epoch seconds
  double value;
};

struct MetricSeries {
  std::string metric;
  DimensionMap dimensions;  // empty for a query's total series
  std::vector<DataPoint> points;  // periods never sampled have no point
};

struct GetResourceMetricsResult {
  double aligned_start;
  double aligned_end;
  int period_seconds;
  std::vector<MetricSeries> series;
};

struct DescribeDimensionKeysRequest {
  std::string instance_id;  // dbinsight instance id (api/ resolves the Identifier)
  WallTime start;
  WallTime end;
  std::string metric;  // db.load.avg / db.sampledload.avg (.min/.max/.sum too)
  std::optional<int> period_seconds;
  DimensionGroup group_by;
  std::optional<DimensionGroup> partition_by;
  DimensionMap filter;
  std::vector<std::string> additional_metrics;
};

struct DimensionKeyDescription {
  DimensionMap dimensions;
  double total = 0;
  std::map<std::string, double> additional_metrics;
  std::vector<double> partitions;  // parallel to PartitionKeys
};

struct DescribeDimensionKeysResult {
  double aligned_start;
  double aligned_end;
  std::vector<DimensionMap> partition_keys;  // only with PartitionBy
  std::vector<DimensionKeyDescription> keys;
};

struct DimensionKeyDetail {
  std::string dimension;  // full name, e.g. db.sql.statement
  std::string value;
  std::string status;  // AVAILABLE | PROCESSING | UNAVAILABLE
};

// A span the instance was not sampled (unreachable), as the collector saw it.
struct GapInfo {
  double from;  // epoch seconds
  double to;
  std::string reason;  // the (redacted) error
};

struct MetricDescription {
  std::string metric;
  std::string description;
  std::string unit;
};

struct DimensionGroupDescription {
  std::string group;
  std::vector<std::string> dimensions;
};

}  // namespace dbinsight::pi
