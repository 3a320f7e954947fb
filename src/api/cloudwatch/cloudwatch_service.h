// CloudWatchService: the CloudWatch metric API (2010-08-01) over a
// metrics::MetricEngine: PutMetricData, GetMetricStatistics, GetMetricData,
// ListMetrics. CloudWatch speaks two protocols and clients pick by botocore
// version (reference/cloudwatch-api.md §0): the query protocol (form body,
// XML reply; aws-cli 2.9, boto3 1.26) and AWS JSON 1.0 with awsQueryCompatible
// errors (aws-cli 1.45, boto3 1.43). Each operation is written once over the
// JSON request; a query form is unflattened into the same JSON first
// (protocol/query_json.h), so validation and messages are shared and
// parameter paths follow each protocol's spelling. Borrows the engine, which
// must outlive it. Thread-safe: the engine is, and the instance function is
// called once per ListMetrics.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/protocol/errors.h"
#include "api/protocol/json_dispatcher.h"
#include "api/protocol/params.h"
#include "api/protocol/query_dispatcher.h"
#include "api/protocol/request_context.h"
#include "common/status.h"
#include "metrics/metric_engine.h"
#include "model/instance.h"

namespace dbinsight::api::cloudwatch {

inline constexpr std::string_view kSigningName = "monitoring";
inline constexpr std::string_view kVersion = "2010-08-01";
inline constexpr std::string_view kXmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/";
inline constexpr std::string_view kTargetPrefix = "GraniteServiceVersion20100801";

// Query codes with the model's shape names (the JSON 1.0 __type).
inline constexpr protocol::ErrorVocabulary kErrors = {
    .invalid_argument = {"InvalidParameterValue", 400, "InvalidParameterValueException"},
    .not_found = {"ResourceNotFound", 404, "ResourceNotFound"},
    .unavailable = {"InternalServiceError", 500, "InternalServiceFault"},
    .resource_exhausted = {"Throttling", 400, "Throttling"},
    .internal = {"InternalServiceError", 500, "InternalServiceFault"},
    .missing_parameter = {"MissingParameter", 400, "MissingRequiredParameterException"},
    .invalid_combination = {"InvalidParameterCombination", 400, "InvalidParameterCombinationException"},
};

// What an operation gets beside its body: the request's input style and
// context (the region, for ARNs).
struct Call {
  protocol::InputStyle style;
  const protocol::RequestContext& context;
};
using Operation = std::function<Result<nlohmann::json>(const nlohmann::json& body, const Call& call)>;

// The one account dbinsight pretends to be (in ARNs), and the region when a
// request is unsigned.
inline constexpr std::string_view kAccount = "000000000000";
inline constexpr std::string_view kDefaultRegion = "us-east-1";

// Registers one operation on the JSON 1.0 dispatcher and on the query one
// (the form unflattened to JSON, the result written as CloudWatch's XML).
// errors: the operation's own vocabulary (static), nullptr for kErrors.
void RegisterOperation(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json, const std::string& name,
                       Operation op, const protocol::ErrorVocabulary* errors = nullptr);

class CloudWatchService {
 public:
  // instances: the configured instances, whose AWS/RDS metrics ListMetrics lists.
  CloudWatchService(metrics::MetricEngine& engine, std::function<std::vector<model::InstanceInfo>()> instances);

  // Registers the four operations on a query dispatcher built from
  // kSigningName/kVersion/kXmlns/kErrors and on a JSON 1.0 dispatcher built
  // from kTargetPrefix/kErrors. The dispatchers must not outlive this service.
  void Register(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json) const;

  // Each takes the request as JSON (style kQuery: an unflattened form) and
  // returns the output members as JSON (timestamps as epoch seconds).
  Result<nlohmann::json> PutMetricData(const nlohmann::json& body, protocol::InputStyle style) const;
  Result<nlohmann::json> GetMetricStatistics(const nlohmann::json& body, protocol::InputStyle style) const;
  Result<nlohmann::json> GetMetricData(const nlohmann::json& body, protocol::InputStyle style) const;
  Result<nlohmann::json> ListMetrics(const nlohmann::json& body, protocol::InputStyle style) const;

 private:
  metrics::MetricEngine& engine_;
  std::function<std::vector<model::InstanceInfo>()> instances_;
};

}  // namespace dbinsight::api::cloudwatch
