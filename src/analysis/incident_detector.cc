#include "analysis/incident_detector.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

namespace dbinsight::analysis {
namespace {

std::string ClockTime(WallTime t) {
  return fmt::format("{:%H:%M:%S}", fmt::gmtime(std::chrono::system_clock::to_time_t(
                                        std::chrono::time_point_cast<std::chrono::seconds>(t))));
}

// The key with the most accumulated load and its share of the total.
std::pair<std::string, double> Top(const std::map<std::string, double>& by_key, double total) {
  auto it = std::max_element(by_key.begin(), by_key.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
  if (it == by_key.end() || total <= 0) return {"", 0};
  return {it->first, it->second / total};
}

void Fold(Incident& incident, const LiveSecond& s) {
  incident.peak_load = std::max(incident.peak_load, s.load);
  incident.load_seconds += s.load;
  ++incident.seconds;
  for (const auto& [k, v] : s.waits) incident.waits[k] += v;
  for (const auto& [k, v] : s.statements) incident.statements[k] += v;
}

}  // namespace

std::string Incident::Summary() const {
  std::string text = fmt::format("Load {:.1f} (peak {:.1f}) on {:g} vCPUs ", AverageLoad(), peak_load, vcpus);
  text += closed ? fmt::format("from {} to {} UTC", ClockTime(opened), ClockTime(*closed))
                 : fmt::format("since {} UTC", ClockTime(opened));
  auto [sql, sql_share] = Top(statements, load_seconds);
  auto [wait, wait_share] = Top(waits, load_seconds);
  std::string shown = sql.size() > 120 ? sql.substr(0, 120) + "..." : sql;
  if (!sql.empty()) text += fmt::format("; {:.0f}% is `{}`", sql_share * 100, shown);
  if (!wait.empty()) text += fmt::format("{} {:.0f}% waits on {}", sql.empty() ? ";" : ",", wait_share * 100, wait);
  return text;
}

IncidentDetector::IncidentDetector(double vcpus, IncidentOptions options)
    : vcpus_(vcpus > 0 ? vcpus : 1), options_(std::move(options)) {}

IncidentChange IncidentDetector::Observe(const LiveSecond& s) {
  if (last_seen_ && s.time <= *last_seen_) return IncidentChange::kNone;
  if (last_seen_ && s.time - *last_seen_ > options_.max_gap + std::chrono::seconds(1)) {
    run_start_.reset();  // a long gap: neither run continues across it
    pending_.clear();
  }
  last_seen_ = s.time;
  if (current_ && current_->closed) current_.reset();  // the one closed last time is gone

  if (!current_) {
    if (s.load <= vcpus_ * options_.open_factor) {
      run_start_.reset();
      pending_.clear();
      return IncidentChange::kNone;
    }
    if (!run_start_) run_start_ = s.time;
    pending_.push_back(s);
    if (s.time - *run_start_ + std::chrono::seconds(1) < options_.open_after) return IncidentChange::kNone;
    Incident incident;
    incident.opened = *run_start_;
    incident.vcpus = vcpus_;
    for (const LiveSecond& p : pending_) Fold(incident, p);
    incident.last_high = s.time;
    current_ = std::move(incident);
    run_start_.reset();
    pending_.clear();
    return IncidentChange::kOpened;
  }

  if (s.load > vcpus_ * options_.close_factor) {
    // Still on: the quiet seconds before this one were part of it after all.
    for (const LiveSecond& p : pending_) Fold(*current_, p);
    pending_.clear();
    Fold(*current_, s);
    if (s.load > vcpus_ * options_.open_factor) current_->last_high = s.time;
    run_start_.reset();
    return IncidentChange::kUpdated;
  }
  // Quiet seconds wait in pending_: they belong to the incident only if it
  // goes on, so its average and shares describe the problem, not its end.
  if (!run_start_) run_start_ = s.time;
  pending_.push_back(s);
  if (s.time - *run_start_ + std::chrono::seconds(1) < options_.close_after) return IncidentChange::kUpdated;
  current_->closed = *run_start_;  // it ended where the quiet run began
  run_start_.reset();
  pending_.clear();
  return IncidentChange::kClosed;
}

}  // namespace dbinsight::analysis
