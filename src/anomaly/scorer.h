// Scorer: the streaming anomaly score of one series. Each Score(t, value)
// first asks the Model what it expected at t (from earlier samples only: no
// look-ahead), standardizes the residual, compares it with the largest
// residual of the recent past (so each series is judged against its own
// normal roughness) and maps that to [0, 1]; only then does it learn the
// sample. This is what `dbinsight anomaly score` runs over a CSV
// (docs/anomaly.md). Value type; not thread-safe to mutate concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "anomaly/model.h"
#include "anomaly/options.h"
#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::anomaly {

struct Scored {
  // 0 = as expected; 0.5 = as far out as the worst of the recent past;
  // -> 1 = far beyond it. 0 while warming up and for non-finite values.
  double score = 0;
  // What the model expected for this sample before learning it.
  Prediction prediction;
};

class Scorer {
 public:
  // REQUIRES: options.Validate().ok().
  explicit Scorer(const ScorerOptions& options = {});

  // Scores one sample from earlier samples only, then learns it.
  Scored Score(WallTime t, double value);

  const Model& model() const { return model_; }

  // Complete state (options and model) as one line of text; Deserialize
  // gives a scorer whose every later score is bit-identical.
  std::string Serialize() const;
  static Result<Scorer> Deserialize(std::string_view text);

 private:
  ScorerOptions options_;
  Model model_;
  // Standardized residuals seen while the model was ready; the first
  // warmup_samples of them only calibrate and score 0.
  int64_t calibration_samples_ = 0;
  int64_t last_time_ = 0;  // epoch seconds of the latest ready sample
  // Decaying maximum of recent standardized residuals.
  double recent_max_ = 0;
};

}  // namespace dbinsight::anomaly
