// RdsService: the slice of the RDS API (query protocol, version 2014-10-31)
// that PI clients need: DescribeDBInstances, so tools can find an instance's
// DbiResourceId (`aws rds describe-db-instances --query
// "DBInstances[0].DbiResourceId"`). Instances come from a function app/
// supplies. Thread-safe: the function is called once per request.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/protocol/errors.h"
#include "api/protocol/query_dispatcher.h"
#include "common/status.h"
#include "model/instance.h"

namespace dbinsight::api::rds {

inline constexpr std::string_view kSigningName = "rds";
inline constexpr std::string_view kVersion = "2014-10-31";
inline constexpr std::string_view kXmlns = "http://rds.amazonaws.com/doc/2014-10-31/";

// NotFound is DBInstanceNotFound (404): DescribeDBInstances is the only
// operation, and an unknown DBInstanceIdentifier is its only NotFound.
inline constexpr protocol::ErrorVocabulary kErrors = {
    .invalid_argument = {"InvalidParameterValue", 400},
    .not_found = {"DBInstanceNotFound", 404},
    .unavailable = {"ServiceUnavailable", 503},
    .resource_exhausted = {"Throttling", 400},
    .internal = {"InternalFailure", 500},
};

// DBInstanceStatus values: "available" while sampling is live, otherwise
// "unavailable" (not an RDS status; docs/api-coverage.md says why).
inline constexpr std::string_view kStatusAvailable = "available";
inline constexpr std::string_view kStatusUnavailable = "unavailable";

class RdsService {
 public:
  explicit RdsService(std::function<std::vector<model::InstanceInfo>()> instances);

  // Registers DescribeDBInstances on a dispatcher built from the constants
  // above. The dispatcher must not outlive this service.
  void Register(protocol::QueryDispatcher& dispatcher) const;

  // Inner XML of <DescribeDBInstancesResult>. Supports DBInstanceIdentifier,
  // Filters (db-instance-id, dbi-resource-id, engine), MaxRecords (20-100)
  // and Marker.
  Result<std::string> DescribeDBInstances(const protocol::QueryParams& params) const;

 private:
  std::function<std::vector<model::InstanceInfo>()> instances_;
};

}  // namespace dbinsight::api::rds
