// MySqlSampler: the MariaDB/MySQL Sampler. Keeps one persistent connection
// (dbconn::MySqlConnection) and reads, per sample, the foreground threads of
// performance_schema and then, for the busy ones only, their current
// statements and waits, the InnoDB transactions (row-lock waits), and when
// needed PROCESSLIST.INFO (prepared statements), program names and statement
// history (to learn digests); when a session waits for a row lock, who blocks
// it (INNODB_LOCK_WAITS). Separate queries joined in activity.cc: a join
// of the unindexed P_S tables costs ~10 ms at 100 sessions. Without a usable
// performance_schema (OFF, consumers off, no SELECT on it) it falls back to
// information_schema.PROCESSLIST. Counters are SHOW GLOBAL STATUS; per-SQL
// statistics events_statements_summary_by_digest. Semantics and privileges:
// docs/sampling-mysql.md.
//
// Ownership: owns its connection and statement memory; borrows the shared
// NormalizerCache, which must outlive it.
// Thread-safety: not thread-safe; one Poller thread drives it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/mysql/activity.h"
#include "collect/mysql/counters.h"
#include "collect/mysql/digest_resolver.h"
#include "collect/options.h"
#include "collect/sampler.h"
#include "dbconn/mysql_connection.h"
#include "sql/normalizer.h"

namespace dbinsight::collect::mysql {

class MySqlSampler final : public Sampler {
 public:
  // connect: where and as whom; its connect_timeout and read_timeout are
  // replaced by options' connect_timeout and query_timeout. Does not connect yet.
  MySqlSampler(std::string instance_id, dbconn::MySqlConnectOptions connect, const SamplerOptions& options,
               sql::NormalizerCache& normalizer);
  ~MySqlSampler() override;

  const std::string& instance_id() const override { return instance_id_; }
  Result<model::Sample> SampleOnce(WallTime now) override;
  Result<model::Readings> ReadCounters(WallTime now) override;
  Result<model::StatementReadings> ReadStatements(WallTime now) override;
  InstanceFacts Facts() const override { return facts_; }
  void Reset() override;

  // CONNECTION_ID() of the sampler's own connection, 0 when not connected.
  uint64_t ConnectionIdForTest() const;
  // Whether sessions come from performance_schema (false: the processlist).
  bool UsesPerformanceSchemaForTest() const { return pfs_; }

 private:
  Status EnsureConnected();
  // Reads the server's facts and decides between performance_schema and the
  // processlist (on every new connection).
  void Inspect();
  // "replica" when SHOW REPLICA STATUS has a row, "primary" when not, ""
  // when it cannot be read; the lag when replicating.
  std::string ReadRole(std::optional<double>* lag);
  Status ReadPerformanceSchema(Snapshot& snap);
  Status ReadProcesslist(Snapshot& snap);
  // Who blocks whom (INNODB_LOCK_WAITS, INNODB_TRX, the blockers' PROCESSLIST
  // rows and last statements) into sample.lock_waits. Run only when the
  // sample saw a lock wait.
  Status ReadLockWaits(const Snapshot& snap, model::Sample& sample);
  // Program names of sessions not looked up yet (cached per connection id).
  void ReadProgramNames(const std::vector<int64_t>& processlist_ids, Snapshot& snap);
  Result<GlobalStatus> ReadStatus(const std::string& where);
  // DIGEST_TEXT of digests not named yet, at most kMaxTextsPerRead per call.
  void FetchDigestTexts(const std::vector<std::string>& digests);
  static constexpr size_t kMaxTextsPerRead = 500;

  const std::string instance_id_;
  dbconn::MySqlConnectOptions connect_;
  const size_t max_statements_per_read_;
  const size_t max_tracked_;
  DigestResolver statements_;
  std::unique_ptr<dbconn::MySqlConnection> conn_;
  InstanceFacts facts_;
  bool pfs_ = false;            // sessions from performance_schema
  bool pfs_history_ = false;    // events_statements_history readable and on
  bool digests_ = false;        // events_statements_summary_by_digest readable
  bool role_readable_ = true;   // SHOW REPLICA STATUS allowed
  int64_t own_thread_id_ = 0;   // our THREAD_ID in performance_schema
  double digests_size_ = 0;     // @@performance_schema_digests_size
  // Statement text lookups already done: thread -> EVENT_ID of the running
  // statement whose history was searched (a thread's history cannot change
  // while one statement runs).
  std::unordered_map<int64_t, int64_t> history_checked_;
  // session_connect_attrs program_name per connection id ("" for none).
  std::unordered_map<int64_t, std::string> program_names_;
  // Per-SQL statistics state: digest -> tokenized values (bounded), the
  // previous read's counts and FIRST_SEEN (a decrease or a move is a
  // TRUNCATE), and the reset epoch.
  struct KnownDigest {
    TokenizedStatement tok;
    uint64_t last_used = 0;
  };
  std::unordered_map<std::string, KnownDigest> digest_texts_;
  uint64_t digest_generation_ = 0;
  struct PreviousDigest {
    double calls = 0;
    std::string first_seen;
  };
  std::unordered_map<std::string, PreviousDigest> previous_digests_;
  std::optional<double> previous_uptime_;
  double previous_started_ = 0;  // now - Uptime at the last statistics read, epoch seconds
  std::optional<double> previous_digest_lost_;
  double reset_epoch_ = 0;
};

}  // namespace dbinsight::collect::mysql
