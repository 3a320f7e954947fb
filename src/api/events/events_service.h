// EventsService: the EventBridge (JSON 1.1, target prefix AWSEvents)
// read operations that show the scheduled analyzer as the recipe's
// EventBridge rule: DescribeRule, ListRules and ListTargetsByRule. There is
// one rule (AnalyzerPort::rule_name) on the default bus, whose targets are the
// per-instance analyzer functions (lambda/). Coverage: docs/api-coverage.md
// ("EventBridge"). Borrows the port, which must outlive it. Thread-safe: it
// only reads the port.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/analyzer_port.h"
#include "api/protocol/errors.h"
#include "api/protocol/json_dispatcher.h"
#include "common/status.h"

namespace dbinsight::api::events {

inline constexpr std::string_view kTargetPrefix = "AWSEvents";

inline constexpr protocol::ErrorVocabulary kErrors = {
    .invalid_argument = {"ValidationException", 400},
    .not_found = {"ResourceNotFoundException", 400},
    .unavailable = {"InternalException", 500},
    .resource_exhausted = {"ThrottlingException", 400},
    .internal = {"InternalException", 500},
};

class EventsService {
 public:
  explicit EventsService(const AnalyzerPort& port) : port_(port) {}

  // Registers the three operations on a dispatcher created with
  // kTargetPrefix and kErrors. The dispatcher must not outlive this service.
  void Register(protocol::JsonDispatcher& dispatcher) const;

  Result<nlohmann::json> DescribeRule(const nlohmann::json& body) const;
  Result<nlohmann::json> ListRules(const nlohmann::json& body) const;
  Result<nlohmann::json> ListTargetsByRule(const nlohmann::json& body) const;

 private:
  // The rule as ListRules shows it (DescribeRule adds CreatedBy).
  nlohmann::json Rule() const;

  const AnalyzerPort& port_;
};

}  // namespace dbinsight::api::events
