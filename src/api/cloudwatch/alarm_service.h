// AlarmService: CloudWatch's metric-alarm operations (PutMetricAlarm,
// DescribeAlarms, DeleteAlarms, SetAlarmState, DescribeAlarmHistory,
// EnableAlarmActions, DisableAlarmActions) and the single-metric anomaly
// detector registry (Put/Describe/DeleteAnomalyDetector; no band is computed
// yet, so detectors stay PENDING_TRAINING) over an alarm::AlarmStore, in both
// CloudWatch protocols like CloudWatchService (each operation written once
// over JSON). Definitions are checked by alarm::AlarmDefinition::Validate, so
// messages name the AWS parameter. Evaluation runs elsewhere (app/alarm_loop).
// Borrows the store and the engine (its clock), which must outlive it.
// Thread-safe: the store is.
#pragma once

#include <nlohmann/json.hpp>

#include "alarm/alarm_store.h"
#include "api/cloudwatch/cloudwatch_service.h"

namespace dbinsight::api::cloudwatch {

class AlarmService {
 public:
  AlarmService(alarm::AlarmStore& alarms, const metrics::MetricEngine& engine);

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
};

}  // namespace dbinsight::api::cloudwatch
