// The reference analyzer of AWS's RDS monitoring recipe, reproduced: over the
// last hour at 300 s periods it asks Performance Insights for db.load.avg by
// wait event and by tokenized SQL (top 10 each), averages each series' data
// points, and calls a wait event with an average above 1.0 a "high-load
// event" and a statement above 0.5 a "problematic query". Its JSON report and
// the two counts it publishes (HighLoadEvents, ProblematicQueries) are what
// the recipe's alarms and dashboard read, so the format is kept exactly:
// {timestamp, metrics_analyzed, high_load_events:[{wait_event, average_load}],
//  problematic_queries:[{sql_statement, average_load}], recommendations:[...]}.
// It is the floor; root-cause reports go further (docs/analysis.md).
// Pure over pi::QueryEngine (which must outlive the call); thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "pi/query_engine.h"

namespace dbinsight::analysis {

struct ReferenceOptions {
  // Defaults are the recipe's: the last hour, 300 s periods, the top 10 of
  // each group, thresholds 1.0 (wait events) and 0.5 (statements) in average
  // active sessions.
  std::chrono::seconds window{3600};
  int period_seconds = 300;
  int top = 10;
  double high_load_threshold = 1.0;
  double problematic_query_threshold = 0.5;
};

struct HighLoadEvent {
  std::string wait_event;  // "Lock:transactionid", "wait/io/table/sql/handler"
  double average_load = 0;
};

struct ProblematicQuery {
  std::string sql_statement;  // tokenized text, at most 200 characters + "..."
  double average_load = 0;
};

struct ReferenceReport {
  WallTime timestamp;       // when the analysis ran (the window's end)
  int metrics_analyzed = 0;  // series returned by Performance Insights (both groups)
  std::vector<HighLoadEvent> high_load_events;          // by load, highest first
  std::vector<ProblematicQuery> problematic_queries;    // by load, highest first
  std::vector<std::string> recommendations;

  // The recipe's JSON document (two-space indented).
  std::string ToJson() const;
};

// The statement text as the report shows it: the first 200 characters (of
// UTF-8 text, never splitting a character) and "..." when longer.
std::string ShortStatement(const std::string& text);

// Runs the analysis of instance_id over [now - window, now). InvalidArgument
// from the query engine for an unknown instance or bad options.
Result<ReferenceReport> AnalyzeReference(const pi::QueryEngine& engine, const std::string& instance_id, WallTime now,
                                         const ReferenceOptions& options = {});

}  // namespace dbinsight::analysis
