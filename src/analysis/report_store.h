// ReportStore: root-cause reports (PI performance analysis reports) persisted
// in <store directory>/reports.sqlite3: id, instance, create time, window,
// status, the report as JSON (root_cause.h's Report::ToJson) and tags. One
// SQLite connection shared by all calls under a mutex: reports are created
// by hand or by API calls, rarely. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite.h"

namespace dbinsight::analysis {

enum class ReportStatus { kRunning = 1, kSucceeded = 2, kFailed = 3 };  // stored by number: never renumber
const char* ReportStatusName(ReportStatus s);                           // "RUNNING", "SUCCEEDED", "FAILED"

struct StoredReport {
  std::string id;  // "report-" + 17 lower-case hex digits
  std::string instance_id;
  WallTime create_time;
  WallTime start;
  WallTime end;
  ReportStatus status = ReportStatus::kRunning;
  std::string report_json;                                // Report::ToJson() once SUCCEEDED; empty before
  std::string error;                                      // why it FAILED
  std::vector<std::pair<std::string, std::string>> tags;  // in the order given
};

class ReportStore {
 public:
  // Creates the directory's reports.sqlite3 when missing.
  static Result<std::unique_ptr<ReportStore>> Open(const std::string& directory);

  // Stores a new RUNNING report with a fresh id (returned).
  Result<std::string> Create(const std::string& instance_id, WallTime create_time, WallTime start, WallTime end,
                             const std::vector<std::pair<std::string, std::string>>& tags);
  // Sets the outcome: SUCCEEDED with the JSON, or FAILED with the error.
  // NotFound when the report was deleted meanwhile.
  Status Finish(const std::string& id, ReportStatus status, const std::string& report_json, const std::string& error);
  // The report if it exists and belongs to the instance.
  Result<std::optional<StoredReport>> Get(const std::string& instance_id, const std::string& id) const;
  // The instance's reports, newest first (ties by id). report_json is left
  // empty: listing needs only the summary.
  Result<std::vector<StoredReport>> List(const std::string& instance_id) const;
  // NotFound when no report of the instance has this id.
  Status Delete(const std::string& instance_id, const std::string& id);

 private:
  explicit ReportStore(std::unique_ptr<store::Database> db);
  Result<std::vector<StoredReport>> Select(const std::string& instance_id, const std::string& id,
                                           bool with_json) const;  // REQUIRES: mu_ held; empty id: all

  mutable std::mutex mu_;
  std::unique_ptr<store::Database> db_;  // GUARDED_BY(mu_)
  std::mt19937_64 random_;               // GUARDED_BY(mu_): report ids
};

}  // namespace dbinsight::analysis
