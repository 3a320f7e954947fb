// Options of the embedded store (docs/store-format.md). Defaults live here and
// only here; config/ maps YAML keys onto these fields.
#pragma once

#include <chrono>
#include <string>

namespace dbinsight::store {

using Days = std::chrono::duration<int64_t, std::ratio<86400>>;

// How long each tier is kept. A query is answered from the finest tier that
// still covers its range, so shortening a tier only coarsens old data.
struct RetentionOptions {
  // Default 7 d: Performance Insights' free window. Filtered and partitioned
  // min/max need per-second data, so they are exact for this long.
  Days one_second{7};
  // Default 35 d: a month of minute-level history plus margin for month-end
  // comparisons.
  Days one_minute{35};
  // Default 90 d: a quarter at 5-minute resolution, for capacity reviews.
  Days five_minute{90};
  // Default 730 d: PI's longest paid retention (2 years); one row per hour is small.
  Days one_hour{730};
  // Default 730 d: same reason as one_hour.
  Days one_day{730};
};

struct StoreOptions {
  // Data directory; the database is <directory>/dbinsight.db. Created if missing.
  std::string directory;
  RetentionOptions retention;
  // Default 3: zstd's default; level 9 saved ~10% more space at 3x the CPU on
  // the gen_aas benchmark data (see bench/store_bench.cc).
  int zstd_level = 3;
  // Default 4: PI queries run concurrently on this many read connections
  // (more wait); about twice the cores of a small host, since part of each
  // query is I/O.
  int read_connections = 4;
};

}  // namespace dbinsight::store
