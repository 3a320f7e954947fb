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
// An open incident's row is rewritten at most this often (its numbers grow
// every second; the store needs them only for readers).
constexpr int64_t kSaveEvery = 10;

}  // namespace

IncidentLoop::IncidentLoop(const pi::QueryEngine& engine, analysis::IncidentStore& store,
                           std::vector<WatchedInstance> instances, analysis::IncidentOptions options,
                           std::function<void(const IncidentEvent&)> on_change)
    : engine_(engine), store_(store), options_(std::move(options)), on_change_(std::move(on_change)) {
  for (auto& i : instances) watches_.push_back({i, analysis::IncidentDetector(i.vcpus, options_), {}, {}, 0});
}

Result<std::vector<analysis::LiveSecond>> IncidentLoop::Read(const std::string& instance, int64_t from,
                                                             int64_t to) const {
  pi::GetResourceMetricsRequest req;
  req.instance_id = instance;
  req.start = FromEpochSeconds(static_cast<double>(from));
  req.end = FromEpochSeconds(static_cast<double>(to));
  req.period_seconds = 1;
  req.align_to_start = true;
  req.queries = {{"db.load.avg", std::nullopt, {}},
                 {"db.load.avg", pi::DimensionGroup{"db.wait_event", {}, kTop}, {}},
                 {"db.load.avg", pi::DimensionGroup{"db.sql_tokenized", {}, kTop}, {}}};
  auto r = engine_.GetResourceMetrics(req);
  if (!r.ok()) return r.status();
  std::map<int64_t, analysis::LiveSecond> by_second;
  for (const pi::MetricSeries& s : r->series) {
    const auto wait = s.dimensions.find("db.wait_event.name");
    const auto sql = s.dimensions.find("db.sql_tokenized.statement");
    for (const pi::DataPoint& p : s.points) {
      analysis::LiveSecond& second = by_second[static_cast<int64_t>(std::llround(p.timestamp))];
      second.time = FromEpochSeconds(std::round(p.timestamp));
      if (s.dimensions.empty()) second.load = p.value;
      else if (wait != s.dimensions.end() && p.value > 0) second.waits[wait->second] = p.value;
      else if (sql != s.dimensions.end() && p.value > 0) second.statements[sql->second] = p.value;
    }
  }
  std::vector<analysis::LiveSecond> out;
  for (auto& [t, s] : by_second) out.push_back(std::move(s));
  return out;
}

Status IncidentLoop::Feed(Watch& w, const analysis::LiveSecond& second) {
  const analysis::IncidentChange change = w.detector.Observe(second);
  if (change == analysis::IncidentChange::kNone) return Status::Ok();
  const analysis::Incident& incident = *w.detector.current();
  const int64_t now = static_cast<int64_t>(ToEpochSeconds(second.time));
  if (change == analysis::IncidentChange::kOpened) {
    auto id = store_.Add(w.instance.id, incident);
    if (!id.ok()) return id.status();
    w.open_id = id.value();
    w.last_saved = now;
    log::Warn("incident {} on {}: {}", id.value(), w.instance.id, incident.Summary());
    if (on_change_) on_change_({w.instance.id, id.value(), incident, true});
    return Status::Ok();
  }
  if (!w.open_id) return Status::Ok();  // opened while its store write failed: nothing to update
  const bool closed = change == analysis::IncidentChange::kClosed;
  if (!closed && now - w.last_saved < kSaveEvery) return Status::Ok();
  DBI_RETURN_IF_ERROR(store_.Update(*w.open_id, incident));
  w.last_saved = now;
  if (closed) {
    log::Info("incident {} on {} is over: {}", *w.open_id, w.instance.id, incident.Summary());
    if (on_change_) on_change_({w.instance.id, *w.open_id, incident, false});
    w.open_id.reset();
  }
  return Status::Ok();
}

Status IncidentLoop::RunOnce(WallTime now) {
  // The newest second is still being written by the sampler.
  const int64_t to = static_cast<int64_t>(std::floor(ToEpochSeconds(now))) - 1;
  Status first = Status::Ok();
  for (Watch& w : watches_) {
    const int64_t from = std::max(w.read_up_to.value_or(to - kLookBack), to - kLookBack);
    if (from >= to) continue;
    auto seconds = Read(w.instance.id, from, to);
    Status st = seconds.status();
    if (st.ok()) {
      for (const auto& s : seconds.value())
        if (Status fed = Feed(w, s); !fed.ok() && st.ok()) st = fed;
      w.read_up_to = to;
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
    return api::HttpResponse{400, "application/json",
                             nlohmann::json{{"__type", "InvalidArgumentException"}, {"message", message}}.dump(), {}};
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
                           {"PeakLoad", i.peak_load},
                           {"AverageLoad", i.average_load},
                           {"Summary", i.summary}};
    if (i.closed) item["Closed"] = ToEpochSeconds(*i.closed);
    if (!i.close_note.empty()) item["CloseNote"] = i.close_note;
    items.push_back(std::move(item));
  }
  return {200, "application/json", nlohmann::json{{"Incidents", std::move(items)}}.dump(), {}};
}

}  // namespace dbinsight::app
