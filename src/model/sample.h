// One active-session sample of one instance: what the collector saw at one
// instant. Plain values; knows no database driver, SQL dialect or store.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/dimensions.h"

namespace dbinsight::model {

// The values of every dimension of one session, one string per dimension of
// each group, in the order of Info(group).dimensions. Two sessions with equal
// DimensionValues are the same "combination" in the store.
using GroupKey = std::vector<std::string>;
using DimensionValues = std::array<GroupKey, kGroupCount>;

struct SessionRow {
  int64_t pid = 0;
  DimensionValues dims;
};

// One session waiting for a lock, and its immediate blocker: the session
// holding what it waits for (PostgreSQL: of pg_blocking_pids(), the first
// that is not itself waiting on a lock; MariaDB/MySQL: of the transactions
// INNODB_LOCK_WAITS names as blocking it, the same rule). A blocker that
// waits itself is another LockWait's waiter in the same sample: following
// blocker_pid reaches the chain's root. The blocker is often idle in a
// transaction and adds no load, so its facts travel here: the samples of
// active sessions never see it.
struct LockWait {
  int64_t waiter_pid = 0;
  int64_t blocker_pid = 0;
  std::string waiter_statement;   // tokenized SQL, as in the db.sql_tokenized dimension
  std::string wait_event;         // the waiter's, as in the db.wait_event dimension
  double wait_seconds = 0;        // how long the waiter has waited so far
  std::string blocker_state;      // "idle in transaction", "active", MariaDB "Sleep"/"Query"
  std::string blocker_statement;  // its current or last statement, tokenized ("" if unknown)
  std::string blocker_user;
  std::string blocker_host;
  std::string blocker_application;
  double blocker_xact_seconds = 0;   // age of its transaction
  double blocker_state_seconds = 0;  // time in its current state (e.g. idle in transaction)
};

// The lock waits of one sample, as the store gives them back.
struct LockWaitSample {
  WallTime time;
  std::vector<LockWait> waits;
};

struct Sample {
  std::string instance_id;
  WallTime time;
  // Sessions that add load (state active / fastpath, background workers
  // doing work). The sampler's own connection is never here.
  std::vector<SessionRow> active;
  // Sessions idle in a transaction: no load, but usual lock blockers.
  int idle_in_transaction = 0;
  // Every session waiting for a lock held by another, with its blocker.
  // Empty when nothing waits (the usual case: stored only when not empty).
  std::vector<LockWait> lock_waits;
};

// A span of time an instance was not sampled (dbinsight down, instance
// unreachable). Queries answer no value there, never a zero.
struct Gap {
  std::string instance_id;
  WallTime from;
  WallTime to;
  std::string reason;
};

// Where collectors write. Implementations must accept calls from several
// collector threads at once and must not block for long (bounded work).
class SampleSink {
 public:
  virtual ~SampleSink() = default;
  virtual void Append(Sample&& sample) = 0;
  virtual void RecordGap(Gap&& gap) = 0;
};

}  // namespace dbinsight::model
