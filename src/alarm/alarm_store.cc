// AlarmStore over one SQLite file: a row per alarm (its definition's scalars
// and current state), its lists in alarm_item, history in history.
#include "alarm/alarm_store.h"

#include <fmt/format.h>

#include "alarm/format.h"
#include "store/store_file.h"

namespace dbinsight::alarm {
namespace {

constexpr int kSchemaVersion = 1;
// Enums are stored by their explicit numbers (definition.h, state.h); 0 in
// statistic/treat_missing_data and datapoints_to_alarm means "not set".
// alarm_metric (a Metrics alarm's MetricDataQuery list) came later: created
// by the idempotent schema when an older file is opened, so old files read
// as alarms without Metrics and the version stays 1.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alarm(
  name TEXT PRIMARY KEY, description TEXT NOT NULL, namespace TEXT NOT NULL, metric_name TEXT NOT NULL,
  statistic INTEGER NOT NULL, extended_statistic TEXT NOT NULL, unit TEXT NOT NULL, period INTEGER NOT NULL,
  evaluation_periods INTEGER NOT NULL, datapoints_to_alarm INTEGER NOT NULL, has_threshold INTEGER NOT NULL,
  threshold REAL NOT NULL, comparison INTEGER NOT NULL, threshold_metric_id TEXT NOT NULL,
  treat_missing_data INTEGER NOT NULL, actions_enabled INTEGER NOT NULL, configuration_updated_ms INTEGER NOT NULL,
  state INTEGER NOT NULL, reason TEXT NOT NULL, reason_data TEXT NOT NULL, updated_ms INTEGER NOT NULL,
  transitioned_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alarm_item(
  alarm TEXT NOT NULL, kind INTEGER NOT NULL, position INTEGER NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
  PRIMARY KEY(alarm, kind, position));
CREATE TABLE IF NOT EXISTS history(
  alarm TEXT NOT NULL, ts_ms INTEGER NOT NULL, type INTEGER NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_ts ON history(ts_ms);
CREATE TABLE IF NOT EXISTS detector(
  key TEXT PRIMARY KEY, namespace TEXT NOT NULL, metric_name TEXT NOT NULL, stat TEXT NOT NULL,
  dimensions TEXT NOT NULL, configuration TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_alarm ON history(alarm, ts_ms);
CREATE TABLE IF NOT EXISTS alarm_metric(
  alarm TEXT NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL, expression TEXT NOT NULL, label TEXT NOT NULL,
  return_data INTEGER NOT NULL, has_stat INTEGER NOT NULL, namespace TEXT NOT NULL, metric_name TEXT NOT NULL,
  dimensions TEXT NOT NULL, period INTEGER NOT NULL, stat TEXT NOT NULL, unit TEXT NOT NULL,
  PRIMARY KEY(alarm, position));
)sql";

// alarm_item kinds: never renumber.
enum ItemKind : int { kDimension = 1, kOkAction = 2, kAlarmAction = 3, kInsufficientDataAction = 4 };

WallTime FromMillis(int64_t ms) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

std::vector<std::string>* ActionList(AlarmDefinition& def, int kind) {
  switch (kind) {
    case kOkAction:
      return &def.ok_actions;
    case kAlarmAction:
      return &def.alarm_actions;
    case kInsufficientDataAction:
      return &def.insufficient_data_actions;
    default:
      return nullptr;
  }
}

// Dimensions as one text: name US value RS ... (the API admits no control
// characters in either), and a detector's identity built from it.
constexpr char kUnit = '\x1f';
constexpr char kRecord = '\x1e';

std::string EncodeDimensions(const std::vector<Dimension>& dims) {
  std::string out;
  for (const Dimension& d : dims) out += d.name + kUnit + d.value + kRecord;
  return out;
}

std::vector<Dimension> DecodeDimensions(std::string_view text) {
  std::vector<Dimension> out;
  while (!text.empty()) {
    const size_t unit = text.find(kUnit);
    const size_t record = text.find(kRecord, unit);
    out.push_back({std::string(text.substr(0, unit)), std::string(text.substr(unit + 1, record - unit - 1))});
    text.remove_prefix(record + 1);
  }
  return out;
}

Status DeleteRows(store::Database& db, const std::string& name) {
  for (const char* sql : {"DELETE FROM alarm WHERE name = ?", "DELETE FROM alarm_item WHERE alarm = ?",
                          "DELETE FROM alarm_metric WHERE alarm = ?"}) {
    auto del = db.Prepare(sql);
    if (!del.ok()) return del.status();
    DBI_RETURN_IF_ERROR(del->Bind(1, name).Run());
  }
  return Status::Ok();
}

Status InsertItems(store::Database& db, const AlarmDefinition& def) {
  auto ins = db.Prepare("INSERT INTO alarm_item(alarm, kind, position, a, b) VALUES(?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  for (size_t i = 0; i < def.dimensions.size(); ++i) {
    DBI_RETURN_IF_ERROR(ins->Bind(1, def.name)
                            .Bind(2, int64_t{kDimension})
                            .Bind(3, static_cast<int64_t>(i))
                            .Bind(4, def.dimensions[i].name)
                            .Bind(5, def.dimensions[i].value)
                            .Run());
  }
  auto metric = db.Prepare(
      "INSERT INTO alarm_metric(alarm, position, id, expression, label, return_data, has_stat, namespace, "
      "metric_name, dimensions, period, stat, unit) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!metric.ok()) return metric.status();
  for (size_t i = 0; i < def.metrics.size(); ++i) {
    const MetricDataQuery& q = def.metrics[i];
    const MetricStatQuery stat = q.metric_stat.value_or(MetricStatQuery{});
    DBI_RETURN_IF_ERROR(metric->Bind(1, def.name)
                            .Bind(2, static_cast<int64_t>(i))
                            .Bind(3, q.id)
                            .Bind(4, q.expression)
                            .Bind(5, q.label)
                            .Bind(6, int64_t{q.return_data})
                            .Bind(7, int64_t{q.metric_stat.has_value()})
                            .Bind(8, stat.metric_namespace)
                            .Bind(9, stat.metric_name)
                            .Bind(10, EncodeDimensions(stat.dimensions))
                            .Bind(11, static_cast<int64_t>(stat.period.count()))
                            .Bind(12, stat.stat)
                            .Bind(13, stat.unit)
                            .Run());
  }
  const std::pair<int, const std::vector<std::string>*> lists[] = {
      {kOkAction, &def.ok_actions},
      {kAlarmAction, &def.alarm_actions},
      {kInsufficientDataAction, &def.insufficient_data_actions}};
  for (const auto& [kind, list] : lists) {
    for (size_t i = 0; i < list->size(); ++i) {
      DBI_RETURN_IF_ERROR(ins->Bind(1, def.name)
                              .Bind(2, int64_t{kind})
                              .Bind(3, static_cast<int64_t>(i))
                              .Bind(4, (*list)[i])
                              .Bind(5, std::string_view(""))  // a null data() would bind NULL
                              .Run());
    }
  }
  return Status::Ok();
}

Status InsertAlarm(store::Database& db, const AlarmDefinition& def, const AlarmState& state, WallTime configured) {
  auto ins = db.Prepare(
      "INSERT INTO alarm(name, description, namespace, metric_name, statistic, extended_statistic, unit, period, "
      "evaluation_periods, datapoints_to_alarm, has_threshold, threshold, comparison, threshold_metric_id, "
      "treat_missing_data, actions_enabled, configuration_updated_ms, state, reason, reason_data, updated_ms, "
      "transitioned_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  ins->Bind(1, def.name)
      .Bind(2, def.description)
      .Bind(3, def.metric_namespace)
      .Bind(4, def.metric_name)
      .Bind(5, int64_t{def.statistic ? static_cast<int>(*def.statistic) : 0})
      .Bind(6, def.extended_statistic)
      .Bind(7, def.unit)
      .Bind(8, static_cast<int64_t>(def.period.count()))
      .Bind(9, int64_t{def.evaluation_periods})
      .Bind(10, int64_t{def.datapoints_to_alarm.value_or(0)})
      .Bind(11, int64_t{def.threshold.has_value()})
      .BindReal(12, def.threshold.value_or(0))
      .Bind(13, int64_t{static_cast<int>(def.comparison_operator)})
      .Bind(14, def.threshold_metric_id)
      .Bind(15, int64_t{def.treat_missing_data ? static_cast<int>(*def.treat_missing_data) : 0})
      .Bind(16, int64_t{def.actions_enabled})
      .Bind(17, ToEpochMillis(configured))
      .Bind(18, int64_t{static_cast<int>(state.value)})
      .Bind(19, state.reason)
      .Bind(20, state.reason_data)
      .Bind(21, ToEpochMillis(state.updated))
      .Bind(22, ToEpochMillis(state.transitioned));
  DBI_RETURN_IF_ERROR(ins->Run());
  return InsertItems(db, def);
}

std::string DetectorKey(const AnomalyDetector& d) {
  return fmt::format("{}{}{}{}{}{}{}", d.metric_namespace, kRecord, d.metric_name, kRecord, d.stat, kRecord,
                     EncodeDimensions(d.dimensions));
}

}  // namespace

Result<std::unique_ptr<AlarmStore>> AlarmStore::Open(const std::string& directory) {
  auto db = store::OpenWriter(directory + "/alarms.sqlite3", kSchema, kSchemaVersion);
  if (!db.ok()) return db.status();
  return std::unique_ptr<AlarmStore>(new AlarmStore(std::move(db).value()));
}

Status AlarmStore::AddHistory(const HistoryItem& item) {
  auto ins = db_->Prepare("INSERT INTO history(alarm, ts_ms, type, summary, data) VALUES(?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  DBI_RETURN_IF_ERROR(ins->Bind(1, item.alarm_name)
                          .Bind(2, ToEpochMillis(item.timestamp))
                          .Bind(3, int64_t{static_cast<int>(item.type)})
                          .Bind(4, item.summary)
                          .Bind(5, item.data)
                          .Run());
  auto prune = db_->Prepare("DELETE FROM history WHERE ts_ms < ?");
  if (!prune.ok()) return prune.status();
  return prune->Bind(1, ToEpochMillis(item.timestamp - kHistoryRetention)).Run();
}

Status AlarmStore::Put(const AlarmDefinition& def, WallTime now) {
  std::lock_guard lock(mu_);
  auto existing = Select(def.name);
  if (!existing.ok()) return existing.status();
  const bool update = !existing->empty();
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  DBI_RETURN_IF_ERROR(DeleteRows(*db_, def.name));
  DBI_RETURN_IF_ERROR(InsertAlarm(*db_, def, update ? existing->front().state : InitialState(now), now));
  // AWS's summaries; HistoryData here carries only the kind of change, not
  // the whole alarm AWS embeds.
  const char* type = update ? "Update" : "Create";
  DBI_RETURN_IF_ERROR(
      AddHistory({def.name, now, HistoryItemType::kConfigurationUpdate,
                  fmt::format("Alarm \"{}\" {}", def.name, update ? "updated" : "created"),
                  JsonObject({JsonMember("version", JsonQuote("1.0")), JsonMember("type", JsonQuote(type))})}));
  return txn.Commit();
}

Result<std::vector<StoredAlarm>> AlarmStore::Select(const std::optional<std::string>& name) const {
  auto q = db_->Prepare(
      "SELECT name, description, namespace, metric_name, statistic, extended_statistic, unit, period, "
      "evaluation_periods, datapoints_to_alarm, has_threshold, threshold, comparison, threshold_metric_id, "
      "treat_missing_data, actions_enabled, configuration_updated_ms, state, reason, reason_data, updated_ms, "
      "transitioned_ms FROM alarm WHERE ?1 IS NULL OR name = ?1 ORDER BY name");
  if (!q.ok()) return q.status();
  if (name) q->Bind(1, *name);
  std::vector<StoredAlarm> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
    StoredAlarm a;
    AlarmDefinition& d = a.definition;
    d.name = q->Text(0);
    d.description = q->Text(1);
    d.metric_namespace = q->Text(2);
    d.metric_name = q->Text(3);
    if (q->Int(4) != 0) d.statistic = static_cast<Statistic>(q->Int(4));
    d.extended_statistic = q->Text(5);
    d.unit = q->Text(6);
    d.period = std::chrono::seconds(q->Int(7));
    d.evaluation_periods = static_cast<int>(q->Int(8));
    if (q->Int(9) != 0) d.datapoints_to_alarm = static_cast<int>(q->Int(9));
    if (q->Int(10) != 0) d.threshold = q->Real(11);
    d.comparison_operator = static_cast<ComparisonOperator>(q->Int(12));
    d.threshold_metric_id = q->Text(13);
    if (q->Int(14) != 0) d.treat_missing_data = static_cast<TreatMissingData>(q->Int(14));
    d.actions_enabled = q->Int(15) != 0;
    a.configuration_updated = FromMillis(q->Int(16));
    a.state = {static_cast<StateValue>(q->Int(17)), std::string(q->Text(18)), std::string(q->Text(19)),
               FromMillis(q->Int(20)), FromMillis(q->Int(21))};
    out.push_back(std::move(a));
    return Status::Ok();
  }));
  auto items = db_->Prepare("SELECT kind, a, b FROM alarm_item WHERE alarm = ? ORDER BY kind, position");
  if (!items.ok()) return items.status();
  for (StoredAlarm& a : out) {
    items->Bind(1, a.definition.name);
    DBI_RETURN_IF_ERROR(items->ForEachRow([&]() -> Status {
      const int kind = static_cast<int>(items->Int(0));
      if (kind == kDimension) {
        a.definition.dimensions.push_back({std::string(items->Text(1)), std::string(items->Text(2))});
      } else if (std::vector<std::string>* list = ActionList(a.definition, kind)) {
        list->emplace_back(items->Text(1));
      }
      return Status::Ok();
    }));
    items->Reset();
  }
  auto metrics = db_->Prepare(
      "SELECT id, expression, label, return_data, has_stat, namespace, metric_name, dimensions, period, stat, unit "
      "FROM alarm_metric WHERE alarm = ? ORDER BY position");
  if (!metrics.ok()) return metrics.status();
  for (StoredAlarm& a : out) {
    metrics->Bind(1, a.definition.name);
    DBI_RETURN_IF_ERROR(metrics->ForEachRow([&]() -> Status {
      MetricDataQuery q{std::string(metrics->Text(0)), std::nullopt, std::string(metrics->Text(1)),
                        std::string(metrics->Text(2)), metrics->Int(3) != 0};
      if (metrics->Int(4) != 0) {
        q.metric_stat = MetricStatQuery{std::string(metrics->Text(5)),      std::string(metrics->Text(6)),
                                        DecodeDimensions(metrics->Text(7)), std::chrono::seconds(metrics->Int(8)),
                                        std::string(metrics->Text(9)),      std::string(metrics->Text(10))};
      }
      a.definition.metrics.push_back(std::move(q));
      return Status::Ok();
    }));
    metrics->Reset();
  }
  return out;
}

Result<std::vector<StoredAlarm>> AlarmStore::List() const {
  std::lock_guard lock(mu_);
  return Select(std::nullopt);
}

Result<std::optional<StoredAlarm>> AlarmStore::Get(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto found = Select(name);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<StoredAlarm>();
  return std::optional<StoredAlarm>(std::move(found->front()));
}

Status AlarmStore::Delete(std::span<const std::string> names) {
  std::lock_guard lock(mu_);
  for (const std::string& name : names) {
    auto found = Select(name);
    if (!found.ok()) return found.status();
    if (found->empty()) return Status::NotFound(fmt::format("Alarm {} does not exist", name));
  }
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  for (const std::string& name : names) DBI_RETURN_IF_ERROR(DeleteRows(*db_, name));
  return txn.Commit();
}

Status AlarmStore::SetState(const std::string& name, const AlarmState& state, const std::optional<HistoryItem>& item) {
  std::lock_guard lock(mu_);
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  auto up = db_->Prepare(
      "UPDATE alarm SET state = ?, reason = ?, reason_data = ?, updated_ms = ?, transitioned_ms = ? "
      "WHERE name = ? RETURNING name");
  if (!up.ok()) return up.status();
  up->Bind(1, int64_t{static_cast<int>(state.value)})
      .Bind(2, state.reason)
      .Bind(3, state.reason_data)
      .Bind(4, ToEpochMillis(state.updated))
      .Bind(5, ToEpochMillis(state.transitioned))
      .Bind(6, name);
  auto row = up->Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return Status::NotFound(fmt::format("Alarm {} does not exist", name));
  up->Reset();
  if (item) DBI_RETURN_IF_ERROR(AddHistory(*item));
  return txn.Commit();
}

Status AlarmStore::SetActionsEnabled(std::span<const std::string> names, bool enabled) {
  std::lock_guard lock(mu_);
  auto up = db_->Prepare("UPDATE alarm SET actions_enabled = ? WHERE name = ?");
  if (!up.ok()) return up.status();
  for (const std::string& name : names) DBI_RETURN_IF_ERROR(up->Bind(1, int64_t{enabled}).Bind(2, name).Run());
  return Status::Ok();
}

Result<std::vector<HistoryItem>> AlarmStore::History(const HistoryQuery& query) const {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(
      "SELECT alarm, ts_ms, type, summary, data FROM history WHERE (?1 IS NULL OR alarm = ?1) AND "
      "(?2 IS NULL OR type = ?2) AND (?3 IS NULL OR ts_ms >= ?3) AND (?4 IS NULL OR ts_ms <= ?4) "
      "ORDER BY ts_ms DESC, rowid DESC");
  if (!q.ok()) return q.status();
  if (query.alarm_name) q->Bind(1, *query.alarm_name);
  if (query.type) q->Bind(2, int64_t{static_cast<int>(*query.type)});
  if (query.start) q->Bind(3, ToEpochMillis(*query.start));
  if (query.end) q->Bind(4, ToEpochMillis(*query.end));
  std::vector<HistoryItem> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
    out.push_back({std::string(q->Text(0)), FromMillis(q->Int(1)), static_cast<HistoryItemType>(q->Int(2)),
                   std::string(q->Text(3)), std::string(q->Text(4))});
    return Status::Ok();
  }));
  return out;
}

Status AlarmStore::PutDetector(const AnomalyDetector& detector) {
  std::lock_guard lock(mu_);
  auto put = db_->Prepare(
      "INSERT OR REPLACE INTO detector(key, namespace, metric_name, stat, dimensions, configuration) "
      "VALUES(?, ?, ?, ?, ?, ?)");
  if (!put.ok()) return put.status();
  return put->Bind(1, DetectorKey(detector))
      .Bind(2, detector.metric_namespace)
      .Bind(3, detector.metric_name)
      .Bind(4, detector.stat)
      .Bind(5, EncodeDimensions(detector.dimensions))
      .Bind(6, detector.configuration)
      .Run();
}

Result<std::vector<AnomalyDetector>> AlarmStore::ListDetectors() const {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(
      "SELECT namespace, metric_name, stat, dimensions, configuration FROM detector "
      "ORDER BY namespace, metric_name, stat, dimensions");
  if (!q.ok()) return q.status();
  std::vector<AnomalyDetector> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
    out.push_back({std::string(q->Text(0)), std::string(q->Text(1)), DecodeDimensions(q->Text(3)),
                   std::string(q->Text(2)), std::string(q->Text(4))});
    return Status::Ok();
  }));
  return out;
}

Status AlarmStore::DeleteDetector(const AnomalyDetector& detector) {
  std::lock_guard lock(mu_);
  auto del = db_->Prepare("DELETE FROM detector WHERE key = ? RETURNING key");
  if (!del.ok()) return del.status();
  auto row = del->Bind(1, DetectorKey(detector)).Step();
  if (!row.ok()) return row.status();
  const bool found = row.value();
  del->Reset();
  if (!found) return Status::NotFound("No anomaly detector found for the specified metric and statistic");
  return Status::Ok();
}

}  // namespace dbinsight::alarm
