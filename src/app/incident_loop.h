// IncidentLoop: runs the live incident detectors (analysis/incident_detector.h)
// over each instance's newest sampled seconds, read back through the PI query
// engine once a second, and records what they open, update and close in the
// IncidentStore; openings and closings go to the change callback (serve
// publishes them to the default topic). It lives in app/ because it joins
// the query engine with the incident store and notifications.
// Borrows the engine and the store, which must outlive it. RunOnce is for one
// thread at a time (serve's incident thread, or a test).
#pragma once

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

  // Feeds every instance's seconds sampled since the previous call (at most
  // the last minute) up to now - 1 s, when the sampler has written them.
  // An instance whose read fails is skipped (the others still run); the
  // first error is returned.
  Status RunOnce(WallTime now);

 private:
  struct Watch {
    WatchedInstance instance;
    analysis::IncidentDetector detector;
    std::optional<int64_t> read_up_to;  // epoch second after the last one fed
    std::optional<int64_t> open_id;     // the store id of the open incident
    int64_t last_saved = 0;             // epoch second of its last Update
  };
  Result<std::vector<analysis::LiveSecond>> Read(const std::string& instance, int64_t from, int64_t to) const;
  Status Feed(Watch& w, const analysis::LiveSecond& second);

  const pi::QueryEngine& engine_;
  analysis::IncidentStore& store_;
  const analysis::IncidentOptions options_;
  std::function<void(const IncidentEvent&)> on_change_;
  std::vector<Watch> watches_;
};

// GET /incidents[?Instance=ID][&State=OPEN][&MaxResults=N]: the stored
// incidents, newest first (default 100), as {"Incidents": [{Id, Instance,
// Kind, State OPEN|CLOSED, Opened, Closed (epoch seconds), PeakLoad,
// AverageLoad, Summary, CloseNote}]}.
api::HttpResponse IncidentList(const analysis::IncidentStore& store, const api::HttpRequest& request);

}  // namespace dbinsight::app
