// Windowed DB load of `dbinsight top`; see load_window.h.
#include "top/load_window.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace dbinsight::top {

namespace {

using model::Group;

const std::string& Dim(const model::SessionRow& row, Group g, int index) {
  static const std::string kEmpty;
  const model::GroupKey& key = row.dims[static_cast<int>(g)];
  return index < static_cast<int>(key.size()) ? key[index] : kEmpty;
}

double Seconds(WallTime a, WallTime b) { return std::chrono::duration<double>(a - b).count(); }

void SortLoads(std::vector<DimensionLoad>& loads, Sort sort) {
  std::sort(loads.begin(), loads.end(), [sort](const DimensionLoad& a, const DimensionLoad& b) {
    if (sort == Sort::kName) return a.name < b.name;
    return std::tie(b.load, a.name) < std::tie(a.load, b.name);
  });
}

}  // namespace

LoadWindow::LoadWindow(std::chrono::milliseconds span) : span_(span) {}

void LoadWindow::Add(const model::Sample& sample) {
  if (!first_) first_ = sample.time;
  std::unordered_map<int64_t, Running> running;
  for (const model::SessionRow& row : sample.active) {
    const std::string& id = Dim(row, Group::kSql, model::dim::kSqlId);
    auto it = running_.find(row.pid);
    const bool same = it != running_.end() && it->second.statement_id == id;
    running[row.pid] = {id, same ? it->second.since : sample.time};
  }
  running_ = std::move(running);
  window_.push_back(sample);
  while (!window_.empty() && window_.front().time <= sample.time - span_) window_.pop_front();
}

std::optional<WallTime> LoadWindow::latest() const {
  if (window_.empty()) return std::nullopt;
  return window_.back().time;
}

double LoadWindow::Aas() const {
  if (window_.empty()) return 0;
  size_t active = 0;
  for (const model::Sample& s : window_) active += s.active.size();
  return static_cast<double>(active) / static_cast<double>(window_.size());
}

std::vector<DimensionLoad> LoadWindow::LoadBy(Slice slice, Sort sort) const {
  std::map<std::string, size_t> hits;
  for (const model::Sample& s : window_)
    for (const model::SessionRow& row : s.active) ++hits[Dim(row, SliceGroup(slice), SliceNameIndex(slice))];
  std::vector<DimensionLoad> out;
  for (const auto& [name, n] : hits)
    out.push_back({.name = name, .load = static_cast<double>(n) / static_cast<double>(window_.size())});
  SortLoads(out, sort);
  return out;
}

std::vector<DimensionLoad> LoadWindow::Statements(Sort sort) const {
  std::map<std::string, std::map<std::string, size_t>> waits;  // statement -> wait -> hits
  for (const model::Sample& s : window_)
    for (const model::SessionRow& row : s.active)
      ++waits[Dim(row, Group::kSqlTokenized, model::dim::kTokStatement)]
             [Dim(row, Group::kWaitEvent, model::dim::kWaitName)];
  std::vector<DimensionLoad> out;
  for (const auto& [statement, by_wait] : waits) {
    size_t total = 0;
    const std::pair<const std::string, size_t>* top = nullptr;
    for (const auto& entry : by_wait) {
      total += entry.second;
      if (top == nullptr || entry.second > top->second) top = &entry;
    }
    out.push_back({.name = statement,
                   .load = static_cast<double>(total) / static_cast<double>(window_.size()),
                   .top_wait = top->first,
                   .top_wait_share = static_cast<double>(top->second) / static_cast<double>(total)});
  }
  SortLoads(out, sort);
  return out;
}

std::vector<SessionView> LoadWindow::Sessions(Sort sort) const {
  std::vector<SessionView> out;
  if (window_.empty()) return out;
  const model::Sample& last = window_.back();
  std::unordered_map<int64_t, size_t> seen;  // pid -> samples it was active in
  for (const model::Sample& s : window_)
    for (const model::SessionRow& row : s.active) ++seen[row.pid];
  std::unordered_map<int64_t, int> blocks;
  std::unordered_map<int64_t, double> waited;
  for (const model::LockWait& w : last.lock_waits) {
    ++blocks[w.blocker_pid];
    waited[w.waiter_pid] = w.wait_seconds;
  }
  std::unordered_map<int64_t, size_t> index;  // pid -> position in out
  for (const model::SessionRow& row : last.active) {
    SessionView v{.pid = row.pid,
                  .user = Dim(row, Group::kUser, model::dim::kUserName),
                  .host = Dim(row, Group::kHost, model::dim::kHostName),
                  .db = Dim(row, Group::kDb, 0),
                  .application = Dim(row, Group::kApplication, 0),
                  .state = "active",
                  .wait = Dim(row, Group::kWaitEvent, model::dim::kWaitName),
                  .statement = Dim(row, Group::kSql, model::dim::kSqlStatement),
                  .load = static_cast<double>(seen[row.pid]) / static_cast<double>(window_.size())};
    if (auto it = running_.find(row.pid); it != running_.end()) {
      v.seconds = Seconds(last.time, it->second.since);
      v.at_least = it->second.since == *first_;
    }
    // The server's own wait time is exact where it knows one.
    if (auto it = waited.find(row.pid); it != waited.end() && it->second >= v.seconds.value_or(0)) {
      v.seconds = it->second;
      v.at_least = false;
    }
    v.blocks = blocks.contains(row.pid) ? blocks[row.pid] : 0;
    index[row.pid] = out.size();
    out.push_back(std::move(v));
  }
  for (const model::LockWait& w : last.lock_waits) {
    if (index.contains(w.blocker_pid)) continue;
    index[w.blocker_pid] = out.size();
    out.push_back({.pid = w.blocker_pid,
                   .user = w.blocker_user,
                   .host = w.blocker_host,
                   .application = w.blocker_application,
                   .state = w.blocker_state,
                   .statement = w.blocker_statement,
                   .seconds = w.blocker_state_seconds,
                   .blocks = blocks[w.blocker_pid]});
  }
  std::sort(out.begin(), out.end(), [sort](const SessionView& a, const SessionView& b) {
    if ((a.blocks > 0) != (b.blocks > 0)) return a.blocks > 0;
    const double ta = a.seconds.value_or(-1), tb = b.seconds.value_or(-1);
    switch (sort) {
      case Sort::kLoad:
        return std::tie(b.load, tb, a.pid) < std::tie(a.load, ta, b.pid);
      case Sort::kTime:
        return std::tie(tb, a.pid) < std::tie(ta, b.pid);
      case Sort::kName:
        return a.pid < b.pid;
    }
    return false;
  });
  return out;
}

}  // namespace dbinsight::top
