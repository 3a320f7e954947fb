// The pure half of the MySQL/MariaDB sampler: rows of performance_schema
// (threads, events_statements_current/history, events_waits_current,
// session_connect_attrs), information_schema.INNODB_TRX and
// information_schema.PROCESSLIST, as plain structs (no libmariadb), in;
// model::SessionRow values out. The tables are read by separate queries (a
// join of the unindexed P_S tables costs ~10 ms at 100 sessions) and joined
// here on THREAD_ID / PROCESSLIST_ID. Which sessions count as load and what
// each dimension holds is decided here and documented in
// docs/sampling-mysql.md. Stateless functions (statement identity lives in the
// DigestResolver passed in); safe from any thread on distinct inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collect/mysql/digest_resolver.h"
#include "model/sample.h"

namespace dbinsight::collect::mysql {

// performance_schema.threads, TYPE = 'FOREGROUND'; nullopt is SQL NULL.
struct ThreadRow {
  int64_t thread_id = 0;
  int64_t processlist_id = 0;
  std::optional<std::string> user;
  std::optional<std::string> host;  // no port
  std::optional<std::string> db;
  std::optional<std::string> command;  // Query, Sleep, Execute, Daemon, Binlog Dump...
  std::optional<std::string> state;    // User sleep, Updating, Sending data...
};

// performance_schema.events_statements_current (or _history) row.
struct StatementRow {
  int64_t thread_id = 0;
  int64_t event_id = 0;
  std::optional<int64_t> end_event_id;  // NULL while the statement runs
  int nesting_level = 0;                // 0: sent by the client; >0: inside a stored program
  std::optional<std::string> event_name;  // statement/sql/select, statement/com/Execute...
  std::optional<std::string> digest;      // filled when the statement ends
  std::optional<std::string> digest_text;
  std::optional<std::string> sql_text;  // NULL for binary-protocol prepared statements
};

// performance_schema.events_waits_current row.
struct WaitRow {
  int64_t thread_id = 0;
  int64_t event_id = 0;
  std::optional<int64_t> end_event_id;  // NULL while the wait is in progress
  std::string event_name;               // wait/synch/cond/sql/Item_func_sleep::cond, idle...
};

// information_schema.INNODB_TRX row.
struct TrxRow {
  int64_t processlist_id = 0;  // trx_mysql_thread_id (0: no client session)
  std::string state;           // RUNNING, LOCK WAIT, ROLLING BACK, COMMITTING
};

// information_schema.PROCESSLIST row: the sessions themselves in the
// fallback, and otherwise only INFO for statements without SQL_TEXT.
struct ProcesslistRow {
  int64_t id = 0;
  std::optional<std::string> user;
  std::optional<std::string> host;  // host:port for TCP clients
  std::optional<std::string> db;
  std::optional<std::string> command;
  std::optional<std::string> state;
  std::optional<std::string> info;
};

// performance_schema.session_connect_attrs, ATTR_NAME = 'program_name'.
struct ProgramNameRow {
  int64_t processlist_id = 0;
  std::string program_name;
};

// One round of reads. With performance_schema the sessions are `threads`
// (statements, waits, program_names and processlist INFO joined to them);
// without it (`performance_schema` false) the sessions are `processlist`.
struct Snapshot {
  bool performance_schema = true;
  std::vector<ThreadRow> threads;
  std::vector<StatementRow> statements;  // current rows of the sessions' threads
  std::vector<StatementRow> history;     // finished statements, only to learn digests
  std::vector<WaitRow> waits;
  std::vector<TrxRow> trx;
  std::vector<ProcesslistRow> processlist;
  std::vector<ProgramNameRow> program_names;
};

// A session's COMMAND (and STATE) in, whether it is load. Sleep: waiting for
// its client. Daemon (event scheduler, InnoDB/other background work listed in
// the processlist) is not client load. Replication threads count only while
// they work, not in their idle waits (IsIdleState). A NULL or empty command
// (a connection still logging in) is not load. Everything else (Query,
// Execute, Prepare, Fetch, Killed, ...) is.
bool IsActive(const std::optional<std::string>& command, const std::optional<std::string>& state);

// The idle waits of replication threads: a binlog dump thread that has sent
// everything, a replica I/O thread waiting for its primary, a replica SQL
// thread or worker with nothing to apply.
bool IsIdleState(std::string_view command, std::string_view state);

// "wait/synch/cond/sql/Item_func_sleep::cond" -> "synch"; "idle" -> "idle".
std::string WaitClass(std::string_view event_name);

// PROCESSLIST.HOST of a TCP client always ends in ":<port>":
// "127.0.0.1:58414" -> "127.0.0.1", "::1:58414" -> "::1"; "localhost" stays.
std::string HostWithoutPort(std::string_view host);

// information_schema.INNODB_LOCK_WAITS joined with INNODB_TRX twice: one
// (waiting transaction, blocking transaction) pair, by their sessions.
struct InnodbLockWaitRow {
  int64_t waiter_id = 0;               // requesting trx_mysql_thread_id
  int64_t blocker_id = 0;              // blocking trx_mysql_thread_id (0: no session, e.g. a prepared XA transaction)
  std::optional<double> wait_seconds;  // now - requesting trx_wait_started
  std::optional<double> blocker_trx_seconds;  // now - blocking trx_started
  std::optional<std::string> waiter_sql;      // requesting trx_query, for a waiter the session read missed
};

// What is known of a blocking session: its PROCESSLIST row, its last
// statement (performance_schema events_statements_current, else INFO) and
// program name.
struct BlockerRow {
  int64_t id = 0;
  std::optional<std::string> user;
  std::optional<std::string> host;     // PROCESSLIST.HOST (port included)
  std::optional<std::string> command;  // Sleep (idle in its transaction), Query...
  std::optional<double> time;          // PROCESSLIST.TIME: seconds in the current command
  std::optional<std::string> sql;      // raw text of its current or last statement
  std::string application;
};

// Whether the sample saw a session in a lock wait (an INNODB_TRX row in
// LOCK WAIT, or a session whose wait is of class "lock"): only then is the
// lock-wait query worth its cost.
bool SawLockWait(const Snapshot& snapshot, const model::Sample& sample);

// Distinct non-zero blocker ids of the pairs, in first-seen order.
std::vector<int64_t> BlockerIds(const std::vector<InnodbLockWaitRow>& waits);

// One model::LockWait per waiting session, appended to out.lock_waits (call
// after MapActivity: the waiter's statement and wait event are taken from its
// session row, so the texts match the load dimensions). A waiter listed with
// several blocking transactions (the holder and waiters queued ahead of it)
// names the first blocker that is not itself waiting; following blocker_pid
// reaches the chain's root. blocker_state is the blocker's COMMAND ("Sleep":
// idle in its open transaction).
void MapLockWaits(const std::vector<InnodbLockWaitRow>& waits, const std::vector<BlockerRow>& blockers,
                  DigestResolver& statements, model::Sample& out);

// Maps one snapshot: appends the active sessions to out.active and counts
// out.idle_in_transaction (INNODB_TRX rows of sessions that are not load).
// Learns digests from the finished statements in statements and history
// first, then resolves the running ones.
void MapActivity(const Snapshot& snapshot, DigestResolver& statements, model::Sample& out);

}  // namespace dbinsight::collect::mysql
