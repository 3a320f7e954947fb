#include "analysis/incident_store.h"

#include "store/store_file.h"

namespace dbinsight::analysis {
namespace {

constexpr int kSchemaVersion = 1;
// closed_ms 0: still open.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS incident(
  id INTEGER PRIMARY KEY, instance TEXT NOT NULL, kind TEXT NOT NULL, opened_ms INTEGER NOT NULL,
  closed_ms INTEGER NOT NULL, peak REAL NOT NULL, average REAL NOT NULL, summary TEXT NOT NULL, note TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incident_instance ON incident(instance, opened_ms);
)sql";

WallTime FromMillis(int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

}  // namespace

Result<std::unique_ptr<IncidentStore>> IncidentStore::Open(const std::string& directory) {
  auto db = store::OpenWriter(directory + "/incidents.sqlite3", kSchema, kSchemaVersion);
  if (!db.ok()) return db.status();
  return std::unique_ptr<IncidentStore>(new IncidentStore(std::move(db.value())));
}

Result<int64_t> IncidentStore::Add(const std::string& instance, const Incident& incident) {
  std::lock_guard lock(mu_);
  auto ins = db_->Prepare(
      "INSERT INTO incident(instance, kind, opened_ms, closed_ms, peak, average, summary, note) "
      "VALUES(?, ?, ?, 0, ?, ?, ?, '')");
  if (!ins.ok()) return ins.status();
  DBI_RETURN_IF_ERROR(ins->Bind(1, instance)
                          .Bind(2, incident.kind)
                          .Bind(3, ToEpochMillis(incident.opened))
                          .BindReal(4, incident.peak)
                          .BindReal(5, incident.Average())
                          .Bind(6, incident.Summary())
                          .Run());
  return db_->LastInsertRowId();
}

Status IncidentStore::Update(int64_t id, const Incident& incident) {
  std::lock_guard lock(mu_);
  auto up = db_->Prepare("UPDATE incident SET closed_ms = ?, peak = ?, average = ?, summary = ? WHERE id = ?");
  if (!up.ok()) return up.status();
  up->Bind(1, incident.closed ? ToEpochMillis(*incident.closed) : 0)
      .BindReal(2, incident.peak)
      .BindReal(3, incident.Average())
      .Bind(4, incident.Summary())
      .Bind(5, id);
  return up->Run();
}

Status IncidentStore::CloseOpen(WallTime now, const std::string& note) {
  std::lock_guard lock(mu_);
  auto up = db_->Prepare("UPDATE incident SET closed_ms = ?, note = ? WHERE closed_ms = 0");
  if (!up.ok()) return up.status();
  return up->Bind(1, ToEpochMillis(now)).Bind(2, note).Run();
}

Result<std::vector<StoredIncident>> IncidentStore::List(const std::optional<std::string>& instance, bool open_only,
                                                        int limit) const {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(
      "SELECT id, instance, kind, opened_ms, closed_ms, peak, average, summary, note FROM incident "
      "WHERE (?1 = '' OR instance = ?1) AND (?2 = 0 OR closed_ms = 0) ORDER BY opened_ms DESC, id DESC LIMIT ?3");
  if (!q.ok()) return q.status();
  q->Bind(1, instance.value_or("")).Bind(2, open_only ? 1 : 0).Bind(3, limit);
  std::vector<StoredIncident> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
    StoredIncident s;
    s.id = q->Int(0);
    s.instance = std::string(q->Text(1));
    s.kind = std::string(q->Text(2));
    s.opened = FromMillis(q->Int(3));
    if (q->Int(4) != 0) s.closed = FromMillis(q->Int(4));
    s.peak = q->Real(5);
    s.average = q->Real(6);
    s.summary = std::string(q->Text(7));
    s.close_note = std::string(q->Text(8));
    out.push_back(std::move(s));
    return Status::Ok();
  }));
  return out;
}

}  // namespace dbinsight::analysis
