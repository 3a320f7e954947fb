// Per-SQL statistics at scale (plain driver, not a test): what one
// Sampler::ReadStatements call costs, and how much memory the sampler keeps,
// when the server tracks 12,000 distinct statements and three ~1 MB ones.
// Starts its own throwaway servers (testing::PgCluster, testing::MariaDbCluster;
// both are stopped and removed on return), runs the statements once, then
// calls ReadStatements back to back and prints, per call, its wall time, the
// statements returned, how many carry a tokenized_id (named), the digest text
// bytes in the result and the process RSS. Each engine runs with the default
// SamplerOptions and with max_statements_per_read above
// max_tracked_statements; PostgreSQL also with 500 new statements longer than
// track_activity_query_size, MariaDB also on a second server keeping 1 MB
// digests. Also times one full read of the view with all texts. Usage:
//   statements_bench [--cycles N] [--out FILE]   both engines, each in a child
//                                                process so RSS is its own
//   statements_bench --engine pg|mariadb [--cycles N]
// Default FILE: bench/results/statements_scale-<UTC date>.txt. Needs root (the
// throwaway scripts run the servers as postgres / root). Single-threaded.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "collect/mysql/mysql_sampler.h"
#include "collect/options.h"
#include "collect/postgres/pg_sampler.h"
#include "common/clock.h"
#include "dbconn/mysql_connection.h"
#include "dbconn/pg_connection.h"
#include "sql/normalizer.h"
#include "testing/mariadb_cluster.h"
#include "testing/pg_cluster.h"

using namespace dbinsight;  // NOLINT: a benchmark driver

namespace {

using Wall = std::chrono::steady_clock;  // timing the benchmark itself, not product code

constexpr int kSmallStatements = 12'000;
constexpr int kBigStatements = 3;
constexpr size_t kBigBytes = 1'000'000;  // raw text of each big statement, at least
constexpr size_t kBigText = 100'000;     // a returned digest text this long counts as "big"
constexpr int kTables = 40;              // t00..t39, columns c0..c9

__attribute__((format(printf, 1, 2))) void Say(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::fflush(stdout);
}

double MsSince(Wall::time_point t) { return std::chrono::duration<double, std::milli>(Wall::now() - t).count(); }

// VmRSS / VmHWM of this process in kB.
long StatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key) + 1);
  }
  return -1;
}

// Statement n of 12,000 distinct shapes, valid in both dialects: table x
// selected column x filtered column x operator (constants do not make a
// query_id or digest distinct, so the literal is just n).
std::string SmallStatement(int n) {
  static constexpr const char* kOps[] = {"=", "<", ">"};
  const int t = n % kTables, sel = (n / kTables) % 10, filt = (n / (kTables * 10)) % 10;
  const char* op = kOps[(n / (kTables * 100)) % 3];
  char buf[128];
  std::snprintf(buf, sizeof buf, "SELECT c%d FROM t%02d WHERE c%d %s %d", sel, t, filt, op, n);
  return buf;
}

// Big statement k: one OR chain of ~1 MB over columns b0..b99 of table big,
// in a different column order per k (so each is its own query_id / digest).
// ORs are flattened by both parsers: no recursion depth problem.
std::string BigStatement(int k) {
  std::string q = "SELECT count(*) FROM big WHERE ";
  char term[48];
  for (int i = 0; q.size() < kBigBytes; ++i) {
    std::snprintf(term, sizeof term, "%sb%d = %d", i ? " OR " : "", (i * 7 + k * 13) % 100, i + 1);
    q += term;
  }
  return q;
}

// Long statement k of kLongStatements: 400 + k OR terms (~5-11 kB), each its
// own query_id by its arity; longer than track_activity_query_size (4096 in
// the throwaway cluster), the length at which the sampler treats a text as
// possibly cut.
constexpr int kLongStatements = 500;
std::string LongStatement(int k) {
  std::string q = "SELECT count(*) FROM big WHERE ";
  char term[48];
  for (int i = 0; i < 400 + k; ++i) {
    std::snprintf(term, sizeof term, "%sb%d = %d", i ? " OR " : "", (i * 3) % 100, i + 1);
    q += term;
  }
  return q;
}

std::string CreateTables() {
  std::string ddl;
  for (int t = 0; t < kTables; ++t) {
    char name[8];
    std::snprintf(name, sizeof name, "t%02d", t);
    ddl += std::string("CREATE TABLE ") + name + " (c0 int";
    for (int c = 1; c < 10; ++c) ddl += ", c" + std::to_string(c) + " int";
    ddl += ");";
  }
  ddl += "CREATE TABLE big (b0 int";
  for (int c = 1; c < 100; ++c) ddl += ", b" + std::to_string(c) + " int";
  ddl += "); INSERT INTO big (b0) VALUES (0)";
  return ddl;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so a peak is this run's own.
void ResetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Median wall ms of 5 runs of sql on conn (PgConnection or MySqlConnection).
template <typename Conn>
double MedianQueryMs(Conn& conn, const std::string& sql) {
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const auto t = Wall::now();
    if (!conn.Query(sql).ok()) return -1;
    ms.push_back(MsSince(t));
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Calls ReadStatements `cycles` times back to back and prints one row each.
void RunCycles(collect::Sampler& sampler, int cycles) {
  SystemClock clock;
  ResetPeak();
  Say("%5s %9s %6s %6s %5s %9s %8s\n", "call", "ms", "rows", "named", "big", "text_MB", "RSS_MB");
  size_t prev_named = 0;
  std::vector<double> steady;
  for (int c = 1; c <= cycles; ++c) {
    const auto t = Wall::now();
    auto r = sampler.ReadStatements(clock.Now());
    const double ms = MsSince(t);
    if (!r.ok()) {
      Say("%5d ReadStatements failed: %s\n", c, r.status().ToString().c_str());
      continue;
    }
    size_t named = 0, big = 0, bytes = 0;
    for (const model::StatementCounters& s : r->statements) {
      named += !s.tokenized_id.empty();
      big += s.statement.size() >= kBigText;
      bytes += s.statement.size();
    }
    Say("%5d %9.1f %6zu %6zu %5zu %9.2f %8.1f%s\n", c, ms, r->statements.size(), named, big, bytes / 1e6,
        StatusKb("VmRSS:") / 1024.0,
        named > prev_named    ? ""
        : named == prev_named ? "  (no new names)"
                              : "  (names forgotten)");
    if (named == prev_named) steady.push_back(ms);
    prev_named = named;
  }
  std::sort(steady.begin(), steady.end());
  if (!steady.empty()) {
    Say("calls without new names: %zu, median %.1f ms, max %.1f ms; ", steady.size(), steady[steady.size() / 2],
        steady.back());
  } else {
    Say("every call named new statements; ");
  }
  Say("peak RSS during the calls (VmHWM) %.1f MB\n", StatusKb("VmHWM:") / 1024.0);
}

// --- PostgreSQL -------------------------------------------------------------

int RunPostgres(int cycles) {
  Say("== PostgreSQL 15, pg_stat_statements.max = 20000 ==\n");
  auto cluster = testing::PgCluster::Start();
  if (!cluster.ok()) return Say("cluster: %s\n", cluster.status().ToString().c_str()), 1;
  testing::PgCluster& pg = **cluster;
  if (auto r = pg.Exec("ALTER SYSTEM SET pg_stat_statements.max = 20000"); !r.ok())
    return Say("alter system: %s\n", r.status().ToString().c_str()), 1;
  if (Status s = pg.Restart(); !s.ok()) return Say("restart: %s\n", s.ToString().c_str()), 1;
  {
    auto conn = dbconn::PgConnection::Connect(pg.SuperuserDsn(), std::chrono::seconds(10));
    if (!conn.ok()) return Say("connect: %s\n", conn.status().ToString().c_str()), 1;
    dbconn::PgConnection& c = **conn;
    if (auto r = c.Query(CreateTables()); !r.ok()) return Say("ddl: %s\n", r.status().ToString().c_str()), 1;
    auto t = Wall::now();
    for (int n = 0; n < kSmallStatements; ++n) {
      if (auto r = c.Query(SmallStatement(n)); !r.ok())
        return Say("%s: %s\n", SmallStatement(n).c_str(), r.status().ToString().c_str()), 1;
    }
    Say("ran %d small statements in %.0f ms\n", kSmallStatements, MsSince(t));
    for (int k = 0; k < kBigStatements; ++k) {
      const std::string q = BigStatement(k);
      t = Wall::now();
      if (auto r = c.Query(q); !r.ok()) return Say("big %d: %s\n", k, r.status().ToString().c_str()), 1;
      Say("ran big statement %d (%zu bytes) in %.0f ms\n", k, q.size(), MsSince(t));
    }
    auto v = c.Query(
        "SELECT count(*), count(DISTINCT queryid), sum(octet_length(query)), "
        "count(*) FILTER (WHERE octet_length(query) >= 100000), max(octet_length(query)) FROM pg_stat_statements");
    if (!v.ok()) return Say("pgss: %s\n", v.status().ToString().c_str()), 1;
    Say("pg_stat_statements: %s entries, %s query_ids, %s bytes of text, %s texts >= 100 kB (largest %s bytes)\n",
        std::string(v->Get(0, 0)).c_str(), std::string(v->Get(0, 1)).c_str(), std::string(v->Get(0, 2)).c_str(),
        std::string(v->Get(0, 3)).c_str(), std::string(v->Get(0, 4)).c_str());
  }

  // Defaults (top 5,000 per read), then every row per read (a cap above the
  // 12,000 entries; max_tracked_statements, 20,000 by default, must cover it).
  for (size_t per_read : {size_t{0}, size_t{20'000}}) {
    collect::SamplerOptions options;
    if (per_read) options.max_statements_per_read = per_read;
    Say("\n-- PgSampler::ReadStatements, monitor role over TCP, max_statements_per_read = %zu, "
        "max_tracked_statements = %zu (RSS before: %.1f MB)\n",
        options.max_statements_per_read, options.max_tracked_statements, StatusKb("VmRSS:") / 1024.0);
    sql::NormalizerCache normalizer;
    dbconn::ConnectOptions connect;
    connect.conninfo = pg.MonitorDsn();
    collect::postgres::PgSampler sampler("bench-pg", connect, options, normalizer);
    RunCycles(sampler, cycles);
  }

  // For comparison: everything with texts, as a naive collector would read it.
  auto mon = dbconn::PgConnection::Connect(pg.MonitorDsn(), std::chrono::seconds(10));
  if (!mon.ok()) return Say("connect: %s\n", mon.status().ToString().c_str()), 1;
  Say("\n-- SELECT * FROM pg_stat_statements (all texts), monitor connection:");
  for (int i = 0; i < 3; ++i) {
    const auto t = Wall::now();
    auto r = (*mon)->Query("SELECT * FROM pg_stat_statements");
    const double ms = MsSince(t);
    if (!r.ok()) return Say(" failed: %s\n", r.status().ToString().c_str()), 1;
    size_t bytes = 0;
    for (int row = 0; row < r->rows(); ++row)
      for (int col = 0; col < r->cols(); ++col) bytes += r->Get(row, col).size();
    Say(" %.1f ms (%d rows, %.1f MB)%s", ms, r->rows(), bytes / 1e6, i == 2 ? "\n" : ";");
  }
  // Server-side cost of the sampler's own statements.
  auto own = (*mon)->Query(
      "SELECT calls, round(mean_exec_time::numeric, 1), round(max_exec_time::numeric, 1), "
      "regexp_replace(left(query, 90), '\\s+', ' ', 'g') FROM pg_stat_statements "
      "WHERE userid = 'monitor'::regrole AND query LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 8");
  if (own.ok()) {
    Say("server time of the sampler's statements (pg_stat_statements, user monitor):\n%6s %8s %8s  %s\n", "calls",
        "mean_ms", "max_ms", "query");
    for (int i = 0; i < own->rows(); ++i)
      Say("%6s %8s %8s  %s\n", std::string(own->Get(i, 0)).c_str(), std::string(own->Get(i, 1)).c_str(),
          std::string(own->Get(i, 2)).c_str(), std::string(own->Get(i, 3)).c_str());
  }
  // Where the numbers-only read spends its time (client-timed, median of 5):
  // the view itself, its columns, and the per-query_id sums.
  const std::string cols =
      "calls, total_exec_time, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, "
      "shared_blks_written, local_blks_hit, local_blks_read, temp_blks_read, temp_blks_written, "
      "blk_read_time, blk_write_time";
  std::string sums_numeric, sums_float;
  for (size_t at = 0; at < cols.size();) {
    size_t end = std::min(cols.find(", ", at), cols.size());
    const std::string c = cols.substr(at, end - at);
    sums_numeric += ", sum(" + c + ")::float8";
    sums_float += ", sum(" + c + "::float8)";
    at = end + 2;
  }
  const std::string tail =
      " FROM pg_stat_statements(false) WHERE queryid IS NOT NULL GROUP BY queryid ORDER BY "
      "sum(total_exec_time) DESC LIMIT 5000";
  Say("pg_stat_statements(false) parts, median of 5 (ms): count(*) %.1f; 14 columns, no grouping %.1f; "
      "grouped, sum(bigint)::float8 as the sampler does %.1f; grouped, sum(col::float8) %.1f\n",
      MedianQueryMs(**mon, "SELECT count(*) FROM pg_stat_statements(false)"),
      MedianQueryMs(**mon, "SELECT queryid, " + cols + " FROM pg_stat_statements(false)"),
      MedianQueryMs(**mon, "SELECT queryid" + sums_numeric + tail),
      MedianQueryMs(**mon, "SELECT queryid" + sums_float + tail));

  // 500 new statements of 5-11 kB each: one read names them all at once.
  {
    auto conn = dbconn::PgConnection::Connect(pg.SuperuserDsn(), std::chrono::seconds(10));
    if (!conn.ok()) return Say("connect: %s\n", conn.status().ToString().c_str()), 1;
    for (int k = 0; k < kLongStatements; ++k) {
      if (auto r = (*conn)->Query(LongStatement(k)); !r.ok())
        return Say("long %d: %s\n", k, r.status().ToString().c_str()), 1;
    }
  }
  collect::SamplerOptions options;
  Say("\n-- %d more statements of %zu-%zu bytes (above track_activity_query_size 4096); fresh PgSampler, "
      "defaults\n",
      kLongStatements, LongStatement(0).size(), LongStatement(kLongStatements - 1).size());
  sql::NormalizerCache normalizer;
  dbconn::ConnectOptions connect;
  connect.conninfo = pg.MonitorDsn();
  collect::postgres::PgSampler sampler("bench-pg", connect, options, normalizer);
  RunCycles(sampler, 3);
  auto lookups = (*mon)->Query(
      "SELECT calls, round(mean_exec_time::numeric, 1) FROM pg_stat_statements WHERE userid = 'monitor'::regrole "
      "AND query LIKE 'SELECT query FROM pg_stat_statements WHERE queryid = %'");
  if (lookups.ok() && lookups->rows() == 1)
    Say("full-text lookups by the sampler so far (SELECT query FROM pg_stat_statements WHERE queryid = $1): %s calls, "
        "%s ms mean\n",
        std::string(lookups->Get(0, 0)).c_str(), std::string(lookups->Get(0, 1)).c_str());
  return 0;
}

// --- MariaDB ----------------------------------------------------------------

Result<std::unique_ptr<dbconn::MySqlConnection>> RunMariaDbWorkload(const testing::MariaDbCluster& db,
                                                                    int small_statements) {
  dbconn::MySqlConnectOptions root = db.RootOptions();
  root.database = "app";
  auto conn = dbconn::MySqlConnection::Connect(root);
  if (!conn.ok()) return conn.status();
  dbconn::MySqlConnection& c = **conn;
  if (auto r = c.Query(CreateTables()); !r.ok()) return r.status();
  auto t = Wall::now();
  for (int n = 0; n < small_statements; ++n) {
    if (auto r = c.Query(SmallStatement(n)); !r.ok()) return r.status();
  }
  Say("ran %d small statements in %.0f ms\n", small_statements, MsSince(t));
  for (int k = 0; k < kBigStatements; ++k) {
    const std::string q = BigStatement(k);
    t = Wall::now();
    if (auto r = c.Query(q); !r.ok()) return r.status();
    Say("ran big statement %d (%zu bytes) in %.0f ms\n", k, q.size(), MsSince(t));
  }
  auto v = c.Query(
      "SELECT COUNT(*), COUNT(DISTINCT DIGEST), SUM(LENGTH(DIGEST_TEXT)), SUM(LENGTH(DIGEST_TEXT) >= 100000), "
      "MAX(LENGTH(DIGEST_TEXT)), @@performance_schema_digests_size, @@performance_schema_max_digest_length, "
      "@@max_digest_length FROM performance_schema.events_statements_summary_by_digest");
  if (!v.ok()) return v.status();
  Say("events_statements_summary_by_digest: %s rows, %s digests, %s bytes of DIGEST_TEXT, %s >= 100 kB (largest %s); "
      "digests_size=%s performance_schema_max_digest_length=%s max_digest_length=%s\n",
      std::string(v->Get(0, 0)).c_str(), std::string(v->Get(0, 1)).c_str(), std::string(v->Get(0, 2)).c_str(),
      std::string(v->Get(0, 3)).c_str(), std::string(v->Get(0, 4)).c_str(), std::string(v->Get(0, 5)).c_str(),
      std::string(v->Get(0, 6)).c_str(), std::string(v->Get(0, 7)).c_str());
  auto mem = c.Query("SHOW ENGINE PERFORMANCE_SCHEMA STATUS");
  if (mem.ok() && mem->rows() > 0)
    Say("performance_schema memory: %s bytes\n", std::string(mem->Get(mem->rows() - 1, 2)).c_str());
  return conn;
}

int MariaDbPhase(const char* title, const std::string& cnf, int small_statements, int cycles,
                 const std::vector<size_t>& per_reads) {
  Say("== MariaDB 10.11, %s ==\n", title);
  testing::MariaDbCluster::Options options;
  options.extra_cnf = cnf;
  auto cluster = testing::MariaDbCluster::Start(options);
  if (!cluster.ok()) return Say("cluster: %s\n", cluster.status().ToString().c_str()), 1;
  testing::MariaDbCluster& db = **cluster;
  auto root = RunMariaDbWorkload(db, small_statements);
  if (!root.ok()) return Say("workload: %s\n", root.status().ToString().c_str()), 1;

  for (size_t per_read : per_reads) {
    collect::SamplerOptions sampler_options;
    if (per_read) sampler_options.max_statements_per_read = per_read;
    Say("\n-- MySqlSampler::ReadStatements, monitor over TCP, max_statements_per_read = %zu, "
        "max_tracked_statements = %zu (RSS before: %.1f MB)\n",
        sampler_options.max_statements_per_read, sampler_options.max_tracked_statements, StatusKb("VmRSS:") / 1024.0);
    sql::NormalizerCache normalizer;
    collect::mysql::MySqlSampler sampler("bench-my", db.MonitorOptions(), sampler_options, normalizer);
    RunCycles(sampler, cycles);
  }

  auto mon = dbconn::MySqlConnection::Connect(db.MonitorOptions());
  if (!mon.ok()) return Say("connect: %s\n", mon.status().ToString().c_str()), 1;
  Say("\n-- SELECT * FROM performance_schema.events_statements_summary_by_digest (all texts):");
  for (int i = 0; i < 3; ++i) {
    const auto t = Wall::now();
    auto r = (*mon)->Query("SELECT * FROM performance_schema.events_statements_summary_by_digest");
    const double ms = MsSince(t);
    if (!r.ok()) return Say(" failed: %s\n", r.status().ToString().c_str()), 1;
    size_t bytes = 0;
    for (int row = 0; row < r->rows(); ++row)
      for (int col = 0; col < r->cols(); ++col) bytes += r->Get(row, col).size();
    Say(" %.1f ms (%d rows, %.1f MB)%s", ms, r->rows(), bytes / 1e6, i == 2 ? "\n" : ";");
  }
  auto own = (**root).Query(
      "SELECT COUNT_STAR, ROUND(AVG_TIMER_WAIT / 1e9, 1), ROUND(MAX_TIMER_WAIT / 1e9, 1), LEFT(DIGEST_TEXT, 90) "
      "FROM performance_schema.events_statements_summary_by_digest WHERE DIGEST_TEXT LIKE "
      "'%summary\\_by\\_digest%' AND DIGEST_TEXT NOT LIKE 'SELECT * %' ORDER BY SUM_TIMER_WAIT DESC LIMIT 6");
  if (own.ok()) {
    Say("server time of the sampler's statements (events_statements_summary_by_digest):\n%6s %8s %8s  %s\n", "calls",
        "mean_ms", "max_ms", "digest text");
    for (int i = 0; i < own->rows(); ++i)
      Say("%6s %8s %8s  %s\n", std::string(own->Get(i, 0)).c_str(), std::string(own->Get(i, 1)).c_str(),
          std::string(own->Get(i, 2)).c_str(), std::string(own->Get(i, 3)).c_str());
  }
  return 0;
}

int RunMariaDb(int cycles) {
  // P_S preallocates performance_schema_max_digest_length bytes per digest
  // row (and per statement event per thread), so 20,000 rows of 1 MB (20 GB)
  // are out of reach: the scale run keeps 4 KB digests, a second server
  // keeps 1 MB digests for 100 rows.
  int rc = MariaDbPhase("12,000 digests (performance_schema_digests_size=20000, digest length 4096)",
                        "performance_schema_digests_size=20000\nperformance_schema_max_digest_length=4096\n"
                        "max_digest_length=4096",
                        kSmallStatements, cycles, {0, 20'000});
  if (rc != 0) return rc;
  Say("\n");
  // Smaller per-thread statement stacks and histories: with 1 MB digests
  // their defaults alone would take 6.8 GB (measured), now ~1.3 GB.
  return MariaDbPhase("1 MB digests (performance_schema_digests_size=100, digest length 1048576)",
                      "performance_schema_digests_size=100\nperformance_schema_max_digest_length=1048576\n"
                      "max_digest_length=1048576\nmax_connections=20\nperformance_schema_max_statement_stack=2\n"
                      "performance_schema_events_statements_history_size=2\n"
                      "performance_schema_events_statements_history_long_size=10",
                      20, std::min(cycles, 10), {0});
}

std::string Today() {
  const std::time_t now = static_cast<std::time_t>(ToEpochSeconds(SystemClock().Now()));
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string engine, out = std::string(DBI_REPO_ROOT) + "/bench/results/statements_scale-" + Today() + ".txt";
  int cycles = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--engine") {
      engine = argv[i + 1];
    } else if (flag == "--cycles") {
      cycles = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--out") {
      out = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: %s [--engine pg|mariadb] [--cycles N] [--out FILE]\n", argv[0]);
      return 2;
    }
  }
  if (engine == "pg") return RunPostgres(cycles);
  if (engine == "mariadb") return RunMariaDb(cycles);
  if (!engine.empty()) return std::fprintf(stderr, "unknown engine %s\n", engine.c_str()), 2;

  // Each engine in its own process: RSS then shows that engine's sampler
  // alone, not memory the allocator kept from the other one.
  std::string report = "# statements_bench, " + Today() + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) +
                       " cores; per call: wall ms, statements returned, named (tokenized_id set), big (text >= 100 "
                       "kB), MB of digest text in the result, process VmRSS\n\n";
  std::fputs(report.c_str(), stdout);
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return std::perror("readlink /proc/self/exe"), 1;
  self[len] = '\0';
  int rc = 0;
  for (const char* e : {"pg", "mariadb"}) {
    const std::string cmd =
        "'" + std::string(self) + "' --engine " + std::string(e) + " --cycles " + std::to_string(cycles);
    FILE* child = popen(cmd.c_str(), "r");
    if (!child) return std::perror("popen"), 1;
    char line[4096];
    while (std::fgets(line, sizeof line, child)) {
      std::fputs(line, stdout);
      std::fflush(stdout);
      report += line;
    }
    rc |= pclose(child);
    report += "\n";
    std::fputs("\n", stdout);
  }
  std::ofstream(out) << report;
  std::printf("written to %s\n", out.c_str());
  return rc == 0 ? 0 : 1;
}
