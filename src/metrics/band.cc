// BandOver / TrainingStateOf: the model streamed over a statistic's periods.
#include "metrics/band.h"

#include <algorithm>

#include "anomaly/model.h"

namespace dbinsight::metrics {
namespace {

bool Excluded(int64_t t, std::span<const TimeRange> excluded) {
  return std::any_of(excluded.begin(), excluded.end(), [t](const TimeRange& r) { return t >= r.start && t < r.end; });
}

WallTime At(int64_t t) { return WallTime(std::chrono::seconds(t)); }

}  // namespace

int64_t TrainingStart(int64_t window_first, int period) {
  const int64_t periods = std::min<int64_t>(kBandHistory / period, kBandMaxTrainingPeriods);
  return window_first - periods * period;
}

BandSeries BandOver(const Series& series, int64_t window_first, double k, std::span<const TimeRange> excluded) {
  anomaly::Model model;
  BandSeries out;
  for (const auto& [t, v] : series) {
    const bool learn = !Excluded(t, excluded);
    // Update returns the prediction made before learning the point; an
    // excluded point is only predicted.
    const anomaly::Prediction p = learn ? model.Update(At(t), v) : model.Predict(At(t));
    if (t < window_first || !p.ready) continue;
    const anomaly::Band b = p.BandOf(k);
    out.lower.emplace(t, b.lower);
    out.upper.emplace(t, b.upper);
  }
  return out;
}

TrainingState TrainingStateOf(const Series& history, std::span<const TimeRange> excluded) {
  anomaly::Model model;
  int64_t last = 0;
  for (const auto& [t, v] : history) {
    if (Excluded(t, excluded)) continue;
    model.Update(At(t), v);
    last = t;
  }
  if (model.samples() == 0) return TrainingState::kPendingTraining;
  return model.Predict(At(last)).ready ? TrainingState::kTrained : TrainingState::kTrainedInsufficientData;
}

}  // namespace dbinsight::metrics
