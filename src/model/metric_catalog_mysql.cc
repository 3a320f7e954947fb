// db.* metrics read from MariaDB/MySQL (collect/mysql/counters.cc) and the
// per-SQL statistics from performance_schema.events_statements_summary_by_digest
// (collect/mysql/mysql_sampler.cc). Names are Performance Insights' own:
// db.<Category>.<status variable> for counters, and
// db.sql_tokenized.stats.<column>_per_sec / _per_call for statements.
#include "model/metric_catalog.h"

namespace dbinsight::model {

namespace {

constexpr MetricInfo kMySql[] = {
    {"db.SQL.Questions", "Queries per second", "Statements sent by clients (not those inside stored programs)"},
    {"db.SQL.Queries", "Queries per second", "Statements executed, including those inside stored programs"},
    {"db.SQL.Com_select", "Queries per second", "SELECT statements"},
    {"db.SQL.Com_insert", "Queries per second", "INSERT statements"},
    {"db.SQL.Com_update", "Queries per second", "UPDATE statements"},
    {"db.SQL.Com_delete", "Queries per second", "DELETE statements"},
    {"db.SQL.Slow_queries", "Queries per second", "Statements that took longer than long_query_time"},
    {"db.SQL.Select_full_join", "Queries per second", "Joins that scanned a table for lack of an index"},
    {"db.SQL.Select_scan", "Queries per second", "Joins that did a full scan of their first table"},
    {"db.SQL.Sort_merge_passes", "Operations per second", "Merge passes the sort algorithm had to do"},
    {"db.SQL.Innodb_rows_read", "Rows per second", "Rows read from InnoDB tables"},
    {"db.SQL.Innodb_rows_inserted", "Rows per second", "Rows inserted into InnoDB tables"},
    {"db.SQL.Innodb_rows_updated", "Rows per second", "Rows updated in InnoDB tables"},
    {"db.SQL.Innodb_rows_deleted", "Rows per second", "Rows deleted from InnoDB tables"},
    {"db.Users.Connections", "Connections per second", "Connection attempts, successful or not"},
    {"db.Users.Aborted_clients", "Connections per second", "Connections dropped without a proper close"},
    {"db.Users.Aborted_connects", "Connections per second", "Failed connection attempts (bad password, timeout)"},
    {"db.Users.Threads_created", "Connections per second", "Threads created to handle connections"},
    {"db.Users.Threads_running", "Connections", "Threads not sleeping (running a statement)"},
    {"db.Users.Threads_connected", "Connections", "Open client connections"},
    {"db.Users.max_connections", "Connections", "The max_connections setting"},
    {"db.Locks.Innodb_row_lock_waits", "Transactions per second", "Times an InnoDB row lock had to be waited for"},
    {"db.Locks.Innodb_row_lock_time", "Milliseconds per second", "Time spent waiting for InnoDB row locks"},
    {"db.Locks.innodb_deadlocks", "Deadlocks per second", "InnoDB deadlocks detected"},
    {"db.Locks.Table_locks_waited", "Requests per second", "Table lock requests that had to wait"},
    {"db.Cache.Innodb_buffer_pool_reads", "Pages per second",
     "Logical reads InnoDB could not satisfy from the buffer pool (read from disk)"},
    {"db.Cache.Innodb_buffer_pool_read_requests", "Pages per second", "Logical read requests to the buffer pool"},
    {"db.Cache.Innodb_buffer_pool_pages_data", "Pages", "Buffer pool pages holding data"},
    {"db.Cache.Innodb_buffer_pool_pages_free", "Pages", "Free buffer pool pages"},
    {"db.Cache.Innodb_buffer_pool_pages_dirty", "Pages", "Buffer pool pages changed but not yet written"},
    {"db.IO.Innodb_data_reads", "Reads per second", "InnoDB data file reads"},
    {"db.IO.Innodb_data_writes", "Writes per second", "InnoDB data file writes"},
    {"db.IO.Innodb_log_writes", "Writes per second", "Physical writes to the InnoDB redo log"},
    {"db.Temp.Created_tmp_disk_tables", "Tables per second", "Internal temporary tables created on disk"},
    {"db.Temp.Created_tmp_tables", "Tables per second", "Internal temporary tables created"},
    {"db.Transactions.active_transactions", "Transactions", "Open InnoDB transactions (INNODB_TRX rows)"},
    {"db.Replication.seconds_behind_master", "Seconds", "On a replica: how far its SQL thread is behind the primary"},
};

// Every counter has a _per_sec form; those that mean something per
// execution also a _per_call form (PI's MySQL set).
constexpr MetricInfo kMySqlStatementStats[] = {
    {"db.sql_tokenized.stats.count_star_per_sec", "Queries per second", "Executions per second"},
    {"db.sql_tokenized.stats.sum_timer_wait_per_sec", "Milliseconds per second",
     "Execution time per second (AAS x 1000)"},
    {"db.sql_tokenized.stats.sum_lock_time_per_sec", "Milliseconds per second", "Time waiting for table locks"},
    {"db.sql_tokenized.stats.sum_rows_examined_per_sec", "Rows per second", "Rows read by the storage engines"},
    {"db.sql_tokenized.stats.sum_rows_sent_per_sec", "Rows per second", "Rows returned to clients"},
    {"db.sql_tokenized.stats.sum_rows_affected_per_sec", "Rows per second", "Rows inserted, updated or deleted"},
    {"db.sql_tokenized.stats.sum_select_full_join_per_sec", "Queries per second",
     "Joins that scanned a table for lack of an index"},
    {"db.sql_tokenized.stats.sum_select_scan_per_sec", "Queries per second",
     "Joins that did a full scan of their first table"},
    {"db.sql_tokenized.stats.sum_no_index_used_per_sec", "Queries per second",
     "Executions that used no index for a table scan"},
    {"db.sql_tokenized.stats.sum_sort_rows_per_sec", "Rows per second", "Rows sorted"},
    {"db.sql_tokenized.stats.sum_created_tmp_tables_per_sec", "Tables per second",
     "Internal temporary tables created"},
    {"db.sql_tokenized.stats.sum_created_tmp_disk_tables_per_sec", "Tables per second",
     "Internal temporary tables created on disk"},
    {"db.sql_tokenized.stats.sum_timer_wait_per_call", "Milliseconds per call", "Average latency"},
    {"db.sql_tokenized.stats.sum_lock_time_per_call", "Milliseconds per call", "Average time waiting for table locks"},
    {"db.sql_tokenized.stats.sum_rows_examined_per_call", "Rows per call", "Rows examined per execution"},
    {"db.sql_tokenized.stats.sum_rows_sent_per_call", "Rows per call", "Rows returned per execution"},
    {"db.sql_tokenized.stats.sum_rows_affected_per_call", "Rows per call", "Rows changed per execution"},
};

}  // namespace

std::span<const MetricInfo> MySqlMetrics() { return kMySql; }
std::span<const MetricInfo> MySqlStatementStats() { return kMySqlStatementStats; }

}  // namespace dbinsight::model
