// The catalog of metric names dbinsight collects: unit and description of
// each, as ListAvailableResourceMetrics and the UI show them. Names follow
// Performance Insights where it has one (db.Transactions.xact_commit,
// os.cpuUtilization.user, db.sql_tokenized.stats.calls_per_sec) and the same
// style otherwise. One table per family, each in its own file, so the
// collector of a family and its descriptions change together.
#pragma once

#include <span>
#include <string_view>

namespace dbinsight::model {

struct MetricInfo {
  std::string_view name;  // without statistic suffix
  std::string_view unit;  // PI units: "Transactions per second", "Percent", "KB", ...
  std::string_view description;
};

// nullptr for a name in no family.
const MetricInfo* FindMetricInfo(std::string_view name);

// The families (metric_catalog_<family>.cc).
std::span<const MetricInfo> PostgresMetrics();       // db.* read from PostgreSQL
std::span<const MetricInfo> MySqlMetrics();          // db.* read from MariaDB/MySQL
std::span<const MetricInfo> OsMetrics();             // os.* read from /proc
std::span<const MetricInfo> InstanceMetrics();       // CloudWatch AWS/RDS names
std::span<const MetricInfo> PostgresStatementStats();  // db.sql_tokenized.stats.* (PostgreSQL)
std::span<const MetricInfo> MySqlStatementStats();     // db.sql_tokenized.stats.* (MariaDB/MySQL)

}  // namespace dbinsight::model
