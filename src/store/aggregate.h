// Per-second samples and per-period aggregates of DB load, and the pure
// functions that roll one into the other and (de)serialize both
// (docs/store-format.md). No I/O, no shared state: thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/dimensions.h"

namespace dbinsight::store {

// Ids of the group keys (one per PI group) that make up one combination.
using ComboKeys = std::array<uint32_t, model::kGroupCount>;

struct ComboHits {
  uint32_t combo;
  uint32_t hits;  // samples in this second that saw a session of this combo
};

// One sampled second. The load of a combo in it is hits / samples, so
// sub-second sampling still yields average active sessions.
struct Second {
  int64_t ts = 0;        // epoch seconds
  uint32_t samples = 0;  // samples taken in this second (>= 1)
  // Idle-in-transaction sessions summed over the samples (no load, but the
  // usual lock blockers): the db.state.idle_in_transaction_count counter.
  uint32_t idle_in_transaction = 0;
  std::vector<ComboHits> rows;  // sorted by combo, hits > 0
};

struct KeyStat {
  uint32_t key;
  double sum;  // sum over sampled seconds of this key's load
  double min;  // over sampled seconds; 0 if absent in any of them
  double max;
};

struct ComboSum {
  uint32_t combo;
  double sum;
};

// Sum, min and max of a per-second series over a period's sampled seconds.
struct SeriesStats {
  double sum = 0, min = 0, max = 0;
  void Observe(double v, bool first);  // one more second
  void Merge(const SeriesStats& part, bool first);  // one more sub-period
};

// Aggregate of one period (60 s, 300 s, ...). Exact min/max per group key and
// for the total; per-combination sums allow exact avg/sum under any filter.
struct PeriodAgg {
  int64_t start = 0;
  uint32_t seconds = 0;  // sampled seconds; 0 = a gap
  SeriesStats load;      // total load
  SeriesStats idle_in_transaction;
  std::array<std::vector<KeyStat>, model::kGroupCount> groups;  // each sorted by key
  std::vector<ComboSum> combos;                                 // sorted by combo
};

// REQUIRES: every combo id in seconds indexes combo_keys; seconds sorted by ts.
PeriodAgg AggregateSeconds(int64_t start, std::span<const Second> seconds,
                           std::span<const ComboKeys> combo_keys);
// Rolls finer periods (any order, all inside the new period) into one.
PeriodAgg MergePeriods(int64_t start, std::span<const PeriodAgg> parts);

std::string EncodeSeconds(std::span<const Second> seconds);
Result<std::vector<Second>> DecodeSeconds(std::string_view raw);
// What a reader needs of a stored period: decoding only that is what keeps
// long-range queries fast.
struct PeriodParts {
  bool combos = true;                  // the per-combination sums (filters, partitions)
  std::optional<model::Group> group;   // only this group's key stats; nullopt = all
};

// A period is stored as two parts so unfiltered queries skip the (larger)
// per-combination sums; inside the first, each group is length-prefixed so a
// reader skips the groups it does not need.
struct EncodedPeriod {
  std::string groups;  // seconds, total and per-group key stats
  std::string combos;  // per-combination sums
};
EncodedPeriod EncodePeriod(const PeriodAgg& agg);
// combos may be empty: the result then has no combos. Groups other than
// `only` (when set) are left empty.
Result<PeriodAgg> DecodePeriod(std::string_view groups, std::string_view combos, int64_t start,
                               std::optional<model::Group> only = std::nullopt);

}  // namespace dbinsight::store
