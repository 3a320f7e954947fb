// IncidentLoop: runs the live incident detectors (analysis/incident_detector.h)
// over each instance's newest data, read back through the PI query engine
// once a second: sampled seconds (load, and who adds it) for high-load, their
// lock waits for lock-chain, the connection counters for connections, and the
// per-SQL statistics intervals for latency-regression. It records what the
// detectors open, update and close in the IncidentStore; openings and
// closings go to the change callback (serve publishes them to the default
// topic). It lives in app/ because it joins the query engine with the
// incident store and notifications.
// Borrows the engine and the store, which must outlive it. RunOnce is for one
// thread at a time (serve's incident thread, or a test).
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/incident_detector.h"
#include "analysis/incident_store.h"
#include "api/protocol/http_types.h"
#include "common/clock.h"
#include "common/status.h"
#include "pi/query_engine.h"

namespace dbinsight::app {

struct WatchedInstance {
  std::string id;
  double vcpus = 0;
  // "postgres", "mariadb" or "mysql": the names of its counters and statistics.
  std::string engine = "postgres";
  // How often its per-SQL statistics are read: the span of a
  // latency-regression reading, and how often the loop looks for new ones.
  std::chrono::seconds statements_interval{60};
};

// An incident that opened or closed, with its id in the store.
struct IncidentEvent {
  std::string instance;
  int64_t id = 0;
  analysis::Incident incident;
  bool opened = false;  // else closed
};

class IncidentLoop {
 public:
  IncidentLoop(const pi::QueryEngine& engine, analysis::IncidentStore& store, std::vector<WatchedInstance> instances,
               analysis::IncidentOptions options, std::function<void(const IncidentEvent&)> on_change);

  // Feeds every instance's data since the previous call (at most the last
  // minute) up to now - 1 s, when the collectors have written it. An
  // instance whose read fails is skipped (the others still run); the first
  // error is returned.
  Status RunOnce(WallTime now);

 private:
  // One kind's detector of one instance and its incident's row.
  struct Kind {
    bool enabled = true;
    analysis::IncidentDetector detector;
    std::optional<int64_t> open_id;  // the store id of the open incident
    int64_t last_saved = 0;          // epoch second of its last Update
  };
  struct Watch {
    WatchedInstance instance;
    // high-load, lock-chain, connections, latency-regression
    std::array<Kind, 4> kinds;
    analysis::LatencyRegressionRule regression;
    std::optional<int64_t> read_up_to;        // epoch second after the last one fed
    std::optional<int64_t> stats_read_up_to;  // likewise for statistics intervals
    double max_connections = 0;               // the latest limit read (0: unknown)
  };
  // The sampled seconds in [from, to), with load by wait, statement, user and application.
  Result<std::vector<analysis::LiveSecond>> ReadSeconds(const std::string& instance, int64_t from, int64_t to) const;
  // Sampled seconds, their lock waits and the connection counters, fed to the first three kinds.
  Status FeedSeconds(Watch& w, int64_t from, int64_t to);
  // New statistics intervals in [from, to), fed to latency-regression.
  Status FeedStatistics(Watch& w, int64_t from, int64_t to);
  Status Feed(Watch& w, Kind& kind, const analysis::Reading& reading);

  const pi::QueryEngine& engine_;
  analysis::IncidentStore& store_;
  const analysis::IncidentOptions options_;
  std::function<void(const IncidentEvent&)> on_change_;
  std::vector<Watch> watches_;
};

// GET /incidents[?Instance=ID][&State=OPEN][&MaxResults=N]: the stored
// incidents, newest first (default 100), as {"Incidents": [{Id, Instance,
// Kind, State OPEN|CLOSED, Opened, Closed (epoch seconds), Peak, Average,
// Unit (of the kind's measure), PeakLoad and AverageLoad (high-load only),
// Summary, CloseNote}]}.
api::HttpResponse IncidentList(const analysis::IncidentStore& store, const api::HttpRequest& request);

}  // namespace dbinsight::app
