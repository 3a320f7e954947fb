#include "metrics/statistics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "common/check.h"

namespace dbinsight::metrics {

namespace {

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<Statistic> ParseStatistic(std::string_view text) {
  constexpr Statistic::Kind kKinds[] = {Statistic::Kind::kSampleCount, Statistic::Kind::kAverage, Statistic::Kind::kSum,
                                        Statistic::Kind::kMinimum, Statistic::Kind::kMaximum};
  for (size_t i = 0; i < kStandardStatistics.size(); ++i)
    if (text == kStandardStatistics[i]) return Statistic{kKinds[i], 0, std::string(text)};
  if (text.size() < 2 || text[0] != 'p') return std::nullopt;
  std::string_view number = text.substr(1);
  const size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  if (whole.size() > 3 || !IsDigits(whole)) return std::nullopt;
  if (dot != std::string_view::npos && (number.size() - dot - 1 > 2 || !IsDigits(number.substr(dot + 1))))
    return std::nullopt;
  double p = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), p);
  if (ec != std::errc() || end != number.data() + number.size() || p > 100) return std::nullopt;
  return Statistic{Statistic::Kind::kPercentile, p, std::string(text)};
}

double StandardValue(Statistic::Kind kind, const Aggregate& total) {
  DBI_CHECK(total.count >= 1);
  switch (kind) {
    case Statistic::Kind::kSampleCount:
      return static_cast<double>(total.count);
    case Statistic::Kind::kAverage:
      return total.sum / static_cast<double>(total.count);
    case Statistic::Kind::kSum:
      return total.sum;
    case Statistic::Kind::kMinimum:
      return total.min;
    case Statistic::Kind::kMaximum:
      return total.max;
    case Statistic::Kind::kPercentile:
      break;
  }
  DBI_CHECK(false);
  return 0;
}

double Percentile(std::span<const Aggregate> parts, double p) {
  std::vector<std::pair<double, double>> weighted;  // value, how many values it stands for
  double n = 0;
  for (const Aggregate& a : parts) {
    if (a.count < 1) continue;
    weighted.emplace_back(a.min, 1);
    if (a.count >= 2) weighted.emplace_back(a.max, 1);
    if (a.count > 2) {
      const double rest = static_cast<double>(a.count - 2);
      weighted.emplace_back(std::clamp((a.sum - a.min - a.max) / rest, a.min, a.max), rest);
    }
    n += static_cast<double>(a.count);
  }
  DBI_CHECK(!weighted.empty());
  std::sort(weighted.begin(), weighted.end());
  // p * n first: 99 * 100 / 100 is exact where 0.99 * 100 is not; the
  // epsilon absorbs what is left of decimal percentiles.
  const double rank = std::max(1.0, std::ceil(p * n / 100 - 1e-9));
  double seen = 0;
  for (const auto& [value, weight] : weighted) {
    seen += weight;
    if (seen >= rank) return value;
  }
  return weighted.back().first;
}

}  // namespace dbinsight::metrics
