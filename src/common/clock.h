// Clock: the only source of time (ARCHITECTURE notes C6). Production code gets
// a SystemClock from app/; tests pass testing::ManualClock. Implementations
// must be safe to call from any thread.
#pragma once

#include <chrono>
#include <stop_token>

namespace dbinsight {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time: sample timestamps and API output.
  virtual WallTime Now() const = 0;
  // Monotonic time: intervals, backoff, timeouts.
  virtual MonoTime Monotonic() const = 0;
  // Blocks until Monotonic() >= deadline or stop is requested. Returns false
  // when woken by stop.
  virtual bool SleepUntil(MonoTime deadline, std::stop_token stop) = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override;
  MonoTime Monotonic() const override;
  bool SleepUntil(MonoTime deadline, std::stop_token stop) override;
};

// Seconds since the Unix epoch, as a double (the AWS wire form).
double ToEpochSeconds(WallTime t);
WallTime FromEpochSeconds(double s);
int64_t ToEpochMillis(WallTime t);

}  // namespace dbinsight
