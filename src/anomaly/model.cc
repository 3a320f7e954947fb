// Model; see model.h and docs/anomaly.md for the update equations.
#include "anomaly/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "anomaly/codec.h"

namespace dbinsight::anomaly {

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kWeek = 7 * kDay;
// Mean absolute deviation -> standard deviation for Gaussian noise, so a
// band of k scales means "k sigmas" on well-behaved data.
constexpr double kMeanAbsToSigma = 1.2533141373155;
constexpr std::string_view kMagic = "dbinsight-anomaly-model";
constexpr int64_t kFormatVersion = 1;

int64_t EpochSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

double Seconds(std::chrono::seconds s) { return static_cast<double>(s.count()); }

double Clamp(double v, double limit) { return std::clamp(v, -limit, limit); }

}  // namespace

double Prediction::Standardized(double value) const {
  if (!ready) return 0;
  const double deviation = std::abs(value - expected);
  if (scale > 0) return deviation / scale;
  return deviation == 0 ? 0 : HUGE_VAL;
}

Model::Model(const ModelOptions& options)
    : options_(options),
      daily_(static_cast<int>(kDay / options.bucket.count()), options.bucket.count()),
      weekly_(static_cast<int>(kWeek / options.bucket.count()), options.bucket.count()) {
  DBI_CHECK(options.Validate().ok());
}

Result<Model> Model::Fit(std::span<const Point> history, const ModelOptions& options) {
  DBI_RETURN_IF_ERROR(options.Validate());
  Model model(options);
  for (const Point& p : history) model.Update(p.time, p.value);
  return model;
}

double Model::Weight(double dt, double half_life, int64_t count) {
  return std::max(1 - std::exp2(-dt / half_life), 1.0 / static_cast<double>(count));
}

double Model::ScaleOf(int candidate) const {
  return std::max(kMeanAbsToSigma * error_[candidate], options_.min_relative_scale * magnitude_);
}

Model::Terms Model::Evaluate(int64_t t) const {
  const double horizon = static_cast<double>(std::max<int64_t>(t - last_time_, 0));
  Terms terms;
  terms.value[0] = level_ + trend_ * horizon;
  terms.value[1] = terms.value[0] + daily_.At(t);
  terms.value[2] = terms.value[1] + weekly_.At(t);
  // A seasonal term must earn its place by a clear margin over the simpler
  // candidate, otherwise fitted noise would be added to every prediction.
  terms.chosen = 0;
  for (int c = 1; c < kCandidates; ++c) {
    if (error_[c] < (1 - options_.season_margin) * error_[terms.chosen]) terms.chosen = c;
  }
  return terms;
}

Prediction Model::Predict(WallTime time) const {
  if (samples_ == 0) return {};
  const Terms terms = Evaluate(EpochSeconds(time));
  return {terms.value[terms.chosen], ScaleOf(terms.chosen), samples_ >= options_.warmup_samples};
}

Prediction Model::Update(WallTime time, double value) {
  const Prediction before = Predict(time);
  if (!std::isfinite(value)) return before;
  const int64_t t = EpochSeconds(time);
  if (samples_ == 0) {
    samples_ = 1;
    last_time_ = t;
    level_ = value;
    magnitude_ = std::abs(value);
    return before;
  }
  const Terms terms = Evaluate(t);
  // Decay by elapsed time; a duplicate or backward timestamp counts as one
  // more sample at the usual step, a long gap as at most max_step.
  const int64_t raw_step = t - last_time_;
  if (raw_step > 0) last_step_ = std::min(static_cast<double>(raw_step), Seconds(options_.max_step));
  const double dt = last_step_;
  // Until the scale is known nothing is clipped (the limit would be noise).
  const bool clip = samples_ >= options_.warmup_samples;
  auto psi = [&](int candidate) {
    const double error = value - terms.value[candidate];
    return clip ? Clamp(error, options_.clip * ScaleOf(candidate)) : error;
  };
  ++samples_;

  // Level and trend follow the candidate in use (Holt's error-correction
  // form); each profile learns what the terms before it miss, so the daily
  // profile holds the average day and the weekly one only how weekdays differ.
  // A run of residuals beyond the clip on one side is a level shift, not
  // outliers: past shift_samples of them the level's clip doubles per sample.
  const double level_raw = value - terms.value[terms.chosen];
  const double level_limit = options_.clip * ScaleOf(terms.chosen);
  const int sign = level_raw > level_limit ? 1 : level_raw < -level_limit ? -1 : 0;
  run_ = sign == 0 ? 0 : (run_ * sign > 0 ? run_ + sign : sign);
  const int64_t beyond = std::abs(run_) - options_.shift_samples;
  const double level_error =
      !clip ? level_raw
            : Clamp(level_raw, level_limit * std::exp2(static_cast<double>(std::clamp<int64_t>(beyond, 0, 60))));
  const double a_level = Weight(dt, Seconds(options_.level_half_life), samples_);
  level_ = terms.value[0] + a_level * level_error;
  if (dt > 0) {
    const double a_trend = 1 - std::exp2(-dt / Seconds(options_.trend_half_life));
    trend_ += a_level * a_trend * level_error / dt;
  }
  // Per sample, so that each bucket's half-life is season_half_life_cycles
  // visits of bucket-width worth of samples.
  const double a_season =
      (1 - a_level) * (1 - std::exp2(-dt / (options_.season_half_life_cycles * Seconds(options_.bucket))));
  daily_.Add(t, a_season * psi(1));
  weekly_.Add(t, a_season * psi(2));

  // The errors have one sample fewer than the magnitude (none for the first).
  const double scale_half_life = Seconds(options_.scale_half_life);
  const double a_error = Weight(dt, scale_half_life, samples_ - 1);
  for (int c = 0; c < kCandidates; ++c) error_[c] += a_error * (std::abs(psi(c)) - error_[c]);
  magnitude_ += Weight(dt, scale_half_life, samples_) * (std::abs(value) - magnitude_);
  last_time_ = std::max(last_time_, t);
  return before;
}

std::string Model::Serialize() const {
  std::string out;
  codec::PutWord(out, kMagic);
  codec::PutInt(out, kFormatVersion);
  const ModelOptions& o = options_;
  for (std::chrono::seconds s : {o.bucket, o.level_half_life, o.trend_half_life, o.scale_half_life, o.max_step}) {
    codec::PutInt(out, s.count());
  }
  for (double d : {o.season_half_life_cycles, o.clip, o.season_margin, o.min_relative_scale}) codec::PutDouble(out, d);
  codec::PutInt(out, o.warmup_samples);
  codec::PutInt(out, o.shift_samples);
  codec::PutInt(out, samples_);
  codec::PutInt(out, last_time_);
  codec::PutInt(out, run_);
  for (double d : {last_step_, level_, trend_, magnitude_}) codec::PutDouble(out, d);
  for (double d : error_) codec::PutDouble(out, d);
  daily_.Encode(out);
  weekly_.Encode(out);
  out.pop_back();  // trailing separator
  return out;
}

Result<Model> Model::Deserialize(std::string_view text) {
  DBI_RETURN_IF_ERROR(codec::ExpectWord(text, kMagic));
  int64_t version = 0;
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "format version", version));
  if (version != kFormatVersion) {
    return Status::InvalidArgument("anomaly state: unsupported model format version " + std::to_string(version));
  }
  ModelOptions o;
  for (std::chrono::seconds* s : {&o.bucket, &o.level_half_life, &o.trend_half_life, &o.scale_half_life, &o.max_step}) {
    int64_t v = 0;
    DBI_RETURN_IF_ERROR(codec::TakeInt(text, "duration option", v));
    *s = std::chrono::seconds(v);
  }
  for (double* d : {&o.season_half_life_cycles, &o.clip, &o.season_margin, &o.min_relative_scale}) {
    DBI_RETURN_IF_ERROR(codec::TakeDouble(text, "option", *d));
  }
  int64_t warmup = 0;
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "warmup_samples", warmup));
  o.warmup_samples = static_cast<int>(warmup);
  int64_t shift = 0;
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "shift_samples", shift));
  o.shift_samples = static_cast<int>(shift);
  DBI_RETURN_IF_ERROR(o.Validate());
  Model m(o);
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "samples", m.samples_));
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "last time", m.last_time_));
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "run", m.run_));
  for (double* d : {&m.last_step_, &m.level_, &m.trend_, &m.magnitude_}) {
    DBI_RETURN_IF_ERROR(codec::TakeDouble(text, "state", *d));
  }
  for (double& d : m.error_) DBI_RETURN_IF_ERROR(codec::TakeDouble(text, "error", d));
  DBI_RETURN_IF_ERROR(m.daily_.Decode(text));
  DBI_RETURN_IF_ERROR(m.weekly_.Decode(text));
  DBI_RETURN_IF_ERROR(codec::ExpectEnd(text));
  return m;
}

}  // namespace dbinsight::anomaly
