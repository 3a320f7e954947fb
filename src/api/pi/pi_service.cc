#include "api/pi/pi_service.h"

#include "api/pi/requests.h"
#include "api/pi/responses.h"

namespace dbinsight::api::pi {

PiService::PiService(core::QueryEngine& engine, std::function<std::vector<model::InstanceInfo>()> instances)
    : engine_(engine), instances_(std::move(instances)) {}

void PiService::Register(protocol::JsonDispatcher& d) const {
  auto bind = [this](Result<nlohmann::json> (PiService::*op)(const nlohmann::json&) const) {
    return [this, op](const nlohmann::json& body, const protocol::RequestContext&) { return (this->*op)(body); };
  };
  d.Register("GetResourceMetrics", bind(&PiService::GetResourceMetrics));
  d.Register("DescribeDimensionKeys", bind(&PiService::DescribeDimensionKeys));
  d.Register("GetDimensionKeyDetails", bind(&PiService::GetDimensionKeyDetails));
  d.Register("GetResourceMetadata", bind(&PiService::GetResourceMetadata));
  d.Register("ListAvailableResourceDimensions", bind(&PiService::ListAvailableResourceDimensions));
  d.Register("ListAvailableResourceMetrics", bind(&PiService::ListAvailableResourceMetrics));
}

Result<nlohmann::json> PiService::GetResourceMetrics(const nlohmann::json& body) const {
  auto call = ParseGetResourceMetrics(body, instances_());
  if (!call.ok()) return call.status();
  auto result = engine_.GetResourceMetrics(call->request);
  if (!result.ok()) return result.status();
  return RenderGetResourceMetrics(result.value(), call->resource_id, call->page);
}

Result<nlohmann::json> PiService::DescribeDimensionKeys(const nlohmann::json& body) const {
  auto call = ParseDescribeDimensionKeys(body, instances_());
  if (!call.ok()) return call.status();
  auto result = engine_.DescribeDimensionKeys(call->request);
  if (!result.ok()) return result.status();
  return RenderDescribeDimensionKeys(result.value(), call->request.partition_by.has_value(), call->page);
}

Result<nlohmann::json> PiService::GetDimensionKeyDetails(const nlohmann::json& body) const {
  auto call = ParseGetDimensionKeyDetails(body, instances_());
  if (!call.ok()) return call.status();
  auto result =
      engine_.GetDimensionKeyDetails(call->instance_id, call->group, call->group_identifier, call->requested_dimensions);
  if (!result.ok()) return result.status();
  return RenderGetDimensionKeyDetails(result.value());
}

Result<nlohmann::json> PiService::GetResourceMetadata(const nlohmann::json& body) const {
  auto call = ParseGetResourceMetadata(body, instances_());
  if (!call.ok()) return call.status();
  return RenderGetResourceMetadata(call->instance);
}

Result<nlohmann::json> PiService::ListAvailableResourceDimensions(const nlohmann::json& body) const {
  auto call = ParseListAvailableResourceDimensions(body, instances_());
  if (!call.ok()) return call.status();
  std::vector<MetricDimensions> metrics;
  for (const std::string& metric : call->metrics) {
    auto groups = core::QueryEngine::AvailableDimensions(metric);
    if (!groups.ok()) return groups.status();
    metrics.push_back({metric, std::move(groups).value()});
  }
  return RenderListAvailableResourceDimensions(metrics, call->page);
}

Result<nlohmann::json> PiService::ListAvailableResourceMetrics(const nlohmann::json& body) const {
  auto call = ParseListAvailableResourceMetrics(body, instances_());
  if (!call.ok()) return call.status();
  auto metrics = engine_.AvailableMetrics(call->instance.id, call->instance.engine, call->metric_types);
  if (!metrics.ok()) return metrics.status();
  return RenderListAvailableResourceMetrics(metrics.value(), call->page);
}

}  // namespace dbinsight::api::pi
