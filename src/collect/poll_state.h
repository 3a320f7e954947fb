// PollState: the decisions of one instance's polling loop, with no threads and
// no clock of its own: when the next tick is, how long to back off after a
// failure, which Gap an outage leaves, and when the state changed enough to
// log. Poller drives one per instance; tests drive it directly with made-up
// times. Not thread-safe (one loop thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "collect/metric_reader.h"
#include "collect/options.h"
#include "collect/sampler.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/sample.h"

namespace dbinsight::collect {

// What /healthz and the instance list show about one instance's sampling.
struct InstanceStatus {
  std::string instance_id;
  bool live = false;        // the last attempt succeeded
  std::string last_error;   // redacted; kept after recovery, empty if never failed
  std::optional<WallTime> last_sample_time;
  uint64_t samples = 0;     // successful samples
  uint64_t failures = 0;    // failed attempts (each retry counts)
  uint64_t gaps = 0;        // outages recorded as model::Gap
  uint64_t skipped_ticks = 0;  // ticks missed because a sample ran late
  InstanceFacts facts;         // role, version, data directory, PI features
  MetricStatus metrics;        // counter/statement reads, host top processes
};

class PollState {
 public:
  PollState(std::string instance_id, const SamplerOptions& options);

  // Ticks fall on wall-clock multiples of the interval (:01.000, :02.000 at
  // 1 s), so each per-second bucket gets one sample even with jitter (a late
  // wake-up stays inside its own second). Each deadline is computed afresh
  // from the wall clock, so the grid never drifts from it; the returned
  // deadline is monotonic, for Clock::SleepUntil. now/wall: the two clocks
  // read together.
  MonoTime FirstTick(MonoTime now, WallTime wall);

  struct AfterSuccess {
    MonoTime next;                  // next tick
    std::optional<model::Gap> gap;  // the outage that just ended, if any
    bool resumed = false;           // first success after failures: log it
  };
  // sample_time: the sample's timestamp; now/wall: the clocks after sampling.
  AfterSuccess OnSuccess(WallTime sample_time, MonoTime now, WallTime wall);

  struct AfterFailure {
    MonoTime next;           // retry time (now + backoff)
    bool went_down = false;  // first failure after success or at startup: log it
  };
  AfterFailure OnFailure(const Status& error, MonoTime now);

  const InstanceStatus& status() const { return status_; }

 private:
  MonoTime NextTick(MonoTime now, WallTime wall);

  const SamplerOptions options_;
  std::chrono::milliseconds backoff_;
  bool failing_ = false;
  // The wall-clock boundary the last tick aimed at; unset after a failure.
  std::optional<WallTime> last_boundary_;
  InstanceStatus status_;
};

}  // namespace dbinsight::collect
