#include "collect/metric_reader.h"

#include "common/log.h"

namespace dbinsight::collect {

namespace {

// The next due time on a fixed grid from `due`, skipping slots already past
// (a slow read never queues a burst of catch-up reads).
MonoTime Advance(MonoTime due, std::chrono::milliseconds every, MonoTime now) {
  do due += every;
  while (due <= now);
  return due;
}

}  // namespace

MetricReader::MetricReader(const SamplerOptions& options, model::MetricSink& sink)
    : options_(options), sink_(sink) {
  if (options_.host_metrics) host_ = std::make_unique<os::HostMetrics>();
}

void MetricReader::Poll(Sampler& sampler, bool db_up, MonoTime now, const Clock& clock) {
  if (!next_counters_) next_counters_ = now;
  if (!next_statements_) next_statements_ = now;
  if (!db_up) rates_.Clear();
  // Polls come once per sampling tick, a few ms after it, with jitter: a read
  // is due when its time falls before the middle of the next tick, so equal
  // intervals give one read per tick instead of skipping one whenever this
  // tick's jitter is smaller than the first's.
  const MonoTime horizon = now + options_.interval / 2;
  if (horizon >= *next_counters_) {
    next_counters_ = Advance(*next_counters_, options_.counters_interval, horizon);
    if (db_up) ReadCounters(sampler, clock);
    if (host_) {
      auto host = host_->Read(clock.Now(), sampler.Facts().data_directory);
      if (host.ok()) {
        sink_.AppendMetrics(rates_.Next(sampler.instance_id(), host.value()));
        status_.top_processes = host_->TopProcesses(kTopProcesses);
      } else {
        NoteError(sampler.instance_id(), "host metrics", host.status());
      }
    }
  }
  if (db_up && horizon >= *next_statements_) {
    next_statements_ = Advance(*next_statements_, options_.statements_interval, horizon);
    ReadStatements(sampler, clock);
  }
}

void MetricReader::ReadCounters(Sampler& sampler, const Clock& clock) {
  auto readings = sampler.ReadCounters(clock.Now());
  if (!readings.ok()) return NoteError(sampler.instance_id(), "counters", readings.status());
  ++status_.counter_reads;
  sink_.AppendMetrics(rates_.Next(sampler.instance_id(), readings.value()));
}

void MetricReader::ReadStatements(Sampler& sampler, const Clock& clock) {
  auto readings = sampler.ReadStatements(clock.Now());
  if (!readings.ok()) return NoteError(sampler.instance_id(), "per-SQL statistics", readings.status());
  ++status_.statement_reads;
  if (readings->warning != status_.statements_warning) {
    if (!readings->warning.empty()) log::Warn("instance {}: {}", sampler.instance_id(), readings->warning);
    status_.statements_warning = readings->warning;
  }
  if (auto deltas = deltas_.Next(sampler.instance_id(), readings.value(), readings->complete))
    sink_.AppendStatementStats(std::move(*deltas));
}

void MetricReader::NoteError(const std::string& instance_id, const std::string& what, const Status& st) {
  std::string error = what + ": " + st.message();
  // Log changes only: a missing privilege would otherwise log every second.
  if (error != status_.last_error) log::Warn("instance {}: {} read failed: {}", instance_id, what, st.ToString());
  status_.last_error = std::move(error);
}

}  // namespace dbinsight::collect
