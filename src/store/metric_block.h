// Byte encodings of the metric store's blocks (docs/store-format.md, "Metrics
// and per-SQL statistics"): lossless value sequences, the per-second block of
// one instance-minute, rollup periods, and per-statement counter sums. Also the
// aggregate type they carry. Pure functions, no I/O: thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace dbinsight::store {

// Sum, min, max and count of the values stored for one metric in one period
// (one second in the per-second tier). avg = sum / count.
struct MetricPeriod {
  int64_t start = 0;  // epoch seconds
  double sum = 0;
  double min = 0;
  double max = 0;
  int64_t count = 0;

  void Add(double v);                    // one more value
  void Merge(const MetricPeriod& part);  // one more sub-period; start unchanged
};

// One metric's seconds in one sealed minute, sorted by start.
struct SeriesSeconds {
  uint32_t metric = 0;
  std::vector<MetricPeriod> seconds;
};

// One metric's aggregate over one rollup period.
struct SeriesStat {
  uint32_t metric = 0;
  MetricPeriod stat;
};

// Per-second block of one instance-minute. REQUIRES: series sorted by metric
// with unique ids; each series non-empty, sorted, start in [minute, minute+60),
// count >= 1; every value finite.
std::string EncodeSecondBlock(int64_t minute, std::span<const SeriesSeconds> series);
// Decodes every series, or only `only` (empty result when absent).
Result<std::vector<SeriesSeconds>> DecodeSecondBlock(std::string_view raw, int64_t minute,
                                                     std::optional<uint32_t> only = std::nullopt);

// One rollup period of one instance. REQUIRES: series sorted by metric with
// unique ids, count >= 1, finite values. `start` of each stat is not stored.
std::string EncodeRollup(std::span<const SeriesStat> series);
Result<std::vector<SeriesStat>> DecodeRollup(std::string_view raw, int64_t start,
                                             std::optional<uint32_t> only = std::nullopt);

// Counter sums (or deltas) of one statement over an interval or an hour.
struct CounterValue {
  uint32_t counter = 0;  // counter-name id
  double value = 0;
};
struct StatementSums {
  uint32_t sql = 0;                  // statement id
  std::vector<CounterValue> values;  // sorted by counter, unique, finite
};

// Sums counter values per statement, statements in any order.
class StatementSumsBuilder {
 public:
  // values: any order, repeats summed.
  void Add(uint32_t sql, std::span<const CounterValue> values);
  bool empty() const { return sums_.empty(); }
  // Sorted by sql, each statement's values by counter.
  std::vector<StatementSums> Finish() &&;

 private:
  std::unordered_map<uint32_t, size_t> slots_;  // sql -> index in sums_
  std::vector<StatementSums> sums_;             // each one's values sorted by counter
};

// REQUIRES: statements sorted by sql with unique ids.
std::string EncodeStatementSums(std::span<const StatementSums> statements);
// Calls fn once per statement (or only for statement `only`) with its values
// sorted by counter. DataLoss on malformed input (fn may have seen part of it).
Status DecodeStatementSums(std::string_view raw, std::optional<uint32_t> only,
                           const std::function<void(uint32_t sql, std::span<const CounterValue> values)>& fn);

}  // namespace dbinsight::store
