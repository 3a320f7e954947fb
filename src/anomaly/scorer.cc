// Scorer; see scorer.h and docs/anomaly.md.
#include "anomaly/scorer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "anomaly/codec.h"

namespace dbinsight::anomaly {

namespace {

constexpr std::string_view kMagic = "dbinsight-anomaly-scorer";
constexpr int64_t kFormatVersion = 1;
// A residual against a zero scale (a series that never moved) is infinite;
// capped so that the recent maximum stays finite and can decay again.
constexpr double kMaxStandardized = 1e9;

int64_t EpochSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Scorer::Scorer(const ScorerOptions& options) : options_(options), model_(options.model) {
  DBI_CHECK(options.Validate().ok());
}

Scored Scorer::Score(WallTime time, double value) {
  const Prediction p = model_.Update(time, value);
  if (!std::isfinite(value) || !p.ready) return {0, p};
  const int64_t t = EpochSeconds(time);
  const double z = std::min(p.Standardized(value), kMaxStandardized);
  // z relative to the recent maximum, floored at one scale so that a calm
  // stretch does not make ordinary noise look extreme.
  const double ratio = z / std::max(recent_max_, 1.0);
  const bool calibrated = calibration_samples_ >= options_.model.warmup_samples;
  const double dt = static_cast<double>(std::max<int64_t>(t - last_time_, 0));
  const double decay =
      calibration_samples_ == 0 ? 0 : std::exp2(-dt / static_cast<double>(options_.calibration_half_life.count()));
  const double limit = calibrated ? options_.calibration_growth * std::max(recent_max_, 1.0) : z;
  recent_max_ = std::max(recent_max_ * decay, std::min(z, limit));
  ++calibration_samples_;
  last_time_ = std::max(last_time_, t);
  return {calibrated ? ratio / (1 + ratio) : 0, p};
}

std::string Scorer::Serialize() const {
  std::string out;
  codec::PutWord(out, kMagic);
  codec::PutInt(out, kFormatVersion);
  codec::PutInt(out, options_.calibration_half_life.count());
  codec::PutDouble(out, options_.calibration_growth);
  codec::PutInt(out, calibration_samples_);
  codec::PutInt(out, last_time_);
  codec::PutDouble(out, recent_max_);
  out += model_.Serialize();
  return out;
}

Result<Scorer> Scorer::Deserialize(std::string_view text) {
  DBI_RETURN_IF_ERROR(codec::ExpectWord(text, kMagic));
  int64_t version = 0;
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "format version", version));
  if (version != kFormatVersion) {
    return Status::InvalidArgument("anomaly state: unsupported scorer format version " + std::to_string(version));
  }
  ScorerOptions o;
  int64_t half_life = 0;
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "calibration_half_life", half_life));
  o.calibration_half_life = std::chrono::seconds(half_life);
  DBI_RETURN_IF_ERROR(codec::TakeDouble(text, "calibration_growth", o.calibration_growth));
  int64_t samples = 0, last_time = 0;
  double recent_max = 0;
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "calibration samples", samples));
  DBI_RETURN_IF_ERROR(codec::TakeInt(text, "last time", last_time));
  DBI_RETURN_IF_ERROR(codec::TakeDouble(text, "recent max", recent_max));
  Result<Model> model = Model::Deserialize(text);
  if (!model.ok()) return model.status();
  o.model = model->options();
  DBI_RETURN_IF_ERROR(o.Validate());
  Scorer s(o);
  s.model_ = std::move(model).value();
  s.calibration_samples_ = samples;
  s.last_time_ = last_time;
  s.recent_max_ = recent_max;
  return s;
}

}  // namespace dbinsight::anomaly
