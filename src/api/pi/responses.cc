#include "api/pi/responses.h"

#include <cctype>
#include <cmath>

#include "api/pi/requests.h"
#include "api/protocol/utf8.h"

namespace dbinsight::api::pi {

namespace {

using nlohmann::json;

json Dimensions(const core::DimensionMap& dims) {
  json out = json::object();
  for (const auto& [name, value] : dims)
    out[name] = std::string(protocol::TruncateUtf8(value, kMaxDimensionValueBytes));
  return out;
}

// JSON has no NaN/Infinity; a non-finite value would become null, which
// botocore rejects for a double. Report 0 instead of breaking the response.
double Finite(double v) { return std::isfinite(v) ? v : 0.0; }

}  // namespace

json RenderGetResourceMetrics(const core::GetResourceMetricsResult& result, const std::string& resource_id,
                              const protocol::PageRequest& page) {
  json out = {{"AlignedStartTime", Finite(result.aligned_start)},
              {"AlignedEndTime", Finite(result.aligned_end)},
              {"Identifier", resource_id}};
  json list = json::array();
  protocol::PageSlice slice = protocol::Paginate(result.series.size(), page);
  for (size_t i = slice.begin; i < slice.end; ++i) {
    const core::MetricSeries& s = result.series[i];
    json key = {{"Metric", s.metric}};
    if (!s.dimensions.empty()) key["Dimensions"] = Dimensions(s.dimensions);
    json points = json::array();
    for (const core::DataPoint& p : s.points) {
      if (!std::isfinite(p.value) || !std::isfinite(p.timestamp)) continue;
      points.push_back({{"Timestamp", p.timestamp}, {"Value", p.value}});
    }
    list.push_back({{"Key", std::move(key)}, {"DataPoints", std::move(points)}});
  }
  out["MetricList"] = std::move(list);
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

json RenderDescribeDimensionKeys(const core::DescribeDimensionKeysResult& result, bool with_partitions,
                                 const protocol::PageRequest& page) {
  json out = {{"AlignedStartTime", Finite(result.aligned_start)}, {"AlignedEndTime", Finite(result.aligned_end)}};
  if (with_partitions) {
    json partition_keys = json::array();
    for (const auto& dims : result.partition_keys) partition_keys.push_back({{"Dimensions", Dimensions(dims)}});
    out["PartitionKeys"] = std::move(partition_keys);
  }
  json keys = json::array();
  protocol::PageSlice slice = protocol::Paginate(result.keys.size(), page);
  for (size_t i = slice.begin; i < slice.end; ++i) {
    const core::DimensionKeyDescription& k = result.keys[i];
    json key = {{"Dimensions", Dimensions(k.dimensions)}, {"Total", Finite(k.total)}};
    if (!k.additional_metrics.empty()) {
      json extra = json::object();
      for (const auto& [metric, value] : k.additional_metrics) extra[metric] = Finite(value);
      key["AdditionalMetrics"] = std::move(extra);
    }
    if (with_partitions) {
      json parts = json::array();
      for (double v : k.partitions) parts.push_back(Finite(v));
      key["Partitions"] = std::move(parts);
    }
    keys.push_back(std::move(key));
  }
  out["Keys"] = std::move(keys);
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

json RenderGetDimensionKeyDetails(const std::vector<core::DimensionKeyDetail>& details) {
  json dims = json::array();
  for (const auto& d : details)
    dims.push_back({{"Dimension", d.dimension}, {"Value", d.value}, {"Status", d.status}});
  return {{"Dimensions", std::move(dims)}};
}

json RenderGetResourceMetadata(const model::InstanceInfo& instance) {
  // SQL_TEXT: full statements are captured and GetDimensionKeyDetails serves
  // them. Execution plans and lock snapshots are not captured. The sampler
  // adds what it found on the server (per-SQL statistics, the session source
  // of MariaDB/MySQL), overriding these defaults by name.
  json features = {{"SQL_TEXT", {{"Status", "ENABLED"}}},
                   {"EXECUTION_PLAN", {{"Status", "UNSUPPORTED"}}},
                   {"LOCK_SNAPSHOT", {{"Status", "UNSUPPORTED"}}}};
  for (const auto& [name, status] : instance.features) features[name] = {{"Status", status}};
  if (!instance.role.empty()) {
    for (const char* role : {"primary", "replica", "standby"}) {
      std::string name = "ROLE_" + std::string(role);
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      features[name] = {{"Status", instance.role == role ? "ENABLED" : "DISABLED"}};
    }
  }
  return {{"Identifier", instance.resource_id}, {"Features", features}};
}

json RenderListAvailableResourceDimensions(const std::vector<MetricDimensions>& metrics,
                                           const protocol::PageRequest& page) {
  size_t total = 0;
  for (const auto& m : metrics) total += m.groups.size();
  protocol::PageSlice slice = protocol::Paginate(total, page);
  json out_metrics = json::array();
  size_t index = 0;  // position of the current group in the flattened list
  for (const auto& m : metrics) {
    json groups = json::array();
    for (const auto& g : m.groups) {
      if (index >= slice.begin && index < slice.end) {
        json dims = json::array();
        for (const auto& d : g.dimensions) dims.push_back({{"Identifier", d}});
        groups.push_back({{"Group", g.group}, {"Dimensions", std::move(dims)}});
      }
      ++index;
    }
    if (!groups.empty()) out_metrics.push_back({{"Metric", m.metric}, {"Groups", std::move(groups)}});
  }
  json out = {{"MetricDimensions", std::move(out_metrics)}};
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

json RenderListAvailableResourceMetrics(const std::vector<core::MetricDescription>& metrics,
                                        const protocol::PageRequest& page) {
  protocol::PageSlice slice = protocol::Paginate(metrics.size(), page);
  json list = json::array();
  for (size_t i = slice.begin; i < slice.end; ++i)
    list.push_back({{"Metric", metrics[i].metric}, {"Description", metrics[i].description}, {"Unit", metrics[i].unit}});
  json out = {{"Metrics", std::move(list)}};
  if (slice.next_token) out["NextToken"] = *slice.next_token;
  return out;
}

}  // namespace dbinsight::api::pi
