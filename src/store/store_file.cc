#include "store/store_file.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

namespace dbinsight::store {

Result<std::unique_ptr<Database>> OpenWriter(const std::string& path, std::string_view schema, int version) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code dir_error;
  if (!dir.empty()) std::filesystem::create_directories(dir, dir_error);
  if (dir_error)
    return Status::Unavailable("cannot create store directory " + dir.string() + ": " + dir_error.message());
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  Database& w = *db.value();
  DBI_RETURN_IF_ERROR(w.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  DBI_RETURN_IF_ERROR(w.Exec("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"));
  DBI_RETURN_IF_ERROR(w.Exec(schema));
  auto v = w.Prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!v.ok()) return v.status();
  auto row = v->Step();
  if (!row.ok()) return row.status();
  if (!row.value()) {
    auto ins = w.Prepare("INSERT INTO meta(key, value) VALUES('schema_version', ?)");
    if (!ins.ok()) return ins.status();
    DBI_RETURN_IF_ERROR(ins->Bind(1, std::to_string(version)).Run());
    return db;
  }
  std::string_view text = v->Text(0);
  int stored = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), stored);
  if (ec != std::errc() || end != text.data() + text.size())
    return Status::DataLoss("store " + path + " has an unreadable schema version '" + std::string(text) + "'");
  if (stored > version)
    return Status::InvalidArgument("store " + path + " has schema version " + std::string(text) +
                                   ", newer than this dbinsight understands (" + std::to_string(version) + ")");
  return db;
}

Status LimitGrowth(Database& db, int64_t extra_pages) {
  auto q = db.Prepare("PRAGMA page_count");
  if (!q.ok()) return q.status();
  auto r = q->Step();
  if (!r.ok()) return r.status();
  return db.Exec("PRAGMA max_page_count = " + std::to_string(q->Int(0) + extra_pages));
}

Result<std::unique_ptr<ReaderPool>> ReaderPool::Open(const std::string& path, int connections) {
  std::unique_ptr<ReaderPool> pool(new ReaderPool());
  for (int i = 0; i < std::max(1, connections); ++i) {
    auto r = Database::Open(path);
    if (!r.ok()) return r.status();
    pool->free_.push_back(r.value().get());
    pool->dbs_.push_back(std::move(r.value()));
  }
  return pool;
}

ReaderPool::Lease::Lease(const ReaderPool& pool) : pool_(pool) {
  std::unique_lock lock(pool_.mu_);
  pool_.cv_.wait(lock, [this] { return !pool_.free_.empty(); });
  db_ = pool_.free_.back();
  pool_.free_.pop_back();
}

ReaderPool::Lease::~Lease() {
  {
    std::lock_guard lock(pool_.mu_);
    pool_.free_.push_back(db_);
  }
  pool_.cv_.notify_one();
}

ReaderPool::Snapshot::Snapshot(const ReaderPool& pool) : lease_(pool) {
  // BEGIN alone pins nothing: the snapshot is taken by the first read.
  in_txn_ = lease_->Exec("BEGIN").ok();
  if (in_txn_ && !lease_->Exec("SELECT 1 FROM sqlite_schema LIMIT 1").ok()) {
    (void)lease_->Exec("ROLLBACK");
    in_txn_ = false;
  }
}

ReaderPool::Snapshot::~Snapshot() {
  if (in_txn_) (void)lease_->Exec("COMMIT");
}

}  // namespace dbinsight::store
