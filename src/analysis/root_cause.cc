// AnalyzeWindow: episodes from the load series, their make-up from
// DescribeDimensionKeys, and the statement checks against the day (or week) before.
// Findings are built in root_cause_findings.cc; rendering and JSON are in
// root_cause_render.cc.
#include "analysis/root_cause.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analysis/root_cause_internal.h"

namespace dbinsight::analysis {
namespace internal {

WaitClass Classify(const std::string& wait) {
  auto starts = [&wait](std::string_view p) { return wait.rfind(p, 0) == 0; };
  if (wait == "CPU") return WaitClass::kCpu;
  if (starts("Lock:") || starts("wait/lock/") || starts("wait/synch/mdl")) return WaitClass::kLock;
  if (starts("IO:") || starts("wait/io/")) return WaitClass::kIo;
  if (starts("LWLock:") || starts("wait/synch/")) return WaitClass::kContention;
  return WaitClass::kOther;
}

bool IsMySql(const std::string& engine) { return engine == "mariadb" || engine == "mysql"; }

StatNames StatsFor(const std::string& engine) {
  const std::string p = "db.sql_tokenized.stats.";
  if (IsMySql(engine))
    return {p + "count_star_per_sec.avg", p + "sum_timer_wait_per_call.avg", p + "sum_rows_examined_per_call.avg", "",
            ""};
  return {p + "calls_per_sec.avg", p + "avg_latency_per_call.avg", p + "rows_per_call.avg",
          p + "shared_blks_hit_per_call.avg", p + "shared_blks_read_per_call.avg"};
}

std::string Clip(const std::string& text, size_t max) {
  std::string flat;
  for (char c : text) flat += (c == '\n' || c == '\t') ? ' ' : c;
  if (flat.size() <= max) return flat;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(flat[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return flat.substr(0, cut) + "...";
}

double Mean(const std::vector<pi::DataPoint>& points) {
  double sum = 0;
  for (const auto& p : points) sum += p.value;
  return points.empty() ? 0 : sum / static_cast<double>(points.size());
}

Result<std::vector<pi::DataPoint>> Reader::Points(const std::string& metric, WallTime start, WallTime end, int period,
                                                  pi::DimensionMap filter) const {
  pi::GetResourceMetricsRequest req;
  req.instance_id = instance_;
  req.start = start;
  req.end = end;
  req.period_seconds = period;
  req.align_to_start = true;
  req.queries = {{metric, std::nullopt, std::move(filter)}};
  auto r = engine_.GetResourceMetrics(req);
  if (!r.ok()) return r.status();
  return std::move(r->series.front().points);
}

Result<pi::DescribeDimensionKeysResult> Reader::Keys(const std::string& group, WallTime start, WallTime end, int period,
                                                     int limit, std::optional<std::string> partition,
                                                     std::vector<std::string> additional,
                                                     pi::DimensionMap filter) const {
  pi::DescribeDimensionKeysRequest req;
  req.instance_id = instance_;
  req.start = start;
  req.end = end;
  req.metric = kLoad;
  req.period_seconds = period;
  req.group_by = {group, {}, limit};
  if (partition) req.partition_by = pi::DimensionGroup{*partition, {}, 10};
  req.additional_metrics = std::move(additional);
  req.filter = std::move(filter);
  return engine_.DescribeDimensionKeys(req);
}

namespace {

int64_t Epoch(WallTime t) { return static_cast<int64_t>(std::floor(ToEpochSeconds(t))); }

int PeriodFor(WallTime start, WallTime end) {
  const double span = ToEpochSeconds(end) - ToEpochSeconds(start);
  if (span <= 3 * 3600) return 1;
  if (span <= 3 * 86400) return 60;
  return 300;
}

// Runs of points above the threshold, merged across short gaps.
std::vector<Episode> FindEpisodes(const std::vector<pi::DataPoint>& points, int period, double threshold,
                                  const RootCauseOptions& o) {
  std::vector<Episode> out;
  double last_high_end = -1;
  for (const pi::DataPoint& p : points) {
    if (p.value <= threshold) continue;
    if (out.empty() || p.timestamp - last_high_end > static_cast<double>(o.merge_gap.count())) {
      out.emplace_back();
      out.back().start = FromEpochSeconds(p.timestamp);
    }
    Episode& e = out.back();
    last_high_end = p.timestamp + period;
    e.end = FromEpochSeconds(last_high_end);
    e.high_seconds += period;
    e.peak_load = std::max(e.peak_load, p.value);
  }
  std::erase_if(out, [&](const Episode& e) { return e.high_seconds < static_cast<double>(o.min_high.count()); });
  for (Episode& e : out) {
    std::vector<pi::DataPoint> inside;
    for (const pi::DataPoint& p : points)
      if (p.timestamp >= ToEpochSeconds(e.start) && p.timestamp < ToEpochSeconds(e.end)) inside.push_back(p);
    e.average_load = Mean(inside);
  }
  return out;
}

std::vector<Share> Shares(const pi::DescribeDimensionKeysResult& keys, const std::string& dimension,
                          double episode_load) {
  std::vector<Share> out;
  for (const auto& k : keys.keys) {
    auto d = k.dimensions.find(dimension);
    if (d == k.dimensions.end()) continue;
    auto id = k.dimensions.find(kSqlId);
    out.push_back({d->second, id == k.dimensions.end() ? "" : id->second, k.total,
                   episode_load > 0 ? k.total / episode_load : 0});
  }
  return out;
}

std::optional<double> Additional(const pi::DimensionKeyDescription& k, const std::string& name) {
  if (name.empty()) return std::nullopt;
  auto it = k.additional_metrics.find(name);
  return it == k.additional_metrics.end() ? std::nullopt : std::optional(it->second);
}

// Statement statistics are stored per collection interval (60 s by default)
// and keyed by the interval's end: a short episode is widened to whole
// minutes, plus the interval that ends just after it.
std::pair<WallTime, WallTime> StatsWindow(const Episode& e) {
  const int64_t s = Epoch(e.start) - Epoch(e.start) % 60;
  const int64_t end = Epoch(e.end) + (60 - Epoch(e.end) % 60) % 60 + 60;
  return {FromEpochSeconds(static_cast<double>(s)), FromEpochSeconds(static_cast<double>(end))};
}

// The calls-weighted mean of per-call values over the periods both series
// have; nullopt without calls.
std::optional<double> PerCall(const std::vector<pi::DataPoint>& per_call, const std::vector<pi::DataPoint>& calls) {
  double sum = 0, weight = 0;
  for (const pi::DataPoint& v : per_call) {
    for (const pi::DataPoint& c : calls) {
      if (c.timestamp != v.timestamp) continue;
      sum += v.value * c.value;
      weight += c.value;
    }
  }
  return weight > 0 ? std::optional(sum / weight) : std::nullopt;
}

Status CheckStatements(const Reader& r, const StatNames& names, const RootCauseOptions& o, Episode& e) {
  auto [from, to] = StatsWindow(e);
  std::vector<std::string> additional = {names.calls, names.latency, names.rows};
  if (!names.blocks_hit.empty()) additional.insert(additional.end(), {names.blocks_hit, names.blocks_read});
  auto now = r.Keys("db.sql_tokenized", from, to, 60, 25, std::nullopt, additional);
  if (!now.ok()) return now.status();
  // The first offset whose window had any statistics at all (new vs no
  // history); the last one when none had.
  std::chrono::hours offset = o.regression_offsets.empty() ? std::chrono::hours(24) : o.regression_offsets.front();
  bool any_before = false;
  for (std::chrono::hours h : o.regression_offsets) {
    offset = h;
    const auto back = std::chrono::duration_cast<WallTime::duration>(h);
    auto points = r.Points(names.calls, from - back, to - back, 60);
    if (!points.ok()) return points.status();
    if ((any_before = !points->empty())) break;
  }
  const auto shift = std::chrono::duration_cast<WallTime::duration>(offset);
  const size_t n = std::min(e.by_sql.size(), static_cast<size_t>(o.top_statements));
  for (size_t i = 0; i < n; ++i) {
    const Share& s = e.by_sql[i];
    StatementCheck c{s.id, s.key, s.load, s.fraction, {}, {}, {}, {}, {}, {}, {}, "", static_cast<int>(offset.count())};
    for (const auto& k : now->keys) {
      auto id = k.dimensions.find(kSqlId);
      if (id == k.dimensions.end() || id->second != s.id) continue;
      c.calls_per_sec = Additional(k, names.calls);
      c.latency_ms_per_call = Additional(k, names.latency);
      c.rows_per_call = Additional(k, names.rows);
      auto hit = Additional(k, names.blocks_hit), read = Additional(k, names.blocks_read);
      if (hit || read) c.blocks_per_call = hit.value_or(0) + read.value_or(0);
    }
    if (!c.calls_per_sec) {
      c.comparison = "no-statistics";
    } else {
      auto before = r.Points(names.calls, from - shift, to - shift, 60, {{kSqlId, s.id}});
      if (!before.ok()) return before.status();
      if (before->empty()) {
        c.comparison = any_before ? "new" : "no-history";
      } else {
        auto prev =
            r.Keys("db.sql_tokenized", from - shift, to - shift, 60, 1, std::nullopt, additional, {{kSqlId, s.id}});
        if (!prev.ok()) return prev.status();
        c.comparison = "compared";
        c.prev_calls_per_sec = Mean(before.value());
        for (const auto& k : prev->keys) {
          c.prev_latency_ms_per_call = Additional(k, names.latency);
          c.prev_rows_per_call = Additional(k, names.rows);
          if (auto v = Additional(k, names.calls)) c.prev_calls_per_sec = v;
        }
        if (!c.prev_latency_ms_per_call) {
          // No sampled load then, so no key: per-call values from the
          // per-minute series, weighted by each minute's calls.
          auto lat = r.Points(names.latency, from - shift, to - shift, 60, {{kSqlId, s.id}});
          if (!lat.ok()) return lat.status();
          auto rows = r.Points(names.rows, from - shift, to - shift, 60, {{kSqlId, s.id}});
          if (!rows.ok()) return rows.status();
          c.prev_latency_ms_per_call = PerCall(lat.value(), before.value());
          c.prev_rows_per_call = PerCall(rows.value(), before.value());
        }
      }
    }
    e.statements.push_back(std::move(c));
  }
  return Status::Ok();
}

// --- Findings ----------------------------------------------------------------

bool Before(const Finding& a, const Finding& b) {
  if (a.severity != b.severity) return a.severity > b.severity;
  if (a.causal != b.causal) return a.causal;
  return a.start < b.start;
}

}  // namespace
}  // namespace internal

using internal::Before;
using internal::CheckStatements;
using internal::CounterFindings;
using internal::EpisodeFinding;
using internal::FindEpisodes;
using internal::kLoad;
using internal::kSqlText;
using internal::Mean;
using internal::PeriodFor;
using internal::Reader;
using internal::Shares;
using internal::StatementFinding;
using internal::StatNames;
using internal::StatsFor;
using internal::WindowFindings;

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kHigh:
      return "HIGH";
    case Severity::kMedium:
      return "MEDIUM";
    case Severity::kLow:
      return "LOW";
  }
  return "LOW";
}

namespace {

// The statement a finding is about: its evidence's statement dimension.
std::string StatementOf(const Finding& f) {
  for (const Evidence& e : f.evidence)
    if (auto it = e.dimensions.find(kSqlText); it != e.dimensions.end()) return it->second;
  return "";
}

// Asks the advisor once per statement of a report (cache) about the findings
// that are about a statement which scans or regressed.
void AddIndexAdvice(Finding& f, const std::string& database, const IndexAdvisor& advisor,
                    std::map<std::string, Result<std::vector<model::IndexAdvice>>>& cache) {
  for (Finding& s : f.supporting) AddIndexAdvice(s, database, advisor, cache);
  if (f.type != "HighCPU" && f.type != "IOWaits" && f.type != "SQLRegression") return;
  const std::string statement = StatementOf(f);
  if (statement.empty()) return;
  auto it = cache.find(statement);
  if (it == cache.end()) it = cache.emplace(statement, advisor(statement, database)).first;
  if (!it->second.ok()) {
    f.recommendations.push_back(
        {"index-advice-unavailable", "Index advice was not possible: " + it->second.status().message() + "."});
    return;
  }
  // The most specific advice goes first.
  std::vector<Recommendation> advice;
  for (const model::IndexAdvice& a : it->second.value()) advice.push_back({"index-advice", DescribeIndexAdvice(a)});
  f.recommendations.insert(f.recommendations.begin(), advice.begin(), advice.end());
  f.index_advice = it->second.value();
}

}  // namespace

Result<Report> AnalyzeWindow(const pi::QueryEngine& engine, const model::InstanceInfo& instance, WallTime start,
                             WallTime end, const RootCauseOptions& o, const IndexAdvisor& advisor) {
  std::map<std::string, Result<std::vector<model::IndexAdvice>>> advice;
  if (!(start < end)) return Status::InvalidArgument("EndTime must be later than StartTime");
  Reader r(engine, instance.id);
  Report report;
  report.instance_id = instance.id;
  report.engine = instance.engine;
  report.vcpus = instance.vcpus;
  report.start = start;
  report.end = end;
  report.period_seconds = PeriodFor(start, end);

  auto base = r.Points(kLoad, start - std::chrono::duration_cast<WallTime::duration>(o.baseline_window), start, 300);
  if (!base.ok()) return base.status();
  if (static_cast<int>(base->size()) >= o.baseline_min_points) {
    std::vector<double> v;
    for (const auto& p : base.value()) v.push_back(p.value);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    report.baseline = v[v.size() / 2];
  }
  std::vector<std::pair<double, std::string>> rules;
  if (instance.vcpus > 0) rules.push_back({instance.vcpus, fmt::format("{} vCPUs", instance.vcpus)});
  if (report.baseline) {
    const double b = *report.baseline;
    rules.push_back(
        b * o.baseline_factor >= b + o.baseline_margin
            ? std::pair{b * o.baseline_factor, fmt::format("{:g} x the baseline {:.2f}", o.baseline_factor, b)}
            : std::pair{b + o.baseline_margin, fmt::format("the baseline {:.2f} + {:g}", b, o.baseline_margin)});
  }
  if (rules.empty()) rules.push_back({1.0, "1 session (no vCPU count, no baseline)"});
  std::tie(report.threshold, report.threshold_reason) = *std::min_element(rules.begin(), rules.end());

  auto load = r.Points(kLoad, start, end, report.period_seconds);
  if (!load.ok()) return load.status();
  report.average_load = Mean(load.value());
  for (const auto& p : load.value()) report.peak_load = std::max(report.peak_load, p.value);
  std::vector<Episode> episodes = FindEpisodes(load.value(), report.period_seconds, report.threshold, o);
  std::stable_sort(episodes.begin(), episodes.end(), [](const Episode& a, const Episode& b) {
    return a.average_load * a.high_seconds > b.average_load * b.high_seconds;
  });
  if (episodes.size() > static_cast<size_t>(o.max_episodes)) {
    report.episodes_skipped = static_cast<int>(episodes.size()) - o.max_episodes;
    episodes.resize(o.max_episodes);
  }
  std::sort(episodes.begin(), episodes.end(), [](const Episode& a, const Episode& b) { return a.start < b.start; });

  std::set<std::string> stored;
  auto available = engine.AvailableMetrics(instance.id, instance.engine, {"db", "os"});
  if (!available.ok()) return available.status();
  for (const auto& m : available.value()) stored.insert(m.metric);
  const StatNames names = StatsFor(instance.engine);

  auto lock_waits = engine.LockWaits(instance.id, start, end);
  if (!lock_waits.ok()) return lock_waits.status();
  report.lock_chains = BuildLockChains(lock_waits.value());

  std::vector<std::pair<double, Finding>> ranked;
  for (size_t ei = 0; ei < episodes.size(); ++ei) {
    Episode& e = episodes[ei];
    std::vector<model::LockWaitSample> episode_waits;
    for (const model::LockWaitSample& w : lock_waits.value())
      if (w.time >= e.start && w.time < e.end) episode_waits.push_back(w);
    const std::pair<const char*, std::vector<Share> Episode::*> groups[] = {
        {"db.sql_tokenized", &Episode::by_sql},
        {"db.wait_event", &Episode::by_wait_event},
        {"db.wait_event_type", &Episode::by_wait_type},
        {"db.user", &Episode::by_user},
        {"db.host", &Episode::by_host},
        {"db.application", &Episode::by_application},
        {"db", &Episode::by_database}};
    for (const auto& [group, member] : groups) {
      auto keys =
          r.Keys(group, e.start, e.end, report.period_seconds, group == std::string("db.sql_tokenized") ? 10 : 5);
      if (!keys.ok()) return keys.status();
      const std::string dim = group == std::string("db.sql_tokenized") ? kSqlText
                              : group == std::string("db")             ? "db.name"
                              : group == std::string("db.host")        ? "db.host.name"
                                                                       : std::string(group) + ".name";
      e.*member = Shares(keys.value(), dim, e.average_load);
    }
    DBI_RETURN_IF_ERROR(CheckStatements(r, names, o, e));
    auto cause = EpisodeFinding(r, instance, report, e, names, BuildLockChains(episode_waits));
    if (!cause.ok()) return cause.status();
    for (const StatementCheck& c : e.statements)
      if (auto f = StatementFinding(c, e, names)) cause->supporting.push_back(std::move(*f));
    auto counters = CounterFindings(r, instance, stored, e, report.period_seconds);
    if (!counters.ok()) return counters.status();
    for (Finding& f : counters.value()) cause->supporting.push_back(std::move(f));
    if (advisor) AddIndexAdvice(*cause, e.by_database.empty() ? "" : e.by_database.front().key, advisor, advice);
    std::stable_sort(cause->supporting.begin(), cause->supporting.end(), Before);
    cause->id = fmt::format("finding-{}", ei + 1);
    for (size_t i = 0; i < cause->supporting.size(); ++i)
      cause->supporting[i].id = fmt::format("finding-{}-{}", ei + 1, i + 1);
    ranked.push_back({e.average_load * e.high_seconds, std::move(cause).value()});
  }
  auto window = WindowFindings(r, instance, report, stored, names);
  if (!window.ok()) return window.status();
  // What an episode explains already: lock waits as its cause, connections
  // among its counters.
  const bool episode_locks =
      std::any_of(ranked.begin(), ranked.end(), [](const auto& rf) { return rf.second.type == "LockWaits"; });
  const bool episode_connections = std::any_of(ranked.begin(), ranked.end(), [](const auto& rf) {
    return std::any_of(rf.second.supporting.begin(), rf.second.supporting.end(),
                       [](const Finding& s) { return s.type == "ConnectionsNearLimit"; });
  });
  std::string database;
  if (advisor && !window->empty()) {
    auto db = r.Keys("db", start, end, report.period_seconds, 1);
    if (!db.ok()) return db.status();
    if (!db->keys.empty() && db->keys[0].dimensions.count("db.name")) database = db->keys[0].dimensions.at("db.name");
  }
  for (Finding& f : window.value()) {
    if ((f.type == "ConnectionsNearLimit" && episode_connections) || (f.type == "LockWaits" && episode_locks)) continue;
    f.id = fmt::format("finding-w{}", ranked.size() + 1);
    if (advisor) AddIndexAdvice(f, database, advisor, advice);
    ranked.push_back({0, std::move(f)});  // after episodes of the same severity
  }
  // The worst first: severity, then load-seconds of the episode.
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second.severity != b.second.severity ? a.second.severity > b.second.severity : a.first > b.first;
  });
  for (auto& [weight, f] : ranked) report.findings.push_back(std::move(f));
  report.episodes = std::move(episodes);
  if (report.findings.empty()) {
    Finding quiet;
    quiet.id = "finding-0";
    quiet.type = "NoHighLoad";
    quiet.severity = Severity::kLow;
    quiet.start = start;
    quiet.end = end;
    quiet.summary = fmt::format(
        "No high load: DB load averaged {:.2f} and peaked at {:.2f}; it was not above "
        "{:.2f} ({}) for {} s or more.",
        report.average_load, report.peak_load, report.threshold, report.threshold_reason, o.min_high.count());
    quiet.evidence.push_back(
        {kLoad, "DB load (average active sessions)", {}, {}, report.average_load, report.baseline});
    report.findings.push_back(std::move(quiet));
  }
  return report;
}

}  // namespace dbinsight::analysis
