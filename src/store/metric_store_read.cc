// MetricStore's read side: metric tiers with the unsealed tail rolled up on
// the fly, per-SQL statistics over interval rows and hourly sums.
#include <algorithm>
#include <map>

#include "store/codec.h"
#include "store/metric_store.h"
#include "store/sqlite.h"

namespace dbinsight::store {

namespace {

// End of the sealed periods of one tier (0: none), as of db's snapshot.
Result<int64_t> Through(Database& db, const char* sql, int64_t inst, std::optional<int64_t> tier) {
  auto q = db.Prepare(sql);
  if (!q.ok()) return q.status();
  q->Bind(1, inst);
  if (tier) q->Bind(2, *tier);
  auto row = q->Step();
  if (!row.ok()) return row.status();
  return row.value() ? q->Int(0) : int64_t{0};
}

// Counter sums with names, sorted by name.
std::vector<std::pair<std::string, double>> Named(std::span<const CounterValue> sums,
                                                  const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, double>> out;
  out.reserve(sums.size());
  for (const CounterValue& c : sums)
    out.emplace_back(c.counter < names.size() ? names[c.counter] : std::string(), c.value);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> MetricStore::MetricNames(const std::string& instance) const {
  std::vector<std::string> out;
  std::shared_lock dict(dict_mu_);
  auto it = instances_.find(instance);
  if (it == instances_.end()) return out;
  out.reserve(it->second.metrics.size());
  for (uint32_t id : it->second.metrics) out.push_back(metric_dict_.names[id]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MetricStore::InstanceNames() const {
  std::vector<std::string> out;
  std::shared_lock dict(dict_mu_);
  for (const auto& [name, st] : instances_)
    if (!st.metrics.empty()) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MetricStore::CounterNames() const {
  std::shared_lock dict(dict_mu_);
  return counter_dict_.names;
}

Result<std::vector<MetricPeriod>> MetricStore::ReadMetric(const std::string& instance, const std::string& name,
                                                          int period, int64_t from, int64_t to) const {
  auto tier = std::find(kTiers.begin(), kTiers.end(), period);
  if (tier == kTiers.end() || from % period != 0 || to % period != 0)
    return Status::InvalidArgument(
        "metric period must be one of 1, 60, 300, 3600, 86400 s with start and end "
        "multiples of it (got period " +
        std::to_string(period) + ")");
  std::vector<MetricPeriod> none;
  if (from >= to) return none;
  const int64_t inst = FindInstanceId(instance);
  uint32_t metric = 0;
  {
    std::shared_lock dict(dict_mu_);
    auto it = metric_dict_.ids.find(name);
    if (it != metric_dict_.ids.end()) metric = it->second;
  }
  if (inst == 0 || metric == 0) return none;
  ReaderPool::Snapshot snap(*readers_);
  if (!snap.ok()) return Status::Unavailable("metric store: cannot start a read transaction");
  return ReadTier(*snap, inst, metric, static_cast<size_t>(tier - kTiers.begin()), from, to);
}

Result<std::vector<MetricPeriod>> MetricStore::ReadTier(Database& db, int64_t inst, uint32_t metric, size_t tier_index,
                                                        int64_t from, int64_t to) const {
  if (tier_index == 0) return ReadSeconds(db, inst, metric, from, to);
  const int64_t tier = kTiers[tier_index];
  auto through = Through(db, "SELECT through FROM sealed WHERE inst = ? AND tier = ?", inst, tier);
  if (!through.ok()) return through.status();
  std::vector<MetricPeriod> out;
  auto rows = db.Prepare(
      "SELECT start, data FROM metric_rollup WHERE inst = ? AND tier = ? AND start >= ? AND start < ? ORDER BY start");
  if (!rows.ok()) return rows.status();
  rows->Bind(1, inst).Bind(2, tier).Bind(3, from).Bind(4, std::min(to, through.value()));
  DBI_RETURN_IF_ERROR(rows->ForEachRow([&]() -> Status {
    auto raw = codec::Decompress(rows->Blob(1));
    if (!raw.ok()) return raw.status();
    auto stats = DecodeRollup(raw.value(), rows->Int(0), metric);
    if (!stats.ok()) return stats.status();
    for (const SeriesStat& s : stats.value()) out.push_back(s.stat);
    return Status::Ok();
  }));
  // The unsealed tail is rolled up on the fly from the tier below.
  const int64_t tail = std::max(from, through.value());
  if (tail >= to) return out;
  auto lower = ReadTier(db, inst, metric, tier_index - 1, tail, to);
  if (!lower.ok()) return lower.status();
  for (const MetricPeriod& p : lower.value()) {
    const int64_t start = FloorTo(p.start, tier);
    if (out.empty() || out.back().start != start) out.push_back({start});
    out.back().Merge(p);
  }
  return out;
}

Result<std::vector<MetricPeriod>> MetricStore::ReadSeconds(Database& db, int64_t inst, uint32_t metric, int64_t from,
                                                           int64_t to) const {
  std::vector<MetricPeriod> out;
  auto blocks =
      db.Prepare("SELECT start, data FROM point_block WHERE inst = ? AND start >= ? AND start < ? ORDER BY start");
  if (!blocks.ok()) return blocks.status();
  blocks->Bind(1, inst).Bind(2, FloorTo(from, 60)).Bind(3, to);
  DBI_RETURN_IF_ERROR(blocks->ForEachRow([&]() -> Status {
    auto raw = codec::Decompress(blocks->Blob(1));
    if (!raw.ok()) return raw.status();
    auto series = DecodeSecondBlock(raw.value(), blocks->Int(0), metric);
    if (!series.ok()) return series.status();
    for (const SeriesSeconds& s : series.value())
      for (const MetricPeriod& p : s.seconds)
        if (p.start >= from && p.start < to) out.push_back(p);
    return Status::Ok();
  }));
  auto live = db.Prepare(
      "SELECT ts, sum, min, max, count FROM live_point WHERE inst = ? AND metric = ? AND ts >= ? AND ts < ? "
      "ORDER BY ts");
  if (!live.ok()) return live.status();
  live->Bind(1, inst).Bind(2, int64_t{metric}).Bind(3, from).Bind(4, to);
  DBI_RETURN_IF_ERROR(live->ForEachRow([&]() -> Status {
    out.push_back({live->Int(0), live->Real(1), live->Real(2), live->Real(3), live->Int(4)});
    return Status::Ok();
  }));
  return out;
}

Status MetricStore::ForEachStatementUnit(
    Database& db, int64_t inst, int64_t from, int64_t to, bool use_hours,
    const std::function<Status(int64_t end_ms, int64_t covered_ms, std::string_view sums)>& fn) const {
  auto intervals = db.Prepare(
      "SELECT end_ms, len_ms, data FROM stmt_interval WHERE inst = ? AND end_ms > ? AND end_ms <= ? ORDER BY end_ms");
  if (!intervals.ok()) return intervals.status();
  auto raw_range = [&](int64_t a, int64_t b) -> Status {  // intervals ending in (a, b]
    if (a >= b) return Status::Ok();
    intervals->Bind(1, inst).Bind(2, a * 1000).Bind(3, b * 1000);
    Status st = intervals->ForEachRow([&]() -> Status {
      auto raw = codec::Decompress(intervals->Blob(2));
      if (!raw.ok()) return raw.status();
      return fn(intervals->Int(0), intervals->Int(1), raw.value());
    });
    intervals->Reset();
    return st;
  };
  if (use_hours) {
    // Whole rolled-up hours inside (from, to] come from their sums: one row
    // instead of an hour of intervals, with the same deltas summed.
    auto through = Through(db, "SELECT through FROM stmt_sealed WHERE inst = ?", inst, std::nullopt);
    if (!through.ok()) return through.status();
    const int64_t first = -FloorTo(-from, 3600);  // first hour boundary at or after from
    const int64_t last = std::min(FloorTo(to, 3600), through.value());
    if (last > first) {
      DBI_RETURN_IF_ERROR(raw_range(from, first));
      auto hours = db.Prepare(
          "SELECT start, covered_ms, data FROM stmt_hour WHERE inst = ? AND start >= ? AND start < ? ORDER BY start");
      if (!hours.ok()) return hours.status();
      hours->Bind(1, inst).Bind(2, first).Bind(3, last);
      DBI_RETURN_IF_ERROR(hours->ForEachRow([&]() -> Status {
        auto raw = codec::Decompress(hours->Blob(2));
        if (!raw.ok()) return raw.status();
        return fn((hours->Int(0) + 3600) * 1000, hours->Int(1), raw.value());
      }));
      return raw_range(last, to);
    }
  }
  return raw_range(from, to);
}

Result<StatementRange> MetricStore::ReadStatementTotals(const std::string& instance, int64_t from, int64_t to) const {
  StatementRange out;
  const int64_t inst = FindInstanceId(instance);
  if (inst == 0 || from >= to) return out;
  ReaderPool::Snapshot snap(*readers_);
  if (!snap.ok()) return Status::Unavailable("metric store: cannot start a read transaction");
  // Copied after the snapshot is pinned: it names every counter the snapshot holds.
  const std::vector<std::string> names = CounterNames();
  StatementSumsBuilder sums;
  int64_t covered_ms = 0;
  DBI_RETURN_IF_ERROR(
      ForEachStatementUnit(*snap, inst, from, to, true, [&](int64_t, int64_t covered, std::string_view raw) -> Status {
        covered_ms += covered;
        return DecodeStatementSums(raw, std::nullopt,
                                   [&](uint32_t sql, std::span<const CounterValue> v) { sums.Add(sql, v); });
      }));
  out.seconds = static_cast<double>(covered_ms) / 1000;
  auto text = snap->Prepare(
      "SELECT t.tokenized_id, t.statement, COALESCE(i.db_id, '') FROM sql_text t "
      "LEFT JOIN sql_instance i ON i.inst = ? AND i.sql = t.id WHERE t.id = ?");
  if (!text.ok()) return text.status();
  for (const StatementSums& s : std::move(sums).Finish()) {
    text->Bind(1, inst).Bind(2, int64_t{s.sql});
    auto row = text->Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::DataLoss("statement statistics of unknown statement id " + std::to_string(s.sql));
    StatementTotals t{std::string(text->Text(0)), std::string(text->Text(2)), std::string(text->Text(1)), {}};
    text->Reset();
    t.sums = Named(s.values, names);
    out.statements.push_back(std::move(t));
  }
  std::sort(out.statements.begin(), out.statements.end(),
            [](const StatementTotals& a, const StatementTotals& b) { return a.tokenized_id < b.tokenized_id; });
  return out;
}

Result<std::vector<StatementPeriod>> MetricStore::ReadStatementPeriods(const std::string& instance,
                                                                       const std::string& tokenized_id, int period,
                                                                       int64_t from, int64_t to) const {
  if (period <= 0 || from % period != 0 || to % period != 0)
    return Status::InvalidArgument(
        "statement statistics period must be positive with start and end multiples of "
        "it (got period " +
        std::to_string(period) + ")");
  std::vector<StatementPeriod> out;
  const int64_t inst = FindInstanceId(instance);
  if (inst == 0 || from >= to) return out;
  std::optional<uint32_t> only;
  if (!tokenized_id.empty()) {
    std::shared_lock dict(dict_mu_);
    auto it = sql_ids_.find(tokenized_id);
    if (it == sql_ids_.end()) return out;
    only = it->second.id;
  }
  ReaderPool::Snapshot snap(*readers_);
  if (!snap.ok()) return Status::Unavailable("metric store: cannot start a read transaction");
  const std::vector<std::string> names = CounterNames();
  struct Acc {
    int64_t covered_ms = 0;
    bool data = false;
    StatementSumsBuilder sums;  // everything under one key
  };
  std::map<int64_t, Acc> periods;
  const int64_t period_ms = int64_t{period} * 1000;
  DBI_RETURN_IF_ERROR(ForEachStatementUnit(
      *snap, inst, from, to, period % 3600 == 0, [&](int64_t end_ms, int64_t covered, std::string_view raw) -> Status {
        Acc& acc = periods[FloorTo(end_ms - 1, period_ms) / 1000];
        acc.covered_ms += covered;
        acc.data |= !only;
        return DecodeStatementSums(raw, only, [&](uint32_t, std::span<const CounterValue> v) {
          acc.sums.Add(0, v);
          acc.data = true;
        });
      }));
  for (auto& [start, acc] : periods) {
    if (!acc.data) continue;
    std::vector<StatementSums> sums = std::move(acc.sums).Finish();
    out.push_back({start, static_cast<double>(acc.covered_ms) / 1000,
                   Named(sums.empty() ? std::span<const CounterValue>() : sums[0].values, names)});
  }
  return out;
}

std::vector<std::pair<std::string, int64_t>> MetricStore::BytesForTest() const {
  static constexpr std::pair<const char*, const char*> kQueries[] = {
      {"1 s blocks", "SELECT SUM(LENGTH(data)) FROM point_block"},
      {"60 s rollups", "SELECT SUM(LENGTH(data)) FROM metric_rollup WHERE tier = 60"},
      {"300 s rollups", "SELECT SUM(LENGTH(data)) FROM metric_rollup WHERE tier = 300"},
      {"3600 s rollups", "SELECT SUM(LENGTH(data)) FROM metric_rollup WHERE tier = 3600"},
      {"86400 s rollups", "SELECT SUM(LENGTH(data)) FROM metric_rollup WHERE tier = 86400"},
      {"live rows (count)", "SELECT COUNT(*) FROM live_point"},
      {"statement intervals", "SELECT SUM(LENGTH(data)) FROM stmt_interval"},
      {"statement hours", "SELECT SUM(LENGTH(data)) FROM stmt_hour"},
      {"statement texts", "SELECT SUM(LENGTH(statement)) FROM sql_text"},
      {"file", "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"},
  };
  std::vector<std::pair<std::string, int64_t>> out;
  ReaderPool::Lease db(*readers_);
  for (const auto& [what, sql] : kQueries) {
    auto q = db->Prepare(sql);
    auto row = q.ok() ? q->Step() : Result<bool>(q.status());
    out.emplace_back(what, row.ok() && row.value() ? q->Int(0) : -1);
  }
  return out;
}

}  // namespace dbinsight::store
