// Performance Insights request parsing: a JSON 1.1 body → validated
// pi::QueryEngine request values, with every model constraint the clients
// leave to the server (ranges, enums, patterns, StartTime < EndTime) and the
// Identifier resolved to a monitored instance. Errors are InvalidArgument
// naming the parameter path (protocol/params.h). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "api/protocol/pagination.h"
#include "common/status.h"
#include "model/instance.h"
#include "pi/types.h"

namespace dbinsight::api::pi {

namespace core = ::dbinsight::pi;
using Instances = std::vector<model::InstanceInfo>;

// Dimension values in GetResourceMetrics/DescribeDimensionKeys responses are
// cut to this many bytes (PI documents 500; GetDimensionKeyDetails gives all).
inline constexpr size_t kMaxDimensionValueBytes = 500;

struct GetResourceMetricsCall {
  core::GetResourceMetricsRequest request;
  std::string resource_id;  // echoed as the response's Identifier
  protocol::PageRequest page;
};

struct DescribeDimensionKeysCall {
  core::DescribeDimensionKeysRequest request;
  protocol::PageRequest page;
};

struct GetDimensionKeyDetailsCall {
  std::string instance_id;
  std::string group;
  std::string group_identifier;
  std::vector<std::string> requested_dimensions;  // empty = all
};

struct GetResourceMetadataCall {
  model::InstanceInfo instance;
};

struct ListAvailableResourceDimensionsCall {
  std::vector<std::string> metrics;  // "db.load" / "db.sampledload"
  protocol::PageRequest page;
};

struct ListAvailableResourceMetricsCall {
  model::InstanceInfo instance;
  std::vector<std::string> metric_types;
  protocol::PageRequest page;
};

Result<GetResourceMetricsCall> ParseGetResourceMetrics(const nlohmann::json& body, const Instances& instances);
Result<DescribeDimensionKeysCall> ParseDescribeDimensionKeys(const nlohmann::json& body,
                                                             const Instances& instances);
Result<GetDimensionKeyDetailsCall> ParseGetDimensionKeyDetails(const nlohmann::json& body,
                                                               const Instances& instances);
Result<GetResourceMetadataCall> ParseGetResourceMetadata(const nlohmann::json& body, const Instances& instances);
Result<ListAvailableResourceDimensionsCall> ParseListAvailableResourceDimensions(const nlohmann::json& body,
                                                                                 const Instances& instances);
Result<ListAvailableResourceMetricsCall> ParseListAvailableResourceMetrics(const nlohmann::json& body,
                                                                           const Instances& instances);

// Performance analysis reports. now: the server's clock; history: how far
// back per-second load is kept (the oldest StartTime a report may have).
struct CreatePerformanceAnalysisReportCall {
  model::InstanceInfo instance;
  WallTime start;
  WallTime end;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct AnalysisReportCall {  // Get and Delete
  model::InstanceInfo instance;
  std::string report_id;
  bool markdown = false;  // TextFormat MARKDOWN (Get only)
};

struct ListPerformanceAnalysisReportsCall {
  model::InstanceInfo instance;
  bool list_tags = false;
  protocol::PageRequest page;
};

Result<CreatePerformanceAnalysisReportCall> ParseCreatePerformanceAnalysisReport(const nlohmann::json& body,
                                                                                 const Instances& instances,
                                                                                 WallTime now,
                                                                                 std::chrono::seconds history);
Result<AnalysisReportCall> ParseGetPerformanceAnalysisReport(const nlohmann::json& body, const Instances& instances);
Result<AnalysisReportCall> ParseDeletePerformanceAnalysisReport(const nlohmann::json& body,
                                                                const Instances& instances);
Result<ListPerformanceAnalysisReportsCall> ParseListPerformanceAnalysisReports(const nlohmann::json& body,
                                                                               const Instances& instances);

}  // namespace dbinsight::api::pi
