// Internals shared by the root-cause analysis' two halves: root_cause.cc
// (episodes, shares, statement checks, AnalyzeWindow) and
// root_cause_findings.cc (findings and recommendations from them). Not part
// of the module's interface. Pure functions and a borrowing reader;
// thread-safe as the engine is.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/root_cause.h"

namespace dbinsight::analysis::internal {

inline constexpr const char* kLoad = "db.load.avg";
inline constexpr const char* kSqlId = "db.sql_tokenized.id";
inline constexpr const char* kSqlText = "db.sql_tokenized.statement";
inline constexpr const char* kWaitName = "db.wait_event.name";

enum class WaitClass { kCpu, kLock, kIo, kContention, kOther };

// Both engines' vocabularies: PostgreSQL's "Type:Event" and the
// performance_schema instrument names of MariaDB/MySQL.
WaitClass Classify(const std::string& wait);
bool IsMySql(const std::string& engine);

// The per-SQL statistics the checks read, by engine (model/metric_catalog_*.cc),
// as PI metric names with ".avg"; empty where the engine has none.
struct StatNames {
  std::string calls, latency, rows, blocks_hit, blocks_read;
};
StatNames StatsFor(const std::string& engine);

// text on one line, without backticks, cut to max bytes (never inside a
// UTF-8 character) with "..." when longer.
std::string Clip(const std::string& text, size_t max);
double Mean(const std::vector<pi::DataPoint>& points);

// Reads through the engine for one instance.
class Reader {
 public:
  Reader(const pi::QueryEngine& engine, std::string instance) : engine_(engine), instance_(std::move(instance)) {}
  // One metric's points (periods starting in [start, end), timestamps at the
  // periods' starts).
  Result<std::vector<pi::DataPoint>> Points(const std::string& metric, WallTime start, WallTime end, int period,
                                            pi::DimensionMap filter = {}) const;
  // db.load.avg keys of a group (partitioned by `partition`'s top 10).
  Result<pi::DescribeDimensionKeysResult> Keys(const std::string& group, WallTime start, WallTime end, int period,
                                               int limit, std::optional<std::string> partition = std::nullopt,
                                               std::vector<std::string> additional = {},
                                               pi::DimensionMap filter = {}) const;

 private:
  const pi::QueryEngine& engine_;
  std::string instance_;
};

// The episode's CAUSAL finding: its dominant (statement, wait event), the
// evidence and the recommendations by cause. chains: the lock chains seen
// during the episode, heaviest first; when the cause is lock waits the
// heaviest chain's root blocker is named, with recommendations by its state.
Result<Finding> EpisodeFinding(const Reader& r, const model::InstanceInfo& inst, const Report& report, const Episode& e,
                               const StatNames& names, const std::vector<LockChain>& chains);
// A statement's regression or newness against the day (or week) before, if any.
std::optional<Finding> StatementFinding(const StatementCheck& c, const Episode& e, const StatNames& names);
// Findings about the whole window that need no high-load episode, causal on
// their own: a top statement that got slower inside the window (its latency
// per call at the end >= 3x and 2 ms above the start), the heaviest lock
// chain when a session waited 3 s or more behind it, connections that
// reached 80% of max_connections.
Result<std::vector<Finding>> WindowFindings(const Reader& r, const model::InstanceInfo& inst, const Report& report,
                                            const std::set<std::string>& stored, const StatNames& names);
// Findings from the counters stored for the instance (CPU, disk latency,
// temp files, buffer cache, connections), each compared with the hour before.
Result<std::vector<Finding>> CounterFindings(const Reader& r, const model::InstanceInfo& inst,
                                             const std::set<std::string>& stored, const Episode& e, int period);

}  // namespace dbinsight::analysis::internal
