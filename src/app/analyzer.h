// ScheduledAnalyzer: runs the reference analysis (analysis/reference_report.h)
// of each instance on the configured EventBridge schedule, stores each report
// in the instance's versioned bucket under
// performance-reports/YYYY/MM/DD/HH/analysis.json (an overwrite in the same
// hour keeps the older version), and publishes HighLoadEvents and
// ProblematicQueries (Count, dimension DBInstanceIdentifier) to the namespace
// RDS/PerformanceInsights, which the recipe's alarms watch. A failed run is
// retried after AnalyzerOptions::retry_after and shows in StatusOf() and the
// log; it is never skipped silently. It lives in app/ because it joins
// analysis/ with the bucket and metric stores, its peers.
// Borrows the engines and the store, which must outlive it. Thread-safe:
// Run() may be called from the schedule thread and API workers at once.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analysis/options.h"
#include "analysis/reference_report.h"
#include "analysis/schedule.h"
#include "bucket/bucket_store.h"
#include "common/clock.h"
#include "common/status.h"
#include "metrics/metric_engine.h"
#include "pi/query_engine.h"

namespace dbinsight::app {

inline constexpr const char* kInsightsNamespace = "RDS/PerformanceInsights";

struct AnalyzerRunStatus {
  std::optional<WallTime> last_attempt;
  std::optional<WallTime> last_success;
  std::string last_error;  // of the latest attempt; empty when it worked
  int consecutive_failures = 0;
  std::string last_report_key;
  // The latest report's first recommendation when it found a high-load event
  // or a problematic query; empty otherwise. Alarm notifications quote it.
  std::string top_finding;
};

class ScheduledAnalyzer {
 public:
  // REQUIRES: Schedule::Parse(options.schedule) succeeded (config checks it).
  ScheduledAnalyzer(const pi::QueryEngine& pi, metrics::MetricEngine& metrics, bucket::BucketStore& buckets,
                    std::vector<std::string> instance_ids, analysis::AnalyzerOptions options);

  // Analyzes one instance as of `now`, stores the report and publishes the
  // two counts; records the outcome in StatusOf(). NotFound for an instance
  // not in the config.
  Result<analysis::ReferenceReport> Run(const std::string& instance_id, WallTime now);

  // The bucket (the configured name, "{id}" replaced by the id lowercased
  // with other characters than letters, digits and '.' made '-') and the key
  // of an instance's report made at `now`.
  std::string BucketOf(const std::string& instance_id) const;
  // The Lambda function name the API shows the instance's analysis as, from
  // AnalyzerOptions::function_name with "{id}" replaced as for the bucket.
  std::string FunctionOf(const std::string& instance_id) const;
  static std::string ReportKey(WallTime now);

  // When the next run is due: the earliest of the schedule's next firing
  // (the first one after the first call) and the retry time of any instance
  // whose latest run failed. nullopt when nothing will run again.
  std::optional<WallTime> NextDue(WallTime now);
  // At a firing, runs every instance; otherwise retries the failed runs that
  // are due. Returns the first failure.
  Status RunDue(WallTime now);

  AnalyzerRunStatus StatusOf(const std::string& instance_id) const;
  const analysis::Schedule& schedule() const { return schedule_; }
  const analysis::AnalyzerOptions& options() const { return options_; }
  const std::vector<std::string>& instance_ids() const { return instance_ids_; }

 private:
  Status Publish(const std::string& instance_id, const analysis::ReferenceReport& report);
  Status Store(const std::string& instance_id, const analysis::ReferenceReport& report, std::string& key);

  const pi::QueryEngine& pi_;
  metrics::MetricEngine& metrics_;
  bucket::BucketStore& buckets_;
  const std::vector<std::string> instance_ids_;
  const analysis::AnalyzerOptions options_;
  const analysis::Schedule schedule_;
  mutable std::mutex mu_;
  std::map<std::string, AnalyzerRunStatus> status_;  // GUARDED_BY(mu_)
  std::optional<WallTime> next_firing_;               // GUARDED_BY(mu_)
};

}  // namespace dbinsight::app
