// One root-cause report from request to stored outcome: a RUNNING entry in
// the ReportStore, AnalyzeWindow, then SUCCEEDED with the report or FAILED
// with the error, so a failed analysis is visible, never lost. Shared by the
// PI API (CreatePerformanceAnalysisReport) and the incident loop's report at
// each incident's close. Thread-safe as the engine and the store are.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "analysis/index_advice.h"
#include "analysis/report_store.h"
#include "analysis/root_cause.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/instance.h"
#include "pi/query_engine.h"

namespace dbinsight::analysis {

struct ReportRequest {
  model::InstanceInfo instance;
  WallTime start;
  WallTime end;
  std::vector<std::pair<std::string, std::string>> tags;
  RootCauseOptions options;
};

// The stored report's id, also when the analysis failed (the report is then
// FAILED with the reason); an error only when the store could not record it.
// `analyzed`, when given, receives the report if the analysis succeeded.
Result<std::string> StoreAnalysis(const pi::QueryEngine& engine, ReportStore& reports, const ReportRequest& request,
                                  WallTime now, const IndexAdvisor& advisor = {}, Report* analyzed = nullptr);

}  // namespace dbinsight::analysis
