// The PostgreSQL counter read: one round trip that returns every db.* value
// (pg_stat_database summed over databases, pg_stat_bgwriter, pg_stat_wal,
// session states from pg_stat_activity, replication, transaction-ID age,
// dead tuples and autovacuum) as one wide row, and its mapping onto metric
// names (catalog: model/metric_catalog_postgres.cc). Stateless.
#pragma once

#include <string>

#include "common/status.h"
#include "dbconn/pg_connection.h"
#include "model/metric.h"

namespace dbinsight::collect::postgres {

// For a server version (e.g. 150018); views missing on older servers are
// selected as NULL, which maps to "no value".
std::string CountersQuery(int server_version);

// Maps the one row of CountersQuery() onto readings timed `now`. Also the
// CloudWatch-style DatabaseConnections, and ReplicaLag on a replica.
// role: set to primary/replica/standby from the same row.
Result<model::Readings> MapCounters(const dbconn::QueryResult& row, WallTime now, std::string& role);

}  // namespace dbinsight::collect::postgres
