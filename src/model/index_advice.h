// An index recommendation for one table a statement scans, with the numbers
// that justify it. Plain values: advise/ produces them from the monitored
// server's catalog (and, when allowed, its planner); analysis/ quotes them in
// reports. Knows no database driver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dbinsight::model {

struct IndexAdvice {
  std::string table;  // schema-qualified, as a DBA types it
  double live_rows = 0;
  // Since the server's statistics were reset (pg_stat_user_tables).
  int64_t seq_scans = 0;
  int64_t seq_rows_read = 0;
  int64_t index_scans = 0;
  // MariaDB/MySQL count rows, not scans (performance_schema, since the
  // server started): seq_rows_read and index_rows_read are set, the scan
  // counts stay 0.
  bool counts_rows = false;
  int64_t index_rows_read = 0;
  // The statement's own executions, where the engine keeps them per statement
  // (events_statements_summary_by_digest); 0 calls when unknown.
  int64_t calls = 0;
  int64_t calls_without_index = 0;
  double rows_examined_per_call = 0;
  std::vector<std::string> columns;  // to index, in this order
  std::string create_index;          // the DDL to run, e.g. CREATE INDEX CONCURRENTLY ON s.t (c);
  // What the advice rests on: "catalog" (statistics and existing indexes
  // only), "explain" (the planner's generic plan scans the table) or
  // "hypopg" (and a hypothetical index lowers its cost).
  std::string basis = "catalog";
  std::string plan;               // the scan node, e.g. "Seq Scan on s.t, Filter: (c = $1), cost 4480"
  std::string hypothetical_plan;  // the same node with the hypothetical index
  std::optional<double> cost_before, cost_after;
  std::vector<std::string> notes;  // why EXPLAIN was not run, ambiguities
};

}  // namespace dbinsight::model
