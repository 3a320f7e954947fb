// AlarmStore: metric alarms (definition, current state) and their history,
// persisted in <store directory>/alarms.sqlite3 so they survive restarts.
// History is kept for 30 days, as CloudWatch keeps it ("Alarm history is
// retained for 30 days"), including that of deleted alarms; older items are
// pruned whenever history is written. Opens one SQLite connection that all
// calls share under a mutex: alarms are few and their writes rare (a state
// change, an API call), so readers need no pool. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alarm/definition.h"
#include "alarm/state.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite.h"

namespace dbinsight::alarm {

inline constexpr std::chrono::hours kHistoryRetention{30 * 24};

struct StoredAlarm {
  AlarmDefinition definition;
  AlarmState state;
  WallTime configuration_updated;  // AlarmConfigurationUpdatedTimestamp
};

// A single-metric anomaly detector (PutAnomalyDetector): the metric and
// statistic it models. Identity is all four; `configuration` is the API's
// Configuration member as JSON text (empty: none), kept as given.
struct AnomalyDetector {
  std::string metric_namespace;
  std::string metric_name;
  std::vector<Dimension> dimensions;  // sorted by name
  std::string stat;
  std::string configuration;
};

struct HistoryQuery {
  std::optional<std::string> alarm_name;
  std::optional<HistoryItemType> type;
  std::optional<WallTime> start;  // inclusive
  std::optional<WallTime> end;    // inclusive
};

class AlarmStore {
 public:
  // Creates the directory's alarms.sqlite3 when missing.
  static Result<std::unique_ptr<AlarmStore>> Open(const std::string& directory);

  // Creates the alarm (state InitialState(now)) or replaces the definition of
  // an existing one, keeping its state, as PutMetricAlarm does; records a
  // ConfigurationUpdate history item either way.
  Status Put(const AlarmDefinition& def, WallTime now);
  // All alarms sorted by name.
  Result<std::vector<StoredAlarm>> List() const;
  Result<std::optional<StoredAlarm>> Get(const std::string& name) const;
  // NotFound naming the first unknown alarm; then nothing is deleted.
  Status Delete(std::span<const std::string> names);
  // Stores `state` as the alarm's current state and `item` in its history.
  // NotFound when the alarm does not exist (deleted meanwhile).
  Status SetState(const std::string& name, const AlarmState& state, const std::optional<HistoryItem>& item);
  // Unknown names are skipped, as Enable/DisableAlarmActions do.
  Status SetActionsEnabled(std::span<const std::string> names, bool enabled);
  // Matching items, newest first.
  Result<std::vector<HistoryItem>> History(const HistoryQuery& query) const;

  // Creates the detector or replaces the configuration of the same one.
  Status PutDetector(const AnomalyDetector& detector);
  // All detectors, sorted by namespace, metric, stat and dimensions.
  Result<std::vector<AnomalyDetector>> ListDetectors() const;
  // NotFound when no detector has that identity (configuration is ignored).
  Status DeleteDetector(const AnomalyDetector& detector);

 private:
  explicit AlarmStore(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}
  Status AddHistory(const HistoryItem& item);  // REQUIRES: mu_ held, inside a transaction
  Result<std::vector<StoredAlarm>> Select(const std::optional<std::string>& name) const;  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  std::unique_ptr<store::Database> db_;  // GUARDED_BY(mu_)
};

}  // namespace dbinsight::alarm
