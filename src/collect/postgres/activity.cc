#include "collect/postgres/activity.h"

#include <charconv>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace dbinsight::collect::postgres {

namespace {

constexpr std::string_view kClientBackend = "client backend";
constexpr std::string_view kParallelWorker = "parallel worker";
// PI's name for "on CPU": PostgreSQL reports no wait event while it runs.
constexpr std::string_view kCpu = "CPU";
// Host of sessions without a TCP client: unix-socket clients and background
// processes.
constexpr std::string_view kLocalHost = "local";

// Backend types PostgreSQL itself starts; anything else that is not a client
// is an extension's background worker (named by the extension).
bool IsCoreBackgroundType(std::string_view t) {
  static constexpr std::string_view kCore[] = {
      "autovacuum launcher", "autovacuum worker", "logical replication launcher",
      "logical replication worker", "parallel worker", "background writer", "checkpointer",
      "startup", "walreceiver", "walsender", "walwriter", "archiver", "archiver process",
      "stats collector", "logger", "standalone backend"};
  for (auto c : kCore)
    if (c == t) return true;
  return false;
}

std::string Or(const std::optional<std::string>& v, std::string_view fallback = "") {
  return v ? *v : std::string(fallback);
}

bool IsLockWaiter(const ActivityRow& row) { return row.wait_event_type && *row.wait_event_type == "Lock"; }

std::string WaitEventName(const ActivityRow& row) {
  if (!row.wait_event_type) return std::string(kCpu);
  return row.wait_event ? *row.wait_event_type + ":" + *row.wait_event : *row.wait_event_type;
}

std::string TokenizedText(const ActivityRow& row, StatementResolver& statements) {
  if (!row.query || row.query->empty()) return "";
  return statements.Resolve(row.query_id, *row.query).tokenized_text;
}

}  // namespace

bool IsIdleWait(const ActivityRow& row) {
  if (!row.wait_event_type) return false;
  const std::string& type = *row.wait_event_type;
  const std::string event = row.wait_event.value_or("");
  // Activity waits are by definition a process's idle main loop.
  if (type == "Activity") return true;
  // A walsender with nothing new to send.
  if (row.backend_type == "walsender" && event == "WalSenderWaitForWAL") return true;
  // checkpoint_completion_target pacing: the checkpointer sleeps on purpose.
  if (row.backend_type == "checkpointer" && type == "Timeout" && event == "CheckpointWriteDelay")
    return true;
  // Extension workers (pg_wait_sampling collector, pg_cron launcher...) wait
  // for their next cycle with an Extension wait.
  if (type == "Extension" && !IsCoreBackgroundType(row.backend_type)) return true;
  return false;
}

SessionKind Classify(const ActivityRow& row) {
  if (row.state && row.state->starts_with("idle in transaction")) return SessionKind::kIdleInTransaction;
  const bool active_state = row.state && (*row.state == "active" || *row.state == "fastpath function call");
  if (row.backend_type == kClientBackend) {
    // NULL state: still authenticating; "disabled": track_activities off.
    return active_state ? SessionKind::kActive : SessionKind::kIdle;
  }
  if (row.backend_type == kParallelWorker) {
    return (active_state || !row.state) ? SessionKind::kActive : SessionKind::kIdle;
  }
  if (!(active_state || !row.state)) return SessionKind::kIdle;
  return IsIdleWait(row) ? SessionKind::kIdle : SessionKind::kActive;
}

void MapActivity(const std::vector<ActivityRow>& rows, StatementResolver& statements,
                 model::Sample& out) {
  std::unordered_map<int64_t, const ActivityRow*> by_pid;
  for (const auto& r : rows) by_pid.emplace(r.pid, &r);

  for (const auto& row : rows) {
    switch (Classify(row)) {
      case SessionKind::kIdle: continue;
      case SessionKind::kIdleInTransaction: ++out.idle_in_transaction; continue;
      case SessionKind::kActive: break;
    }

    // who: whose user, database and client this session works for;
    // statement_of: whose statement it runs. Both are the row itself except
    // for parallel workers.
    const ActivityRow* who = &row;
    const ActivityRow* statement_of = &row;
    if (row.backend_type == kParallelWorker) {
      const ActivityRow* leader = nullptr;
      if (row.leader_pid && *row.leader_pid != row.pid) {
        auto it = by_pid.find(*row.leader_pid);
        if (it != by_pid.end()) leader = it->second;
      }
      const bool own_statement = row.query && !row.query->empty() && row.query_id;
      if (!own_statement && leader == nullptr) continue;  // exiting; nothing to attribute to
      if (leader) who = leader;
      if (!own_statement) statement_of = leader;
    }

    model::SessionRow s;
    s.pid = row.pid;
    auto& d = s.dims;
    using model::Group;
    auto at = [&d](Group g) -> model::GroupKey& { return d[static_cast<int>(g)]; };

    const std::string wait_type = row.wait_event_type.value_or(std::string(kCpu));
    at(Group::kWaitEvent) = {WaitEventName(row), wait_type};
    at(Group::kWaitEventType) = {wait_type};

    const std::optional<std::string>& text = statement_of->query;
    if (text && !text->empty()) {
      StatementDims st = statements.Resolve(statement_of->query_id, *text);
      at(Group::kSqlTokenized) = {st.tokenized_id, st.tokenized_db_id, std::move(st.tokenized_text)};
      at(Group::kSql) = {std::move(st.sql_id), std::move(st.sql_db_id), std::move(st.sql_text),
                         std::move(st.tokenized_id)};
    } else {
      // No SQL (checkpointer, background writer...): empty values, so readers
      // can tell "no statement" from a statement (docs/sampling.md).
      at(Group::kSqlTokenized) = {"", "", ""};
      at(Group::kSql) = {"", "", "", ""};
    }

    // A parallel worker works for its leader's session: the leader's user,
    // database and application (the worker's own row may leave them NULL).
    auto pick = [&](const std::optional<std::string> ActivityRow::*field) {
      return who->*field ? *(who->*field) : Or(row.*field);
    };
    at(Group::kUser) = {pick(&ActivityRow::usesysid), pick(&ActivityRow::usename)};
    // Workers have no client of their own: the leader's client caused the load.
    const std::string host = Or(who->client_addr, kLocalHost);
    at(Group::kHost) = {host, host};
    at(Group::kDb) = {pick(&ActivityRow::datname)};
    at(Group::kApplication) = {pick(&ActivityRow::application_name)};
    at(Group::kSessionType) = {row.backend_type};
    out.active.push_back(std::move(s));
  }
}

std::vector<int64_t> ParsePidArray(std::string_view text) {
  std::vector<int64_t> out;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return out;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec == std::errc() && end == item.data() + item.size()) out.push_back(v);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::vector<int64_t> MissingBlockers(const std::vector<ActivityRow>& rows) {
  std::unordered_set<int64_t> present;
  for (const auto& r : rows) present.insert(r.pid);
  std::vector<int64_t> out;
  for (const auto& r : rows) {
    if (!IsLockWaiter(r)) continue;
    for (int64_t b : r.blocking_pids)
      if (b != 0 && present.insert(b).second) out.push_back(b);
  }
  return out;
}

void MapLockWaits(const std::vector<ActivityRow>& rows, StatementResolver& statements, model::Sample& out) {
  std::unordered_map<int64_t, const ActivityRow*> by_pid;
  for (const auto& r : rows) by_pid.emplace(r.pid, &r);
  auto find = [&by_pid](int64_t pid) -> const ActivityRow* {
    auto it = by_pid.find(pid);
    return it == by_pid.end() ? nullptr : it->second;
  };
  for (const auto& row : rows) {
    // A waiter whose blocker let go between the snapshot and pg_blocking_pids() waits no more.
    if (!IsLockWaiter(row) || row.blocking_pids.empty()) continue;
    int64_t blocker_pid = row.blocking_pids.front();
    for (int64_t b : row.blocking_pids) {
      const ActivityRow* r = find(b);
      if (b == 0 || (r && !IsLockWaiter(*r))) {
        blocker_pid = b;
        break;
      }
    }
    model::LockWait w;
    w.waiter_pid = row.pid;
    w.blocker_pid = blocker_pid;
    w.waiter_statement = TokenizedText(row, statements);
    w.wait_event = WaitEventName(row);
    w.wait_seconds = row.lock_wait_seconds.value_or(0);
    if (const ActivityRow* b = find(blocker_pid)) {
      w.blocker_state = Or(b->state);
      w.blocker_statement = TokenizedText(*b, statements);
      w.blocker_user = Or(b->usename);
      w.blocker_host = Or(b->client_addr, kLocalHost);
      w.blocker_application = Or(b->application_name);
      w.blocker_xact_seconds = b->xact_seconds.value_or(0);
      w.blocker_state_seconds = b->state_seconds.value_or(0);
    } else if (blocker_pid == 0) {
      // pg_blocking_pids() names a prepared transaction's locks as pid 0.
      w.blocker_state = "prepared transaction";
    }
    out.lock_waits.push_back(std::move(w));
  }
}

}  // namespace dbinsight::collect::postgres
