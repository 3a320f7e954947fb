// ANOMALY_DETECTION_BAND over one metric statistic: the anomaly model
// (anomaly/model.h) streamed over the statistic's periods. Points before the
// requested window train it; each point inside the window is predicted
// BEFORE it is learned, so a band never looks ahead and a spike does not
// widen its own band. Training reads at most kBandHistory (CloudWatch trains
// on up to two weeks) and at most kBandMaxTrainingPeriods periods, so a band
// costs O(20k) model updates whatever the period (docs/anomaly.md).
// Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "metrics/expression.h"

namespace dbinsight::metrics {

// [start, end) in epoch seconds: periods starting inside are not learned
// (a detector's Configuration.ExcludedTimeRanges).
struct TimeRange {
  int64_t start = 0;
  int64_t end = 0;
};

inline constexpr int64_t kBandHistory = 14 * 86400;
inline constexpr int64_t kBandMaxTrainingPeriods = 14 * 1440;  // two weeks at 60 s

// Where training starts for a window whose first period starts at
// `window_first`: a whole number of periods earlier, so the training periods
// and the window's share one grid.
int64_t TrainingStart(int64_t window_first, int period);

struct BandSeries {
  Series lower;
  Series upper;
};

// The band of width k (standard deviations) at each point of `series` at or
// after window_first, predicted from the points before it; points the model
// is still warming up on get no band.
BandSeries BandOver(const Series& series, int64_t window_first, double k, std::span<const TimeRange> excluded);

// DescribeAnomalyDetectors' StateValue. Persisted nowhere; numbers are not data.
enum class TrainingState { kPendingTraining, kTrainedInsufficientData, kTrained };
// kPendingTraining without a learnable point, kTrained once the model is
// ready (past its warm-up), else kTrainedInsufficientData.
TrainingState TrainingStateOf(const Series& history, std::span<const TimeRange> excluded);

}  // namespace dbinsight::metrics
