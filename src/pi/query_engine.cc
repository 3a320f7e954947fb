#include "pi/query_engine.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "model/dimensions.h"
#include "pi/metric_names.h"
#include "store/metric_store.h"
#include "store/store.h"

namespace dbinsight::pi {

namespace {

constexpr int kPeriods[] = {1, 60, 300, 3600, 86400};
// Automatic period: the finest one that keeps a series at or under this many
// points (PI aims at roughly 100-200).
constexpr int64_t kMaxAutoPoints = 200;

Result<int> ChoosePeriod(std::optional<int> requested, int64_t span, const std::string& param) {
  if (requested) {
    for (int p : kPeriods)
      if (p == *requested) return p;
    return Status::InvalidArgument(param + " must be one of 1, 60, 300, 3600, 86400; got " +
                                   std::to_string(*requested));
  }
  for (int p : kPeriods)
    if ((span + p - 1) / p <= kMaxAutoPoints) return p;
  return 86400;
}

int64_t FloorTo(int64_t t, int64_t step) { return t - ((t % step) + step) % step; }
int64_t CeilTo(int64_t t, int64_t step) { return FloorTo(t + step - 1, step); }

// A group-by resolved against the store's dictionary: each key id maps to a
// "projected" key (the values of the requested dimensions); two keys with the
// same projection are one series.
struct Projection {
  model::Group group;
  std::vector<int> dims;               // indices into the group's dimensions
  std::vector<uint32_t> of_key;        // key id -> projected index
  std::vector<model::GroupKey> values; // projected index -> values of dims
  // Projected keys whose values are all empty: sessions without that
  // dimension (a checkpointer has no SQL). They count in totals but are never
  // listed as a key.
  std::vector<bool> blank;
  bool injective = true;

  bool Listed(uint32_t k) const { return !blank[k]; }
};

Result<Projection> Project(const store::Store& store, const DimensionGroup& g, const std::string& param) {
  auto group = model::GroupByName(g.group);
  if (!group) return Status::InvalidArgument(param + ".Group: unknown dimension group " + g.group);
  Projection p;
  p.group = *group;
  const auto& info = model::Info(*group);
  if (g.dimensions.empty()) {
    for (size_t i = 0; i < info.dimensions.size(); ++i) p.dims.push_back(static_cast<int>(i));
  } else {
    for (size_t j = 0; j < g.dimensions.size(); ++j) {
      auto d = model::DimensionByName(g.dimensions[j]);
      if (!d || d->group != *group)
        return Status::InvalidArgument(param + ".Dimensions[" + std::to_string(j) + "]: " + g.dimensions[j] +
                                       " is not a dimension of group " + g.group);
      if (std::find(p.dims.begin(), p.dims.end(), d->index) == p.dims.end()) p.dims.push_back(d->index);
    }
  }
  std::vector<model::GroupKey> keys = store.AllKeyValues(*group);
  std::unordered_map<std::string, uint32_t> seen;
  p.of_key.assign(keys.size(), 0);
  for (size_t k = 1; k < keys.size(); ++k) {
    model::GroupKey v;
    std::string joined;
    for (int d : p.dims) {
      v.push_back(d < static_cast<int>(keys[k].size()) ? keys[k][d] : std::string());
      joined += v.back();
      joined.push_back('\x1f');
    }
    auto [it, inserted] = seen.emplace(joined, static_cast<uint32_t>(p.values.size()));
    if (inserted) {
      p.blank.push_back(std::all_of(v.begin(), v.end(), [](const std::string& x) { return x.empty(); }));
      p.values.push_back(std::move(v));
    }
    else p.injective = false;
    p.of_key[k] = it->second;
  }
  return p;
}

DimensionMap Dimensions(const Projection& p, uint32_t projected) {
  DimensionMap out;
  const auto& info = model::Info(p.group);
  for (size_t i = 0; i < p.dims.size(); ++i) out[std::string(info.dimensions[p.dims[i]])] = p.values[projected][i];
  return out;
}

// Which combinations pass a Filter. Empty filter: all (mask empty).
struct FilterMask {
  bool active = false;
  std::vector<bool> combo;  // by combo id
};

Result<FilterMask> BuildFilter(const store::Store& store, const DimensionMap& filter,
                               const std::vector<store::ComboKeys>& combos, const std::string& param) {
  FilterMask m;
  if (filter.empty()) return m;
  m.active = true;
  std::array<std::vector<int8_t>, model::kGroupCount> key_ok;  // -1 unknown, 0 no, 1 yes
  std::array<bool, model::kGroupCount> constrained{};
  std::array<std::vector<model::GroupKey>, model::kGroupCount> keys;
  for (const auto& [name, value] : filter) {
    auto d = model::DimensionByName(name);
    if (!d) return Status::InvalidArgument(param + ": " + name + " is not a valid dimension");
    auto g = static_cast<size_t>(d->group);
    if (!constrained[g]) {
      keys[g] = store.AllKeyValues(d->group);
      key_ok[g].assign(keys[g].size(), 1);
      constrained[g] = true;
    }
    for (size_t k = 0; k < keys[g].size(); ++k)
      if (d->index >= static_cast<int>(keys[g][k].size()) || keys[g][k][d->index] != value) key_ok[g][k] = 0;
  }
  m.combo.assign(combos.size(), false);
  for (size_t c = 1; c < combos.size(); ++c) {
    bool ok = true;
    for (size_t g = 0; g < model::kGroupCount && ok; ++g)
      if (constrained[g]) ok = combos[c][g] < key_ok[g].size() && key_ok[g][combos[c][g]];
    m.combo[c] = ok;
  }
  return m;
}

using Stats = store::SeriesStats;

struct KeyVal {
  uint32_t key;  // projected index
  Stats s;
};

// One output period: total and per-projected-key statistics.
struct Period {
  int64_t start;
  uint32_t seconds;
  Stats total;
  std::vector<KeyVal> keys;
};

// Accumulates per-second loads into periods of `period` seconds; keys absent
// from a sampled second have load 0 there (min becomes 0).
class PeriodBuilder {
 public:
  PeriodBuilder(int64_t period, size_t nkeys) : period_(period), acc_(nkeys), present_(nkeys, 0) {}

  void AddSecond(int64_t ts, double total, const std::vector<uint32_t>& touched, const std::vector<double>& load) {
    int64_t start = FloorTo(ts, period_);
    if (!out_.empty() && out_.back().start == start) {
      Period& p = out_.back();
      p.total.sum += total;
      p.total.min = std::min(p.total.min, total);
      p.total.max = std::max(p.total.max, total);
      ++p.seconds;
    } else {
      Flush();
      out_.push_back({start, 1, {total, total, total}, {}});
    }
    for (uint32_t k : touched) {
      Stats& a = acc_[k];
      if (present_[k] == 0) {
        a = {load[k], load[k], load[k]};
        touched_.push_back(k);
      } else {
        a.sum += load[k];
        a.min = std::min(a.min, load[k]);
        a.max = std::max(a.max, load[k]);
      }
      ++present_[k];
    }
  }

  std::vector<Period> Finish() {
    Flush();
    return std::move(out_);
  }

 private:
  void Flush() {
    if (out_.empty()) return;
    Period& p = out_.back();
    for (uint32_t k : touched_) {
      Stats s = acc_[k];
      if (present_[k] < p.seconds) s.min = 0;
      p.keys.push_back({k, s});
      present_[k] = 0;
    }
    touched_.clear();
  }

  int64_t period_;
  std::vector<Stats> acc_;
  std::vector<uint32_t> present_;
  std::vector<uint32_t> touched_;
  std::vector<Period> out_;
};

// Reads what a query needs through one consistent view. `proj` may be null
// (total only).
class Loader {
 public:
  explicit Loader(const store::ReadView& view) : view_(view) {}

  // Exact stats from per-second data.
  Result<std::vector<Period>> FromSeconds(int64_t from, int64_t to, int64_t period, Series series,
                                          const Projection* proj, const FilterMask& mask,
                                          const std::vector<store::ComboKeys>& combos) {
    size_t nkeys = proj ? proj->values.size() : 0;
    PeriodBuilder builder(period, nkeys);
    std::vector<double> load(nkeys, 0);
    std::vector<uint32_t> touched;
    Status st = view_.ReadSeconds(from, to, [&](const store::Second& s) {
      double total = 0;
      touched.clear();
      for (const auto& r : s.rows) {
        if (mask.active && !mask.combo[r.combo]) continue;
        double v = static_cast<double>(r.hits) / s.samples;
        total += v;
        if (proj) {
          uint32_t k = proj->of_key[combos[r.combo][static_cast<int>(proj->group)]];
          if (load[k] == 0) touched.push_back(k);
          load[k] += v;
        }
      }
      if (series == Series::kIdleInTransaction) total = static_cast<double>(s.idle_in_transaction) / s.samples;
      builder.AddSecond(s.ts, total, touched, load);
      for (uint32_t k : touched) load[k] = 0;
    });
    if (!st.ok()) return st;
    return builder.Finish();
  }

  // From rollups: exact sums always; exact min/max only without a filter and
  // with an injective projection (the caller ensures that when it needs them).
  Result<std::vector<Period>> FromRollups(int64_t from, int64_t to, int tier, Series series,
                                          const Projection* proj, const FilterMask& mask,
                                          const std::vector<store::ComboKeys>& combos) {
    store::PeriodParts parts{.combos = mask.active};
    if (proj) parts.group = proj->group;
    auto aggs = view_.ReadPeriods(tier, from, to, parts);
    if (!aggs.ok()) return aggs.status();
    std::vector<Period> out;
    out.reserve(aggs->size());
    size_t nkeys = proj ? proj->values.size() : 0;
    std::vector<Stats> acc(nkeys);
    std::vector<uint32_t> touched;
    for (const store::PeriodAgg& a : aggs.value()) {
      if (a.seconds == 0) continue;
      Period p{a.start, a.seconds, series == Series::kLoad ? a.load : a.idle_in_transaction, {}};
      touched.clear();
      auto add = [&](uint32_t k, Stats s) {
        if (acc[k].sum == 0 && acc[k].max == 0) touched.push_back(k);
        acc[k].sum += s.sum;
        acc[k].min += s.min;
        acc[k].max += s.max;
      };
      if (mask.active) {
        p.total = {0, 0, 0};
        for (const auto& c : a.combos) {
          if (!mask.combo[c.combo]) continue;
          p.total.sum += c.sum;
          if (proj) add(proj->of_key[combos[c.combo][static_cast<int>(proj->group)]], {c.sum, 0, 0});
        }
      } else if (proj) {
        for (const auto& k : a.groups[static_cast<int>(proj->group)]) add(proj->of_key[k.key], {k.sum, k.min, k.max});
      }
      for (uint32_t k : touched) {
        p.keys.push_back({k, acc[k]});
        acc[k] = {};
      }
      out.push_back(std::move(p));
    }
    return out;
  }

 private:
  const store::ReadView& view_;
};

double Value(const Stats& s, uint32_t seconds, Stat stat) {
  switch (stat) {
    case Stat::kAvg: return seconds ? s.sum / seconds : 0;
    case Stat::kSum: return s.sum;
    case Stat::kMin: return s.min;
    case Stat::kMax: return s.max;
  }
  return 0;
}

struct Window {
  int64_t start, end;  // aligned
  int period;
};

Result<Window> Align(WallTime start, WallTime end, std::optional<int> period) {
  double s = ToEpochSeconds(start), e = ToEpochSeconds(end);
  if (!(s < e)) return Status::InvalidArgument("StartTime must be earlier than EndTime");
  auto p = ChoosePeriod(period, static_cast<int64_t>(std::ceil(e - s)), "PeriodInSeconds");
  if (!p.ok()) return p.status();
  return Window{FloorTo(static_cast<int64_t>(std::floor(s)), p.value()),
                CeilTo(static_cast<int64_t>(std::ceil(e)), p.value()), p.value()};
}

}  // namespace

QueryEngine::QueryEngine(store::Store& store, store::MetricStore& metrics) : store_(store), metrics_(metrics) {}

Result<GetResourceMetricsResult> QueryEngine::GetResourceMetrics(const GetResourceMetricsRequest& req) const {
  auto w = Align(req.start, req.end, req.period_seconds);
  if (!w.ok()) return w.status();
  GetResourceMetricsResult out{static_cast<double>(w->start), static_cast<double>(w->end), w->period, {}};
  // First the view, then the dictionary lookups: the view guarantees they
  // know every combination its data mentions.
  auto view = store_.View(req.instance_id);
  if (!view.ok()) return view.status();
  const std::vector<store::ComboKeys>& combos = (*view)->combos();
  for (size_t qi = 0; qi < req.queries.size(); ++qi) {
    const MetricQuery& q = req.queries[qi];
    const std::string param = "MetricQueries[" + std::to_string(qi) + "]";
    auto metric = ParseMetric(q.metric, param + ".Metric");
    if (!metric.ok()) return metric.status();
    const double offset = req.align_to_start ? 0 : w->period;
    if (metric->series == Series::kStored || metric->series == Series::kStatementStat) {
      if (q.group_by)
        return Status::InvalidArgument(param + ".GroupBy: " + q.metric + " has no dimension groups");
      auto points = StoredPoints(req.instance_id, q.metric, param, q.filter, w->start, w->end, w->period, offset);
      if (!points.ok()) return points.status();
      out.series.push_back({q.metric, {}, std::move(points).value()});
      continue;
    }
    if (metric->series != Series::kLoad && (q.group_by || !q.filter.empty()))
      return Status::InvalidArgument(param + (q.group_by ? ".GroupBy" : ".Filter") + ": " + q.metric +
                                     " is a counter metric and has no dimensions");
    std::optional<Projection> proj;
    if (q.group_by) {
      if (q.group_by->limit < 1 || q.group_by->limit > 25)
        return Status::InvalidArgument(param + ".GroupBy.Limit must be between 1 and 25");
      auto p = Project(store_, *q.group_by, param + ".GroupBy");
      if (!p.ok()) return p.status();
      proj = std::move(p.value());
    }
    auto mask = BuildFilter(store_, q.filter, combos, param + ".Filter");
    if (!mask.ok()) return mask.status();
    const bool extreme = metric->stat == Stat::kMin || metric->stat == Stat::kMax;
    const bool need_seconds =
        w->period == 1 || (extreme && (mask->active || (proj && !proj->injective)));
    if (need_seconds && w->period > 1) {
      // Only the per-second tier answers these exactly: refuse a range it no
      // longer covers (the minute tier reaching further back says so).
      const int64_t oldest_second = (*view)->OldestSecond(1);
      const int64_t oldest_minute = (*view)->OldestSecond(60);
      if (oldest_second > 0 && oldest_minute > 0 && oldest_minute < oldest_second && w->start < oldest_second)
        return Status::InvalidArgument(param + ".Metric: " + q.metric +
                                       " with a Filter (or merged Dimensions) needs per-second data, which is kept "
                                       "only since " + std::to_string(oldest_second) + "; use .avg or .sum");
    }
    Loader loader(**view);
    const Projection* pp = proj ? &*proj : nullptr;
    auto periods =
        need_seconds ? loader.FromSeconds(w->start, w->end, w->period, metric->series, pp, mask.value(), combos)
                     : loader.FromRollups(w->start, w->end, w->period, metric->series, pp, mask.value(), combos);
    if (!periods.ok()) return periods.status();
    MetricSeries total{q.metric, {}, {}};
    for (const Period& p : periods.value())
      total.points.push_back({static_cast<double>(p.start) + offset, Value(p.total, p.seconds, metric->stat)});
    out.series.push_back(std::move(total));
    if (!proj) continue;
    // Top-N keys by load over the whole window.
    std::vector<double> rank(proj->values.size(), 0);
    for (const Period& p : periods.value())
      for (const KeyVal& k : p.keys) rank[k.key] += k.s.sum;
    std::vector<uint32_t> top;
    for (uint32_t k = 0; k < rank.size(); ++k)
      if (rank[k] > 0 && proj->Listed(k)) top.push_back(k);
    std::sort(top.begin(), top.end(), [&](uint32_t a, uint32_t b) { return rank[a] > rank[b]; });
    if (top.size() > static_cast<size_t>(q.group_by->limit)) top.resize(q.group_by->limit);
    std::vector<int> slot(proj->values.size(), -1);
    for (size_t i = 0; i < top.size(); ++i) slot[top[i]] = static_cast<int>(i);
    std::vector<MetricSeries> series(top.size());
    for (size_t i = 0; i < top.size(); ++i) series[i] = {q.metric, Dimensions(*proj, top[i]), {}};
    for (const Period& p : periods.value()) {
      const double ts = static_cast<double>(p.start) + offset;
      for (auto& s : series) s.points.push_back({ts, 0});
      for (const KeyVal& k : p.keys)
        if (slot[k.key] >= 0) series[slot[k.key]].points.back().value = Value(k.s, p.seconds, metric->stat);
    }
    for (auto& s : series) out.series.push_back(std::move(s));
  }
  return out;
}

Result<DescribeDimensionKeysResult> QueryEngine::DescribeDimensionKeys(const DescribeDimensionKeysRequest& req) const {
  auto w = Align(req.start, req.end, req.period_seconds);
  if (!w.ok()) return w.status();
  auto metric = ParseMetric(req.metric, "Metric");
  if (!metric.ok()) return metric.status();
  if (metric->series != Series::kLoad)
    return Status::InvalidArgument("Metric: " + req.metric + " has no dimension keys; use db.load.avg");
  if (req.group_by.limit < 1 || req.group_by.limit > 25)
    return Status::InvalidArgument("GroupBy.Limit must be between 1 and 25");
  // Load statistics of each key are computed below; per-SQL statistics are
  // joined afterwards (AddStatementStats).
  std::vector<std::pair<std::string, ParsedMetric>> extra;
  bool statement_stats = false;
  for (size_t i = 0; i < req.additional_metrics.size(); ++i) {
    const std::string param = "AdditionalMetrics[" + std::to_string(i) + "]";
    auto m = ParseMetric(req.additional_metrics[i], param);
    if (!m.ok()) return m.status();
    if (m->series == Series::kStatementStat) {
      if (req.group_by.group != "db.sql_tokenized" && req.group_by.group != "db.sql")
        return Status::InvalidArgument(param + ": per-SQL statistic " + req.additional_metrics[i] +
                                       " needs GroupBy.Group db.sql_tokenized or db.sql");
      statement_stats = true;
      continue;
    }
    if (m->series != Series::kLoad)
      return Status::InvalidArgument(param + ": " + req.additional_metrics[i] + " is not a per-key metric");
    extra.emplace_back(req.additional_metrics[i], m.value());
  }
  auto view = store_.View(req.instance_id);
  if (!view.ok()) return view.status();
  auto proj = Project(store_, req.group_by, "GroupBy");
  if (!proj.ok()) return proj.status();
  std::optional<Projection> part;
  if (req.partition_by) {
    auto p = Project(store_, *req.partition_by, "PartitionBy");
    if (!p.ok()) return p.status();
    part = std::move(p.value());
  }
  const std::vector<store::ComboKeys>& combos = (*view)->combos();
  auto mask = BuildFilter(store_, req.filter, combos, "Filter");
  if (!mask.ok()) return mask.status();
  Loader loader(**view);
  auto periods = w->period == 1
                     ? loader.FromSeconds(w->start, w->end, 1, Series::kLoad, &*proj, mask.value(), combos)
                     : loader.FromRollups(w->start, w->end, w->period, Series::kLoad, &*proj, mask.value(), combos);
  if (!periods.ok()) return periods.status();
  uint32_t seconds = 0;
  std::vector<double> sum(proj->values.size(), 0), mx(proj->values.size(), 0);
  std::vector<double> mn(proj->values.size(), 0);
  std::vector<uint32_t> seen(proj->values.size(), 0);
  for (const Period& p : periods.value()) {
    seconds += p.seconds;
    for (const KeyVal& k : p.keys) {
      double v = k.s.sum / p.seconds;  // the key's average load in this period
      sum[k.key] += k.s.sum;
      mx[k.key] = std::max(mx[k.key], v);
      mn[k.key] = seen[k.key] == 0 ? v : std::min(mn[k.key], v);
      ++seen[k.key];
    }
  }
  auto value = [&](uint32_t k, Stat stat) {
    switch (stat) {
      case Stat::kAvg: return seconds ? sum[k] / seconds : 0.0;
      case Stat::kSum: return sum[k];
      case Stat::kMax: return mx[k];
      case Stat::kMin: return seen[k] < periods->size() ? 0.0 : mn[k];
    }
    return 0.0;
  };
  std::vector<uint32_t> top;
  for (uint32_t k = 0; k < sum.size(); ++k)
    if (sum[k] > 0 && proj->Listed(k)) top.push_back(k);
  std::sort(top.begin(), top.end(), [&](uint32_t a, uint32_t b) { return sum[a] > sum[b]; });
  if (top.size() > static_cast<size_t>(req.group_by.limit)) top.resize(req.group_by.limit);

  DescribeDimensionKeysResult out{static_cast<double>(w->start), static_cast<double>(w->end), {}, {}};
  std::vector<uint32_t> part_top;
  std::unordered_map<uint64_t, double> cross;  // (key << 32 | partition) -> sum
  if (part) {
    // Partition sums come from per-combination sums, exact at any tier.
    std::vector<double> part_sum(part->values.size(), 0);
    auto add = [&](uint32_t combo, double v) {
      if (mask->active && !mask->combo[combo]) return;
      uint32_t k = proj->of_key[combos[combo][static_cast<int>(proj->group)]];
      uint32_t pk = part->of_key[combos[combo][static_cast<int>(part->group)]];
      part_sum[pk] += v;
      cross[(uint64_t{k} << 32) | pk] += v;
    };
    if (w->period == 1) {
      Status st = (*view)->ReadSeconds(w->start, w->end, [&](const store::Second& s) {
        for (const auto& r : s.rows) add(r.combo, static_cast<double>(r.hits) / s.samples);
      });
      if (!st.ok()) return st;
    } else {
      auto aggs = (*view)->ReadPeriods(w->period, w->start, w->end, {.combos = true, .group = proj->group});
      if (!aggs.ok()) return aggs.status();
      for (const auto& a : aggs.value())
        for (const auto& c : a.combos) add(c.combo, c.sum);
    }
    for (uint32_t k = 0; k < part_sum.size(); ++k)
      if (part_sum[k] > 0 && part->Listed(k)) part_top.push_back(k);
    std::sort(part_top.begin(), part_top.end(), [&](uint32_t a, uint32_t b) { return part_sum[a] > part_sum[b]; });
    if (part_top.size() > static_cast<size_t>(req.partition_by->limit)) part_top.resize(req.partition_by->limit);
    for (uint32_t pk : part_top) out.partition_keys.push_back(Dimensions(*part, pk));
  }
  for (uint32_t k : top) {
    DimensionKeyDescription d{Dimensions(*proj, k), value(k, metric->stat), {}, {}};
    for (const auto& [name, m] : extra) d.additional_metrics[name] = value(k, m.stat);
    for (uint32_t pk : part_top) {
      auto it = cross.find((uint64_t{k} << 32) | pk);
      double v = it == cross.end() ? 0 : it->second;
      d.partitions.push_back(metric->stat == Stat::kSum ? v : (seconds ? v / seconds : 0));
    }
    out.keys.push_back(std::move(d));
  }
  if (statement_stats) DBI_RETURN_IF_ERROR(AddStatementStats(req.instance_id, req, out.keys));
  return out;
}

Result<std::vector<DimensionKeyDetail>> QueryEngine::GetDimensionKeyDetails(
    const std::string& instance_id, const std::string& group, const std::string& group_identifier,
    const std::vector<std::string>& requested) const {
  (void)instance_id;  // the dictionary is shared by all instances of a store
  auto g = model::GroupByName(group);
  if (!g || (*g != model::Group::kSql && *g != model::Group::kSqlTokenized))
    return Status::InvalidArgument("Group: " + group + " is not supported; use db.sql or db.sql_tokenized");
  const auto& info = model::Info(*g);
  std::vector<int> dims;
  for (size_t i = 0; i < requested.size(); ++i) {
    const std::string full = requested[i].find('.') == std::string::npos ? group + "." + requested[i] : requested[i];
    auto d = model::DimensionByName(full);
    if (!d || d->group != *g)
      return Status::InvalidArgument("RequestedDimensions[" + std::to_string(i) + "]: " + requested[i] +
                                     " is not a dimension of " + group);
    dims.push_back(d->index);
  }
  if (dims.empty())
    for (size_t i = 0; i < info.dimensions.size(); ++i) dims.push_back(static_cast<int>(i));
  std::vector<model::GroupKey> keys = store_.AllKeyValues(*g);
  for (const auto& k : keys) {
    if (k.empty() || k[0] != group_identifier) continue;
    std::vector<DimensionKeyDetail> out;
    for (int d : dims) out.push_back({std::string(info.dimensions[d]), k[d], "AVAILABLE"});
    return out;
  }
  return Status::InvalidArgument("GroupIdentifier: no " + group + " key with id " + group_identifier);
}

std::vector<GapInfo> QueryEngine::Gaps(const std::string& instance_id, WallTime start, WallTime end) const {
  std::vector<GapInfo> out;
  for (const store::GapRecord& g : store_.Gaps(instance_id, ToEpochSeconds(start), ToEpochSeconds(end)))
    out.push_back({g.from, g.to, g.reason});
  return out;
}

Result<std::vector<model::LockWaitSample>> QueryEngine::LockWaits(const std::string& instance_id, WallTime from,
                                                                  WallTime to) const {
  if (to < from) return Status::InvalidArgument("LockWaits: end before start");
  return store_.ReadLockWaits(instance_id, from, to);
}

Result<std::vector<DimensionGroupDescription>> QueryEngine::AvailableDimensions(const std::string& metric) {
  if (metric != "db.load" && metric != "db.sampledload")
    return Status::InvalidArgument("Metrics: " + metric + " has no dimensions; use db.load or db.sampledload");
  std::vector<DimensionGroupDescription> out;
  for (model::Group g : model::kAllGroups) {
    const auto& info = model::Info(g);
    DimensionGroupDescription d{std::string(info.name), {}};
    for (auto dim : info.dimensions) d.dimensions.emplace_back(dim);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace dbinsight::pi
