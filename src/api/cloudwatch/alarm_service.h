// AlarmService: CloudWatch's metric-alarm operations (PutMetricAlarm,
// DescribeAlarms, DeleteAlarms, SetAlarmState, DescribeAlarmHistory,
// EnableAlarmActions, DisableAlarmActions) and the single-metric anomaly
// detector registry (Put/Describe/DeleteAnomalyDetector; Describe reports how
// far the detector's model has trained on the stored history, 60 s periods)
// over an alarm::AlarmStore, in both
// CloudWatch protocols like CloudWatchService (each operation written once
// over JSON). Definitions are checked by alarm::AlarmDefinition::Validate, so
// messages name the AWS parameter. Evaluation runs elsewhere (app/alarm_loop).
// Borrows the store and the engine (its clock), which must outlive it.
// Thread-safe: the store is.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "alarm/alarm_store.h"
#include "alarm/evaluator.h"
#include "api/cloudwatch/cloudwatch_service.h"

namespace dbinsight::api::cloudwatch {

// A Metrics alarm's list as GetMetricData queries (expressions parsed and
// checked; InvalidArgument naming Metrics[i] otherwise). Each band query gets
// the ExcludedTimeRanges of the detector of its metric and stat, if any.
Result<std::vector<metrics::DataQuery>> AlarmQueries(const alarm::AlarmDefinition& def,
                                                     std::span<const alarm::AnomalyDetector> detectors);
// A detector's Configuration.ExcludedTimeRanges.
std::vector<metrics::TimeRange> ExcludedRanges(const alarm::AnomalyDetector& detector);

class AlarmService {
 public:
  // on_transition (may be empty) hears every state change SetAlarmState
  // makes, as app/alarm_loop's evaluations report theirs: AWS runs the
  // actions of a state set by hand too.
  AlarmService(alarm::AlarmStore& alarms, const metrics::MetricEngine& engine,
               alarm::TransitionHandler on_transition = {});

  // Registers the operations on CloudWatch's two dispatchers (see
  // CloudWatchService::Register); they must not outlive this service.
  void Register(protocol::QueryDispatcher& query, protocol::JsonDispatcher& json) const;

  Result<nlohmann::json> PutMetricAlarm(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> DescribeAlarms(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> DeleteAlarms(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> SetAlarmState(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> DescribeAlarmHistory(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> EnableAlarmActions(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> DisableAlarmActions(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> PutAnomalyDetector(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> DescribeAnomalyDetectors(const nlohmann::json& body, const Call& call) const;
  Result<nlohmann::json> DeleteAnomalyDetector(const nlohmann::json& body, const Call& call) const;

 private:
  Result<nlohmann::json> SetActions(const nlohmann::json& body, const Call& call, bool enabled) const;

  alarm::AlarmStore& alarms_;
  const metrics::MetricEngine& engine_;
  alarm::TransitionHandler on_transition_;
};

}  // namespace dbinsight::api::cloudwatch
