#include "notify/backoff.h"

#include <algorithm>

#include "common/check.h"

namespace dbinsight::notify {

std::chrono::milliseconds BackoffDelay(int failed_attempts, const RetryOptions& options, double unit_random) {
  DBI_CHECK(failed_attempts >= 1);
  const int64_t max = options.max_delay.count();
  int64_t d = options.base_delay.count();
  // Doubling stops at the cap, so large attempt counts cannot overflow.
  for (int i = 1; i < failed_attempts && d < max; ++i) d *= 2;
  d = std::min(d, max);
  const double jitter = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(d / 2 + static_cast<int64_t>(jitter * static_cast<double>(d - d / 2)));
}

}  // namespace dbinsight::notify
