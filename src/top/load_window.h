// LoadWindow: the last few seconds of active-session samples of one instance,
// and what `dbinsight top` shows from them: DB load (average active sessions,
// as Performance Insights' db.load.avg) per value of a slice, per statement
// with its main wait, and the sessions of the latest sample with how long each
// has been seen running its statement. A sliding window rather than an
// exponential average so a number on the screen can be checked by hand: the
// load of a value is the count of its sessions over the window's samples,
// divided by the number of samples.
//
// Ownership: copies what it needs of each sample. Thread-safety: none; the UI
// thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "model/sample.h"
#include "top/view_state.h"

namespace dbinsight::top {

struct DimensionLoad {
  std::string name;  // the dimension value ("" when the server reported none)
  double load = 0;   // average active sessions over the window
  // Statements only: the wait most of its sessions were seen in, and the
  // share of its load that wait holds (0..1).
  std::string top_wait;
  double top_wait_share = 0;
};

struct SessionView {
  int64_t pid = 0;
  std::string user, host, db, application;
  std::string state;      // "active", or a blocker's own state ("idle in transaction")
  std::string wait;       // db.wait_event name ("" for a blocker that is not active)
  std::string statement;  // db.sql statement (literals replaced unless the sampler keeps them)
  // Share of the window's samples the session was active in, 0..1.
  double load = 0;
  // Seconds in its current statement (seen running it in consecutive
  // samples, or the server's lock wait time), or a blocker's seconds in its
  // state. at_least: it already ran at top's first sample.
  std::optional<double> seconds;
  bool at_least = false;
  int blocks = 0;  // sessions waiting for this one's locks
};

class LoadWindow {
 public:
  // span: how far back the averages reach, e.g. 10 s.
  explicit LoadWindow(std::chrono::milliseconds span);

  // REQUIRES: samples arrive in time order. Samples older than span before
  // this one leave the window.
  void Add(const model::Sample& sample);

  size_t samples() const { return window_.size(); }
  std::chrono::milliseconds span() const { return span_; }
  // Time of the newest sample; nullopt before the first.
  std::optional<WallTime> latest() const;
  // Average active sessions over the window (0 when empty).
  double Aas() const;

  // Load per value of the slice, biggest first (kName: by name).
  std::vector<DimensionLoad> LoadBy(Slice slice, Sort sort) const;
  // Load per tokenized statement with its main wait, biggest first (kName: by text).
  std::vector<DimensionLoad> Statements(Sort sort) const;
  // The latest sample's active sessions plus the blockers its lock waits
  // name (blockers are often idle in a transaction and not sampled). Sessions
  // blocking others first, then by the sort (kLoad: load then time; kTime:
  // time; kName: pid).
  std::vector<SessionView> Sessions(Sort sort) const;

 private:
  struct Running {
    std::string statement_id;
    WallTime since;
  };

  const std::chrono::milliseconds span_;
  std::deque<model::Sample> window_;
  std::optional<WallTime> first_;                 // the first sample ever added
  std::unordered_map<int64_t, Running> running_;  // pid -> what it runs since when
};

}  // namespace dbinsight::top
