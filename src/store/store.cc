#include "store/store.h"

#include <algorithm>
#include <cmath>

#include "common/log.h"
#include "store/codec.h"
#include "store/sqlite.h"

namespace dbinsight::store {

namespace {

// Schema version 2 (docs/store-format.md). Forward-only migrations go in Init().
// 2 added lock_wait; its CREATE below is the whole migration from 1.
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instance(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS dim_key(grp INTEGER NOT NULL, id INTEGER NOT NULL, vals BLOB NOT NULL,
                                   PRIMARY KEY(grp, id));
CREATE TABLE IF NOT EXISTS combo(id INTEGER PRIMARY KEY, keys BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS live_sec(inst INTEGER NOT NULL, ts INTEGER NOT NULL, samples INTEGER NOT NULL,
                                    idle_in_transaction INTEGER NOT NULL,
                                    PRIMARY KEY(inst, ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS live_row(inst INTEGER NOT NULL, ts INTEGER NOT NULL, combo INTEGER NOT NULL,
                                    hits INTEGER NOT NULL, PRIMARY KEY(inst, ts, combo)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sec_block(inst INTEGER NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
                                     PRIMARY KEY(inst, start));
CREATE TABLE IF NOT EXISTS rollup(inst INTEGER NOT NULL, tier INTEGER NOT NULL, start INTEGER NOT NULL,
                                  data BLOB NOT NULL, combos BLOB NOT NULL, PRIMARY KEY(inst, tier, start));
CREATE TABLE IF NOT EXISTS sealed(inst INTEGER NOT NULL, tier INTEGER NOT NULL, through INTEGER NOT NULL,
                                  PRIMARY KEY(inst, tier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gap(inst INTEGER NOT NULL, from_ms INTEGER NOT NULL, to_ms INTEGER NOT NULL,
                               reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS gap_by_inst ON gap(inst, to_ms);
CREATE TABLE IF NOT EXISTS lock_wait(inst INTEGER NOT NULL, ts_ms INTEGER NOT NULL, data BLOB NOT NULL,
                                     PRIMARY KEY(inst, ts_ms)) WITHOUT ROWID;
)sql";

std::string EncodeKey(const model::GroupKey& vals) {
  std::string out;
  for (const auto& v : vals) codec::PutBytes(out, v);
  return out;
}

std::string EncodeCombo(const ComboKeys& keys) {
  std::string out;
  for (uint32_t k : keys) codec::PutVarint(out, k);
  return out;
}

Result<EncodedPeriod> CompressPeriod(const PeriodAgg& agg, int level) {
  EncodedPeriod enc = EncodePeriod(agg);
  auto groups = codec::Compress(enc.groups, level);
  if (!groups.ok()) return groups.status();
  auto combos = codec::Compress(enc.combos, level);
  if (!combos.ok()) return combos.status();
  return EncodedPeriod{std::move(groups.value()), std::move(combos.value())};
}

// Seconds as varint milliseconds: waits and ages need no finer grain.
void PutSeconds(std::string& out, double s) {
  codec::PutVarint(out, static_cast<uint64_t>(std::llround(std::max(0.0, s) * 1000)));
}

// One sample's lock waits (docs/store-format.md, "Lock waits").
std::string EncodeLockWaits(const std::vector<model::LockWait>& waits) {
  std::string out;
  codec::PutVarint(out, waits.size());
  for (const model::LockWait& w : waits) {
    codec::PutVarint(out, static_cast<uint64_t>(w.waiter_pid));
    codec::PutVarint(out, static_cast<uint64_t>(w.blocker_pid));
    codec::PutBytes(out, w.waiter_statement);
    codec::PutBytes(out, w.wait_event);
    PutSeconds(out, w.wait_seconds);
    codec::PutBytes(out, w.blocker_state);
    codec::PutBytes(out, w.blocker_statement);
    codec::PutBytes(out, w.blocker_user);
    codec::PutBytes(out, w.blocker_host);
    codec::PutBytes(out, w.blocker_application);
    PutSeconds(out, w.blocker_xact_seconds);
    PutSeconds(out, w.blocker_state_seconds);
  }
  return out;
}

}  // namespace

size_t Store::ComboHash::operator()(const ComboKeys& k) const {
  size_t h = 1469598103934665603ULL;
  for (uint32_t v : k) h = (h ^ v) * 1099511628211ULL;
  return h;
}

Store::Store(const StoreOptions& options, const Clock& clock) : options_(options), clock_(clock) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options, const Clock& clock) {
  std::unique_ptr<Store> store(new Store(options, clock));
  DBI_RETURN_IF_ERROR(store->Init());
  return store;
}

Status Store::Init() {
  std::string path = options_.directory + "/dbinsight.db";
  auto w = OpenWriter(path, kSchema, kSchemaVersion);
  if (!w.ok()) return w.status();
  writer_ = std::move(w.value());
  // Migration 1 -> 2: OpenWriter's schema already created lock_wait; record the version.
  DBI_RETURN_IF_ERROR(writer_->Exec("UPDATE meta SET value = '" + std::to_string(kSchemaVersion) +
                                    "' WHERE key = 'schema_version' AND CAST(value AS INTEGER) < " +
                                    std::to_string(kSchemaVersion)));
  auto r = ReaderPool::Open(path, options_.read_connections);
  if (!r.ok()) return r.status();
  readers_ = std::move(r.value());
  return LoadDictionary();
}

Status Store::LoadDictionary() {
  std::unique_lock dict(dict_mu_);
  combos_.assign(1, ComboKeys{});  // id 0 unused
  auto keys = writer_->Prepare("SELECT grp, id, vals FROM dim_key ORDER BY grp, id");
  if (!keys.ok()) return keys.status();
  DBI_RETURN_IF_ERROR(keys->ForEachRow([&]() -> Status {
    auto g = static_cast<size_t>(keys->Int(0));
    auto id = static_cast<uint32_t>(keys->Int(1));
    if (g >= key_vals_.size()) return Status::DataLoss("dim_key row with unknown group");
    if (key_vals_[g].size() <= id) key_vals_[g].resize(id + 1);
    key_vals_[g][id] = std::string(keys->Blob(2));
    key_ids_[g][key_vals_[g][id]] = id;
    return Status::Ok();
  }));
  auto combos = writer_->Prepare("SELECT id, keys FROM combo ORDER BY id");
  if (!combos.ok()) return combos.status();
  DBI_RETURN_IF_ERROR(combos->ForEachRow([&]() -> Status {
    auto id = static_cast<uint32_t>(combos->Int(0));
    codec::Reader in(combos->Blob(1));
    ComboKeys k{};
    for (auto& v : k) v = static_cast<uint32_t>(in.Varint());
    if (combos_.size() <= id) combos_.resize(id + 1);
    combos_[id] = k;
    combo_ids_[k] = id;
    return Status::Ok();
  }));
  auto insts = writer_->Prepare("SELECT id, name FROM instance");
  if (!insts.ok()) return insts.status();
  DBI_RETURN_IF_ERROR(insts->ForEachRow([&]() -> Status {
    InstanceState st;
    st.id = insts->Int(0);
    for (size_t t = 1; t < kTiers.size(); ++t) {
      auto s = SealedThrough(*writer_, st.id, kTiers[t]);
      if (!s.ok()) return s.status();
      st.sealed_through[t] = s.value();
    }
    instances_[std::string(insts->Text(1))] = st;
    return Status::Ok();
  }));
  return Status::Ok();
}

Result<Store::InstanceState*> Store::Instance(const std::string& name) {
  return FindOrAddInstance(*writer_, dict_mu_, instances_, name);
}

const Store::InstanceState* Store::FindInstance(const std::string& name) const {
  std::shared_lock dict(dict_mu_);
  auto it = instances_.find(name);
  return it == instances_.end() ? nullptr : &it->second;
}

Result<uint32_t> Store::KeyId(model::Group group, const model::GroupKey& vals) {
  auto g = static_cast<size_t>(group);
  std::string enc = EncodeKey(vals);
  {
    std::shared_lock dict(dict_mu_);
    auto it = key_ids_[g].find(enc);
    if (it != key_ids_[g].end()) return it->second;
  }
  // Id 0 is reserved so a zeroed ComboKeys never aliases a real key.
  auto id = static_cast<uint32_t>(std::max<size_t>(key_vals_[g].size(), 1));
  auto ins = writer_->Prepare("INSERT INTO dim_key(grp, id, vals) VALUES(?, ?, ?)");
  if (!ins.ok()) return ins.status();
  DBI_RETURN_IF_ERROR(ins->Bind(1, static_cast<int64_t>(g)).Bind(2, static_cast<int64_t>(id)).BindBlob(3, enc).Run());
  std::unique_lock dict(dict_mu_);
  key_vals_[g].resize(id + 1);
  key_vals_[g][id] = enc;
  key_ids_[g][std::move(enc)] = id;
  return id;
}

Result<uint32_t> Store::ComboId(const ComboKeys& keys) {
  {
    std::shared_lock dict(dict_mu_);
    auto it = combo_ids_.find(keys);
    if (it != combo_ids_.end()) return it->second;
  }
  auto id = static_cast<uint32_t>(combos_.size());
  auto ins = writer_->Prepare("INSERT INTO combo(id, keys) VALUES(?, ?)");
  if (!ins.ok()) return ins.status();
  DBI_RETURN_IF_ERROR(ins->Bind(1, static_cast<int64_t>(id)).BindBlob(2, EncodeCombo(keys)).Run());
  std::unique_lock dict(dict_mu_);
  combos_.push_back(keys);
  combo_ids_[keys] = id;
  return id;
}

void Store::NoteWriteError(const Status& st) {
  std::lock_guard lock(stats_mu_);
  ++stats_.write_errors;
  if (st.message() != stats_.last_error) {
    log::Error("store write failed (sample dropped; the gap will show): {}", st.ToString());
    stats_.last_error = st.message();
  }
}

void Store::Append(model::Sample&& sample) {
  Status st = AppendSample(sample);
  if (!st.ok()) NoteWriteError(st);
}

void Store::RecordGap(model::Gap&& gap) {
  Status st = AppendGap(gap);
  if (!st.ok()) NoteWriteError(st);
}

Status Store::AppendSample(const model::Sample& sample) {
  std::lock_guard lock(write_mu_);
  auto inst_or = Instance(sample.instance_id);
  if (!inst_or.ok()) return inst_or.status();
  InstanceState& inst = *inst_or.value();
  auto ts = static_cast<int64_t>(std::floor(ToEpochSeconds(sample.time)));
  if (ts < inst.sealed_through[1]) {
    std::lock_guard s(stats_mu_);
    ++stats_.late_samples_dropped;
    return Status::Ok();
  }
  // Dictionary entries are committed on their own, before the sample, so a
  // failed sample transaction never leaves ids in memory that the file lacks.
  std::unordered_map<uint32_t, uint32_t> counts;
  for (const model::SessionRow& row : sample.active) {
    ComboKeys keys{};
    for (int g = 0; g < model::kGroupCount; ++g) {
      auto id = KeyId(model::kAllGroups[g], row.dims[g]);
      if (!id.ok()) return id.status();
      keys[g] = id.value();
    }
    auto combo = ComboId(keys);
    if (!combo.ok()) return combo.status();
    ++counts[combo.value()];
  }
  Transaction tx(*writer_);
  DBI_RETURN_IF_ERROR(tx.Begin());
  int64_t minute = FloorTo(ts, 60);
  if (minute > inst.sealed_through[1]) DBI_RETURN_IF_ERROR(Seal(inst, minute));
  auto sec = writer_->Prepare(
      "INSERT INTO live_sec(inst, ts, samples, idle_in_transaction) VALUES(?, ?, 1, ?) "
      "ON CONFLICT(inst, ts) DO UPDATE SET samples = samples + 1, "
      "idle_in_transaction = idle_in_transaction + excluded.idle_in_transaction");
  if (!sec.ok()) return sec.status();
  DBI_RETURN_IF_ERROR(sec->Bind(1, inst.id).Bind(2, ts).Bind(3, int64_t{sample.idle_in_transaction}).Run());
  auto row = writer_->Prepare(
      "INSERT INTO live_row(inst, ts, combo, hits) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(inst, ts, combo) DO UPDATE SET hits = hits + excluded.hits");
  if (!row.ok()) return row.status();
  for (const auto& [combo, n] : counts)
    DBI_RETURN_IF_ERROR(row->Bind(1, inst.id).Bind(2, ts).Bind(3, int64_t{combo}).Bind(4, int64_t{n}).Run());
  if (!sample.lock_waits.empty()) {
    // Same transaction as the load: a sample is acknowledged whole or not at all.
    auto packed = codec::Compress(EncodeLockWaits(sample.lock_waits), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    auto lw = writer_->Prepare("INSERT OR REPLACE INTO lock_wait(inst, ts_ms, data) VALUES(?, ?, ?)");
    if (!lw.ok()) return lw.status();
    DBI_RETURN_IF_ERROR(lw->Bind(1, inst.id).Bind(2, ToEpochMillis(sample.time)).BindBlob(3, packed.value()).Run());
  }
  DBI_RETURN_IF_ERROR(tx.Commit());
  std::lock_guard s(stats_mu_);
  ++stats_.samples_written;
  return Status::Ok();
}

Status Store::AppendGap(const model::Gap& gap) {
  std::lock_guard lock(write_mu_);
  auto inst = Instance(gap.instance_id);
  if (!inst.ok()) return inst.status();
  auto ins = writer_->Prepare("INSERT INTO gap(inst, from_ms, to_ms, reason) VALUES(?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  return ins->Bind(1, inst.value()->id)
      .Bind(2, ToEpochMillis(gap.from))
      .Bind(3, ToEpochMillis(gap.to))
      .Bind(4, gap.reason)
      .Run();
}

Status Store::Seal(InstanceState& inst, int64_t up_to) {
  auto minutes = writer_->Prepare("SELECT DISTINCT ts - (ts % 60) FROM live_sec WHERE inst = ? AND ts < ? ORDER BY 1");
  if (!minutes.ok()) return minutes.status();
  minutes->Bind(1, inst.id).Bind(2, up_to);
  std::vector<int64_t> starts;
  DBI_RETURN_IF_ERROR(minutes->ForEachRow([&]() -> Status {
    starts.push_back(minutes->Int(0));
    return Status::Ok();
  }));
  // combos_ only grows under write_mu_, which we hold: no copy needed.
  const std::vector<ComboKeys>& combos = combos_;
  auto block = writer_->Prepare("INSERT OR REPLACE INTO sec_block(inst, start, data) VALUES(?, ?, ?)");
  auto roll = writer_->Prepare("INSERT OR REPLACE INTO rollup(inst, tier, start, data, combos) VALUES(?, 60, ?, ?, ?)");
  if (!block.ok()) return block.status();
  if (!roll.ok()) return roll.status();
  for (int64_t start : starts) {
    auto secs = ReadLive(*writer_, inst.id, start, start + 60);
    if (!secs.ok()) return secs.status();
    auto packed = codec::Compress(EncodeSeconds(secs.value()), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    DBI_RETURN_IF_ERROR(block->Bind(1, inst.id).Bind(2, start).BindBlob(3, packed.value()).Run());
    auto agg = CompressPeriod(AggregateSeconds(start, secs.value(), combos), options_.zstd_level);
    if (!agg.ok()) return agg.status();
    DBI_RETURN_IF_ERROR(roll->Bind(1, inst.id).Bind(2, start).BindBlob(3, agg->groups).BindBlob(4, agg->combos).Run());
  }
  for (const char* sql :
       {"DELETE FROM live_row WHERE inst = ? AND ts < ?", "DELETE FROM live_sec WHERE inst = ? AND ts < ?"}) {
    auto del = writer_->Prepare(sql);
    if (!del.ok()) return del.status();
    DBI_RETURN_IF_ERROR(del->Bind(1, inst.id).Bind(2, up_to).Run());
  }
  auto sealed = writer_->Prepare("INSERT OR REPLACE INTO sealed(inst, tier, through) VALUES(?, ?, ?)");
  if (!sealed.ok()) return sealed.status();
  DBI_RETURN_IF_ERROR(sealed->Bind(1, inst.id).Bind(2, int64_t{60}).Bind(3, up_to).Run());
  {
    std::unique_lock dict(dict_mu_);
    inst.sealed_through[1] = up_to;
  }
  for (size_t t = 2; t < kTiers.size(); ++t) DBI_RETURN_IF_ERROR(SealTier(inst, t, up_to));
  return Status::Ok();
}

Status Store::SealTier(InstanceState& inst, size_t tier_index, int64_t up_to) {
  const int64_t tier = kTiers[tier_index];
  const int64_t lower = kTiers[tier_index - 1];
  const int64_t end = FloorTo(up_to, tier);
  const int64_t begin = inst.sealed_through[tier_index];
  if (end <= begin) return Status::Ok();
  auto lower_rows = ReadRollupRows(*writer_, inst.id, lower, begin, end, PeriodParts{});
  if (!lower_rows.ok()) return lower_rows.status();
  std::map<int64_t, std::vector<PeriodAgg>> parts;
  for (PeriodAgg& p : lower_rows.value()) parts[FloorTo(p.start, tier)].push_back(std::move(p));
  auto ins = writer_->Prepare("INSERT OR REPLACE INTO rollup(inst, tier, start, data, combos) VALUES(?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  for (const auto& [start, p] : parts) {
    auto packed = CompressPeriod(MergePeriods(start, p), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    DBI_RETURN_IF_ERROR(ins->Bind(1, inst.id)
                            .Bind(2, tier)
                            .Bind(3, start)
                            .BindBlob(4, packed->groups)
                            .BindBlob(5, packed->combos)
                            .Run());
  }
  auto sealed = writer_->Prepare("INSERT OR REPLACE INTO sealed(inst, tier, through) VALUES(?, ?, ?)");
  if (!sealed.ok()) return sealed.status();
  DBI_RETURN_IF_ERROR(sealed->Bind(1, inst.id).Bind(2, tier).Bind(3, end).Run());
  std::unique_lock dict(dict_mu_);
  inst.sealed_through[tier_index] = end;
  return Status::Ok();
}

Status Store::Maintain(WallTime now) {
  std::lock_guard lock(write_mu_);
  auto now_s = static_cast<int64_t>(ToEpochSeconds(now));
  // Seal instances that stopped sending; a minute is only sealed once no
  // sample can still arrive for it.
  int64_t up_to = FloorTo(now_s - 60, 60);
  std::vector<InstanceState*> insts;
  {
    std::shared_lock dict(dict_mu_);
    for (auto& [name, st] : instances_) insts.push_back(&st);
  }
  for (InstanceState* inst : insts) {
    if (inst->sealed_through[1] >= up_to) continue;
    Transaction tx(*writer_);
    DBI_RETURN_IF_ERROR(tx.Begin());
    DBI_RETURN_IF_ERROR(Seal(*inst, up_to));
    DBI_RETURN_IF_ERROR(tx.Commit());
  }
  const auto& r = options_.retention;
  const std::array<Days, kTiers.size()> keep = {r.one_second, r.one_minute, r.five_minute, r.one_hour, r.one_day};
  auto del_block = writer_->Prepare("DELETE FROM sec_block WHERE start < ?");
  if (!del_block.ok()) return del_block.status();
  DBI_RETURN_IF_ERROR(del_block->Bind(1, now_s - std::chrono::seconds(keep[0]).count()).Run());
  // Lock waits are per-sample detail: they live as long as the 1-second tier.
  auto del_locks = writer_->Prepare("DELETE FROM lock_wait WHERE ts_ms < ?");
  if (!del_locks.ok()) return del_locks.status();
  DBI_RETURN_IF_ERROR(del_locks->Bind(1, (now_s - std::chrono::seconds(keep[0]).count()) * 1000).Run());
  auto del_roll = writer_->Prepare("DELETE FROM rollup WHERE tier = ? AND start < ?");
  if (!del_roll.ok()) return del_roll.status();
  for (size_t t = 1; t < kTiers.size(); ++t)
    DBI_RETURN_IF_ERROR(
        del_roll->Bind(1, int64_t{kTiers[t]}).Bind(2, now_s - std::chrono::seconds(keep[t]).count()).Run());
  auto del_gap = writer_->Prepare("DELETE FROM gap WHERE to_ms < ?");
  if (!del_gap.ok()) return del_gap.status();
  return del_gap->Bind(1, (now_s - std::chrono::seconds(keep.back()).count()) * 1000).Run();
}

StoreStats Store::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

Status Store::LimitGrowthForTest(int64_t extra_pages) {
  std::lock_guard lock(write_mu_);
  return LimitGrowth(*writer_, extra_pages);
}

}  // namespace dbinsight::store
