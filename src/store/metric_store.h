// MetricStore: the embedded SQLite (WAL) store of numeric metrics (gauges and
// per-second rates: db.*, os.*, CloudWatch-style names) and of per-SQL
// statistics deltas, in <directory>/metrics.sqlite3 beside the DB-load store's
// file so the two writers never contend. Format, tiers and retention:
// docs/store-format.md, "Metrics and per-SQL statistics".
// Collectors write through model::MetricSink; metrics/ and pi/ read.
//
// Thread-safety: all methods may be called concurrently. Writes (and
// Maintain) are serialized by one mutex, each a short transaction; reads run
// on pooled read connections beside the writer, each on one snapshot.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/metric.h"
#include "store/metric_block.h"
#include "store/options.h"
#include "store/store_file.h"
#include "store/tiers.h"

namespace dbinsight::store {

struct StatementTotals {
  std::string tokenized_id, tokenized_db_id, statement;  // statement: the full text as last written (may be empty)
  std::vector<std::pair<std::string, double>> sums;      // per counter name (sorted), sum of deltas
};
struct StatementRange {
  double seconds = 0;  // covered by the stored intervals (or hours) summed
  std::vector<StatementTotals> statements;
};
struct StatementPeriod {
  int64_t start = 0;
  double seconds = 0;                                // covered by the stored intervals in the period
  std::vector<std::pair<std::string, double>> sums;  // per counter name (sorted)
};

// One pre-aggregated value of a metric: the second it belongs to
// (period.start, epoch seconds) and the sum/min/max/count of its values.
struct NamedMetricPeriod {
  std::string name;
  MetricPeriod period;
};

struct MetricStoreStats {
  int64_t points_written = 0;
  int64_t intervals_written = 0;  // per-SQL statistics samples
  int64_t write_errors = 0;
  // Older than an already sealed minute (points) or hour (statement intervals).
  int64_t late_points_dropped = 0;
  int64_t late_intervals_dropped = 0;
  int64_t invalid_values_dropped = 0;  // NaN or infinite: never stored
  std::string last_error;
};

class MetricStore final : public model::MetricSink {
 public:
  // Opens (creating) <options.directory>/metrics.sqlite3 (WAL). Retention per
  // tier from options.retention, with the same meaning as for DB load; per-SQL
  // interval rows follow retention.one_second, their hourly sums
  // retention.one_hour.
  static Result<std::unique_ptr<MetricStore>> Open(const StoreOptions& options, const Clock& clock);
  ~MetricStore() override;

  // model::MetricSink: failures (disk full, I/O) are logged once per change
  // and counted in stats(), never thrown; the sample is dropped.
  void AppendMetrics(model::MetricSample&& sample) override;
  void AppendStatementStats(model::StatementStatsSample&& sample) override;

  // Durable when OK (one transaction per call; WAL with synchronous=NORMAL
  // survives kill -9). Points of a minute already sealed are dropped and
  // counted (OK); so are NaN/infinite values (the rest is stored).
  // A minute is sealed once a point kSealGraceSeconds past its end arrives, so
  // collectors of one instance on separate threads may race by that much.
  Status AppendMetricSample(const model::MetricSample& sample);
  // An interval ending in an hour already rolled up (kHourSealDelaySeconds
  // after the hour's end) is dropped and counted (OK). InvalidArgument when
  // `to` is not after `from`.
  Status AppendStatementSample(const model::StatementStatsSample& sample);

  // Adds pre-aggregated values to an instance's metrics, in any time order
  // (CloudWatch PutMetricData: statistic sets, values with counts, backfill).
  // Seconds of minutes not yet sealed merge into the live rows like
  // AppendMetricSample's points (sealing advances the same way, from the
  // newest second); seconds of sealed minutes merge into the stored minute
  // block and into every sealed rollup period holding them, so each tier
  // stays exact. One transaction. InvalidArgument (nothing stored) unless
  // every period has count >= 1, min <= max and finite values.
  Status MergeMetricPeriods(const std::string& instance, std::span<const NamedMetricPeriod> periods);

  // Seals minutes (and rolls up tiers) of instances that stopped sending,
  // rolls up finished statement hours, and deletes data past retention.
  // Called every minute by the app.
  Status Maintain(WallTime now);

  // Names of metrics the instance has any stored value for, sorted.
  std::vector<std::string> MetricNames(const std::string& instance) const;
  // Instances (series keys: metrics/ stores CloudWatch custom metrics under
  // keys of its own) with any stored metric value, sorted.
  std::vector<std::string> InstanceNames() const;

  // Periods of `period` seconds (one of kTiers) starting in [from, to) that
  // hold at least one value, in time order, each with sum/min/max/count of
  // the stored points whose time falls in it (period 1: one per stored
  // second; sub-second points of a second aggregate). The unsealed tail is
  // aggregated on the fly: the latest point is always seen. InvalidArgument
  // if period is not a tier or from/to are not multiples of it.
  Result<std::vector<MetricPeriod>> ReadMetric(const std::string& instance, const std::string& name, int period,
                                               int64_t from, int64_t to) const;

  // Sums of every statement's deltas over the stored intervals whose END time
  // falls in (from, to], and the seconds those intervals cover. Statements
  // ordered by tokenized_id. Whole hours inside the range that are rolled up
  // come from the hourly sums (the same deltas summed), the rest from interval
  // rows; past retention.one_second only whole hours count.
  Result<StatementRange> ReadStatementTotals(const std::string& instance, int64_t from, int64_t to) const;
  // Per-period sums for one statement (empty tokenized_id: all statements
  // summed), periods of `period` seconds keyed by interval END time falling in
  // (start, start+period], only periods with data (for one statement: where
  // it ran), in time order. Periods that are whole hours use the hourly sums
  // like ReadStatementTotals; shorter ones need interval rows (none past
  // retention.one_second). InvalidArgument unless period > 0 and from/to are
  // multiples of it.
  Result<std::vector<StatementPeriod>> ReadStatementPeriods(const std::string& instance,
                                                            const std::string& tokenized_id, int period, int64_t from,
                                                            int64_t to) const;

  MetricStoreStats stats() const;

  // Stored payload bytes per table (per tier for rollups), and the file size,
  // for benchmarks.
  std::vector<std::pair<std::string, int64_t>> BytesForTest() const;
  // Caps the file at its current size plus extra_pages pages, so tests can
  // drive the disk-full path without filling a disk.
  Status LimitGrowthForTest(int64_t extra_pages);

  // A minute is sealed (compacted, rolled up) once a point this many seconds
  // past its end arrives: samplers of one instance (db.*, os.*) run on their
  // own threads, and a slow query can deliver a point a few seconds late.
  static constexpr int64_t kSealGraceSeconds = 15;
  // Statement hours are rolled up this long after they end: one interval
  // (60 s by default) plus a slow statistics query.
  static constexpr int64_t kHourSealDelaySeconds = 300;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // A dictionary table (id INTEGER PRIMARY KEY, name TEXT UNIQUE): ids from 1.
  struct NameDict {
    const char* table;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> ids;
    std::vector<std::string> names;  // by id; [0] unused
  };
  struct SqlEntry {
    uint32_t id = 0;
    bool has_text = false;
  };
  struct InstanceState {
    int64_t id = 0;
    // Writer-only (write_mu_): end of the sealed periods per metric tier
    // (index 0 unused), and of the rolled-up statement hours.
    std::array<int64_t, kTiers.size()> sealed_through{};
    int64_t hours_through = 0;
    // Readers too (dict_mu_): metrics with a stored value; statement id ->
    // tokenized_db_id as stored.
    std::unordered_set<uint32_t> metrics;
    std::unordered_map<uint32_t, std::string> db_ids;
  };

  MetricStore(const StoreOptions& options, const Clock& clock);
  Status Init();
  Status LoadDictionary();
  Result<InstanceState*> Instance(const std::string& name);  // REQUIRES: write_mu_
  int64_t FindInstanceId(const std::string& name) const;     // 0 if unknown
  // Ids of names, adding missing ones first in their own committed
  // transaction (readers copy dictionaries after pinning a snapshot, so ids
  // must be in the file before any data using them). REQUIRES: write_mu_.
  Result<std::vector<uint32_t>> Intern(NameDict& dict, const std::vector<std::string_view>& names);
  // Statement ids, adding/updating texts and db ids the same way.
  Result<std::vector<uint32_t>> InternStatements(InstanceState& inst, const model::StatementStatsSample& sample);
  // REQUIRES: write_mu_, open transaction. Advance `sealed`/`through`; the
  // caller applies them to the InstanceState after committing.
  Status Seal(const InstanceState& inst, int64_t up_to, std::array<int64_t, kTiers.size()>& sealed);
  Status SealTier(const InstanceState& inst, size_t tier_index, int64_t up_to,
                  std::array<int64_t, kTiers.size()>& sealed);
  Status SealHours(const InstanceState& inst, int64_t up_to, int64_t& through);
  // REQUIRES: write_mu_. Stores the values in one transaction: sealing
  // advances up to `newest` less the grace, then values of sealed minutes go
  // to MergeSealed, the rest to the live rows.
  Status Write(InstanceState& inst, std::span<const NamedMetricPeriod> periods, int64_t newest);
  // REQUIRES: write_mu_, open transaction. Merges values of sealed minutes
  // into their point blocks and the sealed rollups (MergeMetricPeriods).
  Status MergeSealed(const InstanceState& inst, const std::array<int64_t, kTiers.size()>& sealed,
                     const std::vector<std::pair<uint32_t, MetricPeriod>>& late);
  Status DeleteExpired(int64_t now_s);
  void NoteWriteError(const Status& st);
  void NoteInvalid(const std::string& instance, std::string_view name, int64_t n);

  // Read side (metric_store_read.cc); `db` is a pinned snapshot.
  Result<std::vector<MetricPeriod>> ReadTier(Database& db, int64_t inst, uint32_t metric, size_t tier_index,
                                             int64_t from, int64_t to) const;
  Result<std::vector<MetricPeriod>> ReadSeconds(Database& db, int64_t inst, uint32_t metric, int64_t from,
                                                int64_t to) const;
  // Calls fn(end_ms, covered_ms, raw sums) for every stored unit whose
  // intervals end in (from, to]: interval rows, and (when use_hours) the
  // rolled-up hours lying wholly inside, keyed by the hour's end.
  Status ForEachStatementUnit(
      Database& db, int64_t inst, int64_t from, int64_t to, bool use_hours,
      const std::function<Status(int64_t end_ms, int64_t covered_ms, std::string_view sums)>& fn) const;
  std::vector<std::string> CounterNames() const;  // snapshot, by id

  StoreOptions options_;
  const Clock& clock_;

  mutable std::mutex write_mu_;
  std::unique_ptr<Database> writer_;  // GUARDED_BY(write_mu_)
  std::unique_ptr<ReaderPool> readers_;

  // Dictionaries and instances: written under write_mu_ + dict_mu_, read under dict_mu_.
  mutable std::shared_mutex dict_mu_;
  NameDict metric_dict_{"metric_name", {}, {""}};
  NameDict counter_dict_{"counter_name", {}, {""}};
  std::unordered_map<std::string, SqlEntry, StringHash, std::equal_to<>> sql_ids_;
  std::unordered_map<std::string, InstanceState> instances_;

  mutable std::mutex stats_mu_;
  MetricStoreStats stats_;                // GUARDED_BY(stats_mu_)
  std::set<std::string> invalid_logged_;  // GUARDED_BY(stats_mu_): instance/metric already logged
};

}  // namespace dbinsight::store
