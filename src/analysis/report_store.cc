// ReportStore over one SQLite file: a row per report; tags in report_tag.
#include "analysis/report_store.h"

#include <fmt/format.h>

#include "store/store_file.h"

namespace dbinsight::analysis {
namespace {

constexpr int kSchemaVersion = 1;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS report(
  id TEXT PRIMARY KEY, instance TEXT NOT NULL, create_ms INTEGER NOT NULL, start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL, status INTEGER NOT NULL, report TEXT NOT NULL, error TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS report_instance ON report(instance, create_ms);
CREATE TABLE IF NOT EXISTS report_tag(
  report TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY(report, position));
)sql";

WallTime FromMillis(int64_t ms) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace

const char* ReportStatusName(ReportStatus s) {
  switch (s) {
    case ReportStatus::kRunning:
      return "RUNNING";
    case ReportStatus::kSucceeded:
      return "SUCCEEDED";
    case ReportStatus::kFailed:
      return "FAILED";
  }
  return "FAILED";
}

ReportStore::ReportStore(std::unique_ptr<store::Database> db) : db_(std::move(db)), random_(std::random_device{}()) {}

Result<std::unique_ptr<ReportStore>> ReportStore::Open(const std::string& directory) {
  auto db = store::OpenWriter(directory + "/reports.sqlite3", kSchema, kSchemaVersion);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ReportStore>(new ReportStore(std::move(db).value()));
}

Result<std::string> ReportStore::Create(const std::string& instance_id, WallTime create_time, WallTime start,
                                        WallTime end, const std::vector<std::pair<std::string, std::string>>& tags) {
  std::lock_guard lock(mu_);
  // 17 hex digits = 68 bits: 64 random bits and 4 more.
  const std::string id = fmt::format("report-{:016x}{:x}", random_(), random_() & 0xf);
  store::Transaction tx(*db_);
  DBI_RETURN_IF_ERROR(tx.Begin());
  auto ins = db_->Prepare(
      "INSERT INTO report(id, instance, create_ms, start_ms, end_ms, status, report, error) "
      "VALUES(?, ?, ?, ?, ?, ?, '', '')");
  if (!ins.ok()) return ins.status();
  DBI_RETURN_IF_ERROR(ins->Bind(1, id)
                          .Bind(2, instance_id)
                          .Bind(3, ToEpochMillis(create_time))
                          .Bind(4, ToEpochMillis(start))
                          .Bind(5, ToEpochMillis(end))
                          .Bind(6, int64_t{static_cast<int>(ReportStatus::kRunning)})
                          .Run());
  auto tag = db_->Prepare("INSERT INTO report_tag(report, position, key, value) VALUES(?, ?, ?, ?)");
  if (!tag.ok()) return tag.status();
  for (size_t i = 0; i < tags.size(); ++i) {
    DBI_RETURN_IF_ERROR(tag->Bind(1, id)
                            .Bind(2, static_cast<int64_t>(i))
                            .Bind(3, tags[i].first)
                            .Bind(4, std::string_view(tags[i].second.data(), tags[i].second.size()))
                            .Run());
  }
  DBI_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status ReportStore::Finish(const std::string& id, ReportStatus status, const std::string& report_json,
                           const std::string& error) {
  std::lock_guard lock(mu_);
  auto exists = db_->Prepare("SELECT 1 FROM report WHERE id = ?");
  if (!exists.ok()) return exists.status();
  auto row = exists->Bind(1, id).Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return Status::NotFound("AnalysisReportId: no report " + id);
  exists->Reset();
  auto upd = db_->Prepare("UPDATE report SET status = ?, report = ?, error = ? WHERE id = ?");
  if (!upd.ok()) return upd.status();
  return upd->Bind(1, int64_t{static_cast<int>(status)}).Bind(2, report_json).Bind(3, error).Bind(4, id).Run();
}

Result<std::vector<StoredReport>> ReportStore::Select(const std::string& instance_id, const std::string& id,
                                                      bool with_json) const {
  auto sel = db_->Prepare(
      "SELECT id, create_ms, start_ms, end_ms, status, report, error FROM report WHERE instance = ? "
      "AND (? = '' OR id = ?) ORDER BY create_ms DESC, id");
  if (!sel.ok()) return sel.status();
  sel->Bind(1, instance_id).Bind(2, id).Bind(3, id);
  std::vector<StoredReport> out;
  DBI_RETURN_IF_ERROR(sel->ForEachRow([&] {
    StoredReport r;
    r.id = std::string(sel->Text(0));
    r.instance_id = instance_id;
    r.create_time = FromMillis(sel->Int(1));
    r.start = FromMillis(sel->Int(2));
    r.end = FromMillis(sel->Int(3));
    r.status = static_cast<ReportStatus>(sel->Int(4));
    if (with_json) r.report_json = std::string(sel->Text(5));
    r.error = std::string(sel->Text(6));
    out.push_back(std::move(r));
    return Status::Ok();
  }));
  auto tags = db_->Prepare("SELECT key, value FROM report_tag WHERE report = ? ORDER BY position");
  if (!tags.ok()) return tags.status();
  for (StoredReport& r : out) {
    tags->Bind(1, r.id);
    DBI_RETURN_IF_ERROR(tags->ForEachRow([&] {
      r.tags.emplace_back(std::string(tags->Text(0)), std::string(tags->Text(1)));
      return Status::Ok();
    }));
    tags->Reset();
  }
  return out;
}

Result<std::optional<StoredReport>> ReportStore::Get(const std::string& instance_id, const std::string& id) const {
  if (id.empty()) return std::optional<StoredReport>{};
  std::lock_guard lock(mu_);
  auto rows = Select(instance_id, id, true);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<StoredReport>{};
  return std::optional(std::move(rows->front()));
}

Result<std::vector<StoredReport>> ReportStore::List(const std::string& instance_id) const {
  std::lock_guard lock(mu_);
  return Select(instance_id, "", false);
}

Status ReportStore::Delete(const std::string& instance_id, const std::string& id) {
  std::lock_guard lock(mu_);
  auto rows = Select(instance_id, id, false);
  if (!rows.ok()) return rows.status();
  if (id.empty() || rows->empty()) return Status::NotFound("AnalysisReportId: no report " + id + " for this instance");
  store::Transaction tx(*db_);
  DBI_RETURN_IF_ERROR(tx.Begin());
  for (const char* sql : {"DELETE FROM report WHERE id = ?", "DELETE FROM report_tag WHERE report = ?"}) {
    auto del = db_->Prepare(sql);
    if (!del.ok()) return del.status();
    DBI_RETURN_IF_ERROR(del->Bind(1, id).Run());
  }
  return tx.Commit();
}

}  // namespace dbinsight::analysis
