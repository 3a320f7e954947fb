// MetricReader: the metric side of one instance's polling loop. On their own
// intervals it reads the server's counters (as per-second rates), the host's
// /proc (os.*, when the instance runs here) and the per-SQL statistics (as
// per-interval deltas), and writes them to a model::MetricSink. The Poller
// calls Poll() after each sampling attempt on the instance's thread, so the
// reads share the sampler's connection and never delay another instance.
//
// Ownership: owns its rate/delta state and host reader; borrows the sink.
// Thread-safety: not thread-safe (one instance thread).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collect/options.h"
#include "collect/os/host_metrics.h"
#include "collect/rates.h"
#include "collect/sampler.h"
#include "common/clock.h"
#include "model/metric.h"

namespace dbinsight::collect {

// What the loop reports about the metric reads (InstanceStatus).
struct MetricStatus {
  uint64_t counter_reads = 0;
  uint64_t statement_reads = 0;
  std::string last_error;       // redacted; the latest failed read's error
  std::string statements_warning;  // e.g. digest table full, with the remedy
  std::vector<os::ProcessInfo> top_processes;  // host_metrics only
};

class MetricReader {
 public:
  MetricReader(const SamplerOptions& options, model::MetricSink& sink);

  // Runs the reads that are due at `now`. db_up: the session sample just
  // succeeded, so the connection is usable; when false only host metrics run
  // (they matter most while the database is down) and the counter baselines
  // are dropped, since the server may be restarting.
  void Poll(Sampler& sampler, bool db_up, MonoTime now, const Clock& clock);

  const MetricStatus& status() const { return status_; }

 private:
  // Processes listed in MetricStatus::top_processes.
  static constexpr size_t kTopProcesses = 10;
  void ReadCounters(Sampler& sampler, const Clock& clock);
  void ReadStatements(Sampler& sampler, const Clock& clock);
  void NoteError(const std::string& instance_id, const std::string& what, const Status& st);

  const SamplerOptions options_;
  model::MetricSink& sink_;
  std::unique_ptr<os::HostMetrics> host_;  // null unless options.host_metrics
  CounterRates rates_;
  StatementDeltas deltas_;
  std::optional<MonoTime> next_counters_;
  std::optional<MonoTime> next_statements_;
  MetricStatus status_;
};

}  // namespace dbinsight::collect
