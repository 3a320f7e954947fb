// The MySQL/MariaDB counter read, pure half: rows of SHOW GLOBAL STATUS
// (Variable_name, Value) plus the INNODB_TRX count and the replica's lag in,
// db.* readings out, named as Performance Insights names MySQL counters
// (db.<Category>.<Status_variable>; catalog: model/metric_catalog_mysql.cc).
// Stateless; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "model/metric.h"

namespace dbinsight::collect::mysql {

// SHOW GLOBAL STATUS as name -> value text. Names are matched
// case-insensitively (MySQL and MariaDB differ in case here and there).
using GlobalStatus = std::unordered_map<std::string, std::string>;

// Adds `name` lower-cased: the key form GlobalStatus lookups use.
void AddStatus(GlobalStatus& status, std::string_view name, std::string_view value);

// The values the counter read gathers besides SHOW GLOBAL STATUS.
struct CounterExtras {
  std::optional<double> active_transactions;    // COUNT(*) of INNODB_TRX
  std::optional<double> seconds_behind_master;  // replicas, while replicating
};

// Cumulative status variables become MetricKind::kCounter readings (the
// caller turns them into rates), point-in-time ones kGauge. Also the
// CloudWatch-style DatabaseConnections (Threads_connected) and, with a lag,
// ReplicaLag. Variables the server lacks are left out, never zero.
model::Readings MapCounters(const GlobalStatus& status, const CounterExtras& extras, WallTime now);

}  // namespace dbinsight::collect::mysql
