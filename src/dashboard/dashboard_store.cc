// DashboardStore over one SQLite table keyed by name.
#include "dashboard/dashboard_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/store_file.h"

namespace dbinsight::dashboard {
namespace {

constexpr int kSchemaVersion = 1;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS dashboard(
  name TEXT PRIMARY KEY, body TEXT NOT NULL, last_modified_ms INTEGER NOT NULL, size INTEGER NOT NULL);
)sql";

WallTime FromMillis(int64_t ms) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace

Result<std::unique_ptr<DashboardStore>> DashboardStore::Open(const std::string& directory) {
  auto db = store::OpenWriter(directory + "/dashboards.sqlite3", kSchema, kSchemaVersion);
  if (!db.ok()) return db.status();
  return std::unique_ptr<DashboardStore>(new DashboardStore(std::move(db).value()));
}

Status DashboardStore::Put(const std::string& name, const std::string& body, WallTime now) {
  std::lock_guard lock(mu_);
  auto put = db_->Prepare(
      "INSERT INTO dashboard(name, body, last_modified_ms, size) VALUES(?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
      "body = excluded.body, last_modified_ms = excluded.last_modified_ms, size = excluded.size");
  if (!put.ok()) return put.status();
  return put->Bind(1, name).Bind(2, body).Bind(3, ToEpochMillis(now)).Bind(4, static_cast<int64_t>(body.size())).Run();
}

Result<std::optional<Dashboard>> DashboardStore::Get(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare("SELECT body, last_modified_ms, size FROM dashboard WHERE name = ?");
  if (!q.ok()) return q.status();
  q->Bind(1, name);
  std::optional<Dashboard> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
    out = Dashboard{name, std::string(q->Text(0)), FromMillis(q->Int(1)), q->Int(2)};
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Dashboard>> DashboardStore::List(const std::string& prefix) const {
  std::lock_guard lock(mu_);
  // substr() rather than LIKE: names may hold '_', a LIKE wildcard.
  auto q = db_->Prepare(
      "SELECT name, last_modified_ms, size FROM dashboard WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name");
  if (!q.ok()) return q.status();
  q->Bind(1, prefix);
  std::vector<Dashboard> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&]() -> Status {
    out.push_back(Dashboard{std::string(q->Text(0)), "", FromMillis(q->Int(1)), q->Int(2)});
    return Status::Ok();
  }));
  return out;
}

Status DashboardStore::Delete(std::span<const std::string> names) {
  std::lock_guard lock(mu_);
  auto exists = db_->Prepare("SELECT 1 FROM dashboard WHERE name = ?");
  if (!exists.ok()) return exists.status();
  std::vector<std::string> missing;
  for (const std::string& name : names) {
    exists->Bind(1, name);
    auto row = exists->Step();
    if (!row.ok()) return row.status();
    if (!row.value()) missing.push_back(name);
    exists->Reset();
  }
  if (!missing.empty())
    return Status::NotFound(fmt::format("The specified dashboard does not exist: {}", fmt::join(missing, ", ")));
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  auto del = db_->Prepare("DELETE FROM dashboard WHERE name = ?");
  if (!del.ok()) return del.status();
  for (const std::string& name : names) DBI_RETURN_IF_ERROR(del->Bind(1, name).Run());
  return txn.Commit();
}

}  // namespace dbinsight::dashboard
