// AnalysisReportService: Performance Insights' performance analysis reports
// (Create/Get/List/DeletePerformanceAnalysisReport) over dbinsight's
// root-cause analysis (analysis/root_cause.h) and report store. Create runs
// the analysis synchronously, inside the request: a report of a few hours
// takes well under a second, and SUCCEEDED/FAILED is known when Create
// answers (RUNNING is only seen by a concurrent Get). Findings become PI
// Insights: the episode's cause is CAUSAL, its context (statement
// regressions, counters) SupportingInsights marked CONTEXTUAL.
// Borrows the engine and the store, which must outlive it. Thread-safe: both
// are, and `instances`/`now` are called once per request.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "analysis/index_advice.h"
#include "analysis/report_store.h"
#include "api/protocol/json_dispatcher.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/instance.h"
#include "pi/query_engine.h"

namespace dbinsight::api::pi {

class AnalysisReportService {
 public:
  // history: how far back per-second load is kept (the store's
  // retention.one_second); a report's StartTime may not be older.
  AnalysisReportService(::dbinsight::pi::QueryEngine& engine,
                        std::function<std::vector<model::InstanceInfo>()> instances, analysis::ReportStore& reports,
                        std::function<WallTime()> now, std::chrono::seconds history,
                        analysis::IndexAdvisors advisors = {});

  // Registers the four operations on the PI dispatcher (kTargetPrefix,
  // kErrors). The dispatcher must not outlive this service.
  void Register(protocol::JsonDispatcher& dispatcher) const;

  Result<nlohmann::json> CreatePerformanceAnalysisReport(const nlohmann::json& body) const;
  Result<nlohmann::json> GetPerformanceAnalysisReport(const nlohmann::json& body) const;
  Result<nlohmann::json> ListPerformanceAnalysisReports(const nlohmann::json& body) const;
  Result<nlohmann::json> DeletePerformanceAnalysisReport(const nlohmann::json& body) const;

 private:
  ::dbinsight::pi::QueryEngine& engine_;
  std::function<std::vector<model::InstanceInfo>()> instances_;
  analysis::ReportStore& reports_;
  std::function<WallTime()> now_;
  std::chrono::seconds history_;
  analysis::IndexAdvisors advisors_;
};

}  // namespace dbinsight::api::pi
