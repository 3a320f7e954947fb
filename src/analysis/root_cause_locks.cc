// Lock chains of a root-cause report: the stored lock waits of a window
// grouped by the root blocker each waiting session is queued behind.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "analysis/root_cause.h"

namespace dbinsight::analysis {

bool IsIdleBlocker(const std::string& state) { return state.starts_with("idle in transaction") || state == "Sleep"; }

std::vector<LockChain> BuildLockChains(const std::vector<model::LockWaitSample>& samples) {
  struct Acc {
    LockChain chain;
    std::set<int64_t> waiters;
    // (statement, wait event) -> sessions and longest wait.
    std::map<std::pair<std::string, std::string>, std::pair<std::set<int64_t>, double>> groups;
  };
  std::map<int64_t, Acc> by_root;
  for (const model::LockWaitSample& sample : samples) {
    std::unordered_map<int64_t, const model::LockWait*> wait_of;
    for (const model::LockWait& w : sample.waits) wait_of.emplace(w.waiter_pid, &w);
    std::unordered_map<int64_t, int> waiters_now;  // root -> waiters in this sample
    for (const model::LockWait& w : sample.waits) {
      // Follow the links to the last blocker that does not wait itself.
      const model::LockWait* link = &w;
      std::unordered_set<int64_t> visited = {w.waiter_pid};
      while (true) {
        auto next = wait_of.find(link->blocker_pid);
        if (next == wait_of.end() || !visited.insert(link->blocker_pid).second) break;
        link = next->second;
      }
      Acc& acc = by_root[link->blocker_pid];
      LockChain& c = acc.chain;
      if (c.waiter_samples == 0) c.first_seen = sample.time;
      if (sample.time >= c.last_seen) {
        // The root's facts travel with the link that names it.
        c.blocker_pid = link->blocker_pid;
        c.blocker_state = link->blocker_state;
        c.blocker_statement = link->blocker_statement;
        c.blocker_user = link->blocker_user;
        c.blocker_host = link->blocker_host;
        c.blocker_application = link->blocker_application;
        c.blocker_xact_seconds = link->blocker_xact_seconds;
        c.blocker_state_seconds = link->blocker_state_seconds;
        c.last_seen = sample.time;
      }
      c.first_seen = std::min(c.first_seen, sample.time);
      c.waiter_samples += 1;
      c.longest_wait_seconds = std::max(c.longest_wait_seconds, w.wait_seconds);
      acc.waiters.insert(w.waiter_pid);
      auto& group = acc.groups[{w.waiter_statement, w.wait_event}];
      group.first.insert(w.waiter_pid);
      group.second = std::max(group.second, w.wait_seconds);
      ++waiters_now[link->blocker_pid];
    }
    for (const auto& [root, n] : waiters_now)
      by_root[root].chain.max_waiters = std::max(by_root[root].chain.max_waiters, n);
  }
  std::vector<LockChain> out;
  for (auto& [root, acc] : by_root) {
    LockChain& c = acc.chain;
    c.distinct_waiters = static_cast<int>(acc.waiters.size());
    for (const auto& [key, group] : acc.groups)
      c.waiters.push_back({key.first, key.second, static_cast<int>(group.first.size()), group.second});
    std::stable_sort(c.waiters.begin(), c.waiters.end(),
                     [](const LockChainWaiters& a, const LockChainWaiters& b) { return a.sessions > b.sessions; });
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LockChain& a, const LockChain& b) { return a.waiter_samples > b.waiter_samples; });
  return out;
}

}  // namespace dbinsight::analysis
