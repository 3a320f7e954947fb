// Rollup tiers shared by the DB-load store and the metric store
// (docs/store-format.md), and the period arithmetic both use. Constants and
// pure functions only: thread-safe.
#pragma once

#include <array>
#include <cstdint>

namespace dbinsight::store {

// Rollup tiers in seconds, finest first. 1 is the per-second tier.
inline constexpr std::array<int, 5> kTiers = {1, 60, 300, 3600, 86400};

// Start of the step-second period holding t (also for negative t).
constexpr int64_t FloorTo(int64_t t, int64_t step) { return t - ((t % step) + step) % step; }

}  // namespace dbinsight::store
