#include "collect/mysql/counters.h"

#include <cctype>
#include <charconv>
#include <string_view>

namespace dbinsight::collect::mysql {

namespace {

using model::MetricKind;

struct Variable {
  std::string_view status;  // SHOW GLOBAL STATUS name, lower case
  std::string_view metric;
  MetricKind kind;
};

constexpr Variable kVariables[] = {
    {"questions", "db.SQL.Questions", MetricKind::kCounter},
    {"queries", "db.SQL.Queries", MetricKind::kCounter},
    {"com_select", "db.SQL.Com_select", MetricKind::kCounter},
    {"com_insert", "db.SQL.Com_insert", MetricKind::kCounter},
    {"com_update", "db.SQL.Com_update", MetricKind::kCounter},
    {"com_delete", "db.SQL.Com_delete", MetricKind::kCounter},
    {"slow_queries", "db.SQL.Slow_queries", MetricKind::kCounter},
    {"select_full_join", "db.SQL.Select_full_join", MetricKind::kCounter},
    {"select_scan", "db.SQL.Select_scan", MetricKind::kCounter},
    {"sort_merge_passes", "db.SQL.Sort_merge_passes", MetricKind::kCounter},
    {"innodb_rows_read", "db.SQL.Innodb_rows_read", MetricKind::kCounter},
    {"innodb_rows_inserted", "db.SQL.Innodb_rows_inserted", MetricKind::kCounter},
    {"innodb_rows_updated", "db.SQL.Innodb_rows_updated", MetricKind::kCounter},
    {"innodb_rows_deleted", "db.SQL.Innodb_rows_deleted", MetricKind::kCounter},
    {"connections", "db.Users.Connections", MetricKind::kCounter},
    {"aborted_clients", "db.Users.Aborted_clients", MetricKind::kCounter},
    {"aborted_connects", "db.Users.Aborted_connects", MetricKind::kCounter},
    {"threads_created", "db.Users.Threads_created", MetricKind::kCounter},
    {"threads_running", "db.Users.Threads_running", MetricKind::kGauge},
    {"threads_connected", "db.Users.Threads_connected", MetricKind::kGauge},
    // A server variable, not a status: present when the read adds it to the
    // status rows (@@GLOBAL.max_connections), for the
    // connections incident's limit.
    {"max_connections", "db.Users.max_connections", MetricKind::kGauge},
    {"innodb_row_lock_waits", "db.Locks.Innodb_row_lock_waits", MetricKind::kCounter},
    {"innodb_row_lock_time", "db.Locks.Innodb_row_lock_time", MetricKind::kCounter},
    {"innodb_deadlocks", "db.Locks.innodb_deadlocks", MetricKind::kCounter},
    {"table_locks_waited", "db.Locks.Table_locks_waited", MetricKind::kCounter},
    {"innodb_buffer_pool_reads", "db.Cache.Innodb_buffer_pool_reads", MetricKind::kCounter},
    {"innodb_buffer_pool_read_requests", "db.Cache.Innodb_buffer_pool_read_requests", MetricKind::kCounter},
    {"innodb_buffer_pool_pages_data", "db.Cache.Innodb_buffer_pool_pages_data", MetricKind::kGauge},
    {"innodb_buffer_pool_pages_free", "db.Cache.Innodb_buffer_pool_pages_free", MetricKind::kGauge},
    {"innodb_buffer_pool_pages_dirty", "db.Cache.Innodb_buffer_pool_pages_dirty", MetricKind::kGauge},
    {"innodb_data_reads", "db.IO.Innodb_data_reads", MetricKind::kCounter},
    {"innodb_data_writes", "db.IO.Innodb_data_writes", MetricKind::kCounter},
    {"innodb_log_writes", "db.IO.Innodb_log_writes", MetricKind::kCounter},
    {"created_tmp_disk_tables", "db.Temp.Created_tmp_disk_tables", MetricKind::kCounter},
    {"created_tmp_tables", "db.Temp.Created_tmp_tables", MetricKind::kCounter},
};

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

void AddStatus(GlobalStatus& status, std::string_view name, std::string_view value) {
  std::string key(name);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  status[std::move(key)] = std::string(value);
}

model::Readings MapCounters(const GlobalStatus& status, const CounterExtras& extras, WallTime now) {
  model::Readings out;
  out.time = now;
  out.values.reserve(std::size(kVariables) + 4);
  auto value = [&status](std::string_view name) -> std::optional<double> {
    auto it = status.find(std::string(name));
    return it == status.end() ? std::nullopt : ParseDouble(it->second);
  };
  for (const Variable& v : kVariables) {
    if (auto x = value(v.status)) out.values.push_back({std::string(v.metric), *x, v.kind});
  }
  if (auto x = value("threads_connected")) out.values.push_back({"DatabaseConnections", *x, MetricKind::kGauge});
  if (extras.active_transactions) {
    out.values.push_back({"db.Transactions.active_transactions", *extras.active_transactions, MetricKind::kGauge});
  }
  if (extras.seconds_behind_master) {
    out.values.push_back({"db.Replication.seconds_behind_master", *extras.seconds_behind_master, MetricKind::kGauge});
    out.values.push_back({"ReplicaLag", *extras.seconds_behind_master, MetricKind::kGauge});
  }
  return out;
}

}  // namespace dbinsight::collect::mysql
