// Parsing of PI metric names ("db.load.avg", "db.Transactions.xact_commit.max",
// "db.sql_tokenized.stats.calls_per_sec.avg"): which series a name reads and
// with which statistic. Pure functions.
#pragma once

#include <string>

#include "common/status.h"

namespace dbinsight::pi {

enum class Stat { kAvg, kMin, kMax, kSum };

enum class Series {
  kLoad,               // db.load / db.sampledload: sliceable by dimensions
  kIdleInTransaction,  // counted by the session sampler beside the load
  kStored,             // a counter/gauge of the metric store (db.*, os.*, CloudWatch names)
  kStatementStat,      // db.sql_tokenized.stats.*: per-SQL statistics
};

inline constexpr const char* kIdleInTransactionMetric = "db.state.idle_in_transaction_count";
inline constexpr const char* kStatementStatsPrefix = "db.sql_tokenized.stats.";

struct ParsedMetric {
  std::string base;  // the name without statistic
  Stat stat = Stat::kAvg;
  Series series = Series::kLoad;
};

// InvalidArgument naming `param` for a missing/unknown statistic or a name in
// no family (model/metric_catalog.h). Per-SQL statistics allow .avg, and
// .sum for the per-second ones (the count over the range).
Result<ParsedMetric> ParseMetric(const std::string& metric, const std::string& param);

// A per-SQL statistic: which stored counter it reads and how.
struct StatementStat {
  std::string counter;     // "calls", "total_time", "sum_rows_examined"...
  bool per_call = false;   // false: per second
  bool sum = false;        // .sum of a per-second rate: the plain count
};
// "db.sql_tokenized.stats.rows_per_call" -> {rows, per call};
// "avg_latency_per_call" reads total_time. REQUIRES: series kStatementStat.
StatementStat ParseStatementStat(const ParsedMetric& metric);

}  // namespace dbinsight::pi
