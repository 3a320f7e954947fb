// MetricStore's write side: schema, dictionaries, appends, sealing and
// retention. Reads are in metric_store_read.cc.
#include "store/metric_store.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "common/log.h"
#include "store/codec.h"
#include "store/sqlite.h"

namespace dbinsight::store {

namespace {

// Schema version 1 (docs/store-format.md, "Metrics and per-SQL statistics").
// Forward-only migrations go in Init().
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS instance(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS metric_name(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS instance_metric(inst INTEGER NOT NULL, metric INTEGER NOT NULL, last INTEGER NOT NULL,
                                           PRIMARY KEY(inst, metric)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS live_point(inst INTEGER NOT NULL, metric INTEGER NOT NULL, ts INTEGER NOT NULL,
                                      sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                                      count INTEGER NOT NULL, PRIMARY KEY(inst, metric, ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS point_block(inst INTEGER NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
                                       PRIMARY KEY(inst, start));
CREATE TABLE IF NOT EXISTS metric_rollup(inst INTEGER NOT NULL, tier INTEGER NOT NULL, start INTEGER NOT NULL,
                                         data BLOB NOT NULL, PRIMARY KEY(inst, tier, start));
CREATE TABLE IF NOT EXISTS sealed(inst INTEGER NOT NULL, tier INTEGER NOT NULL, through INTEGER NOT NULL,
                                  PRIMARY KEY(inst, tier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counter_name(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS sql_text(id INTEGER PRIMARY KEY, tokenized_id TEXT UNIQUE NOT NULL,
                                    statement TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sql_instance(inst INTEGER NOT NULL, sql INTEGER NOT NULL, db_id TEXT NOT NULL,
                                        PRIMARY KEY(inst, sql)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stmt_interval(inst INTEGER NOT NULL, end_ms INTEGER NOT NULL, len_ms INTEGER NOT NULL,
                                         data BLOB NOT NULL, PRIMARY KEY(inst, end_ms));
CREATE TABLE IF NOT EXISTS stmt_hour(inst INTEGER NOT NULL, start INTEGER NOT NULL, covered_ms INTEGER NOT NULL,
                                     data BLOB NOT NULL, PRIMARY KEY(inst, start));
CREATE TABLE IF NOT EXISTS stmt_sealed(inst INTEGER PRIMARY KEY, through INTEGER NOT NULL);
)sql";

int64_t SecondsOf(Days d) { return std::chrono::seconds(d).count(); }

}  // namespace

MetricStore::MetricStore(const StoreOptions& options, const Clock& clock) : options_(options), clock_(clock) {}
MetricStore::~MetricStore() = default;

Result<std::unique_ptr<MetricStore>> MetricStore::Open(const StoreOptions& options, const Clock& clock) {
  std::unique_ptr<MetricStore> store(new MetricStore(options, clock));
  DBI_RETURN_IF_ERROR(store->Init());
  return store;
}

Status MetricStore::Init() {
  const std::string path = options_.directory + "/metrics.sqlite3";
  auto w = OpenWriter(path, kSchema, kSchemaVersion);
  if (!w.ok()) return w.status();
  writer_ = std::move(w.value());
  auto r = ReaderPool::Open(path, options_.read_connections);
  if (!r.ok()) return r.status();
  readers_ = std::move(r.value());
  return LoadDictionary();
}

Status MetricStore::LoadDictionary() {
  std::unique_lock dict(dict_mu_);
  for (NameDict* d : {&metric_dict_, &counter_dict_}) {
    auto q = writer_->Prepare(std::string("SELECT id, name FROM ") + d->table + " ORDER BY id");
    if (!q.ok()) return q.status();
    DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
      auto id = static_cast<uint32_t>(q->Int(0));
      if (d->names.size() <= id) d->names.resize(id + 1);
      d->names[id] = std::string(q->Text(1));
      d->ids[d->names[id]] = id;
      return Status::Ok();
    }));
  }
  // Texts stay on disk (they can be megabytes); only whether one is stored.
  auto sql = writer_->Prepare("SELECT id, tokenized_id, length(statement) > 0 FROM sql_text");
  if (!sql.ok()) return sql.status();
  DBI_RETURN_IF_ERROR(sql->ForEachRow([&]() -> Status {
    sql_ids_[std::string(sql->Text(1))] = {static_cast<uint32_t>(sql->Int(0)), sql->Int(2) != 0};
    return Status::Ok();
  }));
  std::unordered_map<int64_t, InstanceState*> by_id;
  auto insts = writer_->Prepare("SELECT id, name FROM instance");
  if (!insts.ok()) return insts.status();
  DBI_RETURN_IF_ERROR(insts->ForEachRow([&]() -> Status {
    InstanceState& st = instances_[std::string(insts->Text(1))];
    st.id = insts->Int(0);
    by_id[st.id] = &st;
    return Status::Ok();
  }));
  // Each query: (inst, a, b) rows applied to the instance.
  struct Loader {
    const char* sql;
    void (*apply)(InstanceState&, const Statement&);
  };
  const Loader loaders[] = {
      {"SELECT inst, tier, through FROM sealed",
       [](InstanceState& st, const Statement& q) {
         auto it = std::find(kTiers.begin(), kTiers.end(), q.Int(1));
         if (it != kTiers.end()) st.sealed_through[static_cast<size_t>(it - kTiers.begin())] = q.Int(2);
       }},
      {"SELECT inst, through FROM stmt_sealed",
       [](InstanceState& st, const Statement& q) { st.hours_through = q.Int(1); }},
      {"SELECT inst, metric FROM instance_metric",
       [](InstanceState& st, const Statement& q) { st.metrics.insert(static_cast<uint32_t>(q.Int(1))); }},
      {"SELECT inst, sql, db_id FROM sql_instance",
       [](InstanceState& st, const Statement& q) { st.db_ids[static_cast<uint32_t>(q.Int(1))] = q.Text(2); }},
  };
  for (const Loader& l : loaders) {
    auto q = writer_->Prepare(l.sql);
    if (!q.ok()) return q.status();
    DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
      auto it = by_id.find(q->Int(0));
      if (it == by_id.end()) return Status::DataLoss(std::string("row of an unknown instance in: ") + l.sql);
      l.apply(*it->second, q.value());
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

Result<MetricStore::InstanceState*> MetricStore::Instance(const std::string& name) {
  return FindOrAddInstance(*writer_, dict_mu_, instances_, name);
}

int64_t MetricStore::FindInstanceId(const std::string& name) const {
  std::shared_lock dict(dict_mu_);
  auto it = instances_.find(name);
  return it == instances_.end() ? 0 : it->second.id;
}

Result<std::vector<uint32_t>> MetricStore::Intern(NameDict& dict, const std::vector<std::string_view>& names) {
  std::vector<uint32_t> ids(names.size());
  std::vector<size_t> missing;
  // Only the writer changes dictionaries (under write_mu_, held here): it
  // reads them without dict_mu_.
  for (size_t i = 0; i < names.size(); ++i) {
    auto it = dict.ids.find(names[i]);
    if (it == dict.ids.end()) {
      missing.push_back(i);
    } else {
      ids[i] = it->second;
    }
  }
  if (missing.empty()) return ids;
  auto next = static_cast<uint32_t>(dict.names.size());
  std::unordered_map<std::string_view, uint32_t> added;
  Transaction tx(*writer_);
  DBI_RETURN_IF_ERROR(tx.Begin());
  auto ins = writer_->Prepare(std::string("INSERT INTO ") + dict.table + "(id, name) VALUES(?, ?)");
  if (!ins.ok()) return ins.status();
  for (size_t i : missing) {
    auto [it, fresh] = added.emplace(names[i], next);
    if (fresh) {
      DBI_RETURN_IF_ERROR(ins->Bind(1, int64_t{next}).Bind(2, names[i]).Run());
      ++next;
    }
    ids[i] = it->second;
  }
  DBI_RETURN_IF_ERROR(tx.Commit());
  std::unique_lock lock(dict_mu_);
  dict.names.resize(next);
  for (const auto& [name, id] : added) {
    dict.names[id] = std::string(name);
    dict.ids.emplace(dict.names[id], id);
  }
  return ids;
}

Result<std::vector<uint32_t>> MetricStore::InternStatements(InstanceState& inst,
                                                            const model::StatementStatsSample& sample) {
  // Only the writer changes dictionaries, under write_mu_ (held here), so it
  // reads them without dict_mu_. Changes go into one transaction and are
  // published to memory after it commits.
  std::unordered_map<std::string_view, SqlEntry> entries;  // added or changed, by tokenized id
  std::unordered_map<uint32_t, std::string_view> db_ids;   // added or changed, by statement id
  std::optional<Transaction> tx;
  std::optional<Statement> ins, text, db;
  auto begin = [&]() -> Status {
    if (tx) return Status::Ok();
    tx.emplace(*writer_);
    DBI_RETURN_IF_ERROR(tx->Begin());
    auto i = writer_->Prepare("INSERT INTO sql_text(tokenized_id, statement) VALUES(?, ?)");
    auto t = writer_->Prepare("UPDATE sql_text SET statement = ? WHERE id = ?");
    auto d = writer_->Prepare(
        "INSERT INTO sql_instance(inst, sql, db_id) VALUES(?, ?, ?) "
        "ON CONFLICT(inst, sql) DO UPDATE SET db_id = excluded.db_id");
    for (auto* r : {&i, &t, &d})
      if (!r->ok()) return r->status();
    ins.emplace(std::move(i.value()));
    text.emplace(std::move(t.value()));
    db.emplace(std::move(d.value()));
    return Status::Ok();
  };
  std::vector<uint32_t> ids(sample.statements.size());
  for (size_t i = 0; i < sample.statements.size(); ++i) {
    const model::StatementDelta& s = sample.statements[i];
    SqlEntry e;
    if (auto it = entries.find(s.tokenized_id); it != entries.end()) {
      e = it->second;
    } else if (auto known = sql_ids_.find(s.tokenized_id); known != sql_ids_.end()) {
      e = known->second;
    }
    if (e.id == 0) {
      DBI_RETURN_IF_ERROR(begin());
      DBI_RETURN_IF_ERROR(ins->Bind(1, s.tokenized_id).Bind(2, s.statement).Run());
      e = {static_cast<uint32_t>(writer_->LastInsertRowId()), !s.statement.empty()};
      entries[s.tokenized_id] = e;
    } else if (!e.has_text && !s.statement.empty()) {
      DBI_RETURN_IF_ERROR(begin());
      DBI_RETURN_IF_ERROR(text->Bind(1, s.statement).Bind(2, int64_t{e.id}).Run());
      e.has_text = true;
      entries[s.tokenized_id] = e;
    }
    ids[i] = e.id;
    std::optional<std::string_view> have;
    if (auto it = db_ids.find(e.id); it != db_ids.end()) {
      have = it->second;
    } else if (auto known = inst.db_ids.find(e.id); known != inst.db_ids.end()) {
      have = known->second;
    }
    if (!have || (!s.tokenized_db_id.empty() && *have != s.tokenized_db_id)) {
      DBI_RETURN_IF_ERROR(begin());
      DBI_RETURN_IF_ERROR(db->Bind(1, inst.id).Bind(2, int64_t{e.id}).Bind(3, s.tokenized_db_id).Run());
      db_ids[e.id] = s.tokenized_db_id;
    }
  }
  if (!tx) return ids;
  DBI_RETURN_IF_ERROR(tx->Commit());
  std::unique_lock lock(dict_mu_);
  for (const auto& [tokenized_id, e] : entries) sql_ids_[std::string(tokenized_id)] = e;
  for (const auto& [id, db_id] : db_ids) inst.db_ids[id] = std::string(db_id);
  return ids;
}

void MetricStore::NoteWriteError(const Status& st) {
  std::lock_guard lock(stats_mu_);
  ++stats_.write_errors;
  if (st.message() != stats_.last_error) {
    log::Error("metric store write failed (sample dropped; the gap will show): {}", st.ToString());
    stats_.last_error = st.message();
  }
}

void MetricStore::NoteInvalid(const std::string& instance, std::string_view name, int64_t n) {
  std::lock_guard lock(stats_mu_);
  stats_.invalid_values_dropped += n;
  if (invalid_logged_.insert(instance + "/" + std::string(name)).second)
    log::Warn("{} of instance {} is NaN or infinite: not stored (counted in invalid_values_dropped, logged once)", name,
              instance);
}

void MetricStore::AppendMetrics(model::MetricSample&& sample) {
  Status st = AppendMetricSample(sample);
  if (!st.ok()) NoteWriteError(st);
}

void MetricStore::AppendStatementStats(model::StatementStatsSample&& sample) {
  Status st = AppendStatementSample(sample);
  if (!st.ok()) NoteWriteError(st);
}

Status MetricStore::AppendMetricSample(const model::MetricSample& sample) {
  const auto ts = static_cast<int64_t>(std::floor(ToEpochSeconds(sample.time)));
  std::vector<NamedMetricPeriod> points;
  points.reserve(sample.points.size());
  for (const model::MetricPoint& p : sample.points) {
    if (!std::isfinite(p.value)) {
      NoteInvalid(sample.instance_id, p.name, 1);
      continue;
    }
    points.push_back({p.name, {ts, p.value, p.value, p.value, 1}});
  }
  std::lock_guard lock(write_mu_);
  auto inst = Instance(sample.instance_id);
  if (!inst.ok()) return inst.status();
  if (ts < inst.value()->sealed_through[1]) {
    std::lock_guard s(stats_mu_);
    stats_.late_points_dropped += static_cast<int64_t>(sample.points.size());
    return Status::Ok();
  }
  return Write(*inst.value(), points, ts);
}

Status MetricStore::MergeMetricPeriods(const std::string& instance, std::span<const NamedMetricPeriod> periods) {
  for (const NamedMetricPeriod& n : periods) {
    const MetricPeriod& p = n.period;
    if (p.count < 1 || !std::isfinite(p.sum) || !std::isfinite(p.min) || !std::isfinite(p.max) || p.min > p.max)
      return Status::InvalidArgument("metric " + n.name + " of " + instance +
                                     ": an aggregate needs count >= 1, min <= max and finite values");
  }
  if (periods.empty()) return Status::Ok();
  int64_t newest = periods.front().period.start;
  for (const NamedMetricPeriod& n : periods) newest = std::max(newest, n.period.start);
  std::lock_guard lock(write_mu_);
  auto inst = Instance(instance);
  if (!inst.ok()) return inst.status();
  return Write(*inst.value(), periods, newest);
}

Status MetricStore::Write(InstanceState& inst, std::span<const NamedMetricPeriod> periods, int64_t newest) {
  std::vector<std::string_view> names;
  names.reserve(periods.size());
  for (const NamedMetricPeriod& n : periods) names.push_back(n.name);
  auto ids = Intern(metric_dict_, names);
  if (!ids.ok()) return ids.status();
  std::vector<uint32_t> new_metrics;
  for (uint32_t id : ids.value())
    if (!inst.metrics.contains(id)) new_metrics.push_back(id);
  std::sort(new_metrics.begin(), new_metrics.end());
  new_metrics.erase(std::unique(new_metrics.begin(), new_metrics.end()), new_metrics.end());

  Transaction tx(*writer_);
  DBI_RETURN_IF_ERROR(tx.Begin());
  auto sealed = inst.sealed_through;
  const int64_t seal_to = FloorTo(newest - kSealGraceSeconds, 60);
  if (seal_to > sealed[1]) DBI_RETURN_IF_ERROR(Seal(inst, seal_to, sealed));
  auto up = writer_->Prepare(
      "INSERT INTO live_point(inst, metric, ts, sum, min, max, count) VALUES(?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(inst, metric, ts) DO UPDATE SET sum = sum + excluded.sum, min = MIN(min, excluded.min), "
      "max = MAX(max, excluded.max), count = count + excluded.count");
  if (!up.ok()) return up.status();
  std::vector<std::pair<uint32_t, MetricPeriod>> late;
  for (size_t i = 0; i < periods.size(); ++i) {
    const MetricPeriod& p = periods[i].period;
    if (p.start < sealed[1]) {
      late.emplace_back(ids.value()[i], p);
      continue;
    }
    DBI_RETURN_IF_ERROR(up->Bind(1, inst.id)
                            .Bind(2, int64_t{ids.value()[i]})
                            .Bind(3, p.start)
                            .BindReal(4, p.sum)
                            .BindReal(5, p.min)
                            .BindReal(6, p.max)
                            .Bind(7, p.count)
                            .Run());
  }
  if (!late.empty()) DBI_RETURN_IF_ERROR(MergeSealed(inst, sealed, late));
  if (!new_metrics.empty()) {
    auto known = writer_->Prepare("INSERT OR IGNORE INTO instance_metric(inst, metric, last) VALUES(?, ?, ?)");
    if (!known.ok()) return known.status();
    for (uint32_t id : new_metrics)
      DBI_RETURN_IF_ERROR(known->Bind(1, inst.id).Bind(2, int64_t{id}).Bind(3, newest).Run());
  }
  DBI_RETURN_IF_ERROR(tx.Commit());
  inst.sealed_through = sealed;
  if (!new_metrics.empty()) {
    std::unique_lock dict(dict_mu_);
    inst.metrics.insert(new_metrics.begin(), new_metrics.end());
  }
  std::lock_guard s(stats_mu_);
  stats_.points_written += static_cast<int64_t>(periods.size());
  return Status::Ok();
}

Status MetricStore::MergeSealed(const InstanceState& inst, const std::array<int64_t, kTiers.size()>& sealed,
                                const std::vector<std::pair<uint32_t, MetricPeriod>>& late) {
  // Per minute block: metric -> second -> aggregate to add.
  std::map<int64_t, std::map<uint32_t, std::map<int64_t, MetricPeriod>>> seconds;
  // Per (tier index, period start) of sealed rollups: metric -> aggregate to add.
  std::map<std::pair<size_t, int64_t>, std::map<uint32_t, MetricPeriod>> rollups;
  for (const auto& [metric, p] : late) {
    MetricPeriod& sec = seconds[FloorTo(p.start, 60)][metric].try_emplace(p.start, MetricPeriod{p.start}).first->second;
    sec.Merge(p);
    for (size_t t = 1; t < kTiers.size(); ++t) {
      const int64_t start = FloorTo(p.start, kTiers[t]);
      if (start >= sealed[t]) break;  // this tier and coarser ones roll it up when they seal
      MetricPeriod& agg = rollups[{t, start}].try_emplace(metric, MetricPeriod{start}).first->second;
      agg.Merge(p);
    }
  }
  auto get_block = writer_->Prepare("SELECT data FROM point_block WHERE inst = ? AND start = ?");
  auto put_block = writer_->Prepare("INSERT OR REPLACE INTO point_block(inst, start, data) VALUES(?, ?, ?)");
  if (!get_block.ok()) return get_block.status();
  if (!put_block.ok()) return put_block.status();
  for (const auto& [minute, by_metric] : seconds) {
    std::map<uint32_t, std::map<int64_t, MetricPeriod>> merged;
    get_block->Bind(1, inst.id).Bind(2, minute);
    auto row = get_block->Step();
    if (!row.ok()) return row.status();
    if (row.value()) {
      auto raw = codec::Decompress(get_block->Blob(0));
      if (!raw.ok()) return raw.status();
      auto stored = DecodeSecondBlock(raw.value(), minute);
      if (!stored.ok()) return stored.status();
      for (const SeriesSeconds& s : stored.value())
        for (const MetricPeriod& p : s.seconds) merged[s.metric][p.start] = p;
    }
    get_block->Reset();
    for (const auto& [metric, secs] : by_metric)
      for (const auto& [ts, p] : secs) merged[metric].try_emplace(ts, MetricPeriod{ts}).first->second.Merge(p);
    std::vector<SeriesSeconds> series;
    for (const auto& [metric, secs] : merged) {
      series.push_back({metric, {}});
      for (const auto& [ts, p] : secs) series.back().seconds.push_back(p);
    }
    auto packed = codec::Compress(EncodeSecondBlock(minute, series), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    DBI_RETURN_IF_ERROR(put_block->Bind(1, inst.id).Bind(2, minute).BindBlob(3, packed.value()).Run());
  }
  auto get_roll = writer_->Prepare("SELECT data FROM metric_rollup WHERE inst = ? AND tier = ? AND start = ?");
  auto put_roll = writer_->Prepare("INSERT OR REPLACE INTO metric_rollup(inst, tier, start, data) VALUES(?, ?, ?, ?)");
  if (!get_roll.ok()) return get_roll.status();
  if (!put_roll.ok()) return put_roll.status();
  for (const auto& [key, by_metric] : rollups) {
    const auto& [t, start] = key;
    std::map<uint32_t, MetricPeriod> merged;
    get_roll->Bind(1, inst.id).Bind(2, int64_t{kTiers[t]}).Bind(3, start);
    auto row = get_roll->Step();
    if (!row.ok()) return row.status();
    if (row.value()) {
      auto raw = codec::Decompress(get_roll->Blob(0));
      if (!raw.ok()) return raw.status();
      auto stored = DecodeRollup(raw.value(), start);
      if (!stored.ok()) return stored.status();
      for (const SeriesStat& s : stored.value()) merged[s.metric] = s.stat;
    }
    get_roll->Reset();
    for (const auto& [metric, p] : by_metric) merged.try_emplace(metric, MetricPeriod{start}).first->second.Merge(p);
    std::vector<SeriesStat> stats;
    for (const auto& [metric, p] : merged) stats.push_back({metric, p});
    auto packed = codec::Compress(EncodeRollup(stats), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    DBI_RETURN_IF_ERROR(
        put_roll->Bind(1, inst.id).Bind(2, int64_t{kTiers[t]}).Bind(3, start).BindBlob(4, packed.value()).Run());
  }
  // The newest sealed second of each metric, as Seal() keeps it.
  std::map<uint32_t, int64_t> newest;
  for (const auto& [metric, p] : late) newest[metric] = std::max(newest[metric], p.start);
  auto last = writer_->Prepare("UPDATE instance_metric SET last = MAX(last, ?) WHERE inst = ? AND metric = ?");
  if (!last.ok()) return last.status();
  for (const auto& [metric, ts] : newest)
    DBI_RETURN_IF_ERROR(last->Bind(1, ts).Bind(2, inst.id).Bind(3, int64_t{metric}).Run());
  return Status::Ok();
}

Status MetricStore::Seal(const InstanceState& inst, int64_t up_to, std::array<int64_t, kTiers.size()>& sealed) {
  if (up_to <= sealed[1]) return Status::Ok();
  auto rows = writer_->Prepare(
      "SELECT metric, ts, sum, min, max, count FROM live_point WHERE inst = ? AND ts < ? ORDER BY metric, ts");
  if (!rows.ok()) return rows.status();
  rows->Bind(1, inst.id).Bind(2, up_to);
  std::map<int64_t, std::vector<SeriesSeconds>> minutes;  // series sorted by metric, as the rows come
  std::map<uint32_t, int64_t> newest;
  DBI_RETURN_IF_ERROR(rows->ForEachRow([&]() -> Status {
    auto metric = static_cast<uint32_t>(rows->Int(0));
    int64_t ts = rows->Int(1);
    auto& series = minutes[FloorTo(ts, 60)];
    if (series.empty() || series.back().metric != metric) series.push_back({metric, {}});
    series.back().seconds.push_back({ts, rows->Real(2), rows->Real(3), rows->Real(4), rows->Int(5)});
    newest[metric] = ts;
    return Status::Ok();
  }));
  auto block = writer_->Prepare("INSERT OR REPLACE INTO point_block(inst, start, data) VALUES(?, ?, ?)");
  auto roll = writer_->Prepare("INSERT OR REPLACE INTO metric_rollup(inst, tier, start, data) VALUES(?, 60, ?, ?)");
  if (!block.ok()) return block.status();
  if (!roll.ok()) return roll.status();
  for (const auto& [minute, series] : minutes) {
    auto packed = codec::Compress(EncodeSecondBlock(minute, series), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    DBI_RETURN_IF_ERROR(block->Bind(1, inst.id).Bind(2, minute).BindBlob(3, packed.value()).Run());
    std::vector<SeriesStat> stats;
    stats.reserve(series.size());
    for (const SeriesSeconds& s : series) {
      SeriesStat st{s.metric, {minute}};
      for (const MetricPeriod& p : s.seconds) st.stat.Merge(p);
      stats.push_back(st);
    }
    auto agg = codec::Compress(EncodeRollup(stats), options_.zstd_level);
    if (!agg.ok()) return agg.status();
    DBI_RETURN_IF_ERROR(roll->Bind(1, inst.id).Bind(2, minute).BindBlob(3, agg.value()).Run());
  }
  auto del = writer_->Prepare("DELETE FROM live_point WHERE inst = ? AND ts < ?");
  if (!del.ok()) return del.status();
  DBI_RETURN_IF_ERROR(del->Bind(1, inst.id).Bind(2, up_to).Run());
  auto last = writer_->Prepare("UPDATE instance_metric SET last = MAX(last, ?) WHERE inst = ? AND metric = ?");
  if (!last.ok()) return last.status();
  for (const auto& [metric, ts] : newest)
    DBI_RETURN_IF_ERROR(last->Bind(1, ts).Bind(2, inst.id).Bind(3, int64_t{metric}).Run());
  auto mark = writer_->Prepare("INSERT OR REPLACE INTO sealed(inst, tier, through) VALUES(?, 60, ?)");
  if (!mark.ok()) return mark.status();
  DBI_RETURN_IF_ERROR(mark->Bind(1, inst.id).Bind(2, up_to).Run());
  sealed[1] = up_to;
  for (size_t t = 2; t < kTiers.size(); ++t) DBI_RETURN_IF_ERROR(SealTier(inst, t, up_to, sealed));
  return Status::Ok();
}

Status MetricStore::SealTier(const InstanceState& inst, size_t tier_index, int64_t up_to,
                             std::array<int64_t, kTiers.size()>& sealed) {
  const int64_t tier = kTiers[tier_index];
  const int64_t end = FloorTo(up_to, tier);
  const int64_t begin = sealed[tier_index];
  if (end <= begin) return Status::Ok();
  auto rows = writer_->Prepare(
      "SELECT start, data FROM metric_rollup WHERE inst = ? AND tier = ? AND start >= ? AND start < ? ORDER BY start");
  if (!rows.ok()) return rows.status();
  rows->Bind(1, inst.id).Bind(2, int64_t{kTiers[tier_index - 1]}).Bind(3, begin).Bind(4, end);
  std::map<int64_t, std::map<uint32_t, MetricPeriod>> periods;
  DBI_RETURN_IF_ERROR(rows->ForEachRow([&]() -> Status {
    auto raw = codec::Decompress(rows->Blob(1));
    if (!raw.ok()) return raw.status();
    auto parts = DecodeRollup(raw.value(), rows->Int(0));
    if (!parts.ok()) return parts.status();
    const int64_t start = FloorTo(rows->Int(0), tier);
    for (const SeriesStat& s : parts.value()) {
      MetricPeriod& p = periods[start][s.metric];
      p.start = start;
      p.Merge(s.stat);
    }
    return Status::Ok();
  }));
  auto ins = writer_->Prepare("INSERT OR REPLACE INTO metric_rollup(inst, tier, start, data) VALUES(?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  for (const auto& [start, by_metric] : periods) {
    std::vector<SeriesStat> stats;
    stats.reserve(by_metric.size());
    for (const auto& [metric, p] : by_metric) stats.push_back({metric, p});
    auto packed = codec::Compress(EncodeRollup(stats), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    DBI_RETURN_IF_ERROR(ins->Bind(1, inst.id).Bind(2, tier).Bind(3, start).BindBlob(4, packed.value()).Run());
  }
  auto mark = writer_->Prepare("INSERT OR REPLACE INTO sealed(inst, tier, through) VALUES(?, ?, ?)");
  if (!mark.ok()) return mark.status();
  DBI_RETURN_IF_ERROR(mark->Bind(1, inst.id).Bind(2, tier).Bind(3, end).Run());
  sealed[tier_index] = end;
  return Status::Ok();
}

Status MetricStore::AppendStatementSample(const model::StatementStatsSample& sample) {
  std::lock_guard lock(write_mu_);
  const int64_t end_ms = ToEpochMillis(sample.to);
  const int64_t len_ms = end_ms - ToEpochMillis(sample.from);
  if (len_ms <= 0)
    return Status::InvalidArgument("per-SQL statistics interval of instance " + sample.instance_id +
                                   " does not end after it starts");
  auto inst_or = Instance(sample.instance_id);
  if (!inst_or.ok()) return inst_or.status();
  InstanceState& inst = *inst_or.value();
  if (end_ms <= inst.hours_through * 1000) {
    std::lock_guard s(stats_mu_);
    ++stats_.late_intervals_dropped;
    return Status::Ok();
  }
  auto sql_ids = InternStatements(inst, sample);
  if (!sql_ids.ok()) return sql_ids.status();
  std::vector<std::string_view> names;
  for (const model::StatementDelta& s : sample.statements)
    for (const auto& [name, v] : s.deltas) names.push_back(name);
  auto counter_ids = Intern(counter_dict_, names);
  if (!counter_ids.ok()) return counter_ids.status();
  StatementSumsBuilder sums;
  std::vector<CounterValue> values;
  size_t k = 0;
  for (size_t i = 0; i < sample.statements.size(); ++i) {
    values.clear();
    for (const auto& [name, v] : sample.statements[i].deltas) {
      if (std::isfinite(v)) {
        values.push_back({counter_ids.value()[k], v});
      } else {
        NoteInvalid(sample.instance_id, "db.sql_tokenized.stats." + name, 1);
      }
      ++k;
    }
    sums.Add(sql_ids.value()[i], values);
  }
  auto packed = codec::Compress(EncodeStatementSums(std::move(sums).Finish()), options_.zstd_level);
  if (!packed.ok()) return packed.status();

  Transaction tx(*writer_);
  DBI_RETURN_IF_ERROR(tx.Begin());
  int64_t through = inst.hours_through;
  const int64_t hours_to = FloorTo(end_ms / 1000 - kHourSealDelaySeconds, 3600);
  if (hours_to > through) DBI_RETURN_IF_ERROR(SealHours(inst, hours_to, through));
  auto ins = writer_->Prepare("INSERT OR REPLACE INTO stmt_interval(inst, end_ms, len_ms, data) VALUES(?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  DBI_RETURN_IF_ERROR(ins->Bind(1, inst.id).Bind(2, end_ms).Bind(3, len_ms).BindBlob(4, packed.value()).Run());
  DBI_RETURN_IF_ERROR(tx.Commit());
  inst.hours_through = through;
  std::lock_guard s(stats_mu_);
  ++stats_.intervals_written;
  return Status::Ok();
}

Status MetricStore::SealHours(const InstanceState& inst, int64_t up_to, int64_t& through) {
  if (up_to <= through) return Status::Ok();
  auto rows = writer_->Prepare(
      "SELECT end_ms, len_ms, data FROM stmt_interval WHERE inst = ? AND end_ms > ? AND end_ms <= ? ORDER BY end_ms");
  auto ins = writer_->Prepare("INSERT OR REPLACE INTO stmt_hour(inst, start, covered_ms, data) VALUES(?, ?, ?, ?)");
  if (!rows.ok()) return rows.status();
  if (!ins.ok()) return ins.status();
  rows->Bind(1, inst.id).Bind(2, through * 1000).Bind(3, up_to * 1000);
  // Rows come in time order: an hour is complete when the next one starts.
  int64_t hour = 0, covered_ms = 0;
  bool open = false;
  StatementSumsBuilder sums;
  auto flush = [&]() -> Status {
    if (!open) return Status::Ok();
    auto packed = codec::Compress(EncodeStatementSums(std::move(sums).Finish()), options_.zstd_level);
    if (!packed.ok()) return packed.status();
    sums = {};
    return ins->Bind(1, inst.id).Bind(2, hour).Bind(3, covered_ms).BindBlob(4, packed.value()).Run();
  };
  DBI_RETURN_IF_ERROR(rows->ForEachRow([&]() -> Status {
    // Hour (H, H + 3600] by interval end, like every statement period.
    const int64_t h = FloorTo(rows->Int(0) - 1, 3600 * 1000) / 1000;
    if (!open || h != hour) {
      DBI_RETURN_IF_ERROR(flush());
      hour = h;
      covered_ms = 0;
      open = true;
    }
    covered_ms += rows->Int(1);
    auto raw = codec::Decompress(rows->Blob(2));
    if (!raw.ok()) return raw.status();
    return DecodeStatementSums(raw.value(), std::nullopt,
                               [&](uint32_t sql, std::span<const CounterValue> v) { sums.Add(sql, v); });
  }));
  DBI_RETURN_IF_ERROR(flush());
  auto mark = writer_->Prepare("INSERT OR REPLACE INTO stmt_sealed(inst, through) VALUES(?, ?)");
  if (!mark.ok()) return mark.status();
  DBI_RETURN_IF_ERROR(mark->Bind(1, inst.id).Bind(2, up_to).Run());
  through = up_to;
  return Status::Ok();
}

Status MetricStore::Maintain(WallTime now) {
  std::lock_guard lock(write_mu_);
  const auto now_s = static_cast<int64_t>(std::floor(ToEpochSeconds(now)));
  // A minute is sealed only once no point can still arrive for it; an hour
  // once its last interval has had time to arrive.
  const int64_t minutes_to = FloorTo(now_s - 60, 60);
  const int64_t hours_to = FloorTo(now_s - kHourSealDelaySeconds, 3600);
  std::vector<InstanceState*> insts;
  {
    std::shared_lock dict(dict_mu_);
    for (auto& [name, st] : instances_) insts.push_back(&st);
  }
  for (InstanceState* inst : insts) {
    if (inst->sealed_through[1] >= minutes_to && inst->hours_through >= hours_to) continue;
    auto sealed = inst->sealed_through;
    int64_t through = inst->hours_through;
    Transaction tx(*writer_);
    DBI_RETURN_IF_ERROR(tx.Begin());
    DBI_RETURN_IF_ERROR(Seal(*inst, minutes_to, sealed));
    DBI_RETURN_IF_ERROR(SealHours(*inst, hours_to, through));
    DBI_RETURN_IF_ERROR(tx.Commit());
    inst->sealed_through = sealed;
    inst->hours_through = through;
  }
  return DeleteExpired(now_s);
}

Status MetricStore::DeleteExpired(int64_t now_s) {
  const auto& r = options_.retention;
  const std::array<int64_t, kTiers.size()> keep = {SecondsOf(r.one_second), SecondsOf(r.one_minute),
                                                   SecondsOf(r.five_minute), SecondsOf(r.one_hour),
                                                   SecondsOf(r.one_day)};
  auto blocks = writer_->Prepare("DELETE FROM point_block WHERE inst = ? AND start < ?");
  auto rollups = writer_->Prepare("DELETE FROM metric_rollup WHERE inst = ? AND tier = ? AND start < ?");
  auto intervals = writer_->Prepare("DELETE FROM stmt_interval WHERE inst = ? AND end_ms <= ?");
  auto hours = writer_->Prepare("DELETE FROM stmt_hour WHERE inst = ? AND start < ?");
  if (!blocks.ok()) return blocks.status();
  if (!rollups.ok()) return rollups.status();
  if (!intervals.ok()) return intervals.status();
  if (!hours.ok()) return hours.status();
  std::vector<int64_t> ids;
  {
    std::shared_lock dict(dict_mu_);
    for (const auto& [name, st] : instances_) ids.push_back(st.id);
  }
  // Per instance, so each delete is a range of the primary key.
  for (int64_t id : ids) {
    DBI_RETURN_IF_ERROR(blocks->Bind(1, id).Bind(2, now_s - keep[0]).Run());
    for (size_t t = 1; t < kTiers.size(); ++t)
      DBI_RETURN_IF_ERROR(rollups->Bind(1, id).Bind(2, int64_t{kTiers[t]}).Bind(3, now_s - keep[t]).Run());
    DBI_RETURN_IF_ERROR(intervals->Bind(1, id).Bind(2, (now_s - keep[0]) * 1000).Run());
    DBI_RETURN_IF_ERROR(hours->Bind(1, id).Bind(2, now_s - keep[3]).Run());
  }
  // A metric leaves MetricNames once its last value has left every tier.
  auto gone = writer_->Prepare("DELETE FROM instance_metric WHERE last < ? RETURNING inst, metric");
  if (!gone.ok()) return gone.status();
  gone->Bind(1, now_s - *std::max_element(keep.begin(), keep.end()));
  std::vector<std::pair<int64_t, uint32_t>> removed;
  DBI_RETURN_IF_ERROR(gone->ForEachRow([&]() -> Status {
    removed.emplace_back(gone->Int(0), static_cast<uint32_t>(gone->Int(1)));
    return Status::Ok();
  }));
  if (removed.empty()) return Status::Ok();
  std::unique_lock dict(dict_mu_);
  for (auto& [name, st] : instances_)
    for (const auto& [inst, metric] : removed)
      if (inst == st.id) st.metrics.erase(metric);
  return Status::Ok();
}

MetricStoreStats MetricStore::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

Status MetricStore::LimitGrowthForTest(int64_t extra_pages) {
  std::lock_guard lock(write_mu_);
  return LimitGrowth(*writer_, extra_pages);
}

}  // namespace dbinsight::store
