// What the store's SQLite files share (docs/store-format.md): opening the one
// writer connection at a schema version, and the pool of read connections that
// queries borrow. Store (dbinsight.db) and MetricStore (metrics.sqlite3) each
// own one writer and one ReaderPool.
//
// Thread-safety: a ReaderPool and its leases may be used from any thread; a
// leased Database is used by the lease holder's thread only.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/sqlite.h"

namespace dbinsight::store {

// Opens (creating it and its directory) the file in WAL mode with synchronous=NORMAL (a commit
// survives kill -9), runs `schema` (idempotent CREATE ... IF NOT EXISTS) and
// records `version` in meta('schema_version') on a new file. InvalidArgument
// when the file was written by a newer schema version.
Result<std::unique_ptr<Database>> OpenWriter(const std::string& path, std::string_view schema, int version);

// Caps the file at its current size plus extra_pages pages: tests drive the
// disk-full path (SQLITE_FULL -> ResourceExhausted) without filling a disk.
Status LimitGrowth(Database& db, int64_t extra_pages);

// The state of instance `name` in `instances`, adding its row to the
// `instance` table (both store files have one) on first use. Readers look
// instances up under a shared lock of `mu`; the new entry is added under an
// exclusive one. REQUIRES: the caller holds the writer's lock.
template <class Map>
Result<typename Map::mapped_type*> FindOrAddInstance(Database& writer, std::shared_mutex& mu, Map& instances,
                                                     const std::string& name) {
  {
    std::shared_lock read(mu);
    auto it = instances.find(name);
    if (it != instances.end()) return &it->second;
  }
  auto ins = writer.Prepare("INSERT INTO instance(name) VALUES(?)");
  if (!ins.ok()) return ins.status();
  DBI_RETURN_IF_ERROR(ins->Bind(1, name).Run());
  std::unique_lock write(mu);
  auto& state = instances[name];
  state.id = writer.LastInsertRowId();
  return &state;
}

// Read connections, one per concurrent query: WAL lets them run beside the
// writer and each other.
class ReaderPool {
 public:
  // REQUIRES: the file exists (open the writer first). connections < 1 means 1.
  static Result<std::unique_ptr<ReaderPool>> Open(const std::string& path, int connections);

  // One connection, borrowed for the lease's lifetime; waits while all are lent.
  class Lease {
   public:
    explicit Lease(const ReaderPool& pool);
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Database& operator*() const { return *db_; }
    Database* operator->() const { return db_; }

   private:
    const ReaderPool& pool_;
    Database* db_;
  };

  // A lease inside a read transaction: every read through it sees the file as
  // of the snapshot's first read, which the constructor makes (so data
  // committed before the constructor returns is visible, later commits not).
  class Snapshot {
   public:
    explicit Snapshot(const ReaderPool& pool);
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    ~Snapshot();
    // False when the read transaction could not start (reads would not be consistent).
    bool ok() const { return in_txn_; }
    Database& operator*() const { return *lease_; }
    Database* operator->() const { return &*lease_; }

   private:
    Lease lease_;
    bool in_txn_ = false;
  };

 private:
  ReaderPool() = default;
  std::vector<std::unique_ptr<Database>> dbs_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::vector<Database*> free_;  // GUARDED_BY(mu_)
};

}  // namespace dbinsight::store
