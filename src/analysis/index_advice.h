// Index advice in root-cause reports: the port through which analysis asks
// the monitored server which index a scanning statement lacks (advise/
// implements it over a database connection, app/ wires it per instance, so
// analysis/ never opens one), and how an advice reads to a DBA.
// Pure functions; the advisor's own thread-safety is its implementer's.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/index_advice.h"

namespace dbinsight::analysis {

// `statement` is the normalized text of db.sql_tokenized, `database` the one
// it ran in ("" when unknown). An error never fails a report: it becomes a
// note.
using IndexAdvisor =
    std::function<Result<std::vector<model::IndexAdvice>>(const std::string& statement, const std::string& database)>;

// One markdown paragraph: the DDL, the table's scan numbers and what the
// planner said, e.g. "Index `app.events (account_id)`: `CREATE INDEX
// CONCURRENTLY ...` — 60000 rows, 1234 sequential scans read 74M rows since
// the statistics were reset; the planner's generic plan is `Seq Scan on
// events ...` (cost 4480), 19 with a hypothetical index (hypopg)."
// The advisor of each monitored instance by id; an empty IndexAdvisor for an
// unknown id.
using IndexAdvisors = std::function<IndexAdvisor(const std::string& instance_id)>;

std::string DescribeIndexAdvice(const model::IndexAdvice& advice);

}  // namespace dbinsight::analysis
