// Poller: runs every monitored instance's sampling loop, one std::jthread per
// instance, and writes what they see to a model::SampleSink (sessions) and a
// model::MetricSink (counters, host metrics, per-SQL statistics, through the
// instance's MetricReader). Each loop ticks
// on a drift-free grid at SamplerOptions::interval, retries failures with
// exponential backoff (after Reset()ing the sampler), records the outage as a
// model::Gap once samples resume, and logs only state changes (down, back).
// Instances never wait on each other: own thread, own connection, no shared
// lock held across I/O.
//
// Ownership: owns the Samplers and threads; borrows sink and clock, which
// must outlive it. The destructor stops and joins every thread (a thread
// inside a sample finishes it first: at most connect_timeout or
// query_timeout + 1 s).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collect/options.h"
#include "collect/poll_state.h"
#include "collect/sampler.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/metric.h"
#include "model/sample.h"

namespace dbinsight::collect {

class Poller {
 public:
  Poller(model::SampleSink& sink, model::MetricSink& metrics, Clock& clock);
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;
  ~Poller();

  // Starts sampling with `sampler` on a new thread; the first sample is taken
  // at the next interval boundary. InvalidArgument if options are invalid or
  // an instance with the same id was added already.
  Status Add(std::unique_ptr<Sampler> sampler, const SamplerOptions& options);

  // A consistent snapshot of every instance's status, in the order added.
  std::vector<InstanceStatus> Statuses() const;
  std::optional<InstanceStatus> StatusOf(const std::string& instance_id) const;

  // Stops and joins all loops. Idempotent; the destructor calls it.
  void Stop();

 private:
  struct Instance {
    std::unique_ptr<Sampler> sampler;
    SamplerOptions options;
    mutable std::mutex mu;
    InstanceStatus status;  // guarded by mu: a copy published after each attempt
    std::jthread thread;    // last member: stopped and joined first
  };
  void Run(Instance& instance, std::stop_token stop);

  model::SampleSink& sink_;
  model::MetricSink& metrics_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Instance>> instances_;  // guarded by mu_
};

}  // namespace dbinsight::collect
