// CloudWatch statistics over the metric store's aggregates: SampleCount,
// Average, Sum, Minimum, Maximum and percentiles "pNN.NN". Percentiles are
// nearest-rank over the values the aggregates stand for; an aggregate of one
// or two values stands for exactly them, a larger one for its min, its max
// and count-2 copies of the mean of the rest. So a percentile is exact when
// every aggregate holds at most two values (the per-second tier of a 1-s
// collector, or values put in separate seconds) and an estimate bounded by
// each aggregate's min and max otherwise (docs/api-coverage.md). Pure
// functions; thread-safe.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/metric_block.h"

namespace dbinsight::metrics {

// Sum, min, max and count of some values (`start` is the period's epoch second).
using Aggregate = store::MetricPeriod;

struct Statistic {
  enum class Kind { kSampleCount, kAverage, kSum, kMinimum, kMaximum, kPercentile };
  Kind kind = Kind::kAverage;
  double percentile = 0;  // kPercentile: 0 to 100
  std::string name;       // as CloudWatch spells it: "Average", "p99.5"
};

inline constexpr std::array<std::string_view, 5> kStandardStatistics = {"SampleCount", "Average", "Sum", "Minimum",
                                                                        "Maximum"};

// A standard statistic name or a percentile "p0" to "p100" with at most two
// decimals ("p99", "p99.9", "p50.25"); nullopt otherwise.
std::optional<Statistic> ParseStatistic(std::string_view text);

// REQUIRES: kind != kPercentile; total.count >= 1.
double StandardValue(Statistic::Kind kind, const Aggregate& total);

// Nearest-rank percentile p (0-100) of the values `parts` stand for (see
// above): the smallest value with at least ceil(p/100 * n) of the n values at
// or below it (p0 is the minimum). REQUIRES: some part has count >= 1.
double Percentile(std::span<const Aggregate> parts, double p);

}  // namespace dbinsight::metrics
