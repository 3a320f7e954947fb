#include "collect/poller.h"

#include "common/log.h"

namespace dbinsight::collect {

Poller::Poller(model::SampleSink& sink, model::MetricSink& metrics, Clock& clock)
    : sink_(sink), metrics_(metrics), clock_(clock) {}

Poller::~Poller() { Stop(); }

Status Poller::Add(std::unique_ptr<Sampler> sampler, const SamplerOptions& options) {
  DBI_RETURN_IF_ERROR(options.Validate());
  std::lock_guard l(mu_);
  for (const auto& i : instances_) {
    if (i->sampler->instance_id() == sampler->instance_id())
      return Status::InvalidArgument("instance '" + sampler->instance_id() + "' is already sampled");
  }
  auto inst = std::make_unique<Instance>();
  inst->sampler = std::move(sampler);
  inst->options = options;
  inst->status.instance_id = inst->sampler->instance_id();
  Instance* raw = inst.get();
  inst->thread = std::jthread([this, raw](std::stop_token stop) { Run(*raw, stop); });
  instances_.push_back(std::move(inst));
  return Status::Ok();
}

void Poller::Stop() {
  std::vector<std::unique_ptr<Instance>> stopping;
  {
    std::lock_guard l(mu_);
    for (auto& i : instances_) i->thread.request_stop();
    stopping.swap(instances_);
  }
  // Joined outside mu_, so Statuses() callers never wait on a sample.
  for (auto& i : stopping) {
    if (i->thread.joinable()) i->thread.join();
  }
}

std::vector<InstanceStatus> Poller::Statuses() const {
  std::lock_guard l(mu_);
  std::vector<InstanceStatus> out;
  out.reserve(instances_.size());
  for (const auto& i : instances_) {
    std::lock_guard il(i->mu);
    out.push_back(i->status);
  }
  return out;
}

std::optional<InstanceStatus> Poller::StatusOf(const std::string& instance_id) const {
  std::lock_guard l(mu_);
  for (const auto& i : instances_) {
    std::lock_guard il(i->mu);
    if (i->status.instance_id == instance_id) return i->status;
  }
  return std::nullopt;
}

void Poller::Run(Instance& inst, std::stop_token stop) {
  Sampler& sampler = *inst.sampler;
  const std::string& id = sampler.instance_id();
  PollState state(id, inst.options);
  MetricReader metrics(inst.options, metrics_);
  MonoTime next = state.FirstTick(clock_.Monotonic(), clock_.Now());
  while (clock_.SleepUntil(next, stop)) {
    auto result = sampler.SampleOnce(clock_.Now());
    const MonoTime after = clock_.Monotonic();
    if (result.ok()) {
      model::Sample& sample = result.value();
      auto step = state.OnSuccess(sample.time, after, clock_.Now());
      if (step.gap) {
        log::Info("instance {}: sampling resumed after {:.1f} s without samples", id,
                  std::chrono::duration<double>(step.gap->to - step.gap->from).count());
        sink_.RecordGap(std::move(*step.gap));
      } else if (step.resumed || state.status().samples == 1) {
        log::Info("instance {}: sampling is live", id);
      }
      sink_.Append(std::move(sample));
      next = step.next;
    } else {
      // The connection's state is unknown after any failure: start clean.
      sampler.Reset();
      auto step = state.OnFailure(result.status(), after);
      if (step.went_down) {
        log::Warn("instance {}: sampling failed, retrying with backoff: {}", id,
                  result.status().ToString());
      }
      next = step.next;
    }
    // After the sample is stored (the time-critical part): whatever metric
    // read is due, on the same connection.
    metrics.Poll(sampler, result.ok(), after, clock_);
    std::lock_guard l(inst.mu);
    inst.status = state.status();
    inst.status.facts = sampler.Facts();
    inst.status.metrics = metrics.status();
  }
  sampler.Reset();
}

}  // namespace dbinsight::collect
