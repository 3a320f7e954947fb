// SeasonalProfile; see seasonal_profile.h.
#include "anomaly/seasonal_profile.h"

#include <fmt/format.h>

#include <cmath>

#include "anomaly/codec.h"

namespace dbinsight::anomaly {

SeasonalProfile::SeasonalProfile(int buckets, int64_t bucket_seconds)
    : offsets_(static_cast<size_t>(buckets), 0.0), bucket_seconds_(bucket_seconds) {
  DBI_CHECK(buckets > 0 && bucket_seconds > 0);
}

SeasonalProfile::Position SeasonalProfile::Locate(int64_t t) const {
  const int64_t n = static_cast<int64_t>(offsets_.size());
  const int64_t period = n * bucket_seconds_;
  const int64_t phase = ((t % period) + period) % period;  // also for t < 0
  // Bucket i's centre is at (i + 0.5) buckets; between centres the offset is
  // interpolated, wrapping from the last bucket to the first.
  const double pos = static_cast<double>(phase) / static_cast<double>(bucket_seconds_) - 0.5;
  const double floor = std::floor(pos);
  const int64_t lower = (static_cast<int64_t>(floor) + n) % n;
  return {static_cast<int>(lower), static_cast<int>((lower + 1) % n), pos - floor};
}

double SeasonalProfile::At(int64_t t) const {
  const Position p = Locate(t);
  const double mean = sum_ / static_cast<double>(offsets_.size());
  return (1 - p.upper_weight) * offsets_[p.lower] + p.upper_weight * offsets_[p.upper] - mean;
}

void SeasonalProfile::Add(int64_t t, double delta) {
  const Position p = Locate(t);
  offsets_[p.lower] += (1 - p.upper_weight) * delta;
  offsets_[p.upper] += p.upper_weight * delta;
  sum_ += delta;
}

void SeasonalProfile::Encode(std::string& out) const {
  codec::PutInt(out, static_cast<int64_t>(offsets_.size()));
  codec::PutDouble(out, sum_);
  for (double v : offsets_) codec::PutDouble(out, v);
}

Status SeasonalProfile::Decode(std::string_view& in) {
  int64_t n = 0;
  DBI_RETURN_IF_ERROR(codec::TakeInt(in, "profile size", n));
  if (n != static_cast<int64_t>(offsets_.size())) {
    return Status::InvalidArgument(
        fmt::format("anomaly state: profile has {} buckets, options say {}", n, offsets_.size()));
  }
  DBI_RETURN_IF_ERROR(codec::TakeDouble(in, "profile sum", sum_));
  for (double& v : offsets_) DBI_RETURN_IF_ERROR(codec::TakeDouble(in, "profile offset", v));
  return Status::Ok();
}

}  // namespace dbinsight::anomaly
