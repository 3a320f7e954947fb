// PgSampler: the PostgreSQL Sampler. Keeps one persistent connection (the
// first pg_stat_activity read on a fresh connection costs ~12 ms of catalog
// loading, later ones ~0.5 ms) and runs one query per sample on
// pg_stat_activity, excluding itself and idle sessions; activity.h maps the
// rows. The same query reads, for sessions waiting on a heavyweight lock
// only, pg_blocking_pids() and the wait's start, so each sample carries who
// blocks whom (Sample::lock_waits). Counters are one more query (counters.h); per-SQL statistics read
// pg_stat_statements without texts, fetching a text only for a query_id it
// has not named yet. Needs a role in pg_monitor (or pg_read_all_stats) to
// see other roles' sessions; docs/sampling.md has the semantics.
//
// Ownership: owns its connection and statement memory; borrows the shared
// NormalizerCache, which must outlive it.
// Thread-safety: not thread-safe; one Poller thread drives it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collect/options.h"
#include "collect/postgres/activity.h"
#include "collect/postgres/statement_resolver.h"
#include "collect/sampler.h"
#include "dbconn/pg_connection.h"
#include "sql/normalizer.h"

namespace dbinsight::collect::postgres {

class PgSampler final : public Sampler {
 public:
  // connect: where and as whom (conninfo, password, application_name); its
  // connect_timeout and statement_timeout are replaced by options'
  // connect_timeout and query_timeout. Does not connect yet.
  PgSampler(std::string instance_id, dbconn::ConnectOptions connect, const SamplerOptions& options,
            sql::NormalizerCache& normalizer);
  ~PgSampler() override;

  const std::string& instance_id() const override { return instance_id_; }
  Result<model::Sample> SampleOnce(WallTime now) override;
  Result<model::Readings> ReadCounters(WallTime now) override;
  Result<model::StatementReadings> ReadStatements(WallTime now) override;
  InstanceFacts Facts() const override { return facts_; }
  void Reset() override;

  // The server pid of the sampler's own connection, 0 when not connected.
  int BackendPidForTest() const;

  // The pg_stat_activity query for a server version (e.g. 150018) and a
  // WHERE condition: columns missing before PG 13/14 are selected as NULL.
  static std::string ActivityQuery(int server_version, std::string_view where);

 private:
  Status EnsureConnected();
  // Runs an ActivityQuery() and parses its rows.
  Result<std::vector<ActivityRow>> ReadActivity(const std::string& query);
  // The full digest text of a query_id from pg_stat_statements, when the
  // extension is there and readable (pg_monitor can).
  std::optional<std::string> FullText(int64_t query_id);
  // Names the statements of query_ids the resolver does not know yet, with
  // texts from pg_stat_statements (at most kMaxTextsPerRead per call).
  void FetchTexts(const std::vector<int64_t>& query_ids);
  static constexpr size_t kMaxTextsPerRead = 500;

  const std::string instance_id_;
  dbconn::ConnectOptions connect_;
  StatementResolver statements_;
  std::unique_ptr<dbconn::PgConnection> conn_;
  const size_t max_statements_per_read_;
  std::string query_;           // ActivityQuery() for the connected server
  std::string counters_query_;  // CountersQuery() for the connected server
  InstanceFacts facts_;
  bool pgss_usable_ = true;  // false after pg_stat_statements failed on this connection
  std::optional<double> previous_dealloc_;  // pg_stat_statements_info.dealloc at the last read
};

}  // namespace dbinsight::collect::postgres
