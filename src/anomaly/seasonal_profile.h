// SeasonalProfile: the learned mean offset of a series at each position of a
// cycle (a day or a week), in fixed-width buckets with linear interpolation
// between bucket centres so the profile has no steps. Offsets are kept
// mean-free (the level holds the mean). Bounded memory: one double per bucket.
// Plain value type; not thread-safe to mutate concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::anomaly {

class SeasonalProfile {
 public:
  // REQUIRES: buckets > 0, bucket_seconds > 0.
  SeasonalProfile(int buckets, int64_t bucket_seconds);

  // Offset at epoch second t.
  double At(int64_t t) const;
  // Moves the offset at t by `delta` (spread over the two nearest bucket
  // centres by their interpolation weights).
  void Add(int64_t t, double delta);

  int buckets() const { return static_cast<int>(offsets_.size()); }

  // Appends the offsets to `out` as text tokens; Decode reads them back
  // exactly (bit-identical doubles).
  void Encode(std::string& out) const;
  Status Decode(std::string_view& in);

 private:
  struct Position {
    int lower;
    int upper;
    double upper_weight;
  };
  Position Locate(int64_t t) const;

  std::vector<double> offsets_;
  int64_t bucket_seconds_;
  // Sum of offsets_: At() subtracts the mean, so adding to one bucket never
  // shifts the series' overall level (O(1) instead of renormalizing).
  double sum_ = 0;
};

}  // namespace dbinsight::anomaly
