// Options of the anomaly detector (docs/anomaly.md): how fast the seasonal
// model learns and how residuals become a 0..1 score. Defaults live here and
// only here; they were chosen on the NAB DEV set once, for every series alike
// (no per-series tuning). Plain values; copy freely.
#pragma once

#include <chrono>

#include "common/status.h"

namespace dbinsight::anomaly {

// Time constants are durations, not sample counts, so one configuration
// behaves the same on 1-minute and 5-minute series.
struct ModelOptions {
  // Width of one seasonal bucket; the daily profile has 86400 s / bucket
  // buckets and the weekly one 7x that. Default: 1 h (24 + 168 buckets):
  // fine enough for office-hours shapes, coarse enough that every bucket is
  // visited by many samples per cycle. Must divide one day.
  std::chrono::seconds bucket{3600};
  // Half-life of the level (the deseasonalized mean). Default: 30 min: the
  // level follows real changes within the hour, while a single spike moves
  // it by at most clip scales x ~10%.
  std::chrono::seconds level_half_life{1800};
  // Half-life of the trend (slope of the level). Default: 2 days: only slow,
  // persistent drifts become trend, never an hour-long ramp.
  std::chrono::seconds trend_half_life{2 * 86400};
  // Half-life of each seasonal bucket, in cycles (days for the daily
  // profile, weeks for the weekly one). Default: 2: a new daily shape is
  // learned within a few days; a one-off bad day moves it by ~1/3.
  double season_half_life_cycles = 2.0;
  // Half-life of the residual scale and of the per-candidate errors that
  // choose between plain, daily and daily+weekly prediction. Default: 3
  // days: long enough that a burst of noise widens the band only slowly.
  std::chrono::seconds scale_half_life{3 * 86400};
  // Residuals are clipped at this many scales before they update the model
  // (a Huber-type update), so outliers and past anomalies move the level,
  // the profiles and the scale only a little. Default: 2.5.
  double clip = 2.5;
  // After this many consecutive residuals beyond the clip on the same side,
  // the level's clip doubles with each further one: isolated outliers stay
  // clipped, a real level shift is learned within a few more samples.
  // Default: 3.
  int shift_samples = 3;
  // A candidate with more seasonal terms is used only when its error is
  // below (1 - this) times the simpler one's, so noise does not become a
  // seasonal profile. Default: 0.05.
  double season_margin = 0.05;
  // Samples before the scale is trusted: predictions before this many
  // updates report ready() == false. Default: 12 (an hour at 5 minutes).
  int warmup_samples = 12;
  // Gaps longer than this count as this long when decaying the state, so
  // an outage does not make the model forget everything. Default: 1 h.
  std::chrono::seconds max_step{3600};
  // Lower bound of the scale relative to the level's magnitude, so a
  // perfectly flat series does not call a tiny wobble infinitely
  // surprising. Default: 0.001 (0.1%).
  double min_relative_scale = 1e-3;

  // InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
};

// How one-step residuals become a 0..1 anomaly score (scorer.h).
struct ScorerOptions {
  ModelOptions model;
  // The score compares a residual with the largest residual of the recent
  // past (in scales), which decays with this half-life: a series whose
  // normal life includes daily spikes keeps scoring them low, a calm one
  // scores its first spike high. Default: 3 days.
  std::chrono::seconds calibration_half_life{3 * 86400};
  // That recent maximum grows by at most this factor per sample, so one
  // anomaly cannot mask the next for days, while the samples right after
  // a detection (the same event) score lower. Default: 2.
  double calibration_growth = 2.0;

  Status Validate() const;
};

}  // namespace dbinsight::anomaly
