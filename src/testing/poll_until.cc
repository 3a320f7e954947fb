#include "testing/poll_until.h"

#include <algorithm>

namespace dbinsight::testing {

bool PollUntil(Clock& clock, std::chrono::milliseconds timeout, const std::function<bool()>& done,
               std::chrono::milliseconds every) {
  const MonoTime deadline = clock.Monotonic() + timeout;
  for (;;) {
    if (done()) return true;
    const MonoTime now = clock.Monotonic();
    if (now >= deadline) return false;
    clock.SleepUntil(std::min(now + every, deadline), std::stop_token());
  }
}

}  // namespace dbinsight::testing
