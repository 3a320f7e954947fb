// PollUntil: waits for a condition with a deadline, re-checking it every few
// milliseconds: how integration tests wait for a real server, never with a
// fixed sleep. Stateless; safe from any thread.
#pragma once

#include <chrono>
#include <functional>

#include "common/clock.h"

namespace dbinsight::testing {

// Returns true as soon as done() is true; false if still false at
// clock.Monotonic() >= start + timeout. done() is called at least once.
bool PollUntil(Clock& clock, std::chrono::milliseconds timeout, const std::function<bool()>& done,
               std::chrono::milliseconds every = std::chrono::milliseconds(20));

}  // namespace dbinsight::testing
