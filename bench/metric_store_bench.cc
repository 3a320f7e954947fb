// MetricStore benchmark (plain driver): writes a day of synthetic metrics
// (150 metrics of one instance at 1 s) and of per-SQL statistics (2,000
// statements per 60 s interval), one append per sample as live collection
// does, then reports bytes per point, ingest rate and query latencies.
// Deterministic: the same data on every run. Usage:
//   metric_store_bench [STORE_DIR] [HOURS=24]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/metric_store.h"

using namespace dbinsight;  // NOLINT: a benchmark driver

namespace {

using Wall = std::chrono::steady_clock;  // timing the benchmark itself, not product code

constexpr int kMetrics = 150;
constexpr int kStatements = 2000;       // run in each interval
constexpr int kStatementPool = 3000;    // distinct statements over the day
constexpr int64_t kStart = 1700006400;  // a UTC midnight

template <typename F>
double MedianMs(F&& f, int runs = 5) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t = Wall::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Wall::now() - t).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

uint64_t Mix(uint64_t x) {  // splitmix64: deterministic pseudo-random numbers
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Five kinds of metric, 30 of each, the way an RDS-like instance reports:
//   0 integer gauges (sessions, locks): small steps
//   1 counter rates (commits/s): an integer delta over a measured interval,
//     so a full mantissa
//   2 rarely-moving counter rates (deadlocks/s, temp files/s): mostly 0
//   3 percentages from /proc jiffies (cpu user %): ratio of integers
//   4 byte gauges (free memory): large integers in 4 KiB steps
std::string MetricName(int m) {
  static const char* kPrefix[] = {"db.Connections.gauge", "db.Transactions.rate", "db.Errors.rate",
                                  "os.cpuUtilization.pct", "os.memory.bytes"};
  return std::string(kPrefix[m % 5]) + std::to_string(m / 5);
}

double MetricValue(int m, int64_t t) {
  const uint64_t h = Mix(static_cast<uint64_t>(m) << 32 | static_cast<uint64_t>(t));
  const double wave = std::sin(static_cast<double>(t) / 600 + m);
  switch (m % 5) {
    case 0:
      return std::floor(20 + 10 * wave) + static_cast<double>(h % 3);
    case 1: {
      const double elapsed = 1 + (static_cast<double>(h % 2001) - 1000) * 1e-6;  // sampling jitter
      return std::floor(1000 + 400 * wave + static_cast<double>(h % 50)) / elapsed;
    }
    case 2:
      return h % 97 == 0 ? static_cast<double>(1 + h % 3) : 0;
    case 3: {
      const double total = 400 + static_cast<double>(h % 9);  // jiffies in ~1 s on 4 CPUs
      return 100 * std::floor(total * (0.3 + 0.1 * wave)) / total;
    }
    default:
      return 8e9 + 4096 * std::floor(1e5 * wave) + 4096 * static_cast<double>(h % 16);
  }
}

const char* const kCounters[] = {"calls",
                                 "total_time",
                                 "rows",
                                 "shared_blks_hit",
                                 "shared_blks_read",
                                 "shared_blks_dirtied",
                                 "shared_blks_written",
                                 "temp_blks_read",
                                 "temp_blks_written",
                                 "blk_read_time",
                                 "blk_write_time"};

model::StatementDelta StatementAt(int s, int64_t interval) {
  const uint64_t h = Mix(static_cast<uint64_t>(s) << 32 | static_cast<uint64_t>(interval));
  const double calls = 1 + static_cast<double>(h % 50);
  const double rows = calls * static_cast<double>(s % 20);
  const bool io = h % 10 == 0;
  // Accumulated milliseconds diffed by the collector: full mantissas.
  const double ms_per_call = 0.05 + static_cast<double>(Mix(h) % 100000) / 7919.0;
  model::StatementDelta d{"tok" + std::to_string(s),
                          std::to_string(Mix(s) >> 1),
                          "SELECT c1, c2, c3 FROM table_" + std::to_string(s) +
                              " t JOIN other o ON o.id = t.other_id WHERE t.k = $1 AND o.v > $2 ORDER BY t.c1 LIMIT $3",
                          {}};
  const double values[] = {calls,
                           calls * ms_per_call,
                           rows,
                           rows * 3 + calls,
                           io ? static_cast<double>(h % 40) : 0,
                           io ? static_cast<double>(h % 5) : 0,
                           0,
                           0,
                           0,
                           io ? static_cast<double>(h % 40) * 0.0731 : 0,
                           0};
  for (size_t i = 0; i < std::size(kCounters); ++i) d.deltas.emplace_back(kCounters[i], values[i]);
  return d;
}

void Fail(const Status& st, const char* what) {
  if (st.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

void PrintBytes(const store::MetricStore& store) {
  for (const auto& [what, bytes] : store.BytesForTest())
    std::printf("  %-22s %12lld\n", what.c_str(), static_cast<long long>(bytes));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp/dbinsight-metric-bench";
  const int64_t hours = argc > 2 ? std::stoll(argv[2]) : 24;
  const int64_t end = kStart + hours * 3600;
  std::filesystem::remove_all(dir);
  SystemClock clock;
  auto opened = store::MetricStore::Open({.directory = dir}, clock);
  Fail(opened.status(), "open");
  store::MetricStore& store = *opened.value();
  std::vector<std::string> names;
  for (int m = 0; m < kMetrics; ++m) names.push_back(MetricName(m));

  // --- Metrics ---------------------------------------------------------------
  auto t0 = Wall::now();
  for (int64_t t = kStart; t < end; ++t) {
    model::MetricSample s{"bench", FromEpochSeconds(static_cast<double>(t) + 0.2), {}};
    s.points.reserve(kMetrics);
    for (int m = 0; m < kMetrics; ++m) s.points.push_back({names[m], MetricValue(m, t)});
    Fail(store.AppendMetricSample(s), "append metrics");
  }
  const double ingest_s = std::chrono::duration<double>(Wall::now() - t0).count();
  const double points = static_cast<double>(kMetrics) * static_cast<double>(end - kStart);
  std::printf("metrics: %.0f points (%d metrics x %lld s) in %.1f s = %.0f points/s (%.0f samples/s)\n", points,
              kMetrics, static_cast<long long>(end - kStart), ingest_s, points / ingest_s,
              static_cast<double>(end - kStart) / ingest_s);

  // Queries as the API runs them: the last minute or so is still live rows.
  auto query = [&](const char* what, int metric, int period, int64_t span) {
    const int64_t to = store::FloorTo(end, period) + period;
    size_t n = 0;
    double ms = MedianMs([&] {
      auto r = store.ReadMetric("bench", names[metric], period, to - span, to);
      Fail(r.status(), "read metric");
      n = r->size();
    });
    std::printf("  ReadMetric %-28s %-8s %7.2f ms (%zu periods)\n", names[metric].c_str(), what, ms, n);
  };
  for (int metric : {1, 3}) {
    query("1h@1s", metric, 1, 3600);
    query("24h@60s", metric, 60, 86400);
    query("7d@3600s", metric, 3600, 7 * 86400);
  }

  // --- Per-SQL statistics ----------------------------------------------------
  int64_t intervals = 0, entries = 0;
  t0 = Wall::now();
  for (int64_t to = kStart + 60; to <= end; to += 60, ++intervals) {
    model::StatementStatsSample s{
        "bench", FromEpochSeconds(static_cast<double>(to - 60)), FromEpochSeconds(static_cast<double>(to)), {}};
    s.statements.reserve(kStatements);
    const int first = static_cast<int>(Mix(static_cast<uint64_t>(to)) % kStatementPool);
    for (int i = 0; i < kStatements; ++i) s.statements.push_back(StatementAt((first + i) % kStatementPool, to));
    entries += kStatements;
    Fail(store.AppendStatementSample(s), "append statements");
  }
  const double stmt_s = std::chrono::duration<double>(Wall::now() - t0).count();
  std::printf("statements: %lld intervals x %d statements x %zu counters in %.1f s = %.1f ms per interval\n",
              static_cast<long long>(intervals), kStatements, std::size(kCounters), stmt_s,
              1000 * stmt_s / static_cast<double>(intervals));
  auto totals = [&](const char* what, int64_t span) {
    size_t n = 0;
    double ms = MedianMs([&] {
      auto r = store.ReadStatementTotals("bench", end - span, end);
      Fail(r.status(), "read totals");
      n = r->statements.size();
    });
    std::printf("  ReadStatementTotals %-5s %8.1f ms (%zu statements)\n", what, ms, n);
  };
  totals("1h", 3600);
  totals("24h", 86400);
  auto periods = [&](const char* what, const std::string& id, int period, int64_t span) {
    size_t n = 0;
    double ms = MedianMs([&] {
      auto r = store.ReadStatementPeriods("bench", id, period, end - span, end);
      Fail(r.status(), "read periods");
      n = r->size();
    });
    std::printf("  ReadStatementPeriods %-14s %-8s %8.1f ms (%zu periods)\n", id.empty() ? "(all)" : id.c_str(), what,
                ms, n);
  };
  periods("1h@60s", "tok7", 60, 3600);
  periods("24h@300s", "tok7", 300, 86400);
  periods("24h@3600s", "tok7", 3600, 86400);
  periods("24h@3600s", "", 3600, 86400);

  Fail(store.Maintain(FromEpochSeconds(static_cast<double>(end + 600))), "maintain");
  std::printf("stored payload bytes (after sealing everything):\n");
  PrintBytes(store);
  int64_t blocks = 0, rollups = 0, stmt = 0, file = 0;
  for (const auto& [what, bytes] : store.BytesForTest()) {
    if (what == "1 s blocks") blocks = bytes;
    if (what.find("rollups") != std::string::npos) rollups += bytes;
    if (what.rfind("statement", 0) == 0) stmt += bytes;
    if (what == "file") file = bytes;
  }
  std::printf("metrics: 1 s tier %.3f bytes/point; with all rollups %.3f bytes/point\n", blocks / points,
              (blocks + rollups) / points);
  std::printf("statements: %.2f bytes per statement-interval (%lld), incl. hourly sums and texts; %.1f MB/day\n",
              static_cast<double>(stmt) / static_cast<double>(entries), static_cast<long long>(entries),
              static_cast<double>(stmt) / 1e6 * 24 / static_cast<double>(hours));
  std::printf("file: %.1f MB = %.3f bytes/metric point if it held metrics only\n", static_cast<double>(file) / 1e6,
              static_cast<double>(file) / points);
  return 0;
}
