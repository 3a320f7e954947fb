// Store: the embedded SQLite (WAL) store of DB-load samples, their rollups and
// gaps (format: docs/store-format.md). Collectors write through the
// model::SampleSink interface; pi/ reads seconds and period aggregates.
//
// Thread-safety: all methods may be called concurrently. Writes are
// serialized by one mutex (each is one short transaction); reads use their
// own connection and run alongside writes thanks to WAL.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/sample.h"
#include "store/aggregate.h"
#include "store/options.h"
#include "store/store_file.h"
#include "store/tiers.h"

namespace dbinsight::store {

class Database;
class ReadView;

struct GapRecord {
  double from;  // epoch seconds
  double to;
  std::string reason;
};

struct StoreStats {
  int64_t samples_written = 0;
  int64_t write_errors = 0;
  int64_t late_samples_dropped = 0;
  std::string last_error;
};

class Store final : public model::SampleSink {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options, const Clock& clock);
  ~Store() override;

  // model::SampleSink. Failures (disk full, I/O) are logged once per change,
  // counted in stats(), and the sample is dropped: the gap shows in queries.
  void Append(model::Sample&& sample) override;
  void RecordGap(model::Gap&& gap) override;

  // The sample is durable when this returns OK (one transaction per call,
  // WAL with synchronous=NORMAL survives a process kill). Seals finished
  // minutes of the same instance first. A sample older than the last sealed
  // minute is dropped and counted.
  Status AppendSample(const model::Sample& sample);
  Status AppendGap(const model::Gap& gap);
  // Seals minutes older than now - 60 s for instances that stopped sending,
  // and deletes data past each tier's retention.
  Status Maintain(WallTime now);

  // --- Reads ---------------------------------------------------------------
  // A consistent view of one instance for one query (see ReadView). Waits
  // for a free read connection when all are busy.
  Result<std::unique_ptr<ReadView>> View(const std::string& instance) const;

  // One-shot reads through a View. Calls fn for each sampled second in
  // [from, to) in time order.
  Status ReadSeconds(const std::string& instance, int64_t from, int64_t to,
                     const std::function<void(const Second&)>& fn) const;
  // Aggregates of tier-second periods starting in [from, to), only periods
  // with samples, in time order, holding the parts asked for (fewer parts,
  // faster reads). REQUIRES: tier in kTiers, tier > 1, from and to multiples
  // of tier.
  Result<std::vector<PeriodAgg>> ReadPeriods(const std::string& instance, int tier, int64_t from, int64_t to,
                                             const PeriodParts& parts) const;
  std::vector<GapRecord> Gaps(const std::string& instance, double from, double to) const;
  // The lock waits of samples taken in [from, to), oldest first; only
  // samples that had any. Kept as long as the 1-second tier.
  Result<std::vector<model::LockWaitSample>> ReadLockWaits(const std::string& instance, WallTime from,
                                                           WallTime to) const;

  // Dictionary: group keys and combinations. Ids are stable for the life of
  // the store file.
  std::vector<ComboKeys> Combos() const;  // snapshot, indexed by combo id
  // Decoded values of every key of a group, indexed by key id (id 0 empty).
  std::vector<model::GroupKey> AllKeyValues(model::Group group) const;
  // Earliest second each tier still holds for an instance (0 if none).
  int64_t OldestSecond(const std::string& instance, int tier) const;

  StoreStats stats() const;
  // Bytes of the per-second tier's blocks (compressed), for benchmarks.
  int64_t SecondTierBytesForTest() const;
  // Caps the file at its current size plus extra_pages pages, so tests can
  // drive the disk-full path (SQLITE_FULL) without filling a disk.
  Status LimitGrowthForTest(int64_t extra_pages);

 private:
  struct InstanceState {
    int64_t id = 0;
    std::array<int64_t, kTiers.size()> sealed_through{};  // end of sealed periods, per tier
  };
  struct ComboHash {
    size_t operator()(const ComboKeys& k) const;
  };

  Store(const StoreOptions& options, const Clock& clock);
  Status Init();
  Status LoadDictionary();
  Result<InstanceState*> Instance(const std::string& name);  // REQUIRES: write_mu_
  const InstanceState* FindInstance(const std::string& name) const;
  Result<uint32_t> KeyId(model::Group group, const model::GroupKey& vals);  // REQUIRES: write_mu_
  Result<uint32_t> ComboId(const ComboKeys& keys);                          // REQUIRES: write_mu_
  Status Seal(InstanceState& inst, int64_t up_to);                          // REQUIRES: write_mu_, open txn
  Status SealTier(InstanceState& inst, size_t tier_index, int64_t up_to);   // REQUIRES: write_mu_, open txn
  Result<std::vector<Second>> ReadLive(Database& db, int64_t inst, int64_t from, int64_t to) const;
  Status ReadSecondsOn(Database& db, int64_t inst, int64_t from, int64_t to,
                       const std::function<void(const Second&)>& fn) const;
  Result<std::vector<PeriodAgg>> ReadPeriodsOn(Database& db, const InstanceState& inst, size_t tier_index, int64_t from,
                                               int64_t to, const PeriodParts& parts,
                                               const std::vector<ComboKeys>& combos) const;
  void NoteWriteError(const Status& st);
  // Shared by the writer (sealing) and readers (store_read.cc).
  static Result<int64_t> SealedThrough(Database& db, int64_t inst, int tier);
  // Stored periods of one tier starting in [from, to), decoded.
  static Result<std::vector<PeriodAgg>> ReadRollupRows(Database& db, int64_t inst, int64_t tier, int64_t from,
                                                       int64_t to, const PeriodParts& parts);

  StoreOptions options_;
  const Clock& clock_;

  mutable std::mutex write_mu_;
  std::unique_ptr<Database> writer_;  // GUARDED_BY(write_mu_)
  // A query borrows one read connection for its duration.
  friend class ReadView;
  std::unique_ptr<ReaderPool> readers_;

  mutable std::shared_mutex dict_mu_;
  std::array<std::vector<std::string>, model::kGroupCount> key_vals_;  // encoded, by id
  std::array<std::unordered_map<std::string, uint32_t>, model::kGroupCount> key_ids_;
  std::vector<ComboKeys> combos_;  // by id; id 0 unused
  std::unordered_map<ComboKeys, uint32_t, ComboHash> combo_ids_;
  std::map<std::string, InstanceState> instances_;  // written under write_mu_ + dict_mu_

  mutable std::mutex stats_mu_;
  StoreStats stats_;
};

// One query's view of one instance: a pinned snapshot of the file (a read
// transaction on a leased connection) plus the dictionary as of that moment.
// Every combination that the view's data mentions is in combos(), even while
// the writer adds new ones. Short-lived; not thread-safe; the Store must
// outlive it.
class ReadView {
 public:
  ~ReadView();
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;

  const std::vector<ComboKeys>& combos() const { return combos_; }
  // Calls fn for each sampled second in [from, to) in time order.
  Status ReadSeconds(int64_t from, int64_t to, const std::function<void(const Second&)>& fn) const;
  // See Store::ReadPeriods.
  Result<std::vector<PeriodAgg>> ReadPeriods(int tier, int64_t from, int64_t to, const PeriodParts& parts) const;
  // Earliest period start a tier holds (0 if none).
  int64_t OldestSecond(int tier) const;

 private:
  friend class Store;
  ReadView(const Store& store, const Store::InstanceState* instance);

  const Store& store_;
  ReaderPool::Snapshot lease_;
  const Store::InstanceState* instance_;  // null: nothing written for it yet
  std::vector<ComboKeys> combos_;
};

}  // namespace dbinsight::store
