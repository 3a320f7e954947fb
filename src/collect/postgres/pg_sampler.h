// PgSampler: the PostgreSQL Sampler. Keeps one persistent connection (the
// first pg_stat_activity read on a fresh connection costs ~12 ms of catalog
// loading, later ones ~0.5 ms) and runs one query per sample on
// pg_stat_activity, excluding itself and idle sessions; activity.h maps the
// rows. Needs a role in pg_monitor (or pg_read_all_stats) to see other
// roles' sessions; docs/sampling.md has the semantics.
//
// Ownership: owns its connection and statement memory; borrows the shared
// NormalizerCache, which must outlive it.
// Thread-safety: not thread-safe; one Poller thread drives it.
#pragma once

#include <memory>
#include <string>

#include "collect/options.h"
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
  void Reset() override;

  // The server pid of the sampler's own connection, 0 when not connected.
  int BackendPidForTest() const;

  // The pg_stat_activity query for a server version (e.g. 150018): columns
  // missing before PG 13/14 are selected as NULL.
  static std::string ActivityQuery(int server_version);

 private:
  Status EnsureConnected();
  // The full digest text of a query_id from pg_stat_statements, when the
  // extension is there and readable (pg_monitor can).
  std::optional<std::string> FullText(int64_t query_id);

  const std::string instance_id_;
  dbconn::ConnectOptions connect_;
  StatementResolver statements_;
  std::unique_ptr<dbconn::PgConnection> conn_;
  std::string query_;  // ActivityQuery() for the connected server
  bool pgss_usable_ = true;  // false after pg_stat_statements failed on this connection
};

}  // namespace dbinsight::collect::postgres
