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

}  // namespace dbinsight::collect::postgres
