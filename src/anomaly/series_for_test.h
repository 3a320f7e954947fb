// Synthetic series for the anomaly tests: seeded Gaussian noise (own
// Box-Muller over mt19937_64, whose output the standard fixes, so every
// platform sees the same numbers) and epoch helpers. Test-only; header-only.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

#include "common/clock.h"

namespace dbinsight::anomaly::testing {

class Noise {
 public:
  explicit Noise(uint64_t seed) : rng_(seed) {}
  // Standard normal.
  double Next() {
    const double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  double Uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
  std::mt19937_64 rng_;
};

// 2024-01-01 00:00:00 UTC, a Monday.
constexpr int64_t kStart = 1704067200;

inline WallTime At(int64_t epoch_seconds) { return WallTime(std::chrono::seconds(epoch_seconds)); }

// 100 + 20 sin(2 pi time-of-day) with N(0, 2) noise: a daily-seasonal metric.
inline double Daily(int64_t t, Noise& noise) {
  return 100 + 20 * std::sin(2 * std::numbers::pi * static_cast<double>(t % 86400) / 86400) + 2 * noise.Next();
}

}  // namespace dbinsight::anomaly::testing
