// Unit tests of the seasonal model: band coverage, spikes, level shifts,
// robustness to outliers, weekly seasonality, serialization, determinism.
#include "anomaly/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "anomaly/series_for_test.h"

namespace dbinsight::anomaly {
namespace {

using testing::At;
using testing::Daily;
using testing::kStart;
using testing::Noise;

constexpr int64_t kStep = 300;  // 5 minutes
constexpr int64_t kDay = 86400;

TEST(ModelTest, DailySeasonalBandHoldsNormalPointsAndFlagsSpike) {
  Noise noise(1);
  Model model;
  int64_t t = kStart;
  for (; t < kStart + 10 * kDay; t += kStep) model.Update(At(t), Daily(t, noise));
  int inside = 0, total = 0;
  double max_scale = 0;
  for (; t < kStart + 14 * kDay; t += kStep) {
    const double v = Daily(t, noise);
    const Band band = model.BandAt(At(t), 3);
    inside += v >= band.lower && v <= band.upper;
    ++total;
    max_scale = std::max(max_scale, model.Predict(At(t)).scale);
    model.Update(At(t), v);
  }
  EXPECT_GE(inside, total * 99 / 100);
  // The band follows the daily shape instead of covering its 40-unit swing.
  EXPECT_LT(max_scale, 4.0);
  const Prediction p = model.Update(At(t), Daily(t, noise) + 30);  // a 15-sigma spike
  EXPECT_TRUE(p.ready);
  EXPECT_GT(p.Standardized(Daily(t, noise) + 30), 6.0);
}

TEST(ModelTest, LevelShiftIsFlaggedThenLearned) {
  Noise noise(2);
  Model model;
  int64_t t = kStart;
  for (; t < kStart + 3 * kDay; t += kStep) model.Update(At(t), 50 + noise.Next());
  const Prediction first = model.Update(At(t), 70 + noise.Next());
  EXPECT_GT(first.Standardized(70), 10.0);
  t += kStep;
  for (const int64_t end = t + 3 * 3600; t < end; t += kStep) model.Update(At(t), 70 + noise.Next());
  int inside = 0;
  for (int i = 0; i < 24; ++i, t += kStep) {
    const double v = 70 + noise.Next();
    inside += model.Update(At(t), v).Standardized(v) < 3;
  }
  EXPECT_GE(inside, 23);
}

// Scale after five days of N(0, 1) noise, with `outlier_every`-th sample
// replaced by a +50 outlier (0: none).
double ScaleAfterNoise(int outlier_every) {
  Noise noise(3);
  Model model;
  int64_t t = kStart;
  for (int i = 0; t < kStart + 5 * kDay; t += kStep, ++i) {
    const double v = 10 + noise.Next();
    model.Update(At(t), outlier_every > 0 && i % outlier_every == 0 ? v + 50 : v);
  }
  return model.Predict(At(t)).scale;
}

TEST(ModelTest, OutliersInHistoryBarelyWidenTheBand) {
  const double clean = ScaleAfterNoise(0);
  const double dirty = ScaleAfterNoise(50);  // 2% outliers of 50 sigma
  EXPECT_NEAR(clean, 1.0, 0.2);
  EXPECT_LT(dirty, 1.3 * clean);
}

TEST(ModelTest, WeeklySeasonalityIsLearned) {
  // Weekends run 30 below weekdays; with only a daily profile every
  // weekend hour would be far outside the band.
  Noise noise(4);
  Model model;
  auto value = [&](int64_t t) {
    const int64_t day = (t - kStart) / kDay % 7;  // 0 = Monday
    return Daily(t, noise) - (day >= 5 ? 30 : 0);
  };
  const int64_t step = 600;
  int64_t t = kStart;
  for (; t < kStart + 35 * kDay; t += step) model.Update(At(t), value(t));
  // Saturday morning of week 6: right after the weekday -> weekend change.
  t = kStart + 40 * kDay + 4 * 3600;
  int inside = 0, total = 0;
  for (const int64_t end = t + 12 * 3600; t < end; t += step, ++total) {
    const double v = value(t);
    inside += model.Update(At(t), v).Standardized(v) < 3;
  }
  EXPECT_GE(inside, total * 95 / 100);
}

std::vector<Point> DailyHistory(int days) {
  Noise noise(5);
  std::vector<Point> points;
  for (int64_t t = kStart; t < kStart + days * kDay; t += kStep) points.push_back({At(t), Daily(t, noise)});
  return points;
}

TEST(ModelTest, FitIsStreamingAndDeterministic) {
  const std::vector<Point> history = DailyHistory(4);
  Model streamed;
  for (const Point& p : history) streamed.Update(p.time, p.value);
  Result<Model> fitted = Model::Fit(history);
  ASSERT_TRUE(fitted.ok());
  Result<Model> again = Model::Fit(history);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(fitted->Serialize(), streamed.Serialize());
  EXPECT_EQ(again->Serialize(), fitted->Serialize());
  EXPECT_EQ(fitted->samples(), static_cast<int64_t>(history.size()));
}

TEST(ModelTest, SerializationRoundTripPredictsIdentically) {
  const std::vector<Point> history = DailyHistory(6);
  const size_t half = history.size() / 2;
  Result<Model> original = Model::Fit(std::span(history).first(half));
  ASSERT_TRUE(original.ok());
  Result<Model> restored = Model::Deserialize(original->Serialize());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->Serialize(), original->Serialize());
  for (size_t i = half; i < history.size(); ++i) {
    const Prediction a = original->Update(history[i].time, history[i].value);
    const Prediction b = restored->Update(history[i].time, history[i].value);
    ASSERT_EQ(a.expected, b.expected) << i;  // bit-identical, not just close
    ASSERT_EQ(a.scale, b.scale) << i;
  }
}

TEST(ModelTest, DeserializeRejectsDamagedState) {
  Result<Model> model = Model::Fit(DailyHistory(1));
  ASSERT_TRUE(model.ok());
  const std::string text = model->Serialize();
  EXPECT_FALSE(Model::Deserialize("").ok());
  EXPECT_FALSE(Model::Deserialize(text.substr(0, text.size() / 2)).ok());
  EXPECT_FALSE(Model::Deserialize(text + " 1").ok());
  std::string wrong_version = text;
  wrong_version.replace(wrong_version.find(" 1 "), 3, " 9 ");
  EXPECT_FALSE(Model::Deserialize(wrong_version).ok());
}

TEST(ModelTest, IrregularTimestampsAndNonFiniteValues) {
  Noise noise(6);
  Model model;
  int64_t t = kStart;
  for (int i = 0; i < 500; ++i, t += kStep) {
    model.Update(At(t), 20 + noise.Next());
    if (i % 50 == 0) model.Update(At(t), 20 + noise.Next());          // duplicate timestamp
    if (i % 120 == 0) model.Update(At(t - 3300), 20 + noise.Next());  // backward step
    if (i == 300) t += 4 * 3600;                                      // gap
  }
  const int64_t samples = model.samples();
  model.Update(At(t), std::nan(""));
  EXPECT_EQ(model.samples(), samples);
  const Prediction p = model.Predict(At(t));
  EXPECT_TRUE(p.ready);
  EXPECT_NEAR(p.expected, 20, 1.0);
  EXPECT_NEAR(p.scale, 1.0, 0.3);
}

TEST(ModelTest, NotReadyDuringWarmup) {
  Model model;
  EXPECT_FALSE(model.Predict(At(kStart)).ready);
  for (int i = 0; i < ModelOptions().warmup_samples; ++i) {
    EXPECT_FALSE(model.Update(At(kStart + i * kStep), 5).ready);
  }
  EXPECT_TRUE(model.Predict(At(kStart + 100 * kStep)).ready);
}

TEST(ModelTest, OptionsAreValidated) {
  ModelOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.bucket = std::chrono::seconds(7 * 60);  // does not divide a day
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.clip = 0;
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_FALSE(Model::Fit({}, o).ok());
}

}  // namespace
}  // namespace dbinsight::anomaly
