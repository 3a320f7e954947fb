// The QueryEngine's metric-store half: counter/gauge/OS series, per-SQL
// statistics, and the per-instance metric vocabulary.
#include <algorithm>
#include <unordered_map>

#include "model/metric_catalog.h"
#include "pi/metric_names.h"
#include "pi/query_engine.h"
#include "store/metric_store.h"

namespace dbinsight::pi {

namespace {

double Lookup(const std::vector<std::pair<std::string, double>>& sums, std::string_view name) {
  for (const auto& [n, v] : sums)
    if (n == name) return v;
  return 0;
}

// The executions counter of either engine's statistics.
double Calls(const std::vector<std::pair<std::string, double>>& sums) {
  return Lookup(sums, "calls") + Lookup(sums, "count_star");
}

// A per-SQL statistic from summed deltas over `seconds`; nullopt when it has
// no meaning there (no executions for a per-call value, no time covered).
std::optional<double> StatementValue(const StatementStat& stat, const std::vector<std::pair<std::string, double>>& sums,
                                     double seconds) {
  const double v = Lookup(sums, stat.counter);
  if (stat.per_call) {
    const double calls = Calls(sums);
    if (calls <= 0) return std::nullopt;
    return v / calls;
  }
  if (stat.sum) return v;
  if (seconds <= 0) return std::nullopt;
  return v / seconds;
}

}  // namespace

Result<std::vector<DataPoint>> QueryEngine::StoredPoints(const std::string& instance_id, const std::string& metric,
                                                         const std::string& param, const DimensionMap& filter,
                                                         int64_t start, int64_t end, int period,
                                                         double offset) const {
  auto parsed = ParseMetric(metric, param + ".Metric");
  if (!parsed.ok()) return parsed.status();
  std::vector<DataPoint> out;
  if (parsed->series == Series::kStored) {
    if (!filter.empty())
      return Status::InvalidArgument(param + ".Filter: " + metric + " is a counter metric and has no dimensions");
    auto periods = metrics_.ReadMetric(instance_id, parsed->base, period, start, end);
    if (!periods.ok()) return periods.status();
    for (const store::MetricPeriod& p : periods.value()) {
      double v = 0;
      switch (parsed->stat) {
        case Stat::kAvg: v = p.sum / static_cast<double>(p.count); break;
        case Stat::kSum: v = p.sum; break;
        case Stat::kMin: v = p.min; break;
        case Stat::kMax: v = p.max; break;
      }
      out.push_back({static_cast<double>(p.start) + offset, v});
    }
    return out;
  }
  // Per-SQL statistics: one statement (Filter on its id) or all together.
  std::string statement;
  for (const auto& [dim, value] : filter) {
    if (dim != "db.sql_tokenized.id")
      return Status::InvalidArgument(param + ".Filter: " + metric + " can be filtered on db.sql_tokenized.id only");
    statement = value;
  }
  auto periods = metrics_.ReadStatementPeriods(instance_id, statement, period, start, end);
  if (!periods.ok()) return periods.status();
  const StatementStat stat = ParseStatementStat(parsed.value());
  for (const store::StatementPeriod& p : periods.value()) {
    if (auto v = StatementValue(stat, p.sums, p.seconds)) out.push_back({static_cast<double>(p.start) + offset, *v});
  }
  return out;
}

Status QueryEngine::AddStatementStats(const std::string& instance_id, const DescribeDimensionKeysRequest& req,
                                      std::vector<DimensionKeyDescription>& keys) const {
  auto range = metrics_.ReadStatementTotals(instance_id, static_cast<int64_t>(ToEpochSeconds(req.start)),
                                            static_cast<int64_t>(ToEpochSeconds(req.end)));
  if (!range.ok()) return range.status();
  // Keys name their statement by the engine's id (query_id, digest) when the
  // group-by kept it: stable across dbinsight restarts, unlike the digest
  // text's first-seen spelling. Otherwise by our tokenized id.
  std::unordered_map<std::string, const store::StatementTotals*> by_db_id, by_id;
  for (const store::StatementTotals& t : range->statements) {
    by_db_id.emplace(t.tokenized_db_id, &t);
    by_id.emplace(t.tokenized_id, &t);
  }
  const bool sql = req.group_by.group == "db.sql";
  for (DimensionKeyDescription& key : keys) {
    const store::StatementTotals* totals = nullptr;
    auto find = [&key](const char* dim, const auto& index) -> const store::StatementTotals* {
      auto d = key.dimensions.find(dim);
      if (d == key.dimensions.end()) return nullptr;
      auto it = index.find(d->second);
      return it == index.end() ? nullptr : it->second;
    };
    totals = sql ? find("db.sql.tokenized_id", by_id)
                 : (key.dimensions.count("db.sql_tokenized.db_id") ? find("db.sql_tokenized.db_id", by_db_id)
                                                                   : find("db.sql_tokenized.id", by_id));
    if (!totals) continue;
    for (const std::string& name : req.additional_metrics) {
      auto parsed = ParseMetric(name, "AdditionalMetrics");
      if (!parsed.ok() || parsed->series != Series::kStatementStat) continue;
      if (auto v = StatementValue(ParseStatementStat(parsed.value()), totals->sums, range->seconds))
        key.additional_metrics[name] = *v;
    }
  }
  return Status::Ok();
}

Result<std::vector<MetricDescription>> QueryEngine::AvailableMetrics(const std::string& instance_id,
                                                                     const std::string& engine,
                                                                     const std::vector<std::string>& metric_types) const {
  std::vector<MetricDescription> out;
  auto describe = [&out](std::string_view name) {
    const model::MetricInfo* info = model::FindMetricInfo(name);
    out.push_back({std::string(name), info ? std::string(info->description) : std::string(name),
                   info ? std::string(info->unit) : ""});
  };
  std::vector<std::string> stored;
  bool stored_read = false;
  for (size_t i = 0; i < metric_types.size(); ++i) {
    const std::string& t = metric_types[i];
    if (t != "db" && t != "os" && t != "db.sql.stats" && t != "db.sql_tokenized.stats")
      return Status::InvalidArgument("MetricTypes[" + std::to_string(i) + "]: unknown metric type " + t +
                                     " (use db, os, db.sql.stats or db.sql_tokenized.stats)");
    if ((t == "db" || t == "os") && !stored_read) {
      stored = metrics_.MetricNames(instance_id);
      stored_read = true;
    }
    if (t == "db") {
      out.push_back({"db.load", "Database load: average active sessions, sampled every second", "Sessions"});
      out.push_back({"db.sampledload", "Sampled database load (equal to db.load: every session is sampled)",
                     "Sessions"});
      out.push_back({kIdleInTransactionMetric, "Sessions idle in a transaction (no load; the usual lock blockers)",
                     "Sessions"});
    }
    if (t == "db" || t == "os") {
      const std::string prefix = t + ".";
      for (const std::string& name : stored) {
        if (name.rfind(prefix, 0) == 0 && name != kIdleInTransactionMetric) describe(name);
      }
    }
    if (t == "db.sql_tokenized.stats") {
      auto family = engine == "postgres" ? model::PostgresStatementStats() : model::MySqlStatementStats();
      for (const model::MetricInfo& m : family) describe(m.name);
    }
  }
  return out;
}

}  // namespace dbinsight::pi
