// analysis::AnalyzerOptions: when the scheduled analyzer runs and where its
// reports go. Filled by config/ from the `analysis:` key; the defaults live
// here only. Plain values, header-only.
#pragma once

#include <chrono>
#include <string>

#include "analysis/reference_report.h"

namespace dbinsight::analysis {

struct AnalyzerOptions {
  // Default on: every instance is analyzed on the schedule.
  bool enabled = true;
  // Default rate(15 minutes), the recipe's EventBridge rule (schedule.h).
  std::string schedule = "rate(15 minutes)";
  // The versioned bucket each instance's reports go to; "{id}" is replaced by
  // the instance id. Reports are performance-reports/YYYY/MM/DD/HH/analysis.json.
  std::string bucket = "dbinsight-reports-{id}";
  // The Lambda function each instance's analysis answers to on the API
  // (`aws lambda invoke`); "{id}" as in bucket.
  std::string function_name = "dbinsight-analyzer-{id}";
  // The EventBridge rule the schedule shows as (`aws events describe-rule`).
  std::string rule_name = "dbinsight-performance-analysis";
  // A failed run is tried again this long after, until it works or the next
  // scheduled run is due. Default 1 minute.
  std::chrono::seconds retry_after{60};
  ReferenceOptions reference;
};

}  // namespace dbinsight::analysis
