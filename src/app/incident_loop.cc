#include "app/incident_loop.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "api/protocol/query_dispatcher.h"
#include "common/log.h"

namespace dbinsight::app {
namespace {

// How far back a first read (or one after a stall) looks: enough to open an
// incident that began just before dbinsight started, bounded so a long stall
// does not replay an hour.
constexpr int64_t kLookBack = 60;
// The top keys read per second to explain an incident.
constexpr int kTop = 5;
// The statements whose latency is followed: the top by load over the last
// minute (a regression that matters adds load), plus the one an open
// incident names.
constexpr int kTopStatements = 10;
// An open incident's row is rewritten at most this often (its numbers grow
// every second; the store needs them only for readers).
constexpr int64_t kSaveEvery = 10;

enum KindIndex { kHighLoad, kLockChain, kConnections, kRegression };

// The engine's names for what the connections and latency-regression kinds read.
struct EngineMetrics {
  const char* connections;
  const char* limit;
  const char* latency;  // ms per call
  const char* calls;    // executions in the period
};
EngineMetrics MetricsOf(const std::string& engine) {
  if (engine == "postgres")
    return {"db.User.numbackends.avg", "db.User.max_connections.avg", "db.sql_tokenized.stats.avg_latency_per_call.avg",
            "db.sql_tokenized.stats.calls_per_sec.sum"};
  return {"db.Users.Threads_connected.avg", "db.Users.max_connections.avg",
          "db.sql_tokenized.stats.sum_timer_wait_per_call.avg", "db.sql_tokenized.stats.count_star_per_sec.sum"};
}

int64_t Second(double epoch) { return static_cast<int64_t>(std::floor(epoch)); }

pi::GetResourceMetricsRequest PerSecond(const std::string& instance, int64_t from, int64_t to) {
  pi::GetResourceMetricsRequest req;
  req.instance_id = instance;
  req.start = FromEpochSeconds(static_cast<double>(from));
  req.end = FromEpochSeconds(static_cast<double>(to));
  req.period_seconds = 1;
  req.align_to_start = true;
  return req;
}

}  // namespace

IncidentLoop::IncidentLoop(const pi::QueryEngine& engine, analysis::IncidentStore& store,
                           std::vector<WatchedInstance> instances, analysis::IncidentOptions options,
                           std::function<void(const IncidentEvent&)> on_change)
    : engine_(engine), store_(store), options_(std::move(options)), on_change_(std::move(on_change)) {
  const analysis::IncidentOptions& o = options_;
  for (auto& i : instances) {
    const auto interval = i.statements_interval;
    watches_.push_back(
        {std::move(i),
         {Kind{o.high_load.run.enabled, analysis::IncidentDetector(o.high_load.run), {}, 0},
          Kind{o.lock_chain.run.enabled, analysis::IncidentDetector(o.lock_chain.run), {}, 0},
          Kind{o.connections.run.enabled, analysis::IncidentDetector(o.connections.run), {}, 0},
          Kind{o.latency_regression.run.enabled, analysis::IncidentDetector(o.latency_regression.run), {}, 0}},
         analysis::LatencyRegressionRule(o.latency_regression, interval),
         {},
         {},
         0});
  }
}

Result<std::vector<analysis::LiveSecond>> IncidentLoop::ReadSeconds(const std::string& instance, int64_t from,
                                                                    int64_t to) const {
  pi::GetResourceMetricsRequest req = PerSecond(instance, from, to);
  req.queries = {{"db.load.avg", std::nullopt, {}},
                 {"db.load.avg", pi::DimensionGroup{"db.wait_event", {}, kTop}, {}},
                 {"db.load.avg", pi::DimensionGroup{"db.sql_tokenized", {}, kTop}, {}},
                 {"db.load.avg", pi::DimensionGroup{"db.user", {}, kTop}, {}},
                 {"db.load.avg", pi::DimensionGroup{"db.application", {}, kTop}, {}}};
  auto r = engine_.GetResourceMetrics(req);
  if (!r.ok()) return r.status();
  std::map<int64_t, analysis::LiveSecond> by_second;
  // The dimension naming each group's key, and where its loads go.
  const std::pair<const char*, std::map<std::string, double> analysis::LiveSecond::*> kKeys[] = {
      {"db.wait_event.name", &analysis::LiveSecond::waits},
      {"db.sql_tokenized.statement", &analysis::LiveSecond::statements},
      {"db.user.name", &analysis::LiveSecond::users},
      {"db.application.name", &analysis::LiveSecond::applications}};
  for (const pi::MetricSeries& s : r->series) {
    for (const pi::DataPoint& p : s.points) {
      analysis::LiveSecond& second = by_second[Second(p.timestamp)];
      second.time = FromEpochSeconds(std::floor(p.timestamp));
      if (s.dimensions.empty()) second.load = p.value;
      if (p.value <= 0) continue;
      for (const auto& [dim, field] : kKeys)
        if (auto k = s.dimensions.find(dim); k != s.dimensions.end()) (second.*field)[k->second] = p.value;
    }
  }
  std::vector<analysis::LiveSecond> out;
  for (auto& [t, s] : by_second) out.push_back(std::move(s));
  return out;
}

Status IncidentLoop::Feed(Watch& w, Kind& kind, const analysis::Reading& reading) {
  const analysis::IncidentChange change = kind.detector.Observe(reading);
  if (change == analysis::IncidentChange::kNone) return Status::Ok();
  const analysis::Incident& incident = *kind.detector.current();
  const int64_t now = Second(ToEpochSeconds(reading.time));
  if (change == analysis::IncidentChange::kOpened) {
    auto id = store_.Add(w.instance.id, incident);
    if (!id.ok()) return id.status();
    kind.open_id = id.value();
    kind.last_saved = now;
    log::Warn("incident {} on {}: {}", id.value(), w.instance.id, incident.Summary());
    if (on_change_) on_change_({w.instance.id, id.value(), incident, true});
    return Status::Ok();
  }
  if (!kind.open_id) return Status::Ok();  // opened while its store write failed: nothing to update
  const bool closed = change == analysis::IncidentChange::kClosed;
  if (!closed && now - kind.last_saved < kSaveEvery) return Status::Ok();
  DBI_RETURN_IF_ERROR(store_.Update(*kind.open_id, incident));
  kind.last_saved = now;
  if (closed) {
    log::Info("incident {} on {} is over: {}", *kind.open_id, w.instance.id, incident.Summary());
    if (on_change_) on_change_({w.instance.id, *kind.open_id, incident, false});
    kind.open_id.reset();
  }
  return Status::Ok();
}

Status IncidentLoop::FeedSeconds(Watch& w, int64_t from, int64_t to) {
  auto seconds = ReadSeconds(w.instance.id, from, to);
  if (!seconds.ok()) return seconds.status();
  // Lock waits are stored only for samples that had any: a sampled second
  // without them is a clear one.
  std::map<int64_t, std::vector<model::LockWait>> waits;
  if (w.kinds[kLockChain].enabled) {
    auto samples = engine_.LockWaits(w.instance.id, FromEpochSeconds(static_cast<double>(from)),
                                     FromEpochSeconds(static_cast<double>(to)));
    if (!samples.ok()) return samples.status();
    for (model::LockWaitSample& s : samples.value()) waits[Second(ToEpochSeconds(s.time))] = std::move(s.waits);
  }
  std::map<int64_t, const analysis::LiveSecond*> by_second;
  Status st = Status::Ok();
  auto keep = [&st](Status s) {
    if (st.ok()) st = std::move(s);
  };
  for (const analysis::LiveSecond& s : seconds.value()) {
    const int64_t t = Second(ToEpochSeconds(s.time));
    by_second[t] = &s;
    if (w.kinds[kHighLoad].enabled)
      keep(Feed(w, w.kinds[kHighLoad], analysis::HighLoadReading(s, w.instance.vcpus, options_.high_load)));
    if (w.kinds[kLockChain].enabled) {
      auto it = waits.find(t);
      keep(Feed(w, w.kinds[kLockChain],
                analysis::LockChainReading(s.time, it == waits.end() ? std::vector<model::LockWait>{} : it->second,
                                           options_.lock_chain)));
    }
  }
  if (!w.kinds[kConnections].enabled) return st;
  const EngineMetrics names = MetricsOf(w.instance.engine);
  pi::GetResourceMetricsRequest req = PerSecond(w.instance.id, from, to);
  req.queries = {{names.connections, std::nullopt, {}}, {names.limit, std::nullopt, {}}};
  auto counters = engine_.GetResourceMetrics(req);
  if (!counters.ok()) return counters.status();
  // max_connections changes rarely (a restart; SET GLOBAL on MariaDB/MySQL): the latest value read stands for
  // the seconds between reads.
  std::map<int64_t, double> limits;
  for (const pi::DataPoint& p : counters->series[1].points) limits[Second(p.timestamp)] = p.value;
  for (const pi::DataPoint& p : counters->series[0].points) {
    const int64_t t = Second(p.timestamp);
    if (auto l = limits.upper_bound(t); l != limits.begin()) w.max_connections = std::prev(l)->second;
    auto active = by_second.find(t);
    keep(Feed(w, w.kinds[kConnections],
              analysis::ConnectionsReading(FromEpochSeconds(static_cast<double>(t)), p.value, w.max_connections,
                                           active == by_second.end() ? analysis::LiveSecond{} : *active->second,
                                           options_.connections)));
  }
  return st;
}

Status IncidentLoop::FeedStatistics(Watch& w, int64_t from, int64_t to) {
  const EngineMetrics names = MetricsOf(w.instance.engine);
  // Which intervals ended since the last read: all statements' calls, one point per interval.
  pi::GetResourceMetricsRequest req = PerSecond(w.instance.id, from, to);
  req.queries = {{names.calls, std::nullopt, {}}};
  auto ends = engine_.GetResourceMetrics(req);
  if (!ends.ok()) return ends.status();
  if (ends->series[0].points.empty()) return Status::Ok();

  // The statements to follow, by id -> text.
  std::map<std::string, std::string> statements;
  pi::DescribeDimensionKeysRequest top;
  top.instance_id = w.instance.id;
  top.start = FromEpochSeconds(static_cast<double>(to - kLookBack));
  top.end = FromEpochSeconds(static_cast<double>(to));
  top.metric = "db.load.avg";
  top.group_by = {"db.sql_tokenized", {}, kTopStatements};
  auto keys = engine_.DescribeDimensionKeys(top);
  if (!keys.ok()) return keys.status();
  for (const pi::DimensionKeyDescription& k : keys->keys) {
    auto id = k.dimensions.find("db.sql_tokenized.id");
    auto text = k.dimensions.find("db.sql_tokenized.statement");
    if (id != k.dimensions.end()) statements[id->second] = text == k.dimensions.end() ? "" : text->second;
  }
  if (const auto& open = w.kinds[kRegression].detector.current(); open && !open->closed) {
    const auto& e = std::get<analysis::RegressionEvidence>(open->evidence);
    statements.emplace(e.statement_id, e.statement);
  }
  // Each statement's intervals in [start, end), by end second.
  auto read =
      [&](int64_t start, int64_t end,
          const std::vector<std::string>& ids) -> Result<std::map<int64_t, std::vector<analysis::StatementInterval>>> {
    std::map<int64_t, std::vector<analysis::StatementInterval>> by_end;
    if (ids.empty() || start >= end) return by_end;
    pi::GetResourceMetricsRequest r = PerSecond(w.instance.id, start, end);
    for (const std::string& id : ids) {
      r.queries.push_back({names.latency, std::nullopt, {{"db.sql_tokenized.id", id}}});
      r.queries.push_back({names.calls, std::nullopt, {{"db.sql_tokenized.id", id}}});
    }
    auto got = engine_.GetResourceMetrics(r);
    if (!got.ok()) return got.status();
    for (size_t i = 0; i < ids.size(); ++i) {
      std::map<int64_t, double> calls;
      for (const pi::DataPoint& p : got->series[2 * i + 1].points) calls[Second(p.timestamp)] = p.value;
      for (const pi::DataPoint& p : got->series[2 * i].points) {
        // A point's second is the one before its interval's end (align to start).
        const int64_t t = Second(p.timestamp);
        by_end[t].push_back(
            {ids[i], statements[ids[i]], FromEpochSeconds(static_cast<double>(t + 1)), calls[t], p.value});
      }
    }
    return by_end;
  };
  std::vector<std::string> all, unknown;
  for (const auto& [id, text] : statements) {
    all.push_back(id);
    if (!w.regression.Knows(id)) unknown.push_back(id);
  }
  // A statement followed for the first time: its baseline from before.
  auto history = read(from - options_.latency_regression.baseline.count(), from, unknown);
  if (!history.ok()) return history.status();
  for (const auto& [t, intervals] : history.value()) w.regression.Backfill(intervals);
  auto fresh = read(from, to, all);
  if (!fresh.ok()) return fresh.status();
  Status st = Status::Ok();
  for (const pi::DataPoint& p : ends->series[0].points) {
    const int64_t t = Second(p.timestamp);
    auto it = fresh->find(t);
    const analysis::Reading reading =
        w.regression.Observe(FromEpochSeconds(static_cast<double>(t + 1)),
                             it == fresh->end() ? std::vector<analysis::StatementInterval>{} : it->second);
    if (Status fed = Feed(w, w.kinds[kRegression], reading); !fed.ok() && st.ok()) st = fed;
    // Intervals are written whole: once one is read, the next read starts after it.
    w.stats_read_up_to = t + 1;
  }
  return st;
}

Status IncidentLoop::RunOnce(WallTime now) {
  // The newest second is still being written by the collectors.
  const int64_t to = Second(ToEpochSeconds(now)) - 1;
  Status first = Status::Ok();
  for (Watch& w : watches_) {
    const int64_t from = std::max(w.read_up_to.value_or(to - kLookBack), to - kLookBack);
    if (from >= to) continue;
    Status st = FeedSeconds(w, from, to);
    if (st.ok()) w.read_up_to = to;
    if (w.kinds[kRegression].enabled) {
      const int64_t stats_from = std::max(w.stats_read_up_to.value_or(to - kLookBack), to - kLookBack);
      if (Status s = FeedStatistics(w, stats_from, to); !s.ok() && st.ok()) st = s;
    }
    if (!st.ok()) {
      log::Warn("incident detection on {}: {}", w.instance.id, st.ToString());
      if (first.ok()) first = st;
    }
  }
  return first;
}

api::HttpResponse IncidentList(const analysis::IncidentStore& store, const api::HttpRequest& request) {
  auto error = [](const std::string& message) {
    return api::HttpResponse{400,
                             "application/json",
                             nlohmann::json{{"__type", "InvalidArgumentException"}, {"message", message}}.dump(),
                             {}};
  };
  auto params = api::protocol::ParseFormEncoded(request.query);
  if (!params.ok()) return error(params.status().message());
  std::optional<std::string> instance;
  bool open_only = false;
  int limit = 100;
  for (const auto& [key, value] : params.value()) {
    if (key == "Instance") {
      instance = value;
    } else if (key == "State") {
      if (value != "OPEN" && value != "ALL") return error("State: expected OPEN or ALL");
      open_only = value == "OPEN";
    } else if (key == "MaxResults") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 1 || n > 1000) return error("MaxResults: expected 1 to 1000");
      limit = static_cast<int>(n);
    } else {
      return error("unknown parameter " + key + " (Instance, State, MaxResults)");
    }
  }
  auto list = store.List(instance, open_only, limit);
  if (!list.ok()) return {500, "application/json", nlohmann::json{{"message", list.status().message()}}.dump(), {}};
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : list.value()) {
    nlohmann::json item = {{"Id", i.id},
                           {"Instance", i.instance},
                           {"Kind", i.kind},
                           {"State", i.closed ? "CLOSED" : "OPEN"},
                           {"Opened", ToEpochSeconds(i.opened)},
                           {"Peak", i.peak},
                           {"Average", i.average},
                           {"Unit", analysis::KindUnit(i.kind)},
                           {"Summary", i.summary}};
    if (i.kind == "high-load") {
      item["PeakLoad"] = i.peak;
      item["AverageLoad"] = i.average;
    }
    if (i.closed) item["Closed"] = ToEpochSeconds(*i.closed);
    if (!i.close_note.empty()) item["CloseNote"] = i.close_note;
    items.push_back(std::move(item));
  }
  return {200, "application/json", nlohmann::json{{"Incidents", std::move(items)}}.dump(), {}};
}

}  // namespace dbinsight::app
