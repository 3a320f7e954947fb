#include "app/analyzer.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "bucket/failure.h"
#include "common/log.h"

namespace dbinsight::app {

ScheduledAnalyzer::ScheduledAnalyzer(const pi::QueryEngine& pi, metrics::MetricEngine& metrics,
                                     bucket::BucketStore& buckets, std::vector<std::string> instance_ids,
                                     analysis::AnalyzerOptions options)
    : pi_(pi),
      metrics_(metrics),
      buckets_(buckets),
      instance_ids_(std::move(instance_ids)),
      options_(std::move(options)),
      schedule_(analysis::Schedule::Parse(options_.schedule).value()) {}

namespace {

// A per-instance name from its configured pattern. Bucket names are
// lowercase letters, digits, '.' and '-': an id such as "Orders_DB" gives
// "orders-db"; function names take the same form so both stay predictable.
std::string NameFor(std::string pattern, const std::string& instance_id) {
  std::string id;
  for (char c : instance_id)
    id += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                                                      : (c == '.' ? '.' : '-');
  if (auto at = pattern.find("{id}"); at != std::string::npos) pattern.replace(at, 4, id);
  return pattern;
}

}  // namespace

std::string ScheduledAnalyzer::BucketOf(const std::string& instance_id) const {
  return NameFor(options_.bucket, instance_id);
}

std::string ScheduledAnalyzer::FunctionOf(const std::string& instance_id) const {
  return NameFor(options_.function_name, instance_id);
}

std::string ScheduledAnalyzer::ReportKey(WallTime now) {
  const auto secs = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(now));
  return fmt::format("performance-reports/{:%Y/%m/%d/%H}/analysis.json", fmt::gmtime(secs));
}

Status ScheduledAnalyzer::Store(const std::string& instance_id, const analysis::ReferenceReport& report,
                                std::string& key) {
  const std::string bucket = BucketOf(instance_id);
  // The bucket is made on first use, versioned so an overwrite keeps the
  // older report. One a user made (or unversioned on purpose) is used as is.
  Status made = buckets_.CreateBucket(bucket, /*versioned=*/true);
  if (!made.ok() && bucket::FailureOf(made) != bucket::Failure::kBucketExists) return made;
  key = ReportKey(report.timestamp);
  auto put = buckets_.Put(bucket, key, report.ToJson(), "application/json");
  return put.ok() ? Status::Ok() : put.status();
}

Status ScheduledAnalyzer::Publish(const std::string& instance_id, const analysis::ReferenceReport& report) {
  auto datum = [&](const char* name, size_t count) {
    metrics::Datum d;
    d.name = name;
    d.dimensions = {{"DBInstanceIdentifier", instance_id}};
    d.time = report.timestamp;
    d.unit = "Count";
    const double v = static_cast<double>(count);
    d.values = {{.sum = v, .min = v, .max = v, .count = 1}};
    return d;
  };
  const std::vector<metrics::Datum> data{datum("HighLoadEvents", report.high_load_events.size()),
                                         datum("ProblematicQueries", report.problematic_queries.size())};
  return metrics_.Put(kInsightsNamespace, data);
}

Result<analysis::ReferenceReport> ScheduledAnalyzer::Run(const std::string& instance_id, WallTime now) {
  if (std::find(instance_ids_.begin(), instance_ids_.end(), instance_id) == instance_ids_.end())
    return Status::NotFound("no instance with id '" + instance_id + "'");
  std::string key;
  auto report = analysis::AnalyzeReference(pi_, instance_id, now, options_.reference);
  Status st = report.ok() ? Store(instance_id, report.value(), key) : report.status();
  if (st.ok()) st = Publish(instance_id, report.value());
  std::lock_guard lock(mu_);
  AnalyzerRunStatus& s = status_[instance_id];
  s.last_attempt = now;
  if (st.ok()) {
    s.last_success = now;
    s.last_error.clear();
    s.consecutive_failures = 0;
    s.last_report_key = key;
    const bool found = !report->high_load_events.empty() || !report->problematic_queries.empty();
    s.top_finding = found ? report->recommendations.front() : "";
    return report;
  }
  s.last_error = st.ToString();
  ++s.consecutive_failures;
  log::Warn("analysis of {} failed (attempt {}), retrying in {} s: {}", instance_id, s.consecutive_failures,
            options_.retry_after.count(), s.last_error);
  return st;
}

std::optional<WallTime> ScheduledAnalyzer::NextDue(WallTime now) {
  std::lock_guard lock(mu_);
  if (!next_firing_) next_firing_ = schedule_.NextAfter(now);
  std::optional<WallTime> due = next_firing_;
  for (const auto& [id, s] : status_)
    if (s.consecutive_failures > 0 && s.last_attempt) {
      const WallTime retry = *s.last_attempt + options_.retry_after;
      if (!due || retry < *due) due = retry;
    }
  return due;
}

Status ScheduledAnalyzer::RunDue(WallTime now) {
  std::vector<std::string> due;
  {
    std::lock_guard lock(mu_);
    if (!next_firing_) next_firing_ = schedule_.NextAfter(now);
    if (next_firing_ && *next_firing_ <= now) {
      due = instance_ids_;
      next_firing_ = schedule_.NextAfter(now);
    } else {
      for (const auto& [id, s] : status_)
        if (s.consecutive_failures > 0 && s.last_attempt && *s.last_attempt + options_.retry_after <= now)
          due.push_back(id);
    }
  }
  Status first = Status::Ok();
  for (const auto& id : due)
    if (auto r = Run(id, now); !r.ok() && first.ok()) first = r.status();
  return first;
}

AnalyzerRunStatus ScheduledAnalyzer::StatusOf(const std::string& instance_id) const {
  std::lock_guard lock(mu_);
  auto it = status_.find(instance_id);
  return it == status_.end() ? AnalyzerRunStatus{} : it->second;
}

}  // namespace dbinsight::app
