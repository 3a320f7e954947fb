// DashboardStore: CloudWatch dashboards (name, body as given, last change,
// size) in <store directory>/dashboards.sqlite3, so they survive restarts.
// Bodies are stored unchecked: callers validate them first (validate.h).
// One SQLite connection shared under a mutex: dashboards are few and change
// only by API calls. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite.h"

namespace dbinsight::dashboard {

struct Dashboard {
  std::string name;
  std::string body;  // empty in List() results
  WallTime last_modified;
  int64_t size = 0;  // of the body, in bytes
};

class DashboardStore {
 public:
  // Creates the directory's dashboards.sqlite3 when missing.
  static Result<std::unique_ptr<DashboardStore>> Open(const std::string& directory);

  // Creates the dashboard or replaces its body, as PutDashboard does.
  Status Put(const std::string& name, const std::string& body, WallTime now);
  Result<std::optional<Dashboard>> Get(const std::string& name) const;
  // Dashboards whose names start with `prefix`, sorted by name, without bodies.
  Result<std::vector<Dashboard>> List(const std::string& prefix) const;
  // All or nothing: NotFound naming every unknown name, and then nothing is
  // deleted (DeleteDashboards).
  Status Delete(std::span<const std::string> names);

 private:
  explicit DashboardStore(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}

  mutable std::mutex mu_;
  std::unique_ptr<store::Database> db_;  // GUARDED_BY(mu_)
};

}  // namespace dbinsight::dashboard
