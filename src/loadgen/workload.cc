// The statements of every scenario on both engines (workload.h). Each
// statement a scenario is judged by carries the column alias its catalogue
// entry names as top_statement (scenario.cc).
#include "loadgen/workload.h"

#include <fmt/format.h>

namespace dbinsight::loadgen {
namespace {

using std::chrono::milliseconds;

// Row counts at scale 1. lg_events is sized so one full scan takes tens of ms
// (about 20 ms on PostgreSQL and 60 ms on MariaDB here).
constexpr int64_t kCustomers = 2000;
constexpr int64_t kProducts = 200;
constexpr int64_t kOrders = 20000;
constexpr int64_t kAccounts = 100;
constexpr int64_t kEvents = 250000;
constexpr int64_t kEventAccounts = 50000;
constexpr int64_t kRegress = 200000;
constexpr int64_t kBuckets = 2000;  // 100 rows per bucket at scale 1

// The differences between the two dialects the table loads need.
struct Dialect {
  Engine engine;

  // A row source of n rows whose column is i().
  std::string Rows(int64_t n) const {
    return engine == Engine::kPostgres ? fmt::format("generate_series(1, {}) AS g", n) : fmt::format("seq_1_to_{}", n);
  }
  std::string_view i() const { return engine == Engine::kPostgres ? "g" : "seq"; }
  std::string Md5(std::string_view e) const {
    return engine == Engine::kPostgres ? fmt::format("md5({}::text)", e) : fmt::format("MD5({})", e);
  }
  std::string_view DateTime() const { return engine == Engine::kPostgres ? "TIMESTAMP" : "DATETIME"; }
  std::string MinutesAfter2024(std::string_view e) const {
    return engine == Engine::kPostgres ? fmt::format("TIMESTAMP '2024-01-01' + {} * INTERVAL '1 minute'", e)
                                       : fmt::format("TIMESTAMP'2024-01-01 00:00:00' + INTERVAL {} MINUTE", e);
  }
  std::string Create(std::string_view table, std::string_view columns) const {
    return fmt::format("CREATE TABLE IF NOT EXISTS {} ({}){}", table, columns,
                       engine == Engine::kPostgres ? "" : " ENGINE=InnoDB");
  }
  std::string Analyze(std::string_view table) const {
    return fmt::format("{} {}", engine == Engine::kPostgres ? "ANALYZE" : "ANALYZE TABLE", table);
  }
  std::string DropIndex(std::string_view index, std::string_view table) const {
    return engine == Engine::kPostgres ? fmt::format("DROP INDEX IF EXISTS {}", index)
                                       : fmt::format("DROP INDEX IF EXISTS {} ON {}", index, table);
  }
};

std::vector<TableSpec> RecipeTables(const Dialect& d, int scale) {
  const int64_t customers = kCustomers * scale, products = kProducts * scale, orders = kOrders * scale;
  const auto i = d.i();
  return {
      {"lg_customers",
       d.Create("lg_customers", "id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, region VARCHAR(16) NOT NULL"),
       customers,
       fmt::format("INSERT INTO lg_customers SELECT {0}, CONCAT('customer ', {0}), CONCAT('region-', {0} % 8) FROM {1}",
                   i, d.Rows(customers)),
       {d.Analyze("lg_customers")},
       {}},
      {"lg_products",
       d.Create("lg_products", "id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2) NOT NULL"),
       products,
       fmt::format("INSERT INTO lg_products SELECT {0}, CONCAT('product ', {0}), ({0} % 97 + 1) * 1.25 FROM {1}", i,
                   d.Rows(products)),
       {d.Analyze("lg_products")},
       {}},
      {"lg_orders",
       d.Create("lg_orders", fmt::format("id INT PRIMARY KEY, customer_id INT NOT NULL, product_id INT NOT NULL, "
                                         "quantity INT NOT NULL, ordered_at {} NOT NULL, status VARCHAR(16) NOT NULL",
                                         d.DateTime())),
       orders,
       fmt::format("INSERT INTO lg_orders SELECT {0}, 1 + ({0} * 7) % {1}, 1 + ({0} * 13) % {2}, 1 + {0} % 5, {3}, "
                   "'new' FROM {4}",
                   i, customers, products, d.MinutesAfter2024(i), d.Rows(orders)),
       {d.Analyze("lg_orders")},
       {"CREATE INDEX IF NOT EXISTS lg_orders_ordered_at_idx ON lg_orders (ordered_at)"}},
  };
}

TableSpec AccountsTable(const Dialect& d) {
  return {"lg_accounts",
          d.Create("lg_accounts",
                   "id INT PRIMARY KEY, balance INT NOT NULL, waiter_hits INT NOT NULL, "
                   "blocker_hits INT NOT NULL"),
          kAccounts,
          fmt::format("INSERT INTO lg_accounts SELECT {}, 1000, 0, 0 FROM {}", d.i(), d.Rows(kAccounts)),
          {},
          {}};
}

// No index on account_id: that is the scenario (and io sorts the same table).
TableSpec EventsTable(const Dialect& d, int scale) {
  const int64_t rows = kEvents * scale;
  return {"lg_events",
          d.Create("lg_events",
                   "id INT PRIMARY KEY, account_id INT NOT NULL, kind INT NOT NULL, payload VARCHAR(32) NOT NULL"),
          rows,
          fmt::format("INSERT INTO lg_events SELECT {0}, 1 + ({0} * 7) % {1}, {0} % 10, {2} FROM {3}", d.i(),
                      kEventAccounts, d.Md5(d.i()), d.Rows(rows)),
          {d.Analyze("lg_events")},
          {}};
}

TableSpec RegressTable(const Dialect& d, int scale) {
  const int64_t rows = kRegress * scale;
  return {
      "lg_regress",
      d.Create("lg_regress", "id INT PRIMARY KEY, bucket INT NOT NULL, v INT NOT NULL"),
      rows,
      fmt::format("INSERT INTO lg_regress SELECT {0}, {0} % {1}, {0} % 1000 FROM {2}", d.i(), kBuckets, d.Rows(rows)),
      {d.Analyze("lg_regress")},
      // Restores the index an earlier run dropped at its midpoint.
      {"CREATE INDEX IF NOT EXISTS lg_regress_bucket_idx ON lg_regress (bucket)"}};
}

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

}  // namespace

Workload::Workload(const Scenario& scenario, Engine engine, int scale)
    : scenario_(scenario), engine_(engine), scale_(scale) {
  const Dialect d{engine};
  switch (scenario.id) {
    case ScenarioId::kRecipe:
      tables_ = RecipeTables(d, scale);
      break;
    case ScenarioId::kLockChain:
      tables_ = {AccountsTable(d)};
      think_ = milliseconds(10);
      break;
    case ScenarioId::kMissingIndex:
    case ScenarioId::kIo:
      tables_ = {EventsTable(d, scale)};
      break;
    case ScenarioId::kCpu:
      break;
    case ScenarioId::kConnectionStorm:
      tables_ = {AccountsTable(d)};
      think_ = milliseconds(200);
      break;
    case ScenarioId::kRegression:
      tables_ = {RegressTable(d, scale)};
      think_ = milliseconds(10);
      midpoint_ = {d.DropIndex("lg_regress_bucket_idx", "lg_regress")};
      break;
  }
}

std::vector<std::string> Workload::Prelude(int client) const {
  std::vector<std::string> out;
  // One backend per client: parallel workers would add sessions and IPC
  // waits that are not part of the ground truth.
  if (engine_ == Engine::kPostgres) out.push_back("SET max_parallel_workers_per_gather = 0");
  if (scenario_.id == ScenarioId::kIo) {
    out.push_back(engine_ == Engine::kPostgres ? "SET work_mem = '64kB'" : "SET SESSION sort_buffer_size = 32768");
  }
  // Waiters must stay blocked for the whole run, not give up after 50 s.
  if (scenario_.id == ScenarioId::kLockChain && client > 0 && engine_ == Engine::kMariaDb)
    out.push_back("SET SESSION innodb_lock_wait_timeout = 86400");
  return out;
}

std::vector<std::string> Workload::Begin(int client) const {
  if (scenario_.id != ScenarioId::kLockChain || client != 0) return {};
  return {"BEGIN", "UPDATE lg_accounts SET blocker_hits = blocker_hits + 1 WHERE id = 1"};
}

std::vector<std::string> Workload::End(int client) const {
  if (scenario_.id != ScenarioId::kLockChain || client != 0) return {};
  return {"ROLLBACK"};
}

std::string Workload::Next(int client, std::mt19937_64& rng) const {
  switch (scenario_.id) {
    case ScenarioId::kRecipe: {
      switch (Uniform(rng, 0, 2)) {
        case 0:
          return fmt::format(
              "SELECT c.region, SUM(o.quantity * p.price) AS revenue_by_region FROM lg_orders o "
              "JOIN lg_customers c ON c.id = o.customer_id JOIN lg_products p ON p.id = o.product_id "
              "WHERE o.ordered_at >= '2024-01-{:02d} 00:00:00' GROUP BY c.region ORDER BY revenue_by_region DESC",
              Uniform(rng, 1, 4));
        case 1: {
          const int64_t day = Uniform(rng, 1, 9), hour = Uniform(rng, 0, 23);
          return fmt::format(
              "SELECT id, customer_id, quantity AS recent_quantity FROM lg_orders WHERE ordered_at BETWEEN "
              "'2024-01-{0:02d} {1:02d}:00:00' AND '2024-01-{0:02d} {1:02d}:59:59' ORDER BY ordered_at DESC LIMIT 20",
              day, hour);
        }
        default:
          return fmt::format("UPDATE lg_orders SET status = 'shipped' WHERE id = {}",
                             Uniform(rng, 1, kOrders * scale_));
      }
    }
    case ScenarioId::kLockChain:
      return client == 0 ? "" : "UPDATE lg_accounts SET waiter_hits = waiter_hits + 1 WHERE id = 1";
    case ScenarioId::kMissingIndex:
      return fmt::format("SELECT count(*) AS unindexed_matches FROM lg_events WHERE account_id = {}",
                         Uniform(rng, 1, kEventAccounts));
    case ScenarioId::kCpu:
      // ~0.1-0.3 s of one core each, no table, no waits.
      return engine_ == Engine::kPostgres
                 ? fmt::format(
                       "SELECT count(*) AS cpu_burn FROM generate_series(1, 1500) AS a, "
                       "generate_series(1, 1000) AS b WHERE (a * 31 + b) % 7 = {}",
                       Uniform(rng, 0, 6))
                 : fmt::format("SELECT BENCHMARK(300000, MD5('dbinsight-{}')) AS cpu_burn", Uniform(rng, 0, 6));
    case ScenarioId::kIo: {
      // An OFFSET this deep makes a bounded (top-N) sort impossible in the
      // tiny sort memory: the sort of the whole table spills.
      const int64_t rows = kEvents * scale_;
      return fmt::format("SELECT id AS spill_sort_id FROM lg_events ORDER BY payload, id LIMIT 10 OFFSET {}",
                         Uniform(rng, rows / 4, rows / 2));
    }
    case ScenarioId::kConnectionStorm:
      return fmt::format("SELECT balance AS storm_probe FROM lg_accounts WHERE id = {}", Uniform(rng, 1, kAccounts));
    case ScenarioId::kRegression:
      return fmt::format("SELECT count(*) AS regressed_rows, sum(v) FROM lg_regress WHERE bucket = {}",
                         Uniform(rng, 0, kBuckets - 1));
  }
  return "";
}

}  // namespace dbinsight::loadgen
