// Performance Insights response rendering: pi::QueryEngine results → the JSON
// shapes of the PI API (timestamps as epoch-seconds floats, dimension values
// cut to 500 bytes at a UTF-8 boundary, MaxResults/NextToken paging).
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "api/protocol/pagination.h"
#include "model/instance.h"
#include "pi/types.h"

namespace dbinsight::api::pi {

namespace core = ::dbinsight::pi;

nlohmann::json RenderGetResourceMetrics(const core::GetResourceMetricsResult& result, const std::string& resource_id,
                                        const protocol::PageRequest& page);

// with_partitions: the request had PartitionBy (PartitionKeys and each key's
// Partitions are present exactly then).
nlohmann::json RenderDescribeDimensionKeys(const core::DescribeDimensionKeysResult& result, bool with_partitions,
                                           const protocol::PageRequest& page);

nlohmann::json RenderGetDimensionKeyDetails(const std::vector<core::DimensionKeyDetail>& details);

// The features GetResourceMetadata reports (docs/api-coverage.md).
nlohmann::json RenderGetResourceMetadata(const model::InstanceInfo& instance);

struct MetricDimensions {
  std::string metric;  // "db.load"
  std::vector<core::DimensionGroupDescription> groups;
};
// Pages over (metric, group) pairs, so MaxResults counts groups.
nlohmann::json RenderListAvailableResourceDimensions(const std::vector<MetricDimensions>& metrics,
                                                     const protocol::PageRequest& page);

nlohmann::json RenderListAvailableResourceMetrics(const std::vector<core::MetricDescription>& metrics,
                                                  const protocol::PageRequest& page);

}  // namespace dbinsight::api::pi
