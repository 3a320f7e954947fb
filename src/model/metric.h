// Numeric metrics of one instance: counters and gauges (db.*, os.*, the
// CloudWatch-style instance metrics) and per-SQL statistics. Plain values;
// knows no database driver or store.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace dbinsight::model {

// How a raw reading turns into a stored value.
enum class MetricKind {
  kGauge,    // stored as read (sessions, bytes used, lag seconds)
  kCounter,  // cumulative since server start: stored as a per-second rate
};

// One value as read from the server or the host, before rates.
struct Reading {
  std::string name;  // full metric name without statistic, e.g. "db.Transactions.xact_commit"
  double value = 0;
  MetricKind kind = MetricKind::kGauge;
};

// Every reading of one instance taken at one instant (one query round).
struct Readings {
  WallTime time;
  std::vector<Reading> values;
};

// One stored value: a gauge or a per-second rate over the interval that
// ends at MetricSample::time.
struct MetricPoint {
  std::string name;
  double value = 0;
};

struct MetricSample {
  std::string instance_id;
  WallTime time;
  std::vector<MetricPoint> points;
};

// Cumulative per-statement counters as the server reports them (one entry
// per tokenized statement, summed over users and databases).
struct StatementCounters {
  // db.sql_tokenized values, identical to what the session sampler stamps on
  // sessions running this statement, so statistics join DB load by id.
  std::string tokenized_id;
  std::string tokenized_db_id;
  std::string statement;  // digest text; may be empty when not fetched yet
  // (stat base name, cumulative value): "calls", "total_time" (ms), "rows",
  // "shared_blks_hit" (PostgreSQL); "count_star", "sum_timer_wait" (ms),
  // "sum_rows_examined" (MySQL). Names follow the PI metric names
  // db.sql_tokenized.stats.<name>_per_sec / _per_call.
  std::vector<std::pair<std::string, double>> counters;
};

// What one read of the per-SQL statistics view returned.
struct StatementReadings {
  WallTime time;
  std::vector<StatementCounters> statements;
  // The server's statistics were reset since it started collecting them
  // (pg_stat_statements_info.stats_reset / server restart), as epoch seconds;
  // 0 when unknown. A change means "start deltas afresh".
  double reset_epoch = 0;
  // Entries the server dropped or could not track since the last reset
  // (pg_stat_statements_info.dealloc; Performance_schema_digest_lost).
  double evicted = 0;
  // The server's capacity is full (digest table full: new statements are not
  // tracked). The remedy is in `warning`.
  bool full = false;
  std::string warning;
  // Every entry of the server's view was read (the per-read cap was not
  // hit), so a statement not seen before is new, not just newly in the top N.
  bool complete = true;
};

// Per-statement deltas over one interval [from, to).
struct StatementDelta {
  std::string tokenized_id;
  std::string tokenized_db_id;
  std::string statement;
  std::vector<std::pair<std::string, double>> deltas;  // same names as StatementCounters
};

struct StatementStatsSample {
  std::string instance_id;
  WallTime from;
  WallTime to;
  std::vector<StatementDelta> statements;  // only statements that ran (calls > 0)
};

// Where metric collectors write. Like SampleSink: callable from several
// collector threads at once, bounded work per call.
class MetricSink {
 public:
  virtual ~MetricSink() = default;
  virtual void AppendMetrics(MetricSample&& sample) = 0;
  virtual void AppendStatementStats(StatementStatsSample&& sample) = 0;
};

}  // namespace dbinsight::model
