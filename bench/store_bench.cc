// Store benchmark (plain driver): loads a gen_aas.py CSV (7 days of synthetic
// DB load for one instance), reports ingest rate and bytes per sampled session,
// then times the PI queries the core issue names. Usage:
//   store_bench DATA.csv.gz [STORE_DIR]
//   store_bench --query-only STORE_DIR END_EPOCH   (time queries on a loaded
//   store)
// Generate the data with:
//   ../shared/tools/gen_aas.py --days 7 --seed 42 --csv DATA.csv.gz
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.h"
#include "pi/query_engine.h"
#include "store/metric_store.h"
#include "store/store.h"
#include "testing/session_rows.h"

using namespace dbinsight;  // NOLINT: a benchmark driver

namespace {

using Wall = std::chrono::steady_clock;  // timing the benchmark itself, not product code

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

// Loads the CSV one second per AppendSample, as live sampling would; returns
// the end of the data (exclusive).
int64_t Ingest(store::Store& store, const std::string& dir, const char* path) {
  model::Sample sample{"bench", {}, {}, 0};
  int64_t cur = -1, sessions = 0, seconds = 0;
  const std::string cmd = "zcat '" + std::string(path) + "'";
  FILE* in = popen(cmd.c_str(), "r");
  char line[512];
  if (!in || !fgets(line, sizeof line, in)) std::exit(1);  // header
  auto flush = [&] {
    if (cur < 0) return;
    sample.time = FromEpochSeconds(static_cast<double>(cur));
    Status st = store.AppendSample(sample);
    if (!st.ok()) {
      std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
      std::exit(1);
    }
    sample.active.clear();
    ++seconds;
  };
  auto t0 = Wall::now();
  while (fgets(line, sizeof line, in)) {
    char sql[64], wait[64], user[64], host[64];
    long long ts;
    int count;
    if (std::sscanf(line, "%lld,%63[^,],%63[^,],%63[^,],%63[^,],%d", &ts, sql, wait, user, host, &count) != 6) continue;
    if (ts != cur) {
      flush();
      cur = ts;
    }
    model::SessionRow r =
        testing::MakeSessionRow({.wait = wait,
                                 .sql = "SELECT * FROM t WHERE digest = $1 /* " + std::string(sql) + " */",
                                 .user = user,
                                 .host = host});
    for (int i = 0; i < count; ++i) sample.active.push_back(r);
    sessions += count;
  }
  flush();
  pclose(in);
  (void)store.Maintain(FromEpochSeconds(static_cast<double>(cur + 180)));
  double ingest_s = std::chrono::duration<double>(Wall::now() - t0).count();
  std::printf(
      "ingest: %lld seconds, %lld sampled sessions in %.1f s = %.0f "
      "sessions/s (%.0f samples/s)\n",
      static_cast<long long>(seconds), static_cast<long long>(sessions), ingest_s, sessions / ingest_s,
      seconds / ingest_s);
  const int64_t tier1 = store.SecondTierBytesForTest();
  std::error_code ec;
  uint64_t file = std::filesystem::file_size(dir + "/dbinsight.db", ec);
  uint64_t wal = std::filesystem::file_size(dir + "/dbinsight.db-wal", ec);
  std::printf(
      "size: 1-second tier %.2f MB = %.3f bytes/sampled session; whole "
      "file %.1f MB (+WAL %.1f MB) = %.3f "
      "bytes/sampled session with all rollups and dictionary\n",
      tier1 / 1e6, static_cast<double>(tier1) / sessions, file / 1e6, wal / 1e6, static_cast<double>(file) / sessions);
  return cur + 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s DATA.csv.gz [STORE_DIR] | --query-only STORE_DIR "
                 "END_EPOCH\n",
                 argv[0]);
    return 2;
  }
  const bool query_only = std::string(argv[1]) == "--query-only";
  if (query_only && argc < 4) return 2;
  const std::string dir = argc > 2 ? argv[2] : "/tmp/dbinsight-store-bench";
  if (!query_only) std::filesystem::remove_all(dir);
  SystemClock clock;
  auto store = store::Store::Open({.directory = dir}, clock);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const int64_t end = query_only ? std::stoll(argv[3]) : Ingest(*store.value(), dir, argv[1]);
  auto metrics = store::MetricStore::Open({.directory = dir}, clock);  // empty: DB load only here
  if (!metrics.ok()) {
    std::fprintf(stderr, "%s\n", metrics.status().ToString().c_str());
    return 1;
  }

  pi::QueryEngine engine(*store.value(), *metrics.value());
  auto grm = [&](int64_t span, int period, const std::string& group) {
    pi::GetResourceMetricsRequest r;
    r.instance_id = "bench";
    r.start = FromEpochSeconds(static_cast<double>(end - span));
    r.end = FromEpochSeconds(static_cast<double>(end));
    r.period_seconds = period;
    r.queries.push_back({"db.load.avg", pi::DimensionGroup{group, {}, 10}, {}});
    size_t points = 0;
    double ms = MedianMs([&] {
      auto res = engine.GetResourceMetrics(r);
      if (!res.ok()) {
        std::fprintf(stderr, "query: %s\n", res.status().ToString().c_str());
        std::exit(1);
      }
      points = res->series.size() * res->series[0].points.size();
    });
    std::printf(
        "GetResourceMetrics %-16s top-10 over %6llds period %5d: %8.1f "
        "ms (%zu points)\n",
        group.c_str(), static_cast<long long>(span), period, ms, points);
  };
  grm(3600, 1, "db.sql_tokenized");
  grm(86400, 60, "db.sql_tokenized");
  grm(7 * 86400, 3600, "db.sql_tokenized");
  grm(86400, 60, "db.wait_event");
  pi::DescribeDimensionKeysRequest d;
  d.instance_id = "bench";
  d.start = FromEpochSeconds(static_cast<double>(end - 86400));
  d.end = FromEpochSeconds(static_cast<double>(end));
  d.metric = "db.load.avg";
  d.group_by = {"db.sql_tokenized", {}, 10};
  double ms = MedianMs([&] {
    auto res = engine.DescribeDimensionKeys(d);
    if (!res.ok()) std::exit(1);
  });
  std::printf(
      "DescribeDimensionKeys db.sql_tokenized top-10 over 24 h (auto "
      "period): %.1f ms\n",
      ms);
  d.partition_by = pi::DimensionGroup{"db.wait_event", {}, 10};
  ms = MedianMs([&] {
    auto res = engine.DescribeDimensionKeys(d);
    if (!res.ok()) std::exit(1);
  });
  std::printf(
      "DescribeDimensionKeys ... PartitionBy db.wait_event over 24 h: "
      "%.1f ms\n",
      ms);
  return 0;
}
