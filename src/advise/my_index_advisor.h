// MyIndexAdvisor: which index would stop a MariaDB/MySQL statement from
// scanning a large table. From what the least-privilege monitor may read
// (PROCESS, SELECT on performance_schema): the digest's shape
// (sql/mysql_digest.h), its executions without an index and rows examined
// (events_statements_summary_by_digest), and the table's rows read by full
// scans (table_io_waits_summary_by_index_usage). With SELECT on the table the
// catalog shows its row count and existing indexes (information_schema), and
// with the opt-in `explain` the optimizer's plan (EXPLAIN FORMAT=JSON of the
// statement as a SELECT, in a read-only transaction, never executed).
// MariaDB and MySQL have no hypothetical indexes, so the plan with the index
// is not shown. docs/analysis.md, "Index advice".
//
// Each Advise() opens its own short connection; one advisor may be shared by
// threads.
#pragma once

#include <string>
#include <vector>

#include "advise/advisor_options.h"
#include "common/status.h"
#include "dbconn/mysql_connection.h"
#include "model/index_advice.h"

namespace dbinsight::advise {

using MyAdvisorOptions = AdvisorOptions<dbconn::MySqlConnectOptions>;

class MyIndexAdvisor {
 public:
  explicit MyIndexAdvisor(MyAdvisorOptions options);

  // `statement` is the digest text (or the processlist fallback's `?` text)
  // that ran in schema `database` ("" when unknown: only schema-qualified
  // tables are then found). One advice per large table it filters without a
  // usable index. InvalidArgument for text the advisor cannot read;
  // Unavailable when the server cannot be reached.
  Result<std::vector<model::IndexAdvice>> Advise(const std::string& statement, const std::string& database) const;

 private:
  MyAdvisorOptions options_;
};

}  // namespace dbinsight::advise
