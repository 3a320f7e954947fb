// Unit tests of the streaming scorer: spikes score high, normal points and
// recurring patterns low, warm-up scores 0, no look-ahead, state round-trips.
#include "anomaly/scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "anomaly/series_for_test.h"

namespace dbinsight::anomaly {
namespace {

using testing::At;
using testing::Daily;
using testing::kStart;
using testing::Noise;

constexpr int64_t kStep = 300;
constexpr int64_t kDay = 86400;

TEST(ScorerTest, WarmupScoresZero) {
  Scorer scorer;
  Noise noise(1);
  // The model's warm-up plus as many samples again to calibrate.
  for (int i = 0; i < 2 * ModelOptions().warmup_samples; ++i) {
    EXPECT_EQ(scorer.Score(At(kStart + i * kStep), 10 + noise.Next()).score, 0) << i;
  }
}

TEST(ScorerTest, SpikeScoresHighNormalPointsLow) {
  Scorer scorer;
  Noise noise(2);
  int64_t t = kStart;
  for (; t < kStart + 3 * kDay; t += kStep) scorer.Score(At(t), Daily(t, noise));
  double max_normal = 0;
  for (; t < kStart + 6 * kDay; t += kStep)
    max_normal = std::max(max_normal, scorer.Score(At(t), Daily(t, noise)).score);
  const Scored spike = scorer.Score(At(t), Daily(t, noise) + 40);
  EXPECT_LT(max_normal, 0.6);
  EXPECT_GT(spike.score, 0.75);
  EXPECT_LE(spike.score, 1.0);
  EXPECT_GT(spike.prediction.Standardized(Daily(t, noise) + 40), 10);
}

TEST(ScorerTest, RecurringSpikesBecomeNormal) {
  // A nightly job spikes the series once a day: the first spike is news,
  // the seventh is routine.
  Scorer scorer;
  Noise noise(3);
  std::vector<double> spike_scores;
  for (int64_t t = kStart; t < kStart + 10 * kDay; t += kStep) {
    const bool spike = (t - kStart) % kDay == 3 * 3600;
    const Scored s = scorer.Score(At(t), 5 + 0.2 * noise.Next() + (spike ? 20 : 0));
    if (spike) spike_scores.push_back(s.score);
  }
  ASSERT_EQ(spike_scores.size(), 10u);
  EXPECT_GT(spike_scores[0], 0.9);
  EXPECT_LT(spike_scores[9], 0.7);
}

TEST(ScorerTest, NoLookAheadAndDeterministic) {
  // Scores of a prefix do not change when more rows follow.
  Noise noise(4);
  std::vector<Point> points;
  for (int64_t t = kStart; t < kStart + 2 * kDay; t += kStep) points.push_back({At(t), Daily(t, noise)});
  points[400].value += 50;
  Scorer full, prefix;
  std::vector<double> full_scores;
  for (const Point& p : points) full_scores.push_back(full.Score(p.time, p.value).score);
  for (size_t i = 0; i < 401; ++i) ASSERT_EQ(prefix.Score(points[i].time, points[i].value).score, full_scores[i]) << i;
  EXPECT_GT(full_scores[400], 0.75);
}

TEST(ScorerTest, SerializationRoundTripScoresIdentically) {
  Noise noise(5);
  Scorer original;
  int64_t t = kStart;
  for (; t < kStart + 2 * kDay; t += kStep) original.Score(At(t), Daily(t, noise));
  Result<Scorer> restored = Scorer::Deserialize(original.Serialize());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->Serialize(), original.Serialize());
  for (int i = 0; i < 600; ++i, t += kStep) {
    const double v = Daily(t, noise) + (i == 300 ? 30 : 0);
    ASSERT_EQ(original.Score(At(t), v).score, restored->Score(At(t), v).score) << i;
  }
  EXPECT_FALSE(Scorer::Deserialize("dbinsight-anomaly-scorer 1 x").ok());
  EXPECT_FALSE(Scorer::Deserialize(original.model().Serialize()).ok());
}

TEST(ScorerTest, FlatSeriesThenChangeScoresOne) {
  // A metric that was exactly 0 for a day (scale 0) then moves.
  Scorer scorer;
  int64_t t = kStart;
  for (; t < kStart + kDay; t += kStep) EXPECT_EQ(scorer.Score(At(t), 0).score, 0);
  const double score = scorer.Score(At(t), 1).score;
  EXPECT_GT(score, 0.99);
  EXPECT_LE(score, 1.0);
}

}  // namespace
}  // namespace dbinsight::anomaly
