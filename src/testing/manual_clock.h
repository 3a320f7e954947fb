// ManualClock: a Clock whose time moves only when a test says so. Advance()
// wakes every SleepUntil() whose deadline has been reached, so loops driven by
// a Clock run in microseconds and deterministically.
// Owned by the test; must outlive every thread sleeping on it. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stop_token>

#include "common/clock.h"

namespace dbinsight::testing {

class ManualClock final : public Clock {
 public:
  // Wall time starts at start; monotonic time at an arbitrary fixed point.
  explicit ManualClock(WallTime start = FromEpochSeconds(1'700'000'000));

  WallTime Now() const override;
  MonoTime Monotonic() const override;
  // Returns true once Monotonic() >= deadline, false when stop is requested.
  bool SleepUntil(MonoTime deadline, std::stop_token stop) override;

  // Moves wall and monotonic time forward together and wakes due sleepers.
  void Advance(std::chrono::nanoseconds d);
  // Sets wall time only (a wall-clock jump); monotonic time is unaffected.
  void SetNow(WallTime t);

  // Number of threads inside SleepUntil whose deadline is still ahead.
  int sleepers() const;
  // Blocks until at least n threads are inside SleepUntil with a deadline in
  // the future: the way a test knows a loop finished its work for this tick.
  void WaitForSleepers(int n) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  WallTime wall_;          // guarded by mu_
  MonoTime mono_;          // guarded by mu_
  // Deadlines of the threads inside SleepUntil. guarded by mu_
  std::multiset<MonoTime> deadlines_;

  int PendingSleepersLocked() const;  // REQUIRES: mu_ held
};

}  // namespace dbinsight::testing
