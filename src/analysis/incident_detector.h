// IncidentDetector: opens an incident within seconds of a sustained problem
// on the live sample stream, keeps it up to date while it lasts and closes
// it when it is over. The condition today is DB load above the instance's
// vCPUs (the first thing a DBA checks: sessions queue for CPU or wait);
// hysteresis keeps it from flapping: it opens after `open_after` seconds in a
// row above vcpus x open_factor, and closes only after `close_after` seconds
// in a row at or below vcpus x close_factor. Seconds never sampled (a gap)
// are neither: a gap longer than max_gap restarts the count of either run.
// Pure: time is the samples' time. One detector per instance; not
// thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace dbinsight::analysis {

struct IncidentOptions {
  // Default on. Open after 5 s above the vCPUs (so within 10 s of a
  // sustained condition, sampling delay included); close after 30 s at or
  // below 80% of them, so a load that hovers at the line does not flap.
  bool enabled = true;
  double open_factor = 1.0;
  double close_factor = 0.8;
  std::chrono::seconds open_after{5};
  std::chrono::seconds close_after{30};
  std::chrono::seconds max_gap{3};
};

// One sampled second of an instance: total load and, for the explanation,
// the load of its top wait events and statements in that second.
struct LiveSecond {
  WallTime time;
  double load = 0;
  std::map<std::string, double> waits;       // wait event -> load
  std::map<std::string, double> statements;  // tokenized SQL -> load
};

struct Incident {
  std::string kind = "high-load";
  WallTime opened;             // the first second of the run that opened it
  WallTime last_high;          // the latest second above the open line
  std::optional<WallTime> closed;
  double peak_load = 0;
  double vcpus = 0;
  double load_seconds = 0;     // sum of load over its seconds, for shares
  int64_t seconds = 0;
  std::map<std::string, double> waits;       // accumulated load by wait event
  std::map<std::string, double> statements;  // accumulated load by statement

  // "Load 4.0 (peak 4.2) on 2 vCPUs since 07:20:05 UTC; 96% is `select
  // pg_sleep($1)`, 100% waits on Timeout:PgSleep" (closed: "from .. to ..").
  std::string Summary() const;
  double AverageLoad() const { return seconds > 0 ? load_seconds / static_cast<double>(seconds) : 0; }
};

enum class IncidentChange { kNone, kOpened, kUpdated, kClosed };

class IncidentDetector {
 public:
  IncidentDetector(double vcpus, IncidentOptions options);

  // Feeds the next sampled second (times strictly increasing; an older or
  // repeated second is ignored). kOpened on the second that opens an
  // incident, kClosed on the one that closes it, kUpdated for the seconds in
  // between, kNone otherwise.
  IncidentChange Observe(const LiveSecond& second);

  // The open incident, or the one just closed by the latest Observe().
  const std::optional<Incident>& current() const { return current_; }

 private:
  const double vcpus_;
  const IncidentOptions options_;
  std::optional<WallTime> last_seen_;
  std::optional<WallTime> run_start_;  // first second of the current run (high while closed, low while open)
  // The run so far: high seconds before an incident opens, quiet ones while
  // it may be closing; folded into the incident when the run decides so.
  std::vector<LiveSecond> pending_;
  std::optional<Incident> current_;
};

}  // namespace dbinsight::analysis
