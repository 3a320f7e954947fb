// PiService: the Performance Insights API (JSON 1.1, target prefix
// PerformanceInsightsv20180227) over a pi::QueryEngine. Each operation parses
// and validates its request (requests.h), resolves the Identifier against the
// current instance list, runs the engine and renders the result
// (responses.h). Borrows the engine, which must outlive it. Thread-safe: the
// engine is, and the instance function is called once per request.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <vector>

#include "api/protocol/errors.h"
#include "api/protocol/json_dispatcher.h"
#include "common/status.h"
#include "model/instance.h"
#include "pi/query_engine.h"

namespace dbinsight::api::pi {

inline constexpr std::string_view kTargetPrefix = "PerformanceInsightsv20180227";

// PI has no "not found" error: unknown identifiers are InvalidArgumentException.
inline constexpr protocol::ErrorVocabulary kErrors = {
    .invalid_argument = {"InvalidArgumentException", 400},
    .not_found = {"InvalidArgumentException", 400},
    .unavailable = {"InternalServiceError", 500},
    .resource_exhausted = {"ThrottlingException", 400},
    .internal = {"InternalServiceError", 500},
};

class PiService {
 public:
  PiService(::dbinsight::pi::QueryEngine& engine, std::function<std::vector<model::InstanceInfo>()> instances);

  // Registers the six operations on a dispatcher created with kTargetPrefix
  // and kErrors. The dispatcher must not outlive this service.
  void Register(protocol::JsonDispatcher& dispatcher) const;

  Result<nlohmann::json> GetResourceMetrics(const nlohmann::json& body) const;
  Result<nlohmann::json> DescribeDimensionKeys(const nlohmann::json& body) const;
  Result<nlohmann::json> GetDimensionKeyDetails(const nlohmann::json& body) const;
  Result<nlohmann::json> GetResourceMetadata(const nlohmann::json& body) const;
  Result<nlohmann::json> ListAvailableResourceDimensions(const nlohmann::json& body) const;
  Result<nlohmann::json> ListAvailableResourceMetrics(const nlohmann::json& body) const;

 private:
  ::dbinsight::pi::QueryEngine& engine_;
  std::function<std::vector<model::InstanceInfo>()> instances_;
};

}  // namespace dbinsight::api::pi
