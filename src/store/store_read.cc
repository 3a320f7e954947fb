// Store's read side: the reader pool, ReadView, and the one-shot reads.
#include <algorithm>

#include "store/codec.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace dbinsight::store {

namespace {

model::GroupKey DecodeKey(std::string_view raw) {
  codec::Reader in(raw);
  model::GroupKey out;
  while (!in.done() && !in.failed()) out.emplace_back(in.Bytes());
  return out;
}

double GetSeconds(codec::Reader& in) { return static_cast<double>(in.Varint()) / 1000; }

// Inverse of EncodeLockWaits (store.cc).
Result<std::vector<model::LockWait>> DecodeLockWaits(std::string_view raw) {
  codec::Reader in(raw);
  const uint64_t n = in.Varint();
  if (n > raw.size()) return Status::DataLoss("store: malformed lock_wait row");  // each wait takes >= 12 bytes
  std::vector<model::LockWait> out(n);
  for (model::LockWait& w : out) {
    w.waiter_pid = static_cast<int64_t>(in.Varint());
    w.blocker_pid = static_cast<int64_t>(in.Varint());
    w.waiter_statement = in.Bytes();
    w.wait_event = in.Bytes();
    w.wait_seconds = GetSeconds(in);
    w.blocker_state = in.Bytes();
    w.blocker_statement = in.Bytes();
    w.blocker_user = in.Bytes();
    w.blocker_host = in.Bytes();
    w.blocker_application = in.Bytes();
    w.blocker_xact_seconds = GetSeconds(in);
    w.blocker_state_seconds = GetSeconds(in);
  }
  if (in.failed()) return Status::DataLoss("store: malformed lock_wait row");
  return out;
}

}  // namespace

Result<int64_t> Store::SealedThrough(Database& db, int64_t inst, int tier) {
  auto st = db.Prepare("SELECT through FROM sealed WHERE inst = ? AND tier = ?");
  if (!st.ok()) return st.status();
  st->Bind(1, inst).Bind(2, static_cast<int64_t>(tier));
  auto row = st->Step();
  if (!row.ok()) return row.status();
  return row.value() ? st->Int(0) : int64_t{0};
}

Result<std::vector<PeriodAgg>> Store::ReadRollupRows(Database& db, int64_t inst, int64_t tier, int64_t from, int64_t to,
                                                     const PeriodParts& parts) {
  const bool with_combos = parts.combos;
  auto rows = db.Prepare(with_combos ? "SELECT start, data, combos FROM rollup WHERE inst = ? AND tier = ? AND "
                                       "start >= ? AND start < ? ORDER BY start"
                                     : "SELECT start, data, x'' FROM rollup WHERE inst = ? AND tier = ? AND "
                                       "start >= ? AND start < ? ORDER BY start");
  if (!rows.ok()) return rows.status();
  rows->Bind(1, inst).Bind(2, tier).Bind(3, from).Bind(4, to);
  std::vector<PeriodAgg> out;
  DBI_RETURN_IF_ERROR(rows->ForEachRow([&]() -> Status {
    auto groups = codec::Decompress(rows->Blob(1));
    if (!groups.ok()) return groups.status();
    std::string combos;
    if (with_combos) {
      auto c = codec::Decompress(rows->Blob(2));
      if (!c.ok()) return c.status();
      combos = std::move(c.value());
    }
    auto agg = DecodePeriod(groups.value(), combos, rows->Int(0), parts.group);
    if (!agg.ok()) return agg.status();
    out.push_back(std::move(agg.value()));
    return Status::Ok();
  }));
  return out;
}

ReadView::ReadView(const Store& store, const Store::InstanceState* instance)
    : store_(store), lease_(*store.readers_), instance_(instance) {
  // The dictionary is copied after the snapshot is pinned. Dictionary entries
  // are committed before any sample that uses them, so whatever this snapshot
  // holds, the copy knows.
  combos_ = store_.Combos();
}

ReadView::~ReadView() = default;

Status ReadView::ReadSeconds(int64_t from, int64_t to, const std::function<void(const Second&)>& fn) const {
  if (!instance_) return Status::Ok();
  return store_.ReadSecondsOn(*lease_, instance_->id, from, to, fn);
}

Result<std::vector<PeriodAgg>> ReadView::ReadPeriods(int tier, int64_t from, int64_t to,
                                                     const PeriodParts& parts) const {
  auto it = std::find(kTiers.begin(), kTiers.end(), tier);
  DBI_CHECK(it != kTiers.end() && tier > 1);
  if (!instance_) return std::vector<PeriodAgg>{};
  return store_.ReadPeriodsOn(*lease_, *instance_, static_cast<size_t>(it - kTiers.begin()), from, to, parts, combos_);
}

int64_t ReadView::OldestSecond(int tier) const {
  if (!instance_) return 0;
  auto q = tier == 1 ? lease_->Prepare("SELECT MIN(start) FROM sec_block WHERE inst = ?")
                     : lease_->Prepare("SELECT MIN(start) FROM rollup WHERE inst = ? AND tier = ?");
  if (!q.ok()) return 0;
  q->Bind(1, instance_->id);
  if (tier != 1) q->Bind(2, int64_t{tier});
  auto r = q->Step();
  return r.ok() && r.value() ? q->Int(0) : 0;
}

Result<std::unique_ptr<ReadView>> Store::View(const std::string& instance) const {
  std::unique_ptr<ReadView> view(new ReadView(*this, FindInstance(instance)));
  if (!view->lease_.ok()) return Status::Unavailable("store: cannot start a read transaction");
  return view;
}

Result<std::vector<Second>> Store::ReadLive(Database& db, int64_t inst, int64_t from, int64_t to) const {
  std::vector<Second> out;
  auto secs = db.Prepare(
      "SELECT ts, samples, idle_in_transaction FROM live_sec WHERE inst = ? AND ts >= ? AND ts < ? ORDER BY ts");
  if (!secs.ok()) return secs.status();
  secs->Bind(1, inst).Bind(2, from).Bind(3, to);
  DBI_RETURN_IF_ERROR(secs->ForEachRow([&]() -> Status {
    out.push_back({secs->Int(0), static_cast<uint32_t>(secs->Int(1)), static_cast<uint32_t>(secs->Int(2)), {}});
    return Status::Ok();
  }));
  if (out.empty()) return out;
  auto rows =
      db.Prepare("SELECT ts, combo, hits FROM live_row WHERE inst = ? AND ts >= ? AND ts < ? ORDER BY ts, combo");
  if (!rows.ok()) return rows.status();
  rows->Bind(1, inst).Bind(2, from).Bind(3, to);
  size_t i = 0;
  DBI_RETURN_IF_ERROR(rows->ForEachRow([&]() -> Status {
    int64_t ts = rows->Int(0);
    while (i < out.size() && out[i].ts < ts) ++i;
    if (i == out.size() || out[i].ts != ts) return Status::DataLoss("live_row without live_sec");
    out[i].rows.push_back({static_cast<uint32_t>(rows->Int(1)), static_cast<uint32_t>(rows->Int(2))});
    return Status::Ok();
  }));
  return out;
}

Status Store::ReadSecondsOn(Database& db, int64_t inst, int64_t from, int64_t to,
                            const std::function<void(const Second&)>& fn) const {
  auto blocks = db.Prepare("SELECT data FROM sec_block WHERE inst = ? AND start >= ? AND start < ? ORDER BY start");
  if (!blocks.ok()) return blocks.status();
  blocks->Bind(1, inst).Bind(2, FloorTo(from, 60)).Bind(3, to);
  DBI_RETURN_IF_ERROR(blocks->ForEachRow([&]() -> Status {
    auto raw = codec::Decompress(blocks->Blob(0));
    if (!raw.ok()) return raw.status();
    auto secs = DecodeSeconds(raw.value());
    if (!secs.ok()) return secs.status();
    for (const Second& s : secs.value())
      if (s.ts >= from && s.ts < to) fn(s);
    return Status::Ok();
  }));
  auto live = ReadLive(db, inst, from, to);
  if (!live.ok()) return live.status();
  for (const Second& s : live.value()) fn(s);
  return Status::Ok();
}

Status Store::ReadSeconds(const std::string& instance, int64_t from, int64_t to,
                          const std::function<void(const Second&)>& fn) const {
  auto view = View(instance);
  if (!view.ok()) return view.status();
  return (*view)->ReadSeconds(from, to, fn);
}

Result<std::vector<PeriodAgg>> Store::ReadPeriodsOn(Database& db, const InstanceState& inst, size_t tier_index,
                                                    int64_t from, int64_t to, const PeriodParts& parts,
                                                    const std::vector<ComboKeys>& combos) const {
  const int64_t tier = kTiers[tier_index];
  auto sealed = SealedThrough(db, inst.id, static_cast<int>(tier));
  if (!sealed.ok()) return sealed.status();
  auto rows = ReadRollupRows(db, inst.id, tier, from, std::min(to, sealed.value()), parts);
  if (!rows.ok()) return rows.status();
  std::vector<PeriodAgg> out = std::move(rows.value());
  // The unsealed tail is rolled up on the fly from the tier below.
  int64_t tail = std::max(from, sealed.value());
  if (tail >= to) return out;
  if (tier_index == 1) {
    std::map<int64_t, std::vector<Second>> secs;
    Status st = ReadSecondsOn(db, inst.id, tail, to, [&](const Second& s) { secs[FloorTo(s.ts, 60)].push_back(s); });
    if (!st.ok()) return st;
    for (auto& [start, s] : secs) out.push_back(AggregateSeconds(start, s, combos));
    return out;
  }
  auto lower = ReadPeriodsOn(db, inst, tier_index - 1, tail, to, parts, combos);
  if (!lower.ok()) return lower.status();
  std::map<int64_t, std::vector<PeriodAgg>> by_period;
  for (PeriodAgg& p : lower.value()) by_period[FloorTo(p.start, tier)].push_back(std::move(p));
  for (auto& [start, p] : by_period) out.push_back(MergePeriods(start, p));
  return out;
}

Result<std::vector<PeriodAgg>> Store::ReadPeriods(const std::string& instance, int tier, int64_t from, int64_t to,
                                                  const PeriodParts& parts) const {
  auto view = View(instance);
  if (!view.ok()) return view.status();
  return (*view)->ReadPeriods(tier, from, to, parts);
}

std::vector<GapRecord> Store::Gaps(const std::string& instance, double from, double to) const {
  std::vector<GapRecord> out;
  const InstanceState* inst = FindInstance(instance);
  if (!inst) return out;
  ReaderPool::Lease reader(*readers_);
  auto q = reader->Prepare(
      "SELECT from_ms, to_ms, reason FROM gap WHERE inst = ? AND to_ms > ? AND from_ms < ? ORDER BY from_ms");
  if (!q.ok()) return out;
  q->Bind(1, inst->id).Bind(2, static_cast<int64_t>(from * 1000)).Bind(3, static_cast<int64_t>(to * 1000));
  while (true) {
    auto r = q->Step();
    if (!r.ok() || !r.value()) break;
    out.push_back({q->Int(0) / 1000.0, q->Int(1) / 1000.0, std::string(q->Text(2))});
  }
  return out;
}

Result<std::vector<model::LockWaitSample>> Store::ReadLockWaits(const std::string& instance, WallTime from,
                                                                WallTime to) const {
  std::vector<model::LockWaitSample> out;
  const InstanceState* inst = FindInstance(instance);
  if (!inst) return out;
  ReaderPool::Lease reader(*readers_);
  auto q =
      reader->Prepare("SELECT ts_ms, data FROM lock_wait WHERE inst = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms");
  if (!q.ok()) return q.status();
  q->Bind(1, inst->id).Bind(2, ToEpochMillis(from)).Bind(3, ToEpochMillis(to));
  DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
    auto raw = codec::Decompress(q->Blob(1));
    if (!raw.ok()) return raw.status();
    auto waits = DecodeLockWaits(raw.value());
    if (!waits.ok()) return waits.status();
    out.push_back({FromEpochSeconds(static_cast<double>(q->Int(0)) / 1000), std::move(waits.value())});
    return Status::Ok();
  }));
  return out;
}

std::vector<ComboKeys> Store::Combos() const {
  std::shared_lock dict(dict_mu_);
  return combos_;
}

std::vector<model::GroupKey> Store::AllKeyValues(model::Group group) const {
  std::shared_lock dict(dict_mu_);
  const auto& vals = key_vals_[static_cast<size_t>(group)];
  std::vector<model::GroupKey> out;
  out.reserve(vals.size());
  for (const auto& v : vals) out.push_back(DecodeKey(v));
  return out;
}

int64_t Store::OldestSecond(const std::string& instance, int tier) const {
  auto view = View(instance);
  return view.ok() ? (*view)->OldestSecond(tier) : 0;
}

int64_t Store::SecondTierBytesForTest() const {
  ReaderPool::Lease reader(*readers_);
  auto q = reader->Prepare("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM sec_block");
  if (!q.ok()) return -1;
  auto r = q->Step();
  return r.ok() && r.value() ? q->Int(0) : -1;
}

}  // namespace dbinsight::store
