// IncidentStore: incidents as the live detectors open, update and close
// them, in <store directory>/incidents.sqlite3, so they survive restarts and
// the API and UI can list them. One SQLite connection under a mutex (a write
// per incident change, a few per minute at most). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analysis/incident_detector.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite.h"

namespace dbinsight::analysis {

struct StoredIncident {
  int64_t id = 0;
  std::string instance;
  std::string kind;
  WallTime opened;
  std::optional<WallTime> closed;
  // Of the kind's measure (KindUnit): load for high-load, seconds waited for
  // lock-chain, connections, ms per call for latency-regression.
  double peak = 0;
  double average = 0;
  std::string summary;
  std::string close_note;  // why it closed other than by its detector ("dbinsight restarted")
};

class IncidentStore {
 public:
  static Result<std::unique_ptr<IncidentStore>> Open(const std::string& directory);

  // Records a new incident; returns its id.
  Result<int64_t> Add(const std::string& instance, const Incident& incident);
  // Rewrites the numbers, summary and closing time of incident `id`.
  Status Update(int64_t id, const Incident& incident);
  // Closes every incident still open at `now` with `note`: after a restart
  // the detectors start afresh, so what was open cannot be followed.
  Status CloseOpen(WallTime now, const std::string& note);
  // Newest first; only those of `instance` when given, only open ones when
  // open_only; at most `limit`.
  Result<std::vector<StoredIncident>> List(const std::optional<std::string>& instance, bool open_only,
                                           int limit) const;

 private:
  explicit IncidentStore(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}
  mutable std::mutex mu_;
  std::unique_ptr<store::Database> db_;  // GUARDED_BY(mu_)
};

}  // namespace dbinsight::analysis
