#include "collect/mysql/activity.h"

#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace dbinsight::collect::mysql {

namespace {

// PI's name and type for "on CPU": no wait in progress.
constexpr std::string_view kCpu = "CPU";
// InnoDB has no wait event for a row lock: the waiter shows a table-IO wait
// (or none). INNODB_TRX says LOCK WAIT; this is the name PI uses for it.
constexpr std::string_view kRowLockWait = "wait/lock/innodb/row_lock";
constexpr std::string_view kLockClass = "lock";
// Wait type of the processlist fallback, whose "wait" is the thread STATE.
constexpr std::string_view kStateType = "state";
constexpr std::string_view kSessionType = "FOREGROUND";

std::string Or(const std::optional<std::string>& v) { return v ? *v : std::string(); }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool Contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// The statement a session is running: the outermost statement still in
// progress (a CALL, not the statement inside the procedure it is at); if
// none is in progress, the latest one that finished.
const StatementRow* CurrentStatement(const std::vector<const StatementRow*>& rows) {
  const StatementRow* best = nullptr;
  for (const StatementRow* r : rows) {
    if (best == nullptr) {
      best = r;
      continue;
    }
    const bool running = !r->end_event_id, best_running = !best->end_event_id;
    if (running != best_running) {
      if (running) best = r;
      continue;
    }
    if (running ? r->nesting_level < best->nesting_level : r->event_id > best->event_id) best = r;
  }
  return best;
}

// The most recent wait still in progress (the innermost when waits nest);
// nullptr when the thread is not waiting. A finished wait left in the table
// means the thread has been running since it ended.
const WaitRow* CurrentWait(const std::vector<const WaitRow*>& rows) {
  const WaitRow* best = nullptr;
  for (const WaitRow* w : rows) {
    if (w->end_event_id) continue;
    if (best == nullptr || w->event_id > best->event_id) best = w;
  }
  return best;
}

// The per-session values both sources provide.
struct Session {
  int64_t processlist_id = 0;
  std::string user, host, db, application;
  std::string wait_name, wait_type;
  std::optional<std::string> sql;  // raw text
};

void Emit(const Session& s, DigestResolver& statements, model::Sample& out) {
  model::SessionRow row;
  row.pid = s.processlist_id;
  using model::Group;
  auto at = [&row](Group g) -> model::GroupKey& { return row.dims[static_cast<int>(g)]; };
  at(Group::kWaitEvent) = {s.wait_name, s.wait_type};
  at(Group::kWaitEventType) = {s.wait_type};
  if (s.sql && !s.sql->empty()) {
    StatementDims st = statements.Resolve(*s.sql);
    at(Group::kSqlTokenized) = {st.tokenized_id, st.tokenized_db_id, std::move(st.tokenized_text)};
    at(Group::kSql) = {std::move(st.sql_id), std::move(st.sql_db_id), std::move(st.sql_text),
                       std::move(st.tokenized_id)};
  } else {
    // No SQL (a COM_PING, a prepared statement whose text is gone): empty
    // values, as for PostgreSQL's background processes.
    at(Group::kSqlTokenized) = {"", "", ""};
    at(Group::kSql) = {"", "", "", ""};
  }
  // MySQL users have no numeric id; the name is the id.
  at(Group::kUser) = {s.user, s.user};
  at(Group::kHost) = {s.host, s.host};
  at(Group::kDb) = {s.db};
  at(Group::kApplication) = {s.application};
  at(Group::kSessionType) = {std::string(kSessionType)};
  out.active.push_back(std::move(row));
}

void MapPerformanceSchema(const Snapshot& snap, const std::unordered_map<int64_t, const TrxRow*>& trx_of,
                          DigestResolver& statements, model::Sample& out,
                          std::unordered_set<int64_t>& active_ids) {
  std::unordered_map<int64_t, std::vector<const StatementRow*>> statements_of;
  for (const auto& r : snap.statements) statements_of[r.thread_id].push_back(&r);
  std::unordered_map<int64_t, std::vector<const WaitRow*>> waits_of;
  for (const auto& w : snap.waits) waits_of[w.thread_id].push_back(&w);
  std::unordered_map<int64_t, const ProcesslistRow*> info_of;
  for (const auto& p : snap.processlist) info_of.emplace(p.id, &p);
  std::unordered_map<int64_t, const std::string*> program_of;
  for (const auto& a : snap.program_names) program_of.emplace(a.processlist_id, &a.program_name);

  for (const ThreadRow& t : snap.threads) {
    if (!IsActive(t.command, t.state)) continue;
    Session s;
    s.processlist_id = t.processlist_id;
    const WaitRow* wait = nullptr;
    if (auto it = waits_of.find(t.thread_id); it != waits_of.end()) wait = CurrentWait(it->second);
    auto trx = trx_of.find(t.processlist_id);
    if (trx != trx_of.end() && trx->second->state == "LOCK WAIT") {
      s.wait_name = kRowLockWait;
      s.wait_type = kLockClass;
    } else if (wait != nullptr) {
      s.wait_type = WaitClass(wait->event_name);
      // The tables are read one after another, not as one snapshot: a thread
      // seen running a command but already back in its idle wait (reading
      // the next command) finished in between. The later read wins.
      if (s.wait_type == "idle") continue;
      s.wait_name = wait->event_name;
    } else {
      s.wait_name = kCpu;
      s.wait_type = kCpu;
    }
    active_ids.insert(t.processlist_id);

    const StatementRow* st = nullptr;
    if (auto it = statements_of.find(t.thread_id); it != statements_of.end()) st = CurrentStatement(it->second);
    if (st && st->sql_text && !st->sql_text->empty()) {
      s.sql = st->sql_text;
    } else if (auto it = info_of.find(t.processlist_id); it != info_of.end() && it->second->info) {
      // Binary-protocol prepared statements (statement/com/Execute) have no
      // SQL_TEXT in performance_schema; PROCESSLIST.INFO has the prepared text.
      s.sql = it->second->info;
    }
    s.user = Or(t.user);
    s.host = Or(t.host);  // threads.PROCESSLIST_HOST has no port (and may be a bare "::1")
    s.db = Or(t.db);
    if (auto it = program_of.find(t.processlist_id); it != program_of.end()) s.application = *it->second;
    Emit(s, statements, out);
  }
}

void MapProcesslist(const Snapshot& snap, const std::unordered_map<int64_t, const TrxRow*>& trx_of,
                    DigestResolver& statements, model::Sample& out, std::unordered_set<int64_t>& active_ids) {
  for (const ProcesslistRow& p : snap.processlist) {
    if (!IsActive(p.command, p.state)) continue;
    Session s;
    s.processlist_id = p.id;
    auto trx = trx_of.find(p.id);
    if (trx != trx_of.end() && trx->second->state == "LOCK WAIT") {
      s.wait_name = kRowLockWait;
      s.wait_type = kLockClass;
    } else if (p.state && !p.state->empty()) {
      s.wait_name = *p.state;
      s.wait_type = kStateType;
    } else {
      s.wait_name = kCpu;
      s.wait_type = kCpu;
    }
    active_ids.insert(p.id);
    s.sql = p.info;
    s.user = Or(p.user);
    s.host = HostWithoutPort(Or(p.host));
    s.db = Or(p.db);
    Emit(s, statements, out);
  }
}

}  // namespace

bool IsIdleState(std::string_view command, std::string_view state) {
  if (StartsWith(command, "Binlog Dump")) {
    return Contains(state, "has sent all binlog to");  // "Master has sent all binlog to slave; waiting ..."
  }
  if (command == "Slave_IO") {
    return StartsWith(state, "Waiting for master to send event") ||
           StartsWith(state, "Waiting for source to send event");
  }
  if (command == "Slave_SQL" || command == "Slave_worker") {
    return Contains(state, "waiting for more updates") || StartsWith(state, "Waiting for work from") ||
           StartsWith(state, "Waiting for an event from");
  }
  return false;
}

bool IsActive(const std::optional<std::string>& command, const std::optional<std::string>& state) {
  if (!command || command->empty()) return false;
  const std::string& c = *command;
  if (c == "Sleep" || c == "Daemon") return false;
  return !IsIdleState(c, state.value_or(""));
}

std::string WaitClass(std::string_view event_name) {
  const size_t first = event_name.find('/');
  if (first == std::string_view::npos) return std::string(event_name);
  const size_t second = event_name.find('/', first + 1);
  return std::string(event_name.substr(first + 1, second == std::string_view::npos ? second : second - first - 1));
}

std::string HostWithoutPort(std::string_view host) {
  const size_t colon = host.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == host.size()) return std::string(host);
  for (char c : host.substr(colon + 1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::string(host);
  return std::string(host.substr(0, colon));
}

void MapActivity(const Snapshot& snap, DigestResolver& statements, model::Sample& out) {
  // Learn before resolving, so a statement running now is named by the
  // digest of an identical one that just finished.
  for (const auto* rows : {&snap.history, &snap.statements}) {
    for (const StatementRow& r : *rows) {
      if (r.end_event_id && r.sql_text && r.digest && r.digest_text)
        statements.Learn(*r.sql_text, *r.digest, *r.digest_text);
    }
  }
  std::unordered_map<int64_t, const TrxRow*> trx_of;
  for (const auto& t : snap.trx)
    if (t.processlist_id != 0) trx_of.emplace(t.processlist_id, &t);

  std::unordered_set<int64_t> active_ids;
  if (snap.performance_schema) {
    MapPerformanceSchema(snap, trx_of, statements, out, active_ids);
  } else {
    MapProcesslist(snap, trx_of, statements, out, active_ids);
  }
  // A transaction whose session is not load is a session idle in it (Sleep
  // between statements): no load, but the usual lock holder.
  for (const auto& [id, trx] : trx_of)
    if (!active_ids.count(id)) ++out.idle_in_transaction;
}

bool SawLockWait(const Snapshot& snapshot, const model::Sample& sample) {
  for (const TrxRow& t : snapshot.trx)
    if (t.state == "LOCK WAIT") return true;
  for (const model::SessionRow& r : sample.active)
    if (r.dims[static_cast<int>(model::Group::kWaitEventType)].front() == kLockClass) return true;
  return false;
}

std::vector<int64_t> BlockerIds(const std::vector<InnodbLockWaitRow>& waits) {
  std::vector<int64_t> out;
  std::unordered_set<int64_t> seen;
  for (const InnodbLockWaitRow& w : waits)
    if (w.blocker_id != 0 && seen.insert(w.blocker_id).second) out.push_back(w.blocker_id);
  return out;
}

void MapLockWaits(const std::vector<InnodbLockWaitRow>& waits, const std::vector<BlockerRow>& blockers,
                  DigestResolver& statements, model::Sample& out) {
  std::unordered_set<int64_t> waiting;
  for (const InnodbLockWaitRow& w : waits) waiting.insert(w.waiter_id);
  // Per waiter, in first-seen order: the pair naming its immediate blocker.
  std::vector<const InnodbLockWaitRow*> chosen;
  std::unordered_map<int64_t, size_t> index;
  for (const InnodbLockWaitRow& w : waits) {
    auto [it, added] = index.emplace(w.waiter_id, chosen.size());
    if (added) {
      chosen.push_back(&w);
    } else if (waiting.count(chosen[it->second]->blocker_id) && !waiting.count(w.blocker_id)) {
      chosen[it->second] = &w;
    }
  }
  std::unordered_map<int64_t, const BlockerRow*> blocker_of;
  for (const BlockerRow& b : blockers) blocker_of.emplace(b.id, &b);
  std::unordered_map<int64_t, const model::SessionRow*> session_of;
  for (const model::SessionRow& r : out.active) session_of.emplace(r.pid, &r);

  std::vector<model::LockWait> result;
  for (const InnodbLockWaitRow* w : chosen) {
    model::LockWait lw;
    lw.waiter_pid = w->waiter_id;
    lw.blocker_pid = w->blocker_id;
    lw.wait_seconds = w->wait_seconds.value_or(0);
    lw.blocker_xact_seconds = w->blocker_trx_seconds.value_or(0);
    if (auto it = session_of.find(w->waiter_id); it != session_of.end()) {
      const model::DimensionValues& d = it->second->dims;
      lw.waiter_statement = d[static_cast<int>(model::Group::kSqlTokenized)][model::dim::kTokStatement];
      lw.wait_event = d[static_cast<int>(model::Group::kWaitEvent)][model::dim::kWaitName];
    } else {
      // Read after the sessions: a waiter that started waiting in between.
      lw.wait_event = kRowLockWait;
      if (w->waiter_sql && !w->waiter_sql->empty())
        lw.waiter_statement = statements.Resolve(*w->waiter_sql).tokenized_text;
    }
    if (auto it = blocker_of.find(w->blocker_id); it != blocker_of.end()) {
      const BlockerRow& b = *it->second;
      lw.blocker_state = Or(b.command);
      if (b.sql && !b.sql->empty()) lw.blocker_statement = statements.Resolve(*b.sql).tokenized_text;
      lw.blocker_user = Or(b.user);
      lw.blocker_host = HostWithoutPort(Or(b.host));
      lw.blocker_application = b.application;
      lw.blocker_state_seconds = b.time.value_or(0);
    }
    result.push_back(std::move(lw));
  }
  out.lock_waits.insert(out.lock_waits.end(), result.begin(), result.end());
}

}  // namespace dbinsight::collect::mysql
