// Validation of the detector options; see options.h.
#include "anomaly/options.h"

#include <fmt/format.h>

namespace dbinsight::anomaly {

namespace {

Status Positive(std::chrono::seconds s, std::string_view name) {
  if (s.count() <= 0) return Status::InvalidArgument(fmt::format("anomaly option {} must be positive", name));
  return Status::Ok();
}

}  // namespace

Status ModelOptions::Validate() const {
  DBI_RETURN_IF_ERROR(Positive(bucket, "bucket"));
  if (86400 % bucket.count() != 0) return Status::InvalidArgument("anomaly option bucket must divide one day");
  DBI_RETURN_IF_ERROR(Positive(level_half_life, "level_half_life"));
  DBI_RETURN_IF_ERROR(Positive(trend_half_life, "trend_half_life"));
  DBI_RETURN_IF_ERROR(Positive(scale_half_life, "scale_half_life"));
  DBI_RETURN_IF_ERROR(Positive(max_step, "max_step"));
  if (!(season_half_life_cycles > 0))
    return Status::InvalidArgument("anomaly option season_half_life_cycles must be positive");
  if (!(clip > 0)) return Status::InvalidArgument("anomaly option clip must be positive");
  if (!(season_margin >= 0 && season_margin < 1))
    return Status::InvalidArgument("anomaly option season_margin must be in [0, 1)");
  if (shift_samples < 1) return Status::InvalidArgument("anomaly option shift_samples must be at least 1");
  if (warmup_samples < 1) return Status::InvalidArgument("anomaly option warmup_samples must be at least 1");
  if (!(min_relative_scale >= 0)) return Status::InvalidArgument("anomaly option min_relative_scale must be >= 0");
  return Status::Ok();
}

Status ScorerOptions::Validate() const {
  DBI_RETURN_IF_ERROR(model.Validate());
  DBI_RETURN_IF_ERROR(Positive(calibration_half_life, "calibration_half_life"));
  if (!(calibration_growth > 1)) return Status::InvalidArgument("anomaly option calibration_growth must be > 1");
  return Status::Ok();
}

}  // namespace dbinsight::anomaly
