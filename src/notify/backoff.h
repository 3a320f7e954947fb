// The retry schedule of a failing delivery (RetryOptions: exponential backoff
// with equal jitter). A pure function: the caller supplies the randomness, so
// tests pin the schedule. Thread-safe.
#pragma once

#include <chrono>

#include "notify/options.h"

namespace dbinsight::notify {

// How long to wait after the failed_attempts-th failed attempt:
// d/2 + unit_random·d/2, d = min(max_delay, base_delay·2^(failed_attempts-1)).
// REQUIRES: failed_attempts >= 1; unit_random in [0, 1).
std::chrono::milliseconds BackoffDelay(int failed_attempts, const RetryOptions& options, double unit_random);

}  // namespace dbinsight::notify
