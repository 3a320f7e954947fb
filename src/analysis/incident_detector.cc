#include "analysis/incident_detector.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/markdown.h"

namespace dbinsight::analysis {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string ClockTime(WallTime t) {
  return fmt::format(
      "{:%H:%M:%S}",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t))));
}

// "3 min", "12 s": how long a state has lasted, as a DBA says it.
std::string Age(double seconds) {
  if (seconds >= 120) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.0f} s", seconds);
}

// A statement as an inline code span (MySQL digests hold backquotes).
std::string Shown(const std::string& sql) { return CodeSpan(sql.size() > 120 ? sql.substr(0, 120) + "..." : sql); }

// The key with the most accumulated load and that load ("" when none).
std::pair<std::string, double> Top(const std::map<std::string, double>& by_key) {
  auto it =
      std::max_element(by_key.begin(), by_key.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  if (it == by_key.end() || it->second <= 0) return {"", 0};
  return *it;
}

double Sum(const std::map<std::string, double>& by_key) {
  double sum = 0;
  for (const auto& [k, v] : by_key) sum += v;
  return sum;
}

void Add(std::map<std::string, double>& into, const std::map<std::string, double>& from) {
  for (const auto& [k, v] : from) into[k] += v;
}

// Folds a reading's evidence into the incident's: shares accumulate; the
// facts of a moment (a blocker, a count, a latency) are the latest reading
// above the line, so a quiet second does not overwrite what the DBA acts on.
void Merge(IncidentEvidence& into, const Reading& r) {
  std::visit(Overloaded{
                 [&](LoadEvidence& e) {
                   const auto& f = std::get<LoadEvidence>(r.evidence);
                   e.vcpus = f.vcpus;
                   Add(e.waits, f.waits);
                   Add(e.statements, f.statements);
                 },
                 [&](ConnectionsEvidence& e) {
                   const auto& f = std::get<ConnectionsEvidence>(r.evidence);
                   if (r.level == Level::kAbove) {
                     e.connections = f.connections;
                     e.limit = f.limit;
                   }
                   Add(e.users, f.users);
                   Add(e.applications, f.applications);
                 },
                 [&](auto& e) {
                   if (r.level == Level::kAbove) e = std::get<std::decay_t<decltype(e)>>(r.evidence);
                 },
             },
             into);
}

void Fold(Incident& incident, const Reading& r) {
  const double span = static_cast<double>(r.span.count());
  incident.peak = std::max(incident.peak, r.value);
  incident.value_seconds += r.value * span;
  incident.seconds += span;
  if (r.level == Level::kAbove) incident.last_above = r.time;
  Merge(incident.evidence, r);
}

Level Against(double value, double open_line, double close_line) {
  if (value >= open_line) return Level::kAbove;
  return value > close_line ? Level::kBetween : Level::kClear;
}

}  // namespace

// Parallel to the alternatives of IncidentEvidence.
constexpr std::string_view kKindNames[] = {"high-load", "lock-chain", "connections", "latency-regression"};
constexpr std::string_view kKindUnits[] = {"Sessions", "Seconds", "Connections", "Milliseconds per call"};
static_assert(std::size(kKindNames) == std::variant_size_v<IncidentEvidence>);

std::string_view KindName(const IncidentEvidence& evidence) { return kKindNames[evidence.index()]; }

std::string_view KindUnit(std::string_view kind) {
  for (size_t i = 0; i < std::size(kKindNames); ++i)
    if (kKindNames[i] == kind) return kKindUnits[i];
  return "";
}

std::string Incident::Summary() const {
  const std::string when = closed ? fmt::format("from {} to {} UTC", ClockTime(opened), ClockTime(*closed))
                                  : fmt::format("since {} UTC", ClockTime(opened));
  return std::visit(
      Overloaded{
          [&](const LoadEvidence& e) {
            std::string text =
                fmt::format("Load {:.1f} (peak {:.1f}) on {:g} vCPUs {}", Average(), peak, e.vcpus, when);
            // Shares of the incident's load (the top keys of each second may not sum to it).
            auto [sql, sql_load] = Top(e.statements);
            auto [wait, wait_load] = Top(e.waits);
            if (!sql.empty()) text += fmt::format("; {:.0f}% is {}", sql_load / value_seconds * 100, Shown(sql));
            if (!wait.empty())
              text +=
                  fmt::format("{} {:.0f}% waits on {}", sql.empty() ? ";" : ",", wait_load / value_seconds * 100, wait);
            return text;
          },
          [&](const LockChainEvidence& e) {
            const model::LockWait& w = e.longest;
            std::string text = fmt::format("Lock chain {}: {} session{} wait{} (longest {}", when, e.waiters,
                                           e.waiters == 1 ? "" : "s", e.waiters == 1 ? "s" : "", Age(peak));
            if (!w.wait_event.empty()) text += ", on " + w.wait_event;
            if (!w.waiter_statement.empty()) text += fmt::format(", {}", Shown(w.waiter_statement));
            text += fmt::format("), blocked by pid {}", w.blocker_pid);
            std::vector<std::string> facts;
            if (!w.blocker_state.empty())
              facts.push_back(fmt::format("{} for {}", w.blocker_state, Age(w.blocker_state_seconds)));
            if (w.blocker_xact_seconds > 0) facts.push_back("transaction open " + Age(w.blocker_xact_seconds));
            if (!w.blocker_user.empty()) facts.push_back("user " + w.blocker_user);
            if (!w.blocker_host.empty()) facts.push_back("host " + w.blocker_host);
            if (!w.blocker_application.empty()) facts.push_back("application " + w.blocker_application);
            if (!w.blocker_statement.empty()) facts.push_back(fmt::format("last {}", Shown(w.blocker_statement)));
            if (!facts.empty()) text += fmt::format(" ({})", fmt::join(facts, ", "));
            return text;
          },
          [&](const ConnectionsEvidence& e) {
            std::string text = fmt::format("Connections {:.0f}/{:.0f} ({:.0f}%, peak {:.0f}) {}", e.connections,
                                           e.limit, e.limit > 0 ? e.connections / e.limit * 100 : 0, peak, when);
            auto [user, user_load] = Top(e.users);
            auto [app, app_load] = Top(e.applications);
            std::vector<std::string> who;
            if (!user.empty()) who.push_back(fmt::format("user {} ({:.0f}%)", user, user_load / Sum(e.users) * 100));
            if (!app.empty())
              who.push_back(fmt::format("application {} ({:.0f}%)", app, app_load / Sum(e.applications) * 100));
            if (!who.empty()) text += fmt::format("; active sessions mostly {}", fmt::join(who, ", "));
            return text;
          },
          [&](const RegressionEvidence& e) {
            return fmt::format(
                "{} takes {:.1f} ms per call ({:.0f} calls in the last interval) against {:.1f} ms "
                "before ({:.0f}x) {}",
                Shown(e.statement), e.current_ms, e.calls, e.baseline_ms,
                e.baseline_ms > 0 ? e.current_ms / e.baseline_ms : 0, when);
          },
      },
      evidence);
}

IncidentChange IncidentDetector::Observe(const Reading& in) {
  if (last_end_ && in.time + in.span <= *last_end_) return IncidentChange::kNone;
  Reading r = in;
  if (last_end_ && r.time < *last_end_) {
    // Overlaps the previous one (statistics intervals jitter by a second): count only what is new.
    r.span = std::chrono::duration_cast<std::chrono::seconds>(r.time + r.span - *last_end_);
    r.time = *last_end_;
  }
  if (last_end_ && r.time - *last_end_ > options_.max_gap) {
    run_start_.reset();  // a long gap: neither run continues across it
    pending_.clear();
  }
  last_end_ = r.time + r.span;
  if (current_ && current_->closed) current_.reset();  // the one closed last time is gone
  auto run_length = [&] { return *last_end_ - *run_start_; };

  if (!current_) {
    if (r.level != Level::kAbove) {
      run_start_.reset();
      pending_.clear();
      return IncidentChange::kNone;
    }
    if (!run_start_) run_start_ = r.time;
    pending_.push_back(r);
    if (run_length() < options_.open_after) return IncidentChange::kNone;
    Incident incident;
    incident.kind = std::string(KindName(r.evidence));
    incident.opened = *run_start_;
    incident.evidence = r.evidence;
    // Shares are accumulated from empty; the facts of a moment come from Merge.
    std::visit(Overloaded{[](LoadEvidence& e) {
                            e.waits.clear();
                            e.statements.clear();
                          },
                          [](ConnectionsEvidence& e) {
                            e.users.clear();
                            e.applications.clear();
                          },
                          [](auto&) {}},
               incident.evidence);
    for (const Reading& p : pending_) Fold(incident, p);
    current_ = std::move(incident);
    run_start_.reset();
    pending_.clear();
    return IncidentChange::kOpened;
  }

  if (r.level != Level::kClear) {
    // Still on: the quiet readings before this one were part of it after all.
    for (const Reading& p : pending_) Fold(*current_, p);
    pending_.clear();
    Fold(*current_, r);
    run_start_.reset();
    return IncidentChange::kUpdated;
  }
  // Quiet readings wait in pending_: they belong to the incident only if it
  // goes on, so its average and shares describe the problem, not its end.
  if (!run_start_) run_start_ = r.time;
  pending_.push_back(r);
  if (run_length() < options_.close_after) return IncidentChange::kUpdated;
  current_->closed = *run_start_;  // it ended where the quiet run began
  run_start_.reset();
  pending_.clear();
  return IncidentChange::kClosed;
}

Reading HighLoadReading(const LiveSecond& s, double vcpus, const HighLoadOptions& o) {
  vcpus = vcpus > 0 ? vcpus : 1;
  Reading r{s.time, std::chrono::seconds(1), Level::kClear, s.load, LoadEvidence{vcpus, s.waits, s.statements}};
  // Strictly above the open line, as before kinds: load equal to the vCPUs is a full machine, not an overload.
  if (s.load > vcpus * o.open_factor)
    r.level = Level::kAbove;
  else if (s.load > vcpus * o.close_factor)
    r.level = Level::kBetween;
  return r;
}

Reading LockChainReading(WallTime second, const std::vector<model::LockWait>& waits, const LockChainOptions& o) {
  LockChainEvidence e;
  e.waiters = static_cast<int>(waits.size());
  auto longest = std::max_element(waits.begin(), waits.end(),
                                  [](const auto& a, const auto& b) { return a.wait_seconds < b.wait_seconds; });
  const double value = longest == waits.end() ? 0 : longest->wait_seconds;
  if (longest != waits.end()) {
    // The head of the chain is what a DBA acts on, and a waiter's blocker may
    // itself wait (PostgreSQL's tuple-lock queue: later waiters wait for the
    // first, which waits for the transaction): follow blockers to one that
    // waits for nobody, and show the wait directly behind it. Bounded, as a
    // deadlock is a cycle.
    std::map<int64_t, const model::LockWait*> by_waiter;
    for (const model::LockWait& w : waits) by_waiter.emplace(w.waiter_pid, &w);
    const model::LockWait* hop = &*longest;
    for (size_t n = 0; n < waits.size(); ++n) {
      auto next = by_waiter.find(hop->blocker_pid);
      if (next == by_waiter.end()) break;
      hop = next->second;
    }
    e.longest = *hop;
  }
  Reading r{second, std::chrono::seconds(1), Level::kClear, value, std::move(e)};
  if (!waits.empty()) r.level = value >= static_cast<double>(o.min_wait.count()) ? Level::kAbove : Level::kBetween;
  return r;
}

Reading ConnectionsReading(WallTime second, double connections, double limit, const LiveSecond& active,
                           const ConnectionsOptions& o) {
  Reading r{second, std::chrono::seconds(1), Level::kClear, connections,
            ConnectionsEvidence{connections, limit, active.users, active.applications}};
  if (limit > 0) r.level = Against(connections, limit * o.open_fraction, limit * o.close_fraction);
  return r;
}

LatencyRegressionRule::LatencyRegressionRule(LatencyRegressionOptions options, std::chrono::seconds interval)
    : options_(std::move(options)), interval_(std::max(interval, std::chrono::seconds(1))) {}

LatencyRegressionRule::Judged LatencyRegressionRule::Add(const StatementInterval& in) {
  std::deque<Point>& points = history_[in.id];
  while (!points.empty() && points.front().end < in.end - options_.baseline) points.pop_front();
  double calls = 0, total = 0;
  for (const Point& p : points) {
    if (p.regressed || p.end >= in.end) continue;
    calls += p.calls;
    total += p.total_ms;
  }
  Judged j;
  if (calls >= options_.min_calls && total > 0 && in.calls >= options_.min_calls) {
    j.baseline_ms = total / calls;
    j.ratio = in.ms_per_call / j.baseline_ms;
    if (j.ratio >= options_.ratio && in.ms_per_call - j.baseline_ms >= options_.min_increase_ms)
      j.level = Level::kAbove;
    else if (j.ratio > options_.close_ratio)
      j.level = Level::kBetween;
  }
  points.push_back({in.end, in.calls, in.calls * in.ms_per_call, j.level == Level::kAbove});
  return j;
}

void LatencyRegressionRule::Backfill(const std::vector<StatementInterval>& intervals) {
  for (const StatementInterval& i : intervals) Add(i);
}

Reading LatencyRegressionRule::Observe(WallTime end, const std::vector<StatementInterval>& intervals) {
  // Statements not seen for a whole baseline window are forgotten.
  std::erase_if(history_,
                [&](const auto& h) { return h.second.empty() || h.second.back().end < end - options_.baseline; });
  Reading r{end - interval_, interval_, Level::kClear, 0, RegressionEvidence{}};
  double worst_ratio = -1;
  for (const StatementInterval& i : intervals) {
    const Judged j = Add(i);
    // The worst is the highest level, then the largest ratio.
    if (j.level < r.level || (j.level == r.level && j.ratio <= worst_ratio)) continue;
    worst_ratio = j.ratio;
    r.level = j.level;
    r.value = i.ms_per_call;
    r.evidence = RegressionEvidence{i.id, i.statement, j.baseline_ms, i.ms_per_call, i.calls};
  }
  return r;
}

}  // namespace dbinsight::analysis
