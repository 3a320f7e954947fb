// Sampler: everything dbinsight reads from one monitored instance over its one
// connection: active-session samples, counter metrics (db.*) and per-SQL
// statistics. One implementation per engine (postgres/PgSampler,
// mysql/MySqlSampler). A Sampler owns its own connection to its instance.
// Thread-safety: not thread-safe; the Poller calls it from the instance's one
// thread only.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/metric.h"
#include "model/sample.h"

namespace dbinsight::collect {

// What a sampler learned about its instance on the last successful read.
struct InstanceFacts {
  std::string role;            // "primary", "replica", "standby"; "" until known
  std::string data_directory;  // server's data directory ("" if not readable)
  std::string version;         // server version string, e.g. "15.18", "10.11.19-MariaDB"
  // Performance Insights features of GetResourceMetadata, name -> status
  // (ENABLED, DISABLED, UNSUPPORTED...), e.g. {"SQL_TEXT", "ENABLED"}.
  std::vector<std::pair<std::string, std::string>> features;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // The dbinsight instance id stamped on samples and gaps.
  virtual const std::string& instance_id() const = 0;
  // Reads the instance's sessions once (connecting first if needed) and
  // returns them as a Sample timed `now`. Unavailable when the instance cannot
  // be reached or the query failed; the message is already redacted.
  virtual Result<model::Sample> SampleOnce(WallTime now) = 0;
  // Reads the server's cumulative counters and gauges (db.*, and the
  // engine's part of the CloudWatch instance metrics such as
  // DatabaseConnections and ReplicaLag). Rates are the caller's job.
  virtual Result<model::Readings> ReadCounters(WallTime now) = 0;
  // Reads the cumulative per-statement statistics (pg_stat_statements,
  // events_statements_summary_by_digest). Bounded per call: texts are
  // fetched only for statements not seen before, and never more than the
  // sampler's configured cap per call.
  virtual Result<model::StatementReadings> ReadStatements(WallTime now) = 0;
  // As of the last successful read; empty before the first.
  virtual InstanceFacts Facts() const = 0;
  // Drops the connection; the next call reconnects. Called after any
  // failure, since the connection's state is then unknown.
  virtual void Reset() = 0;
};

}  // namespace dbinsight::collect
