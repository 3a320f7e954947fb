#include "common/clock.h"

#include <condition_variable>
#include <mutex>

namespace dbinsight {

WallTime SystemClock::Now() const { return std::chrono::system_clock::now(); }
MonoTime SystemClock::Monotonic() const { return std::chrono::steady_clock::now(); }

bool SystemClock::SleepUntil(MonoTime deadline, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_until(lock, stop, deadline, [] { return false; });
  return !stop.stop_requested();
}

double ToEpochSeconds(WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

WallTime FromEpochSeconds(double s) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::duration<double>(s)));
}

int64_t ToEpochMillis(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace dbinsight
