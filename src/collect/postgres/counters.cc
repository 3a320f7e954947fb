#include "collect/postgres/counters.h"

#include <charconv>
#include <string_view>

namespace dbinsight::collect::postgres {

namespace {

using model::MetricKind;

struct Column {
  std::string_view column;  // alias in CountersQuery()
  std::string_view metric;
  MetricKind kind;
};

// Column aliases double as the mapping: the query selects each value AS its
// alias, and this table names the metric it feeds.
constexpr Column kColumns[] = {
    {"xact_commit", "db.Transactions.xact_commit", MetricKind::kCounter},
    {"xact_rollback", "db.Transactions.xact_rollback", MetricKind::kCounter},
    {"blks_read", "db.IO.blks_read", MetricKind::kCounter},
    {"blks_hit", "db.Cache.blks_hit", MetricKind::kCounter},
    {"tup_returned", "db.SQL.tup_returned", MetricKind::kCounter},
    {"tup_fetched", "db.SQL.tup_fetched", MetricKind::kCounter},
    {"tup_inserted", "db.SQL.tup_inserted", MetricKind::kCounter},
    {"tup_updated", "db.SQL.tup_updated", MetricKind::kCounter},
    {"tup_deleted", "db.SQL.tup_deleted", MetricKind::kCounter},
    {"conflicts", "db.Concurrency.conflicts", MetricKind::kCounter},
    {"deadlocks", "db.Concurrency.deadlocks", MetricKind::kCounter},
    {"temp_files", "db.Temp.temp_files", MetricKind::kCounter},
    {"temp_bytes", "db.Temp.temp_bytes", MetricKind::kCounter},
    {"blk_read_time", "db.IO.blk_read_time", MetricKind::kCounter},
    {"blk_write_time", "db.IO.blk_write_time", MetricKind::kCounter},
    {"numbackends", "db.User.numbackends", MetricKind::kGauge},
    {"max_connections", "db.User.max_connections", MetricKind::kGauge},
    {"checkpoints_timed", "db.Checkpoint.checkpoints_timed", MetricKind::kCounter},
    {"checkpoints_req", "db.Checkpoint.checkpoints_req", MetricKind::kCounter},
    {"checkpoint_write_time", "db.Checkpoint.checkpoint_write_time", MetricKind::kCounter},
    {"checkpoint_sync_time", "db.Checkpoint.checkpoint_sync_time", MetricKind::kCounter},
    {"buffers_checkpoint", "db.Checkpoint.buffers_checkpoint", MetricKind::kCounter},
    {"buffers_clean", "db.IO.buffers_clean", MetricKind::kCounter},
    {"maxwritten_clean", "db.Checkpoint.maxwritten_clean", MetricKind::kCounter},
    {"buffers_backend", "db.IO.buffers_backend", MetricKind::kCounter},
    {"buffers_backend_fsync", "db.IO.buffers_backend_fsync", MetricKind::kCounter},
    {"buffers_alloc", "db.Cache.buffers_alloc", MetricKind::kCounter},
    {"wal_records", "db.WAL.wal_records", MetricKind::kCounter},
    {"wal_fpi", "db.WAL.wal_fpi", MetricKind::kCounter},
    {"wal_bytes", "db.WAL.wal_bytes", MetricKind::kCounter},
    {"wal_buffers_full", "db.WAL.wal_buffers_full", MetricKind::kCounter},
    {"archived_count", "db.WAL.archived_count", MetricKind::kCounter},
    {"failed_count", "db.WAL.archive_failed_count", MetricKind::kCounter},
    {"active_count", "db.state.active_count", MetricKind::kGauge},
    {"idle_count", "db.state.idle_count", MetricKind::kGauge},
    {"idle_in_transaction_aborted_count", "db.state.idle_in_transaction_aborted_count", MetricKind::kGauge},
    {"idle_in_transaction_max_time", "db.state.idle_in_transaction_max_time", MetricKind::kGauge},
    {"active_transactions", "db.Transactions.active_transactions", MetricKind::kGauge},
    {"blocked_transactions", "db.Transactions.blocked_transactions", MetricKind::kGauge},
    {"oldest_xact_age", "db.Transactions.oldest_transaction_age", MetricKind::kGauge},
    {"max_used_xact_ids", "db.Transactions.max_used_xact_ids", MetricKind::kGauge},
    {"xid_wraparound_remaining", "db.Transactions.xid_wraparound_remaining", MetricKind::kGauge},
    {"n_dead_tup", "db.Tuples.n_dead_tup", MetricKind::kGauge},
    {"n_live_tup", "db.Tuples.n_live_tup", MetricKind::kGauge},
    {"autovacuum_workers", "db.Autovacuum.workers_running", MetricKind::kGauge},
    {"autovacuum_count", "db.Autovacuum.autovacuum_count", MetricKind::kCounter},
    {"autoanalyze_count", "db.Autovacuum.autoanalyze_count", MetricKind::kCounter},
    {"replicas", "db.Replication.replicas", MetricKind::kGauge},
    {"max_replica_lag_bytes", "db.Replication.max_replica_lag_bytes", MetricKind::kGauge},
    {"max_replica_replay_lag", "db.Replication.max_replica_replay_lag", MetricKind::kGauge},
    {"slot_retained_wal_bytes", "db.Replication.slot_retained_wal_bytes", MetricKind::kGauge},
    {"inactive_slots", "db.Replication.inactive_slots", MetricKind::kGauge},
    {"replay_lag", "db.Replication.replay_lag", MetricKind::kGauge},
};

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string CountersQuery(int server_version) {
  const bool wal = server_version >= 140000;
  // Lag on a replica: zero while it has replayed everything it received
  // (an idle primary sends nothing, and the last replay timestamp would
  // otherwise grow forever), else the age of the last replayed transaction.
  std::string q = R"(SELECT
  d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, d.tup_returned, d.tup_fetched, d.tup_inserted,
  d.tup_updated, d.tup_deleted, d.conflicts, d.deadlocks, d.temp_files, d.temp_bytes, d.blk_read_time,
  d.blk_write_time, d.numbackends,
  current_setting('max_connections')::float8 AS max_connections,
  b.checkpoints_timed, b.checkpoints_req, b.checkpoint_write_time, b.checkpoint_sync_time, b.buffers_checkpoint,
  b.buffers_clean, b.maxwritten_clean, b.buffers_backend, b.buffers_backend_fsync, b.buffers_alloc,
)";
  q += wal ? "  w.wal_records, w.wal_fpi, w.wal_bytes, w.wal_buffers_full,\n"
           : "  NULL AS wal_records, NULL AS wal_fpi, NULL AS wal_bytes, NULL AS wal_buffers_full,\n";
  q += R"(  ar.archived_count, ar.failed_count,
  a.active_count, a.idle_count, a.idle_in_transaction_count, a.idle_in_transaction_aborted_count,
  a.idle_in_transaction_max_time, a.active_transactions, a.blocked_transactions, a.oldest_xact_age,
  a.autovacuum_workers,
  x.max_used_xact_ids, 2147483647 - x.max_used_xact_ids AS xid_wraparound_remaining,
  t.n_dead_tup, t.n_live_tup, t.autovacuum_count, t.autoanalyze_count,
  r.replicas, r.max_replica_lag_bytes, r.max_replica_replay_lag,
  s.slot_retained_wal_bytes, s.inactive_slots,
  CASE WHEN pg_is_in_recovery() THEN
    CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
         ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END
  END AS replay_lag,
  CASE WHEN NOT pg_is_in_recovery() THEN 'primary'
       WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 'replica' ELSE 'standby' END AS role
FROM
  (SELECT sum(xact_commit)::float8 AS xact_commit, sum(xact_rollback)::float8 AS xact_rollback,
          sum(blks_read)::float8 AS blks_read, sum(blks_hit)::float8 AS blks_hit,
          sum(tup_returned)::float8 AS tup_returned, sum(tup_fetched)::float8 AS tup_fetched,
          sum(tup_inserted)::float8 AS tup_inserted, sum(tup_updated)::float8 AS tup_updated,
          sum(tup_deleted)::float8 AS tup_deleted, sum(conflicts)::float8 AS conflicts,
          sum(deadlocks)::float8 AS deadlocks, sum(temp_files)::float8 AS temp_files,
          sum(temp_bytes)::float8 AS temp_bytes, sum(blk_read_time)::float8 AS blk_read_time,
          sum(blk_write_time)::float8 AS blk_write_time, sum(numbackends)::float8 AS numbackends
     FROM pg_stat_database) d,
  pg_stat_bgwriter b,
)";
  if (wal) q += "  pg_stat_wal w,\n";
  q += R"(  pg_stat_archiver ar,
  (SELECT count(*) FILTER (WHERE state = 'active')::float8 AS active_count,
          count(*) FILTER (WHERE state = 'idle')::float8 AS idle_count,
          count(*) FILTER (WHERE state = 'idle in transaction')::float8 AS idle_in_transaction_count,
          count(*) FILTER (WHERE state = 'idle in transaction (aborted)')::float8 AS idle_in_transaction_aborted_count,
          COALESCE(max(extract(epoch FROM now() - state_change))
                     FILTER (WHERE state LIKE 'idle in transaction%'), 0)::float8 AS idle_in_transaction_max_time,
          count(*) FILTER (WHERE backend_type = 'client backend' AND xact_start IS NOT NULL)::float8
            AS active_transactions,
          count(*) FILTER (WHERE wait_event_type = 'Lock')::float8 AS blocked_transactions,
          COALESCE(max(extract(epoch FROM now() - xact_start))
                     FILTER (WHERE backend_type = 'client backend'), 0)::float8 AS oldest_xact_age,
          count(*) FILTER (WHERE backend_type = 'autovacuum worker')::float8 AS autovacuum_workers
     FROM pg_stat_activity WHERE pid <> pg_backend_pid()) a,
  (SELECT max(age(datfrozenxid))::float8 AS max_used_xact_ids FROM pg_database) x,
  (SELECT COALESCE(sum(n_dead_tup), 0)::float8 AS n_dead_tup, COALESCE(sum(n_live_tup), 0)::float8 AS n_live_tup,
          COALESCE(sum(autovacuum_count), 0)::float8 AS autovacuum_count,
          COALESCE(sum(autoanalyze_count), 0)::float8 AS autoanalyze_count
     FROM pg_stat_all_tables) t,
  (SELECT count(*)::float8 AS replicas,
          max(pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END,
                              replay_lsn))::float8 AS max_replica_lag_bytes,
          max(extract(epoch FROM replay_lag))::float8 AS max_replica_replay_lag
     FROM pg_stat_replication) r,
  (SELECT max(pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                                   ELSE pg_current_wal_lsn() END, restart_lsn))::float8 AS slot_retained_wal_bytes,
          count(*) FILTER (WHERE NOT active)::float8 AS inactive_slots
     FROM pg_replication_slots) s)";
  return q;
}

Result<model::Readings> MapCounters(const dbconn::QueryResult& row, WallTime now, std::string& role) {
  if (row.rows() != 1) return Status::Internal("counters query returned " + std::to_string(row.rows()) + " rows");
  model::Readings out;
  out.time = now;
  out.values.reserve(std::size(kColumns) + 2);
  auto value = [&row](std::string_view column) -> std::optional<double> {
    const int c = row.ColumnIndex(column);
    if (c < 0 || row.IsNull(0, c)) return std::nullopt;
    return ParseDouble(row.Get(0, c));
  };
  for (const Column& col : kColumns) {
    if (auto v = value(col.column)) out.values.push_back({std::string(col.metric), *v, col.kind});
  }
  if (auto v = value("numbackends")) out.values.push_back({"DatabaseConnections", *v, MetricKind::kGauge});
  if (auto v = value("replay_lag")) out.values.push_back({"ReplicaLag", *v, MetricKind::kGauge});
  if (int c = row.ColumnIndex("role"); c >= 0) role = std::string(row.Get(0, c));
  return out;
}

}  // namespace dbinsight::collect::postgres
