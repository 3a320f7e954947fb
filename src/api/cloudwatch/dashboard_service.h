// DashboardService: CloudWatch's dashboard operations (PutDashboard,
// GetDashboard, ListDashboards, DeleteDashboards) over a
// dashboard::DashboardStore, in both CloudWatch protocols like AlarmService
// (each operation written once over JSON). Bodies are checked by
// dashboard::CheckBody; the dashboard operations name failures apart from the
// rest of CloudWatch (kPutDashboardErrors, kDashboardErrors). Borrows the
// store and the engine (its clock, for LastModified), which must outlive it.
// Thread-safe: the store is.
#pragma once

#include <nlohmann/json.hpp>

#include "api/cloudwatch/cloudwatch_service.h"
#include "dashboard/dashboard_store.h"

namespace dbinsight::api::cloudwatch {

// PutDashboard rejects any bad input as InvalidParameterInput (JSON 1.0 shape
// DashboardInvalidInputError); the others use InvalidParameterValue. A
// missing dashboard is ResourceNotFound (shape DashboardNotFoundError).
inline constexpr protocol::ErrorVocabulary kPutDashboardErrors = {
    .invalid_argument = {"InvalidParameterInput", 400, "DashboardInvalidInputError"},
    .not_found = {"ResourceNotFound", 404, "DashboardNotFoundError"},
    .unavailable = kErrors.unavailable,
    .resource_exhausted = kErrors.resource_exhausted,
    .internal = kErrors.internal,
    .missing_parameter = kErrors.missing_parameter,
};
inline constexpr protocol::ErrorVocabulary kDashboardErrors = {
    .invalid_argument = kErrors.invalid_argument,
    .not_found = {"ResourceNotFound", 404, "DashboardNotFoundError"},
    .unavailable = kErrors.unavailable,
    .resource_exhausted = kErrors.resource_exhausted,
    .internal = kErrors.internal,
    .missing_parameter = kErrors.missing_parameter,
};

class DashboardService {
 public:
  DashboardService(dashboard::DashboardStore& dashboards, const metrics::MetricEngine& engine);

  // Registers the operations on CloudWatch's two dispatchers (see
  // CloudWatchService::Register); they must not outlive this service.
  void Register(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json) const;

  Result<nlohmann::json> PutDashboard(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> GetDashboard(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> ListDashboards(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> DeleteDashboards(const nlohmann::json& body, const Call& call) const;

 private:
  dashboard::DashboardStore& dashboards_;
  const metrics::MetricEngine& engine_;
};

}  // namespace dbinsight::api::cloudwatch
