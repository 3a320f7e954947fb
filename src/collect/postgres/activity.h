// The pure half of the PostgreSQL sampler: pg_stat_activity rows (as plain
// structs, no libpq) in, model::SessionRow values out. Which sessions count
// as load and what each dimension holds is decided here and documented in
// docs/sampling.md. Stateless functions (statement identity state lives in
// the StatementResolver passed in); safe from any thread on distinct inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collect/postgres/statement_resolver.h"
#include "model/sample.h"

namespace dbinsight::collect::postgres {

// One pg_stat_activity row; nullopt is SQL NULL.
struct ActivityRow {
  int64_t pid = 0;
  std::optional<int64_t> leader_pid;
  std::string backend_type;  // "client backend", "parallel worker", "checkpointer", ...
  std::optional<int64_t> query_id;
  std::optional<std::string> wait_event_type;
  std::optional<std::string> wait_event;
  std::optional<std::string> state;
  std::optional<std::string> usesysid;
  std::optional<std::string> usename;
  std::optional<std::string> client_addr;  // host(client_addr); NULL for unix sockets
  std::optional<std::string> application_name;
  std::optional<std::string> datname;
  std::optional<std::string> query;
  // Lock waits (docs/sampling.md, "Lock waits"). blocking_pids: pg_blocking_pids(),
  // read only for sessions waiting on a heavyweight lock (wait_event_type 'Lock').
  std::vector<int64_t> blocking_pids;
  std::optional<double> lock_wait_seconds;  // since pg_locks.waitstart (else state_change); Lock waiters only
  std::optional<double> xact_seconds;       // now() - xact_start
  std::optional<double> state_seconds;      // now() - state_change
};

enum class SessionKind {
  kActive,             // adds to DB load
  kIdleInTransaction,  // no load, counted in Sample::idle_in_transaction
  kIdle,               // ignored
};

// Whether a row is load. Client backends: state active or fastpath. Parallel
// workers: active or NULL state (starting/ending). Other background processes:
// NULL/active state unless waiting in their idle main loop (IsIdleWait).
SessionKind Classify(const ActivityRow& row);

// True for the waits a background process sits in when it has nothing to do:
// every Activity-type wait (CheckpointerMain, WalWriterMain, ...), a walsender
// waiting for WAL to send, the checkpointer pacing its writes, and an
// extension worker's latch wait.
bool IsIdleWait(const ActivityRow& row);

// Maps one snapshot. Appends the active sessions to out.active and counts
// out.idle_in_transaction. Parallel workers without their own query text or
// query_id take their leader's statement (and its user, database,
// application and client host) from the same snapshot; one whose leader is
// not in the snapshot is dropped (it is exiting).
void MapActivity(const std::vector<ActivityRow>& rows, StatementResolver& statements,
                 model::Sample& out);

// Pids that block a Lock waiter of rows but have no row there themselves
// (plain idle sessions holding session-level locks, e.g. advisory locks):
// the sampler reads them separately so the waits can name them. Excludes 0
// (a prepared transaction).
std::vector<int64_t> MissingBlockers(const std::vector<ActivityRow>& rows);

// One model::LockWait per Lock waiter of rows that has a blocker, appended
// to out.lock_waits. The blocker is the waiter's immediate one: of
// pg_blocking_pids(), the first that is not itself waiting on a lock (it
// holds what the waiter needs), else the first; following blocker_pid from
// waiter to waiter reaches the chain's root within the same sample. Its
// statement is tokenized as the db.sql_tokenized dimension would be.
void MapLockWaits(const std::vector<ActivityRow>& rows, StatementResolver& statements, model::Sample& out);

// Parses a PostgreSQL int[] text ("{12,34}"); malformed items are skipped.
std::vector<int64_t> ParsePidArray(std::string_view text);

}  // namespace dbinsight::collect::postgres
