#include "collect/poll_state.h"

#include <algorithm>

namespace dbinsight::collect {

PollState::PollState(std::string instance_id, const SamplerOptions& options)
    : options_(options), backoff_(options.backoff_min) {
  status_.instance_id = std::move(instance_id);
}

MonoTime PollState::NextTick(MonoTime now, WallTime wall) {
  const auto interval = std::chrono::duration_cast<WallTime::duration>(options_.interval);
  // The first boundary strictly after `wall`: a tick that ran early in its
  // slot must not fire again for the same slot.
  const auto delay = interval - wall.time_since_epoch() % interval;
  const WallTime boundary = wall + delay;
  if (last_boundary_ && boundary > *last_boundary_) {
    const auto slots = (boundary - *last_boundary_ + interval / 2) / interval;
    if (slots > 1) status_.skipped_ticks += static_cast<uint64_t>(slots - 1);
  }
  last_boundary_ = boundary;
  return now + std::chrono::duration_cast<MonoTime::duration>(delay);
}

MonoTime PollState::FirstTick(MonoTime now, WallTime wall) { return NextTick(now, wall); }

PollState::AfterSuccess PollState::OnSuccess(WallTime sample_time, MonoTime now, WallTime wall) {
  AfterSuccess out;
  if (failing_) {
    out.resumed = true;
    if (status_.last_sample_time) {
      // The tick after the last good sample is the first one missed.
      const WallTime from = *status_.last_sample_time + options_.interval;
      if (from < sample_time) {
        out.gap = model::Gap{status_.instance_id, from, sample_time, status_.last_error};
        ++status_.gaps;
      }
    }
  }
  failing_ = false;
  backoff_ = options_.backoff_min;
  status_.live = true;
  status_.last_sample_time = sample_time;
  ++status_.samples;
  out.next = NextTick(now, wall);
  return out;
}

PollState::AfterFailure PollState::OnFailure(const Status& error, MonoTime now) {
  AfterFailure out;
  out.went_down = !failing_;
  failing_ = true;
  last_boundary_.reset();  // retries leave the grid; skipped ticks are not counted then
  status_.live = false;
  status_.last_error = error.message();
  ++status_.failures;
  out.next = now + backoff_;
  backoff_ = std::min(backoff_ * 2, options_.backoff_max);
  return out;
}

}  // namespace dbinsight::collect
