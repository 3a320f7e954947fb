// BandOver / TrainingStateOf on synthetic minute series: the band holds the
// normal points and not a spike, never looks ahead, and skips excluded ranges.
#include "metrics/band.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dbinsight::metrics {
namespace {

constexpr int64_t kT0 = 1704067200;  // 2024-01-01 00:00 UTC

// Two days of a daily-seasonal metric with a deterministic wobble, per minute.
Series Daily(int64_t from, int64_t to) {
  Series s;
  for (int64_t t = from; t < to; t += 60)
    s.emplace(t, 100 + 20 * std::sin(2 * M_PI * static_cast<double>(t % 86400) / 86400) +
                     static_cast<double>((t / 60 * 7919) % 7) - 3);
  return s;
}

TEST(BandTest, HoldsNormalPointsExcludesASpikeAndNeverLooksAhead) {
  const int64_t window = kT0 + 2 * 86400;
  Series series = Daily(kT0, window + 3600);
  const int64_t spike = window + 1800;
  series[spike] = 400;
  const BandSeries band = BandOver(series, window, 3, {});
  ASSERT_EQ(band.lower.size(), 60u);
  EXPECT_EQ(band.lower.begin()->first, window);
  for (const auto& [t, v] : band.lower) {
    if (t == spike) continue;
    EXPECT_LT(v, series.at(t)) << t;
    EXPECT_GT(band.upper.at(t), series.at(t)) << t;
  }
  EXPECT_LT(band.upper.at(spike), 400);
  EXPECT_LT(band.upper.at(spike + 60), 160);  // one spike barely widens the band

  // No look-ahead: the band up to a point is the same without later points.
  Series prefix(series.begin(), series.find(spike));
  const BandSeries early = BandOver(prefix, window, 3, {});
  for (const auto& [t, v] : early.upper) EXPECT_EQ(v, band.upper.at(t)) << t;
  // k scales the width around the same expectation.
  const BandSeries wide = BandOver(series, window, 6, {});
  const double mid = (band.upper.at(window) + band.lower.at(window)) / 2;
  EXPECT_NEAR((wide.upper.at(window) + wide.lower.at(window)) / 2, mid, 1e-9);
  EXPECT_NEAR(wide.upper.at(window) - mid, 2 * (band.upper.at(window) - mid), 1e-9);
}

TEST(BandTest, ExcludedRangesAreNotLearned) {
  const int64_t window = kT0 + 86400;
  Series series = Daily(kT0, window + 600);
  // An outage-like plateau in the history, excluded from training.
  for (int64_t t = kT0 + 43200; t < kT0 + 50400; t += 60) series[t] = 1000;
  const TimeRange outage[] = {{kT0 + 43200, kT0 + 50400}};
  const BandSeries clean = BandOver(series, window, 2, outage);
  const BandSeries dirty = BandOver(series, window, 2, {});
  EXPECT_LT(clean.upper.at(window) - clean.lower.at(window), dirty.upper.at(window) - dirty.lower.at(window));
  EXPECT_GT(clean.upper.at(window), series.at(window));
  EXPECT_LT(clean.lower.at(window), series.at(window));
}

TEST(BandTest, TrainingStateAndTrainingStart) {
  EXPECT_EQ(TrainingStateOf({}, {}), TrainingState::kPendingTraining);
  EXPECT_EQ(TrainingStateOf(Daily(kT0, kT0 + 600), {}), TrainingState::kTrainedInsufficientData);
  EXPECT_EQ(TrainingStateOf(Daily(kT0, kT0 + 3600), {}), TrainingState::kTrained);
  // Two weeks back at 60 s and 300 s; 1 s periods are capped at 20160 periods.
  EXPECT_EQ(TrainingStart(kT0, 60), kT0 - 14 * 86400);
  EXPECT_EQ(TrainingStart(kT0, 300), kT0 - 14 * 86400);
  EXPECT_EQ(TrainingStart(kT0, 1), kT0 - 20160);
}

}  // namespace
}  // namespace dbinsight::metrics
