// Model: the robust seasonal model of one metric statistic (one
// ANOMALY_DETECTION_BAND). It learns, online and in O(1) per sample, a level
// with a slow trend, a daily and a weekly profile and the scale of its
// one-step errors; Predict(t) gives the expected value and that scale, and
// Band(t, k) = expected +- k x scale. Outliers and past anomalies are
// clipped before they update anything (Huber-type), so they widen the band
// little; a run of them on one side is a level shift, flagged first and
// then learned within a few more samples.
// The seasonal terms are used only while they predict better than the
// plain level, so noise does not turn into a profile. docs/anomaly.md.
//
// Time is data: every call takes the sample's timestamp; nothing reads a
// clock. Fit(history) is exactly streaming Update over the same points, so a
// model fitted at alarm start and one updated sample by sample agree.
// Value type (about 1.6 KB of profiles); not thread-safe to mutate
// concurrently, const methods may run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "anomaly/options.h"
#include "anomaly/seasonal_profile.h"
#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::anomaly {

struct Point {
  WallTime time;
  double value = 0;
};

struct Band {
  double lower = 0;
  double upper = 0;
};

struct Prediction {
  double expected = 0;
  // Robust standard deviation of the one-step error, in the series' units
  // (> 0 once ready).
  double scale = 0;
  // false during warm-up (fewer than warmup_samples seen): the scale is not
  // yet trustworthy and callers should not alarm.
  bool ready = false;

  Band BandOf(double k) const { return {expected - k * scale, expected + k * scale}; }
  // |value - expected| in scales; 0 when not ready.
  double Standardized(double value) const;
};

class Model {
 public:
  // REQUIRES: options.Validate().ok().
  explicit Model(const ModelOptions& options = {});

  // A model that has seen `history` in order (Update on each point).
  // InvalidArgument when the options are invalid.
  static Result<Model> Fit(std::span<const Point> history, const ModelOptions& options = {});

  // What the model expects at t given everything seen so far. Before any
  // sample: expected 0, not ready.
  Prediction Predict(WallTime t) const;
  Band BandAt(WallTime t, double k) const { return Predict(t).BandOf(k); }

  // Learns one sample and returns the prediction made for it just before
  // (Predict(t) from the previous state), so a scorer needs one call.
  // Samples should come in time order; duplicate or backward timestamps are
  // learned as if they came at the latest time seen, and a non-finite value
  // is ignored (the returned prediction is still valid).
  Prediction Update(WallTime t, double value);

  int64_t samples() const { return samples_; }
  const ModelOptions& options() const { return options_; }

  // Complete state including options, as one line of text. Deserialize
  // gives a model whose every prediction is bit-identical.
  std::string Serialize() const;
  static Result<Model> Deserialize(std::string_view text);

 private:
  // Candidate predictors, simplest first: level+trend, + daily, + weekly.
  static constexpr int kCandidates = 3;
  struct Terms {
    std::array<double, kCandidates> value;
    int chosen;  // the candidate Predict reports
  };
  Terms Evaluate(int64_t t) const;
  double ScaleOf(int candidate) const;
  // Smoothing weight of one sample `dt` seconds after the previous one for
  // a half-life in seconds, where this is the count-th sample averaged; the
  // 1/count floor makes the first samples an ordinary mean instead of
  // over-weighting the very first one.
  static double Weight(double dt, double half_life, int64_t count);

  ModelOptions options_;
  int64_t samples_ = 0;
  int64_t last_time_ = 0;  // epoch seconds of the latest sample
  double last_step_ = 0;   // seconds, the latest positive (capped) step
  // Consecutive residuals beyond the clip: +n above, -n below the expected.
  int64_t run_ = 0;
  double level_ = 0;
  double trend_ = 0;  // per second
  SeasonalProfile daily_;
  SeasonalProfile weekly_;
  // Mean clipped absolute one-step error of each candidate.
  std::array<double, kCandidates> error_{};
  // Mean |value|, for the scale's lower bound.
  double magnitude_ = 0;
};

}  // namespace dbinsight::anomaly
