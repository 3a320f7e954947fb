#include "testing/manual_clock.h"

#include <iterator>

namespace dbinsight::testing {

ManualClock::ManualClock(WallTime start)
    : wall_(start), mono_(MonoTime() + std::chrono::hours(1000)) {}

WallTime ManualClock::Now() const {
  std::lock_guard l(mu_);
  return wall_;
}

MonoTime ManualClock::Monotonic() const {
  std::lock_guard l(mu_);
  return mono_;
}

bool ManualClock::SleepUntil(MonoTime deadline, std::stop_token stop) {
  std::unique_lock l(mu_);
  if (mono_ >= deadline) return !stop.stop_requested();
  auto it = deadlines_.insert(deadline);
  cv_.notify_all();
  bool reached = cv_.wait(l, stop, [&] { return mono_ >= deadline; });
  deadlines_.erase(it);
  cv_.notify_all();
  return reached && !stop.stop_requested();
}

void ManualClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard l(mu_);
  wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  mono_ += std::chrono::duration_cast<MonoTime::duration>(d);
  cv_.notify_all();
}

void ManualClock::SetNow(WallTime t) {
  std::lock_guard l(mu_);
  wall_ = t;
}

int ManualClock::PendingSleepersLocked() const {
  // Sleepers whose deadline has passed are about to wake: not counted, so a
  // test can Advance() and then wait for the loop to go back to sleep.
  return static_cast<int>(std::distance(deadlines_.upper_bound(mono_), deadlines_.end()));
}

int ManualClock::sleepers() const {
  std::lock_guard l(mu_);
  return PendingSleepersLocked();
}

void ManualClock::WaitForSleepers(int n) const {
  std::unique_lock l(mu_);
  cv_.wait(l, [&] { return PendingSleepersLocked() >= n; });
}

}  // namespace dbinsight::testing
