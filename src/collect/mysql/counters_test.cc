// Unit tests of the MySQL counter mapping (counters.h): names, kinds, the
// CloudWatch-style extras, and variables the server lacks.
#include "collect/mysql/counters.h"

#include <gtest/gtest.h>

#include <map>

#include "model/metric_catalog.h"

namespace dbinsight::collect::mysql {
namespace {

using model::MetricKind;

std::map<std::string, model::Reading> ByName(const model::Readings& r) {
  std::map<std::string, model::Reading> out;
  for (const auto& v : r.values) out[v.name] = v;
  return out;
}

TEST(MySqlCountersTest, MapsStatusVariablesCaseInsensitively) {
  GlobalStatus status;
  AddStatus(status, "Questions", "1234");
  AddStatus(status, "Com_select", "1000");
  AddStatus(status, "Threads_connected", "7");
  AddStatus(status, "Threads_running", "2");
  AddStatus(status, "Innodb_buffer_pool_pages_dirty", "12");
  AddStatus(status, "INNODB_DEADLOCKS", "3");
  AddStatus(status, "Uptime", "99");  // not a metric
  AddStatus(status, "Slow_queries", "not a number");
  AddStatus(status, "max_connections", "151");  // the variable the sampler adds
  const WallTime now = FromEpochSeconds(1'800'000'000);
  const model::Readings r = MapCounters(status, {}, now);
  EXPECT_EQ(r.time, now);
  auto m = ByName(r);
  EXPECT_EQ(m["db.SQL.Questions"].value, 1234);
  EXPECT_EQ(m["db.SQL.Questions"].kind, MetricKind::kCounter);
  EXPECT_EQ(m["db.SQL.Com_select"].value, 1000);
  EXPECT_EQ(m["db.Users.Threads_running"].kind, MetricKind::kGauge);
  EXPECT_EQ(m["db.Cache.Innodb_buffer_pool_pages_dirty"].kind, MetricKind::kGauge);
  EXPECT_EQ(m["db.Locks.innodb_deadlocks"].value, 3);
  EXPECT_EQ(m["DatabaseConnections"].value, 7);
  EXPECT_EQ(m["DatabaseConnections"].kind, MetricKind::kGauge);
  EXPECT_FALSE(m.count("db.SQL.Slow_queries")) << "unparsable values are left out, not zero";
  EXPECT_FALSE(m.count("db.SQL.Com_insert")) << "missing variables are left out";
  EXPECT_FALSE(m.count("ReplicaLag"));
  EXPECT_FALSE(m.count("db.Transactions.active_transactions"));
  EXPECT_EQ(m["db.Users.max_connections"].value, 151);
  EXPECT_EQ(m["db.Users.max_connections"].kind, MetricKind::kGauge);
  EXPECT_EQ(r.values.size(), 8u);
}

TEST(MySqlCountersTest, ExtrasAndReplicaLag) {
  CounterExtras extras;
  extras.active_transactions = 4;
  extras.seconds_behind_master = 12;
  auto m = ByName(MapCounters({}, extras, FromEpochSeconds(1)));
  EXPECT_EQ(m["db.Transactions.active_transactions"].value, 4);
  EXPECT_EQ(m["db.Transactions.active_transactions"].kind, MetricKind::kGauge);
  EXPECT_EQ(m["db.Replication.seconds_behind_master"].value, 12);
  EXPECT_EQ(m["ReplicaLag"].value, 12);
  EXPECT_EQ(m["ReplicaLag"].kind, MetricKind::kGauge);
}

TEST(MySqlCountersTest, EveryEmittedNameIsInTheCatalog) {
  GlobalStatus status;
  for (const char* name :
       {"Questions", "Queries", "Com_select", "Com_insert", "Com_update", "Com_delete", "Slow_queries",
        "Select_full_join", "Select_scan", "Sort_merge_passes", "Innodb_rows_read", "Innodb_rows_inserted",
        "Innodb_rows_updated", "Innodb_rows_deleted", "Connections", "Aborted_clients", "Aborted_connects",
        "Threads_created", "Threads_running", "Threads_connected", "Innodb_row_lock_waits", "Innodb_row_lock_time",
        "Innodb_deadlocks", "Table_locks_waited", "Innodb_buffer_pool_reads", "Innodb_buffer_pool_read_requests",
        "Innodb_buffer_pool_pages_data", "Innodb_buffer_pool_pages_free", "Innodb_buffer_pool_pages_dirty",
        "Innodb_data_reads", "Innodb_data_writes", "Innodb_log_writes", "Created_tmp_disk_tables",
        "Created_tmp_tables"})
    AddStatus(status, name, "1");
  const model::Readings r = MapCounters(status, {1, 2}, FromEpochSeconds(1));
  EXPECT_EQ(r.values.size(), 34u + 4u);
  size_t in_family = 0;
  for (const auto& v : r.values) {
    const model::MetricInfo* info = model::FindMetricInfo(v.name);
    ASSERT_NE(info, nullptr) << v.name << " is not in the metric catalog";
    EXPECT_FALSE(info->unit.empty()) << v.name;
    for (const auto& m : model::MySqlMetrics()) in_family += m.name == v.name;
  }
  // All but the two CloudWatch instance metrics are MySQL-family names.
  EXPECT_EQ(in_family, r.values.size() - 2);
}

TEST(MySqlCountersTest, StatementStatsCatalogHasPerSecAndPerCall) {
  for (const char* name : {"count_star", "sum_timer_wait", "sum_lock_time", "sum_rows_examined", "sum_rows_sent",
                           "sum_rows_affected", "sum_select_full_join", "sum_select_scan", "sum_no_index_used",
                           "sum_sort_rows", "sum_created_tmp_tables", "sum_created_tmp_disk_tables"}) {
    EXPECT_NE(model::FindMetricInfo(std::string("db.sql_tokenized.stats.") + name + "_per_sec"), nullptr) << name;
  }
  for (const char* name : {"sum_timer_wait", "sum_rows_examined", "sum_rows_sent", "sum_rows_affected",
                           "sum_lock_time"}) {
    EXPECT_NE(model::FindMetricInfo(std::string("db.sql_tokenized.stats.") + name + "_per_call"), nullptr) << name;
  }
}

}  // namespace
}  // namespace dbinsight::collect::mysql
