// db.* metrics read from PostgreSQL (collect/postgres/counters.cc) and the
// per-SQL statistics from pg_stat_statements.
#include "model/metric_catalog.h"

namespace dbinsight::model {

namespace {

constexpr MetricInfo kPostgres[] = {
    {"db.Transactions.xact_commit", "Commits per second", "Transactions committed (pg_stat_database, all databases)"},
    {"db.Transactions.xact_rollback", "Rollbacks per second", "Transactions rolled back"},
    {"db.Transactions.active_transactions", "Transactions", "Client sessions inside a transaction"},
    {"db.Transactions.blocked_transactions", "Transactions", "Sessions waiting on a heavyweight lock"},
    {"db.Transactions.oldest_transaction_age", "Seconds", "Age of the oldest open transaction"},
    {"db.Transactions.max_used_xact_ids", "Transactions",
     "Highest age(datfrozenxid) of any database: transaction IDs used since the last freeze"},
    {"db.Transactions.xid_wraparound_remaining", "Transactions",
     "Transaction IDs left before wraparound protection (2^31 - max_used_xact_ids)"},
    {"db.IO.blks_read", "Blocks per second", "Blocks read from disk or OS cache"},
    {"db.IO.blk_read_time", "Milliseconds per second", "Time spent reading blocks (needs track_io_timing)"},
    {"db.IO.blk_write_time", "Milliseconds per second", "Time spent writing blocks (needs track_io_timing)"},
    {"db.IO.buffers_clean", "Blocks per second", "Buffers written by the background writer"},
    {"db.IO.buffers_backend", "Blocks per second", "Buffers written directly by backends"},
    {"db.IO.buffers_backend_fsync", "Blocks per second", "fsync calls backends had to do themselves"},
    {"db.Cache.blks_hit", "Blocks per second", "Blocks found in shared buffers"},
    {"db.Cache.buffers_alloc", "Blocks per second", "Buffers allocated"},
    {"db.SQL.tup_returned", "Tuples per second", "Rows returned by sequential and index scans"},
    {"db.SQL.tup_fetched", "Tuples per second", "Rows fetched by index scans"},
    {"db.SQL.tup_inserted", "Tuples per second", "Rows inserted"},
    {"db.SQL.tup_updated", "Tuples per second", "Rows updated"},
    {"db.SQL.tup_deleted", "Tuples per second", "Rows deleted"},
    {"db.Concurrency.conflicts", "Queries per second", "Queries cancelled by recovery conflicts (replicas)"},
    {"db.Concurrency.deadlocks", "Deadlocks per second", "Deadlocks detected"},
    {"db.Temp.temp_files", "Files per second", "Temporary files created"},
    {"db.Temp.temp_bytes", "Bytes per second", "Bytes written to temporary files"},
    {"db.User.numbackends", "Connections", "Backends connected to a database"},
    {"db.User.max_connections", "Connections", "The max_connections setting"},
    {"db.Checkpoint.checkpoints_timed", "Checkpoints per second", "Scheduled checkpoints"},
    {"db.Checkpoint.checkpoints_req", "Checkpoints per second", "Requested checkpoints (WAL volume, CHECKPOINT)"},
    {"db.Checkpoint.checkpoint_write_time", "Milliseconds per second", "Time checkpoints spent writing files"},
    {"db.Checkpoint.checkpoint_sync_time", "Milliseconds per second", "Time checkpoints spent syncing files"},
    {"db.Checkpoint.buffers_checkpoint", "Blocks per second", "Buffers written by checkpoints"},
    {"db.Checkpoint.maxwritten_clean", "Bgwriter stops per second",
     "Times the background writer stopped for writing too many buffers"},
    {"db.WAL.wal_records", "Records per second", "WAL records generated"},
    {"db.WAL.wal_fpi", "Records per second", "WAL full-page images generated"},
    {"db.WAL.wal_bytes", "Bytes per second", "WAL bytes generated"},
    {"db.WAL.wal_buffers_full", "Events per second", "Times WAL buffers were full and had to be written"},
    {"db.WAL.archived_count", "Files per second", "WAL files archived"},
    {"db.WAL.archive_failed_count", "Files per second", "Failed WAL archive attempts"},
    {"db.state.active_count", "Sessions", "Sessions in state active"},
    {"db.state.idle_count", "Sessions", "Sessions in state idle"},
    {"db.state.idle_in_transaction_aborted_count", "Sessions", "Sessions idle in an aborted transaction"},
    {"db.state.idle_in_transaction_max_time", "Seconds", "Longest time a session has been idle in a transaction"},
    {"db.Tuples.n_dead_tup", "Tuples", "Dead rows awaiting vacuum (tables of the connected database)"},
    {"db.Tuples.n_live_tup", "Tuples", "Live rows (tables of the connected database)"},
    {"db.Autovacuum.workers_running", "Processes", "Autovacuum workers running"},
    {"db.Autovacuum.autovacuum_count", "Vacuums per second", "Autovacuum runs (connected database)"},
    {"db.Autovacuum.autoanalyze_count", "Analyzes per second", "Autoanalyze runs (connected database)"},
    {"db.Replication.replicas", "Replicas", "Streaming replicas connected to this server"},
    {"db.Replication.max_replica_lag_bytes", "Bytes", "WAL bytes the furthest replica has yet to replay"},
    {"db.Replication.max_replica_replay_lag", "Seconds", "Replay lag of the furthest replica, as the primary sees it"},
    {"db.Replication.slot_retained_wal_bytes", "Bytes", "WAL retained by the oldest replication slot"},
    {"db.Replication.inactive_slots", "Slots", "Replication slots with no consumer connected"},
    {"db.Replication.replay_lag", "Seconds", "On a replica: age of the last replayed transaction"},
};

// pg_stat_statements columns; each has _per_sec and (where it means
// something per execution) _per_call forms.
constexpr MetricInfo kPostgresStatementStats[] = {
    {"db.sql_tokenized.stats.calls_per_sec", "Queries per second", "Executions per second"},
    {"db.sql_tokenized.stats.rows_per_sec", "Rows per second", "Rows returned or affected per second"},
    {"db.sql_tokenized.stats.total_time_per_sec", "Milliseconds per second", "Execution time per second (AAS x 1000)"},
    {"db.sql_tokenized.stats.shared_blks_hit_per_sec", "Blocks per second", "Shared buffer hits per second"},
    {"db.sql_tokenized.stats.shared_blks_read_per_sec", "Blocks per second", "Shared blocks read per second"},
    {"db.sql_tokenized.stats.shared_blks_dirtied_per_sec", "Blocks per second", "Shared blocks dirtied per second"},
    {"db.sql_tokenized.stats.shared_blks_written_per_sec", "Blocks per second", "Shared blocks written per second"},
    {"db.sql_tokenized.stats.local_blks_hit_per_sec", "Blocks per second", "Local buffer hits per second"},
    {"db.sql_tokenized.stats.local_blks_read_per_sec", "Blocks per second", "Local blocks read per second"},
    {"db.sql_tokenized.stats.temp_blks_read_per_sec", "Blocks per second", "Temp blocks read per second"},
    {"db.sql_tokenized.stats.temp_blks_written_per_sec", "Blocks per second", "Temp blocks written per second"},
    {"db.sql_tokenized.stats.blk_read_time_per_sec", "Milliseconds per second", "Block read time per second"},
    {"db.sql_tokenized.stats.blk_write_time_per_sec", "Milliseconds per second", "Block write time per second"},
    {"db.sql_tokenized.stats.rows_per_call", "Rows per call", "Rows per execution"},
    {"db.sql_tokenized.stats.avg_latency_per_call", "Milliseconds per call", "Average execution time"},
    {"db.sql_tokenized.stats.shared_blks_hit_per_call", "Blocks per call", "Shared buffer hits per execution"},
    {"db.sql_tokenized.stats.shared_blks_read_per_call", "Blocks per call", "Shared blocks read per execution"},
    {"db.sql_tokenized.stats.shared_blks_written_per_call", "Blocks per call", "Shared blocks written per execution"},
    {"db.sql_tokenized.stats.shared_blks_dirtied_per_call", "Blocks per call", "Shared blocks dirtied per execution"},
    {"db.sql_tokenized.stats.local_blks_hit_per_call", "Blocks per call", "Local buffer hits per execution"},
    {"db.sql_tokenized.stats.local_blks_read_per_call", "Blocks per call", "Local blocks read per execution"},
    {"db.sql_tokenized.stats.temp_blks_read_per_call", "Blocks per call", "Temp blocks read per execution"},
    {"db.sql_tokenized.stats.temp_blks_written_per_call", "Blocks per call", "Temp blocks written per execution"},
    {"db.sql_tokenized.stats.blk_read_time_per_call", "Milliseconds per call", "Block read time per execution"},
    {"db.sql_tokenized.stats.blk_write_time_per_call", "Milliseconds per call", "Block write time per execution"},
};

}  // namespace

std::span<const MetricInfo> PostgresMetrics() { return kPostgres; }
std::span<const MetricInfo> PostgresStatementStats() { return kPostgresStatementStats; }

}  // namespace dbinsight::model
