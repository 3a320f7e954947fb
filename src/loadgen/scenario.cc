// The scenario catalogue (scenario.h). The statements behind each entry are in
// workload.cc; the two must agree on the top statement's alias.
#include "loadgen/scenario.h"

#include <fmt/format.h>

#include <array>

#include "common/json_text.h"

namespace dbinsight::loadgen {
namespace {

// P_S times every row a handler returns as table IO (docs/sampling-mysql.md),
// so statements that read many rows show this event on MariaDB, not CPU.
constexpr ExpectedWait kMariaDbRowReads{"io", "wait/io/table/sql/handler"};
constexpr ExpectedWait kCpu{"CPU", "CPU"};

constexpr std::array kScenarios = {
    Scenario{ScenarioId::kRecipe, "recipe",
             "Orders/customers/products schema and three queries (join with aggregation, range scan with "
             "ORDER BY/LIMIT, update by key), repeated by every client",
             "revenue_by_region", kCpu, kMariaDbRowReads, "",
             "the join with aggregation holds most of the load; the range scan and the update are cheap", 4, 1},
    Scenario{ScenarioId::kLockChain,
             "lock-chain",
             "Client 0 updates row 1 of lg_accounts in an open transaction and stays idle in transaction; the "
             "other clients UPDATE the same row and block",
             "waiter_hits",
             {"Lock", "Lock:transactionid"},
             {"lock", "wait/lock/innodb/row_lock"},
             "blocker_id in the started line: PostgreSQL backend pid, idle in transaction, the root of "
             "pg_blocking_pids() of every waiter; MariaDB connection id = INNODB_TRX.trx_mysql_thread_id of the "
             "transaction the waiters' INNODB_LOCK_WAITS rows name as blocking",
             "clients-1 sessions wait; on PostgreSQL the first waiter waits on Lock:transactionid and the others "
             "queue behind it on Lock:tuple",
             4,
             2},
    Scenario{ScenarioId::kMissingIndex, "missing-index",
             "Full scans of lg_events (250000 x scale rows) filtered on the unindexed column account_id",
             "unindexed_matches", kCpu, kMariaDbRowReads, "",
             "PostgreSQL pg_stat_user_tables.seq_scan of lg_events grows; MariaDB Handler_read_rnd_next grows by "
             "the table size per statement",
             4, 1},
    Scenario{ScenarioId::kCpu, "cpu",
             "CPU-bound statements that read no table: generate_series cross joins on PostgreSQL, BENCHMARK() "
             "on MariaDB",
             "cpu_burn", kCpu, kCpu, "", "one busy core per client, no waits", 2, 1},
    Scenario{ScenarioId::kIo,
             "io",
             "Sorts of lg_events by payload that spill to temporary files (work_mem 64kB / sort_buffer_size 32K "
             "set per session)",
             "spill_sort_id",
             {"IO", "IO:BufFileWrite"},
             kMariaDbRowReads,
             "",
             "PostgreSQL pg_stat_database.temp_files grows (waits IO:BufFileWrite and IO:BufFileRead between "
             "CPU); MariaDB Sort_merge_passes grows",
             2,
             1},
    Scenario{ScenarioId::kConnectionStorm, "connection-storm",
             "Opens and holds one connection per client; each runs a short key lookup every 200 ms", "storm_probe",
             kCpu, kCpu, "",
             "connections of the target reach clients (pg_stat_activity / Threads_connected); the load itself "
             "stays small",
             50, 1},
    Scenario{ScenarioId::kRegression, "regression",
             "The same lookup on lg_regress.bucket throughout; its index is dropped at half the duration, so the "
             "statement turns into a full scan (the index is restored at exit)",
             "regressed_rows", kCpu, kMariaDbRowReads, "",
             "change_after_ms in the started line; the statement's mean latency after it is far above before", 4, 1},
};

}  // namespace

std::span<const Scenario> Scenarios() { return kScenarios; }

const Scenario* FindScenario(std::string_view name) {
  for (const Scenario& s : kScenarios)
    if (s.name == name) return &s;
  return nullptr;
}

std::string DescribeJson(const Scenario& s) {
  const auto wait = [](const ExpectedWait& w) {
    return fmt::format(R"({{"wait_class":{},"wait_event":{}}})", JsonQuote(w.wait_class), JsonQuote(w.wait_event));
  };
  return fmt::format(
      R"({{"name":{},"summary":{},"top_statement":{},"postgres":{},"mariadb":{},"blocker":{},"evidence":{},)"
      R"("default_clients":{},"min_clients":{}}})",
      JsonQuote(s.name), JsonQuote(s.summary), JsonQuote(s.top_statement), wait(s.postgres), wait(s.mariadb),
      JsonQuote(s.blocker), JsonQuote(s.evidence), s.default_clients, s.min_clients);
}

std::string ListText() {
  std::string out;
  for (const Scenario& s : kScenarios) {
    out += fmt::format("{}\n  {}\n  top statement contains: {}\n  postgres: {} ({})\n  mariadb:  {} ({})\n", s.name,
                       s.summary, s.top_statement, s.postgres.wait_event, s.postgres.wait_class, s.mariadb.wait_event,
                       s.mariadb.wait_class);
    if (!s.blocker.empty()) out += fmt::format("  blocker: {}\n", s.blocker);
    out += fmt::format("  evidence: {}\n  default clients: {}\n", s.evidence, s.default_clients);
  }
  return out;
}

}  // namespace dbinsight::loadgen
