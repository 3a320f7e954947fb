#include "analysis/reference_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace dbinsight::analysis {
namespace {

constexpr size_t kStatementChars = 200;

double Average(const std::vector<pi::DataPoint>& points) {
  double sum = 0;
  for (const auto& p : points) sum += p.value;
  return points.empty() ? 0 : sum / static_cast<double>(points.size());
}

// What a DBA checks first for a wait event, by its class (PostgreSQL's
// wait_event_type, or the performance_schema instrument's prefix).
std::string WaitAdvice(const std::string& wait) {
  auto starts = [&wait](std::string_view p) { return wait.rfind(p, 0) == 0; };
  if (starts("Lock:") || starts("wait/lock/") || starts("wait/synch/mdl"))
    return "find the blocking sessions and shorten the transactions that hold row or table locks";
  if (starts("LWLock:") || starts("wait/synch/"))
    return "look for contention on shared structures: hot pages, many sessions on the same rows, or too few buffers";
  if (starts("IO:") || starts("wait/io/"))
    return "reduce the reads and writes: add indexes that avoid scans, and check shared_buffers / "
           "innodb_buffer_pool_size and the storage's latency";
  if (starts("CPU")) return "CPU-bound work: find the statements with the most load and tune them, or add vCPUs";
  if (starts("Client:")) return "the server waits on its clients: check the application and network between them";
  if (starts("IPC:")) return "sessions wait on other processes (parallel query, replication, checkpoints)";
  if (starts("Timeout:")) return "sessions sleep or wait for a timeout on purpose; check whether it is expected";
  return "investigate what the sessions waiting on it are doing";
}

}  // namespace

std::string ShortStatement(const std::string& text) {
  if (text.size() <= kStatementChars) return text;
  size_t cut = kStatementChars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return text.substr(0, cut) + "...";
}

std::string ReferenceReport::ToJson() const {
  nlohmann::ordered_json doc;
  doc["timestamp"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(
                                                              std::chrono::time_point_cast<std::chrono::seconds>(
                                                                  timestamp))));
  doc["metrics_analyzed"] = metrics_analyzed;
  doc["high_load_events"] = nlohmann::ordered_json::array();
  for (const auto& e : high_load_events)
    doc["high_load_events"].push_back({{"wait_event", e.wait_event}, {"average_load", e.average_load}});
  doc["problematic_queries"] = nlohmann::ordered_json::array();
  for (const auto& q : problematic_queries)
    doc["problematic_queries"].push_back({{"sql_statement", q.sql_statement}, {"average_load", q.average_load}});
  doc["recommendations"] = recommendations;
  return doc.dump(2);
}

Result<ReferenceReport> AnalyzeReference(const pi::QueryEngine& engine, const std::string& instance_id, WallTime now,
                                         const ReferenceOptions& options) {
  pi::GetResourceMetricsRequest req;
  req.instance_id = instance_id;
  req.start = now - options.window;
  req.end = now;
  req.period_seconds = options.period_seconds;
  req.queries = {{"db.load.avg", pi::DimensionGroup{"db.wait_event", {}, options.top}, {}},
                 {"db.load.avg", pi::DimensionGroup{"db.sql_tokenized", {}, options.top}, {}}};
  auto result = engine.GetResourceMetrics(req);
  if (!result.ok()) return result.status();

  ReferenceReport report;
  report.timestamp = now;
  for (const pi::MetricSeries& s : result->series) {
    if (s.dimensions.empty()) continue;  // the query's total, not a dimension's series
    ++report.metrics_analyzed;
    const double avg = Average(s.points);
    if (auto w = s.dimensions.find("db.wait_event.name"); w != s.dimensions.end()) {
      if (avg > options.high_load_threshold) report.high_load_events.push_back({w->second, avg});
    } else if (auto q = s.dimensions.find("db.sql_tokenized.statement"); q != s.dimensions.end()) {
      if (avg > options.problematic_query_threshold) report.problematic_queries.push_back({ShortStatement(q->second), avg});
    }
  }
  std::stable_sort(report.high_load_events.begin(), report.high_load_events.end(),
                   [](const auto& a, const auto& b) { return a.average_load > b.average_load; });
  std::stable_sort(report.problematic_queries.begin(), report.problematic_queries.end(),
                   [](const auto& a, const auto& b) { return a.average_load > b.average_load; });

  for (const auto& e : report.high_load_events)
    report.recommendations.push_back(fmt::format("Wait event {} averaged {:.2f} active sessions: {}.", e.wait_event,
                                                 e.average_load, WaitAdvice(e.wait_event)));
  for (const auto& q : report.problematic_queries)
    report.recommendations.push_back(
        fmt::format("Query averaging {:.2f} active sessions: check its plan with EXPLAIN, its indexes and how often "
                    "it runs: {}",
                    q.average_load, q.sql_statement));
  if (report.recommendations.empty())
    report.recommendations.push_back(fmt::format(
        "No wait event above {:.1f} and no query above {:.1f} average active sessions in the last {} minutes.",
        options.high_load_threshold, options.problematic_query_threshold, options.window.count() / 60));
  return report;
}

}  // namespace dbinsight::analysis
