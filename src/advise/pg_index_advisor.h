// PgIndexAdvisor: which index would stop a PostgreSQL statement from
// scanning a large table. From what the monitoring role may read anyway
// (pg_monitor): the statement's shape (sql/predicates.h), the table's scan
// statistics (pg_stat_all_tables), its existing indexes (pg_index) and, when
// the pg_qualstats extension is installed (and preloaded), how much of the
// table each advised column's quals filtered out, which orders the equality
// columns most selective first. With the opt-in `explain`, and read access
// to the tables (pg_read_all_data on PostgreSQL 14+), it also asks the
// planner (and pg_stats orders the columns instead): the generic plan of the
// statement, never executed (PREPARE + EXPLAIN without ANALYZE, in a
// read-only transaction), and, when the hypopg extension is installed in the
// statement's database, the plan with a hypothetical index, so the advice
// says how much cheaper it gets. docs/analysis.md, "Index advice".
//
// Each Advise() opens its own short connection (reports are rare, and the
// statement's database may differ from the sampler's), so one advisor may be
// shared by threads.
#pragma once

#include <string>
#include <vector>

#include "advise/advisor_options.h"
#include "common/status.h"
#include "dbconn/pg_connection.h"
#include "model/index_advice.h"

namespace dbinsight::advise {

using PgAdvisorOptions = AdvisorOptions<dbconn::ConnectOptions>;

class PgIndexAdvisor {
 public:
  explicit PgIndexAdvisor(PgAdvisorOptions options);

  // `statement` is normalized PostgreSQL text ($1 placeholders) that ran in
  // `database` ("" = the connection's). One advice per large table it filters
  // without a usable index; empty when every table it filters has one.
  // InvalidArgument for text that is not one PostgreSQL statement;
  // Unavailable when the server cannot be reached.
  Result<std::vector<model::IndexAdvice>> Advise(const std::string& statement, const std::string& database) const;

 private:
  PgAdvisorOptions options_;
};

}  // namespace dbinsight::advise
